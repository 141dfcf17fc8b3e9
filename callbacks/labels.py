"""Greedy placement of point labels on a to-scale chart so that no two labels overlap."""
from __future__ import annotations

from dataclasses import dataclass

CHAR_PX = 6.3  # mean advance of an 11 px sans-serif glyph (DejaVu Sans, Vietnamese text)
LINE_PX = 14.0
PAD_PX = 3.0

# Plotly textpositions tried in order: beside the marker first (reads like a list), then above and below.
SIDES = ("middle right", "middle left", "top center", "bottom center",
         "top right", "bottom right", "top left", "bottom left")


@dataclass(frozen=True)
class Point:
    x: float  # data units
    y: float
    size_px: float  # marker diameter
    text: str


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


def _label_box(cx: float, cy: float, radius: float, width: float, side: str) -> Box:
    vertical, horizontal = side.split()
    reach = radius + PAD_PX
    x0 = {"right": cx + reach, "left": cx - reach - width}.get(horizontal, cx - width / 2)
    y0 = {"top": cy + reach, "bottom": cy - reach - LINE_PX}.get(vertical, cy - LINE_PX / 2)
    return x0, y0, x0 + width, y0 + LINE_PX


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(points: list[Point], px_per_unit: float, bounds: Box, order: list[int] | None = None,
                 ) -> list[tuple[str, str]]:
    """(text, textposition) per point; a label that fits nowhere is left out (its hover still shows it).

    Points are labelled in `order` (most important first); each takes the first side where its
    label overlaps neither a label already placed nor another marker, and stays inside `bounds`
    (x0, y0, x1, y1 in data units).
    """
    centres = [(p.x * px_per_unit, p.y * px_per_unit) for p in points]
    markers = [(cx - p.size_px / 2, cy - p.size_px / 2, cx + p.size_px / 2, cy + p.size_px / 2)
               for p, (cx, cy) in zip(points, centres, strict=True)]
    limit = tuple(v * px_per_unit for v in bounds)
    placed: list[Box] = []
    out = [("", SIDES[0])] * len(points)
    for index in order if order is not None else range(len(points)):
        point, (cx, cy) = points[index], centres[index]
        width = len(point.text) * CHAR_PX
        for side in SIDES:
            box = _label_box(cx, cy, point.size_px / 2, width, side)
            inside = limit[0] <= box[0] and box[2] <= limit[2] and limit[1] <= box[1] and box[3] <= limit[3]
            if inside and not any(_overlaps(box, other) for other in placed) and not any(
                    _overlaps(box, marker) for n, marker in enumerate(markers) if n != index):
                placed.append(box)
                out[index] = (point.text, side)
                break
    return out


def fit_centred(points: list[Point], px_per_unit: float, order: list[int], font_px: float,
                ) -> list[bool]:
    """Which labels centred on their point fit without overlapping one already placed.

    For labels drawn on an area (a province), not beside a marker; texts may hold '<br>'.
    Points are tried in `order` (most important first); the rest keep their hover text only.
    """
    # Plotly spaces lines at 1.3 em; the extra em leaves a gap a wall can see between labels.
    char_px, line_px = CHAR_PX * font_px / 11, 1.3 * font_px
    placed: list[Box] = []
    shown = [False] * len(points)
    for index in order:
        point = points[index]
        lines = [line.replace("<b>", "").replace("</b>", "") for line in point.text.split("<br>")]
        width = max(len(line) for line in lines) * char_px + PAD_PX
        height = len(lines) * line_px + font_px / 2
        cx, cy = point.x * px_per_unit, point.y * px_per_unit
        box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        if not any(_overlaps(box, other) for other in placed):
            placed.append(box)
            shown[index] = True
    return shown
