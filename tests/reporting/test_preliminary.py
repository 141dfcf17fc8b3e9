"""One early report does not set the province comparison; periods not ended read 'sơ bộ'."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from callbacks import indicators as page
from core import periods
from core.clock import local_now
from core.db import EXTENSION_KEY, Database
from layouts.components import indicator_tile
from pagestate.indicators import resolve_page
from reporting import ingest, preliminary, queries
from settings import Settings

CURRENT = periods.of(local_now(), "quarterly")  # has not ended; reportable from its first day
ENDED = periods.shift(CURRENT, -1)


@pytest.fixture
def ctx(settings: Settings, database: Database) -> Iterator[None]:
    from core.cache import init_app

    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    init_app(server, settings)
    with server.app_context():
        yield


def send(database: Database, rows: list[str]) -> None:
    text = "indicator,region,period,value\n" + "".join(f"{r}\n" for r in rows)
    result = ingest.ingest_bytes(database, text.encode(), filename="gdp.csv", agency="BTC",
                                 channel="api")
    assert result.status == "accepted", result.rejected


@pytest.fixture
def early_report(database: Database, ctx: None) -> None:
    """The ended quarter from 31 provinces, then the running one from the nation and Hà Nội."""
    provinces = [r["code"] for r in queries.regions() if r["kind"] == "province"]
    assert len(provinces) == 34 and "01" in provinces[:31]
    send(database, [f"GDP_GROWTH,VN,{ENDED.label},7.1"]
         + [f"GDP_GROWTH,{p},{ENDED.label},{6 + i / 10}" for i, p in enumerate(provinces[:31])])
    send(database, [f"GDP_GROWTH,VN,{CURRENT.label},7.4", f"GDP_GROWTH,01,{CURRENT.label},8.0"])


def test_the_comparison_opens_on_the_newest_period_most_provinces_reported(
        early_report: None) -> None:
    snap = queries.province_snapshot("GDP_GROWTH")
    assert (snap["period"], snap["reported"], snap["total"]) == (ENDED.label, 31, 34)
    assert not snap["preliminary"]  # ended, and 31 of 34 is over 80 %
    state = resolve_page("GDP_GROWTH", {}).state
    assert state.period == ENDED.label and state.end == CURRENT.label
    early = queries.province_snapshot("GDP_GROWTH", CURRENT.label)
    assert (early["reported"], early["preliminary"]) == (1, True)


def test_without_a_well_reported_period_the_most_reported_one_opens() -> None:
    counts = [("2026-Q4", 1), ("2026-Q3", 20), ("2026-Q2", 20), ("2026-Q1", 3)]
    assert preliminary.comparison_period(counts, 34) == "2026-Q3"
    assert preliminary.comparison_period([("2026-Q4", 28), ("2026-Q3", 34)], 34) == "2026-Q4"
    assert preliminary.comparison_period([], 34) == ""


@pytest.mark.parametrize("lang, word", [("vi", "sơ bộ"), ("en", "preliminary")])
def test_a_running_period_is_marked_preliminary_on_tile_and_charts(
        early_report: None, lang: str, word: str) -> None:
    tile = queries.indicator_summary("GDP_GROWTH")
    assert (tile["period"], tile["preliminary"]) == (CURRENT.label, True)
    badge = {"vi": "SƠ BỘ", "en": "PRELIMINARY"}[lang]
    assert badge in str(indicator_tile(tile, lang))
    # The comparison defaults to the ended quarter: not preliminary.
    state = resolve_page("GDP_GROWTH", {}).state
    out = page.render("GDP_GROWTH", "VN", state.start, state.end, state.period, lang)
    series, compare_title = out[5], out[6]
    assert word not in compare_title
    early = [tr for tr in series.data if tr.name == page.t("prelim.points", lang)]
    assert len(early) == 1 and len(early[0].x) == 1  # the running quarter only
    assert any(word in (a.text or "") for a in series.layout.annotations)
    # Asked for the running quarter, the comparison says it is preliminary and how thin.
    out = page.render("GDP_GROWTH", "VN", state.start, state.end, CURRENT.label, lang)
    assert out[6].endswith(word) and "1" in out[7] and "34" in out[7]


def test_an_ended_well_reported_period_is_not_preliminary(database: Database,
                                                          ctx: None) -> None:
    send(database, [f"GDP_GROWTH,VN,{ENDED.label},7.1"])
    tile = queries.indicator_summary("GDP_GROWTH")
    assert tile["preliminary"] is False and "SƠ BỘ" not in str(indicator_tile(tile, "vi"))
