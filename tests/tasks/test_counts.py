"""The counts through the tally equal the plain computation, and the kept tally equals a rebuilt
one, after imports and revisions that move tasks between agencies, themes, flags and states."""
from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Any

from core.db import transaction
from tasks import importer, tally
from tasks.counts import (
    Filters,
    ranking_in,
    reference_ranking_in,
    reference_summary_in,
    spans,
    summary_in,
    summed,
)
from tasks.reading import COLUMNS
from tasks.summary import themes_in

TODAY = date(2024, 6, 30)
AGENCIES = ("BTC", "BCT", "T34_01", "T34_79")
THEMES = ("", "Chuyển đổi số", "Đầu tư công")


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _period_days(grain: str, lo: int, hi: int) -> set[date]:
    if grain == "Y":
        return _days(date(lo, 1, 1), date(hi, 12, 31))
    first = date(lo // 100, lo % 100, 1)
    after = date(hi // 100 + (hi % 100 == 12), hi % 100 % 12 + 1, 1)
    return _days(first, after - timedelta(days=1))


def test_spans_cover_the_window_exactly_once() -> None:
    edges = (date(2015, 12, 31), date(2016, 1, 1), date(2016, 1, 2), date(2016, 2, 29),
             date(2016, 3, 1), date(2016, 12, 31), date(2017, 1, 1), date(2019, 6, 15),
             date(2019, 11, 30), date(2019, 12, 1), date(2024, 6, 30), date(2024, 7, 1))
    for start in edges:
        for stop in edges:
            days: list[date] = []
            ragged, ranges = spans(start, stop)
            for a, b in ragged:
                days += sorted(_days(a, b))
            for grain, lo, hi in ranges:
                days += sorted(_period_days(grain, lo, hi))
            assert len(days) == len(set(days)), (start, stop)
            assert set(days) == (_days(start, stop) if start <= stop else set()), (start, stop)
            assert len(ragged) <= 2 and len(ranges) <= 3


def _export(rng: random.Random, n: int, shift: int = 0) -> bytes:
    """n tasks over 2022-2024 in documents of 10; `shift` redraws their state (revisions)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i in range(n):
        issued = date(2022, 1, 1) + timedelta(days=(i // 10) * 7 % 900)
        deadline = None if rng.random() < 0.1 else issued + timedelta(days=rng.randint(5, 400))
        done = issued + timedelta(days=rng.randint(1, 500)) if rng.random() < 0.7 else None
        if done is not None and done > TODAY:
            done = None
        writer.writerow([f"{i // 10 + 1}/CT-TTg", "Chỉ thị", issued.isoformat(), "Thủ tướng",
                         i % 10 + 1, f"Nhiệm vụ {i}", AGENCIES[(i + shift) % 4],
                         deadline.isoformat() if deadline else "",
                         done.isoformat() if done else "", int(rng.random() < 0.2),
                         THEMES[(i // 10 + shift) % 3], 0])
    return out.getvalue().encode()


def test_tally_counts_equal_the_plain_counts(database: Any) -> None:
    rng = random.Random(19)
    assert importer.import_bytes(database, _export(rng, 600), today=TODAY).created == 600
    # Every task redrawn: many move agency, theme, key flag, deadline or completion.
    again = importer.import_bytes(database, _export(rng, 600, shift=1), today=TODAY)
    assert again.revised > 500 and not again.refused
    with database.sessions() as session:
        kept = tally.rows_in(session)
    with transaction(database.sessions) as session:
        tally.rebuild(session)
    with database.sessions() as session:
        assert tally.rows_in(session) == kept
        assert themes_in(session) == sorted(t for t in THEMES if t)
        windows = [(date(2022, 1, 1), TODAY), (date(2021, 12, 15), date(2024, 1, 10)),
                   (date(2023, 2, 1), date(2023, 2, 28)), (date(2023, 3, 5), date(2023, 3, 9)),
                   (date(2022, 7, 1), date(2023, 12, 31))]
        for start, stop in windows:
            for day in (TODAY, TODAY + timedelta(days=1), date(2025, 3, 1), date(2023, 1, 1),
                        date(2023, 7, 15)):  # past days: tasks done later were open then
                for agency, theme, key in (("", "", None), ("T34_01", "", None),
                                           ("", "Đầu tư công", None), ("BTC", "", True)):
                    filters = Filters(start, stop, agency, theme, key)
                    assert summary_in(session, filters, day) == \
                        reference_summary_in(session, filters, day), (filters, day)
                assert ranking_in(session, Filters(start, stop), day) == \
                    reference_ranking_in(session, Filters(start, stop), day)
                for theme in ("", "Đầu tư công"):  # /tasks: its counts from its ranking
                    ranked = ranking_in(session, Filters(start, stop, "", theme), day)
                    for agency in ("", *AGENCIES, "BYT"):  # BYT leads none of them
                        assert summed(ranked, agency) == summary_in(
                            session, Filters(start, stop, agency, theme), day), (agency, day)
        # A day before many completions (the same period last year): still exact.
        early = Filters(date(2022, 1, 1), TODAY)
        assert summary_in(session, early, date(2023, 1, 1)) == \
            reference_summary_in(session, early, date(2023, 1, 1))
