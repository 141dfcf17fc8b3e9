"""Reporting page callbacks: compliance matrix, late list, submissions and rejected rows."""
from __future__ import annotations

from typing import Any

import pytest

from callbacks import reporting as rep
from core.db import current, transaction
from core.models import utcnow
from reporting import queries
from reporting.models import RejectedRow, Submission
from tests.helpers import database_down, ids_of, markup_of, text_of


def test_state_round_trips() -> None:
    state = rep.parse_state({"agency": "t34_01", "submission": "12"})
    assert state == rep.ReportingState("T34_01", 12)
    assert state.search() == "?agency=T34_01&submission=12"
    assert rep.parse_state({"submission": "12"}) == rep.ReportingState(None, None)
    assert rep.parse_state({"agency": "BTC", "submission": "x"}).search() == "?agency=BTC"


def test_matrix_has_34_provinces_and_the_reporting_ministries(ctx) -> None:
    out = rep.page("vi", "T34_01")
    heat = out[6]
    rows = [i for i in ids_of(heat) if i.startswith("rep-row-")]
    provinces = [r for r in rows if r.startswith("rep-row-T34_")]
    assert len(provinces) == 34
    matrix = queries.compliance(12)
    ministries = [r["agency"] for r in matrix["rows"] if r["kind"] == "ministry"]
    assert {"BTC", "BCT", "NHNN"} <= set(ministries)
    assert all(f"rep-row-{m}" in rows for m in ministries)
    assert len(matrix["periods"]) == 12
    cells = {c for r in matrix["rows"] for c in r["cells"]}
    assert cells <= set(rep.CELLS) and "on_time" in cells
    # Summary counts add up to the agencies of the latest due month.
    c = rep.counts(matrix)
    assert c["on_time"] + c["late"] + c["missing"] + c["pending"] == len(matrix["rows"])
    late = queries.late_now(12)
    assert f"({len(late)})" in out[7]
    for item in late:
        assert rep.agency_href(item["agency"]) in str(out[8])


def test_rejected_rows_of_a_bad_submission_show_with_reasons(ctx) -> None:
    with transaction(current().sessions) as s:
        sub = Submission(agency_code="T34_01", channel="api", filename="hanoi_bad.csv",
                         content_type="text/csv", sha256="0" * 64, payload=b"x",
                         received_at=utcnow(), period="", status="partial", rows_total=3,
                         rows_accepted=2, rows_rejected=1, error="")
        s.add(sub)
        s.flush()
        s.add(RejectedRow(submission_id=sub.id, row_number=3, field="value",
                          reason="value 950 is outside the plausible range 0–100",
                          raw="CPI_YOY,01,2026-10,950"))
        sid = sub.id
    title, table, rejected, _stale, search = rep.drill("T34_01", None, "vi")
    assert "Hà Nội" in text_of(title) and rejected == ""
    assert search == "?agency=T34_01"
    assert {"type": "rep-sub", "id": sid} in [getattr(c, "id", None) for c in _walk(table)]
    _title, _table, rejected, _stale, search = rep.drill("T34_01", sid, "vi")
    shown = text_of(rejected)
    assert "hanoi_bad.csv" in shown and "outside the plausible range" in shown
    assert "CPI_YOY,01,2026-10,950" in shown
    assert search == f"?agency=T34_01&submission={sid}"
    # A submission that is not the agency's is dropped from the state.
    *_, search = rep.drill("BTC", sid, "vi")
    assert search == "?agency=BTC"


def test_ingested_bad_row_is_quarantined_and_shown(ctx) -> None:
    ingest = pytest.importorskip("reporting.ingest")
    payload = b"indicator,region,period,value\nCPI_YOY,01,2026-09,3.1\nCPI_YOY,01,2026-09,abc\n"
    ingest.ingest_bytes(current(), payload, filename="t34_01.csv", agency="T34_01",
                        channel="api", content_type="text/csv")
    queries.agency_submissions.uncached  # noqa: B018 - memoized; the key is new anyway
    subs = queries.agency_submissions.uncached("T34_01")
    bad = next(s for s in subs if s["filename"] == "t34_01.csv")
    assert bad["rows_rejected"] >= 1
    *_, rejected, _stale, _search = rep.drill("T34_01", bad["id"], "en")
    assert "abc" in text_of(rejected)


def test_database_down_keeps_the_matrix_with_stale_badge(app, ctx) -> None:
    first = rep.page("vi", None)
    assert "Mất kết nối" not in text_of(first[2])
    with database_down(app):
        again = rep.page("vi", None)
    assert "Mất kết nối" in text_of(again[2])
    assert str(again[6]) == str(first[6])
    assert "Mất kết nối" not in text_of(rep.page("vi", None)[2])  # recovers by itself


def _cells(heat: Any, agency: str) -> list[Any]:
    row = next(c for c in _walk(heat) if getattr(c, "id", None) == f"rep-row-{agency}")
    return [c for c in row.children[1:]]


@pytest.mark.parametrize("lang, word", [("vi", "MÔ PHỎNG"), ("en", "SIMULATED")])
def test_every_simulated_figure_says_so(ctx, lang: str, word: str) -> None:
    """The seeded history is the simulator's: its cells, counts, late list and submissions
    are marked; an agency's real submission is not."""
    payload = b"indicator,region,period,value\nIIP,VN,2026-11,7.5\n"
    ingest = pytest.importorskip("reporting.ingest")
    ingest.ingest_bytes(current(), payload, filename="btc.csv", agency="BTC", channel="api")
    queries.compliance.uncached(12)
    matrix = queries.compliance.uncached(12)
    assert matrix["simulated"] > 0
    out = rep.page(lang, None)
    assert word in text_of(out[2])  # the page's badge
    assert "rep-legend-sim" in ids_of(out[5])  # the legend names the hatching
    # A seeded province: every cell received is hatched and says so on hover.
    hanoi = _cells(out[6], "T34_01")
    received = [c for c in hanoi if "cell-on_time" in c.className or "cell-late" in c.className]
    assert received and all("is-sim" in c.className for c in received)
    assert all(rep.t("rep.sim.cell", lang) in c.title for c in received)
    # BTC's November report came through the API: that cell is real.
    btc = _cells(out[6], "BTC")
    november = next(c for c, p in zip(btc, matrix["periods"], strict=True) if p == "2026-11")
    assert "is-sim" not in november.className
    # Summary counts of a month with simulated cells are marked.
    assert word in text_of(out[3][0])
    # An agency's submissions: the seeded ones are marked, the API one is not.
    title, table, *_ = rep.drill("BTC", None, lang)
    rows = [c for c in _walk(table) if getattr(c, "className", None) in (None, "selected")
            and type(c).__name__ == "Tr"]
    by_channel = {}
    for row in rows[1:]:
        channel_cell = row.children[6]
        by_channel.setdefault(text_of(channel_cell).split()[0], set()).add(
            word in text_of(channel_cell))
    assert by_channel["api"] == {False} and by_channel["seed"] == {True}
    assert word in text_of(title)


def _walk(component: Any):
    parsed = markup_of(component)  # the heat table is one markup block (layouts.markup)
    if parsed is not None:
        yield from _walk(parsed)
        return
    if isinstance(component, list | tuple):
        for c in component:
            yield from _walk(c)
        return
    yield component
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, str):
        yield from _walk(children)
