"""The inline SVG line chart: ticks at nice month steps, everything inside its box, text escaped."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from layouts.markup import block
from layouts.sparkline import CROWDED, Point, crowded, month_ticks, sparkline, x_range
from tests.helpers import Element, markup_of, text_of

SERVICES = [Point(date(2019, 12, 9), 8, "8"), Point(date(2020, 8, 19), 1000, "1.000"),
            Point(date(2020, 12, 17), 2650, ""), Point(date(2020, 12, 30), 2700, "2.700"),
            Point(date(2021, 3, 8), 2800, "2.800")]


def elements(markup: str, name: str) -> list[Element]:
    """Every `name` element in the markup, in order."""
    found: list[Element] = []

    def walk(nodes: list) -> None:
        for node in nodes:
            if isinstance(node, Element):
                if node.tag == name:
                    found.append(node)
                walk(node.children)

    walk(markup_of(block(f"<div>{markup}</div>")))
    return found


def share(attr: str) -> float:
    assert attr.endswith("%"), attr
    return float(attr[:-1]) / 100


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    # 19 months: 6-monthly, as plotly's nticks=5 drew it
    (date(2019, 10, 4), date(2021, 5, 15), [date(2020, 1, 1), date(2020, 7, 1), date(2021, 1, 1)]),
    # 8 months: every other month, odd months as from January
    (date(2020, 7, 26), date(2021, 4, 1),
     [date(2020, 9, 1), date(2020, 11, 1), date(2021, 1, 1), date(2021, 3, 1)]),
    # 3.5 months: monthly
    (date(2020, 12, 11), date(2021, 3, 28), [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)]),
    # 8 years: two-yearly, even years
    (date(2015, 6, 1), date(2023, 6, 1),
     [date(2016, 1, 1), date(2018, 1, 1), date(2020, 1, 1), date(2022, 1, 1)]),
])
def test_ticks_at_nice_month_steps(lo: date, hi: date, expected: list[date]) -> None:
    assert month_ticks(lo, hi) == expected


def test_at_most_five_ticks_and_all_inside_the_range() -> None:
    for months in range(2, 1200, 7):
        lo = date(2000, 3, 17)
        hi = date(2000 + (2 + months) // 12, (2 + months) % 12 + 1, 2)
        ticks = month_ticks(lo, hi)
        assert 2 <= len(ticks) <= 5, (lo, hi, ticks)
        assert all(lo <= t <= hi and t.day == 1 for t in ticks)


def test_the_range_pads_the_series_as_the_plotly_chart_did() -> None:
    lo, hi = x_range([p.day for p in SERVICES])
    # 12 % of the 455 days each side, in whole days as the dates given to plotly were
    assert date(2019, 12, 9) - lo == hi - date(2021, 3, 8) == timedelta(days=54)
    one = x_range([date(2021, 3, 8)])
    assert one == (date(2021, 2, 16), date(2021, 3, 28))  # 20 days each side


def test_markers_labels_and_ticks_are_inside_the_box() -> None:
    svg = sparkline(SERVICES, "#7cc4ff", "Dịch vụ: 8 (09/12/2019), 2.800 (08/03/2021)")
    outer = elements(svg, "svg")[0]
    assert outer.attrs["role"] == "img" and outer.attrs["height"] == "170"
    assert outer.attrs["aria-label"] == "Dịch vụ: 8 (09/12/2019), 2.800 (08/03/2021)"
    circles = elements(svg, "circle")
    assert len(circles) == 5
    xs = [share(c.attrs["cx"]) for c in circles]
    assert xs == sorted(xs) and xs[0] > 0.05 and xs[-1] < 0.95  # padded: no marker at an edge
    ys = [float(c.attrs["cy"]) for c in circles]
    assert ys[0] == pytest.approx(144, abs=0.5)  # 8 of 2,800 is on the baseline
    assert all(26 <= y <= 144 for y in ys)
    assert min(ys) == pytest.approx(144 - 118 / 1.35, abs=0.05)  # the highest: 1/1.35 of it
    texts = elements(svg, "text")
    labels = [text_of(t.children) for t in texts if t.attrs["fontsize"] == "12"]
    ticks = [text_of(t.children) for t in texts if t.attrs["fontsize"] == "11"]
    assert labels == ["8", "1.000", "2.700", "2.800"]  # the unlabelled point prints nothing
    assert ticks == ["01/2020", "07/2020", "01/2021"]
    for text in texts:
        assert 0 < share(text.attrs["x"]) < 1 and 0 < float(text.attrs["y"]) < 170
    # The line and the fill stretch to the width; the stroke keeps its 3 px.
    inner = elements(svg, "svg")[1]
    assert inner.attrs["preserveaspectratio"] == "none" and inner.attrs["viewbox"] == "0 0 1000 170"
    line = elements(svg, "polyline")[0]
    assert line.attrs["vectoreffect"] == "non-scaling-stroke" and line.attrs["stroke"] == "#7cc4ff"
    assert len(line.attrs["points"].split()) == 5
    area = elements(svg, "polygon")[0].attrs["points"].split()
    assert area[0].endswith(",144") and area[-1].endswith(",144") and len(area) == 7


def test_label_text_is_escaped() -> None:
    hostile = '<script>x</script>{window.y} & "q"'
    svg = sparkline([Point(date(2021, 1, 1), 5, hostile), Point(date(2021, 3, 1), 7, "7")],
                    "#fff", hostile)
    assert "<script>" not in svg and "{" not in svg
    assert [text_of(t.children) for t in elements(svg, "text")][-2] == hostile
    assert elements(svg, "svg")[0].attrs["aria-label"] == hostile
    assert text_of(elements(svg, "title")[0].children) == hostile


def test_empty_and_one_point_series() -> None:
    empty = sparkline([], "#fff", "nothing")
    assert elements(empty, "svg")[0].attrs["aria-label"] == "nothing"
    assert not elements(empty, "circle") and not elements(empty, "polyline")
    one = sparkline([Point(date(2021, 3, 8), 0, "0")], "#fff", "one")
    circle = elements(one, "circle")[0]
    assert share(circle.attrs["cx"]) == pytest.approx(0.5) and circle.attrs["cy"] == "144.0"
    assert text_of(elements(one, "text")[-1].children) == "0"
    assert [text_of(t.children) for t in elements(one, "text")][:1] == ["03/2021"]


def test_close_labels_give_way_on_a_narrow_card() -> None:
    # 2.700 and 2.800 are 12 % of the width apart at nearly the same height: 2.700 is marked.
    assert crowded([(0.1, 140.0), (0.5, 80.0), (0.78, 50.0), (0.9, 49.0)]) == \
        [False, False, True, False]
    assert crowded([(0.1, 100.0), (0.2, 60.0)]) == [False, False]  # far apart in height
    svg = sparkline(SERVICES, "#fff", "s")
    marked = [text_of(t.children) for t in elements(svg, "text") if CROWDED in t.className]
    assert marked == ["07/2020", "2.700"]  # every other tick's date, and the close label
