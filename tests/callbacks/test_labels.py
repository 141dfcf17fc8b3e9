"""Map label placement: no two labels overlap, the selected point always gets one."""
from __future__ import annotations

from callbacks.labels import CHAR_PX, Point, _label_box, _overlaps, place_labels


def boxes(points: list[Point], labels: list[tuple[str, str]], scale: float) -> list[tuple]:
    return [_label_box(p.x * scale, p.y * scale, p.size_px / 2, len(text) * CHAR_PX, side)
            for p, (text, side) in zip(points, labels, strict=True) if text]


def test_crowded_points_get_labels_that_never_overlap() -> None:
    # A 5 x 5 cluster half a unit apart at 50 px per unit: far more labels than room.
    points = [Point(105 + 0.5 * (i % 5), 20 + 0.5 * (i // 5), 12, f"Tỉnh số {i} 3,14") for i in range(25)]
    labels = place_labels(points, 50, (100, 15, 112, 25))
    placed = boxes(points, labels, 50)
    assert 5 <= len(placed) < 25  # some fit, some give way
    assert not any(_overlaps(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])


def test_selected_first_and_labels_stay_inside() -> None:
    points = [Point(105.0, 21.0, 20, "Hà Nội 3,64"), Point(105.3, 21.0, 20, "Bắc Ninh 3,06")]
    labels = place_labels(points, 50, (101.4, 8.2, 115.6, 23.6), order=[1, 0])
    assert labels[1][0] == "Bắc Ninh 3,06"
    # At the right-hand edge the label turns to the left.
    edge = place_labels([Point(115.4, 15.0, 10, "Khánh Hòa 2,13")], 50, (101.4, 8.2, 115.6, 23.6))
    assert edge[0][1].endswith("left")


def test_centred_labels_skip_the_crowded_keep_the_first() -> None:
    from callbacks.labels import fit_centred

    points = [Point(0, 0, 0, "Hà Nội<br><b>5,8</b>"), Point(0.1, 0.1, 0, "Bắc Ninh"),
              Point(5, 5, 0, "Cà Mau")]
    # At 50 px a degree the first two overlap: the one tried first wins, the far one fits.
    assert fit_centred(points, 50, [1, 0, 2], 14) == [False, True, True]
    assert fit_centred(points, 50, [0, 1, 2], 14) == [True, False, True]
    assert fit_centred(points, 2000, [0, 1, 2], 14) == [True, True, True]


def test_every_graph_starts_dark_saying_loading(ctx: None) -> None:
    """Before its callback answers, a graph shows the dark theme and 'Đang tải…', never plotly's
    white empty axes (what a bridge point showed while a page loaded)."""
    import plotly.graph_objects as go
    from dash import dcc

    from layouts import cameras, indicators, savings

    def graphs(node):
        if isinstance(node, dcc.Graph):
            yield node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and hasattr(child, "to_plotly_json"):
                yield from graphs(child)

    found = [g for page in (indicators.layout(code="GDP_GROWTH"), savings.layout(), cameras.layout())
             for g in graphs(page)]
    assert len(found) >= 5
    for graph in found:
        layout = go.Figure(graph.figure).layout  # a plain dict, shared (ui.figures)
        assert layout.paper_bgcolor == "rgba(0,0,0,0)", graph.id  # the page's dark background
        assert layout.template.layout.paper_bgcolor != "white", graph.id
        assert [a.text for a in layout.annotations] == ["Đang tải…"], graph.id


def test_source_lines_read_in_vietnamese_on_vietnamese_screens() -> None:
    import csv
    from pathlib import Path

    from ui.wording import source_text

    assert source_text("Chinhphu.vn interview (Dec 2020)", "vi") == "Chinhphu.vn phỏng vấn (12/2020)"
    assert source_text("VGP news and Baochinhphu.vn 10/03/2021", "vi") == \
        "Tin VGP và Baochinhphu.vn 10/03/2021"
    assert source_text("Chinhphu.vn interview (Dec 2020)", "en") == "Chinhphu.vn interview (Dec 2020)"
    english = ("interview", "news", "press", "coverage", "reported", "Dec ", "report", "Decision")
    facts = Path(__file__).resolve().parents[2] / "data" / "reference" / "kpi_facts.csv"
    for row in csv.DictReader(facts.open(encoding="utf-8")):
        shown = source_text(row["source"], "vi")
        assert not any(word in shown for word in english), shown
