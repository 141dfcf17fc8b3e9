"""Indicator drill-down callbacks as plain functions: URL state, figures, table, CSV, staleness."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import pytest
from flask_caching.backends.simplecache import SimpleCache

from callbacks import indicators as ind
from core.cache import cache
from pagestate.indicators import _by_code, default_code, period_choices
from reporting import queries
from tests.helpers import database_down
from web import geodata
from web.i18n import t


def test_url_state_round_trips() -> None:
    query = {"region": "01", "from": "2022-01", "to": "2026-10", "period": "2026-10"}
    state = ind.parse_state("cpi_yoy", query)
    assert state == ind.IndicatorState("CPI_YOY", "01", "2022-01", "2026-10", "2026-10")
    assert state.url() == "/indicators/CPI_YOY?region=01&from=2022-01&to=2026-10&period=2026-10"
    from urllib.parse import parse_qs

    again = ind.parse_state(state.pathname().rsplit("/", 1)[-1],
                            {k: v for k, v in parse_qs(state.search()[1:]).items()})
    assert again == state
    assert ind.parse_state(None, {}) == ind.IndicatorState("", "VN", "", "", "")


def test_resolve_keeps_a_valid_url_and_repairs_a_broken_one(ctx) -> None:
    labels, _ = period_choices(_by_code(queries.catalogue())["CPI_YOY"])
    query = {"region": "01", "from": labels[-6], "to": labels[-2], "period": labels[-3]}
    state, info = ind.resolve("CPI_YOY", query)
    assert info["code"] == "CPI_YOY"
    assert (state.region, state.start, state.end, state.period) == \
        ("01", labels[-6], labels[-2], labels[-3])
    # Unknown region, malformed periods, reversed range: the page still opens, sensibly.
    state, _ = ind.resolve("CPI_YOY", {"region": "XX", "from": "2026-Q1", "to": "junk"})
    assert state.region == "VN" and state.end == labels[-1] and state.start in labels
    state, _ = ind.resolve("CPI_YOY", {"from": labels[-2], "to": labels[-5]})
    assert labels.index(state.start) < labels.index(state.end)
    # A national-only indicator ignores a province; an unknown code opens the first headline.
    state, _ = ind.resolve("GDP_CURRENT", {"region": "01"})
    assert state.region == "VN" and state.period == ""
    state, info = ind.resolve("NOPE", {})
    assert info["code"] == default_code(queries.catalogue())


def test_render_shows_the_url_state_with_target_map_and_ranking(ctx) -> None:
    labels, _ = period_choices(_by_code(queries.catalogue())["CPI_YOY"])
    # A year of history: 11 or 12 months with data, as last month's reports are due or not yet.
    first = labels[-min(12, len(labels))]
    # The compared period: the newest before the last that Hà Nội reported (the seed leaves a few
    # provinces behind on the latest due month).
    hanoi = {r["period"] for r in queries.series("CPI_YOY", "01", first, labels[-1])}
    period = next(p for p in reversed(labels[:-1]) if p in hanoi)
    out = ind.render("CPI_YOY", "01", first, labels[-1], period, "vi")
    (title, meta, stale, series_title, _note, series, compare_title, _cnote, compare_style,
     rank, fig_map, _ttitle, table, pathname, search) = out
    assert title.startswith("Chỉ số giá tiêu dùng")
    assert stale is None and compare_style == {}
    assert pathname == "/indicators/CPI_YOY"
    assert search == f"?region=01&from={first}&to={labels[-1]}&period={period}"
    assert series_title.startswith("Hà Nội")
    rows = queries.series("CPI_YOY", "01", first, labels[-1])
    assert len(series.data[0].x) == len(rows) >= 8  # a province may have missed a month
    # The target line (4 %) is drawn and labelled, not only on hover.
    assert any(s.y0 == 4.0 and s.y1 == 4.0 for s in series.layout.shapes)
    assert any("Mục tiêu" in (a.text or "") for a in series.layout.annotations)
    # Monthly ticks read T1/2026 style.
    assert all(tt.startswith("T") and "/" in tt for tt in series.layout.xaxis.ticktext)
    # 34 provinces ranked with their values written on the bars; the selected one is marked.
    snap = queries.province_snapshot("CPI_YOY", period)
    assert len(rank.data[0].x) == len(snap["values"]) >= 28  # the seed leaves a few late
    assert len(queries.regions()) == 35  # VN and the 34 provinces: all can be ranked
    assert any("<b>" in y and "Hà Nội" in y for y in rank.data[0].y)
    assert all(txt for txt in rank.data[0].text)
    # The map: the 34 shipped province shapes, values where reported, the rest grey "no data";
    # the geo subplot draws no base layer (nothing to fetch from the internet).
    fig_map = go.Figure(fig_map)  # a plain dict (provincemap.choropleth_spec): validate it here
    by_name = {tr.name: tr for tr in fig_map.data}
    assert len(by_name["values"].locations) == len(snap["values"])
    assert len(by_name["values"].locations) + len(by_name.get("no-data", {"locations": []})["locations"]) == 34
    assert list(by_name["selected"].locations) == ["01"]
    # The outlines by the app's own URL (fetched once per browser), never inline nor remote.
    assert by_name["values"].geojson == geodata.url() and geodata.url().startswith("/geo/")
    assert fig_map.layout.geo.visible is False
    assert not any(tr.type in ("scattermapbox", "scattermap", "choroplethmapbox") for tr in fig_map.data)
    texts = " ".join(str(tr.text) for tr in fig_map.data if tr.type == "scattergeo")
    assert "QĐ. Hoàng Sa" in texts and "QĐ. Trường Sa" in texts and "Hà Nội" in texts
    assert compare_title.endswith(ind.period_label(period, "vi"))
    assert "Hà Nội" in str(table)


def test_revised_points_are_marked(ctx) -> None:
    rows = queries.series("EXPORTS", "VN", "", "")
    revised = [r for r in rows if r["revision"] > 1]
    assert revised, "the seed revises some national EXPORTS values"
    out = ind.render("EXPORTS", "VN", rows[0]["period"], rows[-1]["period"], "", "en")
    series = out[5]
    marks = [tr for tr in series.data if tr.name == t("ind.revised", "en")]
    assert len(marks) == 1 and len(marks[0].x) == len(revised)
    assert str(len(revised)) in out[4]  # the note counts them
    assert out[8] == {"display": "none"}  # exports are national only


@pytest.mark.parametrize("code, expect", [("GDP_GROWTH", "Quý"), ("GDP_PER_CAPITA", "20")])
def test_axes_follow_the_frequency(ctx, code: str, expect: str) -> None:
    out = ind.render(code, "VN", "", "", "", "vi")
    ticks = out[5].layout.xaxis.ticktext
    assert ticks and all(expect in tt for tt in ticks)


def test_realtime_feed_is_bucketed_by_hour_range(ctx) -> None:
    state, info = ind.resolve("RT_DOSSIERS", {})
    assert info["frequency"] == "realtime" and state.start.endswith(":00")
    out = ind.render("RT_DOSSIERS", "VN", state.start, state.end, "", "vi")
    assert out[5].layout.xaxis.tickformat == "%H:%M"


def test_csv_download_holds_the_series(ctx) -> None:
    labels, _ = period_choices(_by_code(queries.catalogue())["CPI_YOY"])
    sent = ind.download_csv(1, "CPI_YOY", "01", labels[-3], labels[-1], "vi")
    content = sent["content"]
    # Excel opens it as UTF-8 only with a BOM; headers in the page's language.
    assert content.startswith("\ufeff") and "charset=utf-8" in sent["type"]
    lines = content.removeprefix("\ufeff").strip().splitlines()
    rows = queries.series("CPI_YOY", "01", labels[-3], labels[-1])
    assert lines[0].startswith("Chỉ tiêu,Địa bàn,Kỳ,Giá trị,Đơn vị")
    assert len(lines) == len(rows) + 1 and rows and all(line.startswith("CPI_YOY,01,") for line in lines[1:])
    # Times say their offset: 2026-11-05T10:00:00+07:00, not a bare local time.
    received = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", r) for r in received)
    assert sent["filename"] == f"CPI_YOY_01_{labels[-3]}_{labels[-1]}.csv"
    english = ind.download_csv(1, "CPI_YOY", "01", labels[-3], labels[-1], "en")["content"]
    assert english.removeprefix("\ufeff").startswith("Indicator,Region,Period,Value,Unit")
    assert "Received (Viet Nam time, UTC+7)" in english.splitlines()[0]


def test_csv_times_carry_their_offset() -> None:
    assert ind.with_offset("2026-11-05T10:00:07") == "2026-11-05T10:00:07+07:00"
    assert ind.with_offset("2026-12-06T10:00") == "2026-12-06T10:00+07:00"  # an hourly period
    assert ind.with_offset("2026-Q3") == "2026-Q3" and ind.with_offset(None) == ""


def test_database_down_keeps_last_values_with_stale_badge(app, ctx) -> None:
    first = ind.render("CPI_YOY", "VN", "", "", "", "vi")
    assert first[2] is None
    with database_down(app):
        again = ind.render("CPI_YOY", "VN", "", "", "", "vi")
    assert again[2] is not None and "Mất kết nối" in str(again[2])
    assert len(again[5].data[0].x) == len(first[5].data[0].x)  # same series, kept


class CountingCache(SimpleCache):
    """The real in-process backend, counting the calls made to it (one get_many is one call, as
    it is one MGET on Redis; the gets SimpleCache makes inside it are not counted again)."""

    def __init__(self) -> None:
        super().__init__(default_timeout=60)
        self.calls: list[tuple[str, tuple]] = []
        self._inside = False

    def _count(self, op: str, args: tuple, run: Callable[[], Any]) -> Any:
        if self._inside:
            return run()
        self.calls.append((op, args))
        self._inside = True
        try:
            return run()
        finally:
            self._inside = False

    def get(self, key: str) -> Any:
        return self._count("get", (key,), lambda: super(CountingCache, self).get(key))

    def get_many(self, *keys: str) -> list[Any]:
        return self._count("get_many", keys, lambda: super(CountingCache, self).get_many(*keys))

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._count("set", (key,), lambda: super(CountingCache, self).set(key, value, timeout))

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._count("add", (key,), lambda: super(CountingCache, self).add(key, value, timeout))

    def delete(self, key: str) -> Any:
        return self._count("delete", (key,), lambda: super(CountingCache, self).delete(key))


@pytest.mark.parametrize("code, region, most", [
    ("CPI_YOY", "01", 3),  # by province: catalogue+regions, national series, range+snapshot
    ("EXPORTS", "VN", 3),  # national only: catalogue+regions, national series, range
    ("RT_DOSSIERS", "VN", 2),  # a live feed: catalogue+regions, range (picked by the hour)
])
def test_one_render_makes_few_cache_calls(app, ctx, code: str, region: str, most: int) -> None:
    """One render of the page, warm: each value read once, reads that do not depend on each
    other in one call (was 8, 6 and 5 calls: catalogue and regions read twice, the national
    series twice)."""
    counting = CountingCache()
    app.server.extensions["cache"][cache] = counting
    state, _ = ind.resolve(code, {"region": region})
    first = ind.render(code, region, state.start, state.end, state.period, "vi")  # fills the cache
    counting.calls.clear()
    again = ind.render(code, region, state.start, state.end, state.period, "vi")
    assert len(counting.calls) <= most, counting.calls
    assert all(op in ("get", "get_many") for op, _ in counting.calls)  # a steady page writes nothing
    keys = [k for _, args in counting.calls for k in args]
    assert len(keys) == len(set(keys))  # no value asked for twice
    assert str(again) == str(first)


def _by_id(tree: Any) -> dict[str, Any]:
    """Every component of a layout with an id, by id."""
    found: dict[str, Any] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
        elif hasattr(node, "to_plotly_json"):
            if getattr(node, "id", None):
                found[node.id] = node
            stack.append(getattr(node, "children", None))
    return found


PICKER_URLS = [("GDP_GROWTH", {"region": "01"}), ("CPI_YOY", {"region": "79", "period": "junk"}),
               ("GDP_CURRENT", {"region": "01"}), ("NOPE", {}), (None, {})]


def test_the_layout_opens_the_pickers_as_their_callbacks_would(app) -> None:
    """pick_code and range_controls do not run on the first render (the views are asked for at
    once): the layout must give the pickers exactly what they would have written, in the
    reader's language (five URLs, good and broken, in both languages; one app for all)."""
    from layouts.indicators import layout

    for lang in ("vi", "en"):
        for code, query in PICKER_URLS:
            with app.server.test_request_context("/", headers={"Cookie": f"ops_lang={lang}"}):
                parts = _by_id(layout(code, **query))
                group, code_dd = parts["ind-group"], parts["ind-code"]
                options, value = ind.pick_code(group.value, lang, code_dd.value)
                assert (code_dd.options, code_dd.value) == (options, value), (lang, code)
                got = ind.range_pickers(code_dd.value, lang, parts["ind-region"].value,
                                        parts["ind-from"].value, parts["ind-to"].value,
                                        parts["ind-period"].value)
                assert got == (parts["ind-from"].options, parts["ind-from"].value,
                               parts["ind-to"].options, parts["ind-to"].value,
                               parts["ind-period"].options, parts["ind-period"].value,
                               parts["ind-region"].disabled, parts["ind-region"].value), (lang, code)
