"""A small dated line chart as inline SVG markup (layouts.markup): no plotly graph to draw."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from layouts.markup import esc, tag
from ui.palette import LINE, TEXT

FILL = "rgba(124,196,255,0.08)"  # the area under the line, whatever the line's colour
STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240)  # months between x ticks, as plotly's
MOST_TICKS = 5
TOP, BOTTOM = 26, 26  # px above and below the plot area (the plotly charts' margins)
HEADROOM = 1.35  # the highest point at 1/1.35 of the plot's height: room for its label
VIEW_WIDTH = 1000  # the inner drawing's x units (stretched to the width: only lines and fill)
# A label that a later one is this close to (share of the width, px of height) would overlap it
# on a narrow card: it gets CROWDED, which assets/30-pages.css hides there (a container query).
NEAR_SHARE, NEAR_PX = 0.4, 16
CROWDED = "spark-crowded"


@dataclass(frozen=True)
class Point:
    """One dated figure; `label` is printed above its marker ("" for none)."""

    day: date
    value: float
    label: str = ""


def x_range(days: Sequence[date]) -> tuple[date, date]:
    """The dates at the left and right edges: the series padded by 12 % of its span each side,
    at least 20 days (one point alone sits in the middle of 40 days)."""
    start, end = min(days), max(days)
    pad = max((end - start) * 0.12, timedelta(days=20))
    return start - pad, end + pad


def month_ticks(lo: date, hi: date, most: int = MOST_TICKS) -> list[date]:
    """First days of months inside [lo, hi], at the smallest step of STEPS that gives at most
    `most` (the choice plotly's nticks made on these charts), aligned to January: 6-monthly
    ticks read 01 and 07, 2-yearly ones even years."""
    for step in STEPS:
        ticks = _every(lo, hi, step)
        if len(ticks) <= most:
            return ticks
    return ticks


def _every(lo: date, hi: date, step: int) -> list[date]:
    """The first days of months in [lo, hi] whose months since year 0 are a multiple of step."""
    index = -(-(lo.year * 12 + lo.month - 1) // step) * step  # the first multiple from lo's month
    out = []
    while True:
        year, month = divmod(index, 12)
        day = date(year, month + 1, 1)
        if day > hi:
            return out
        if day >= lo:
            out.append(day)
        index += step


def _share(day: date, lo: date, hi: date) -> float:
    return (day - lo) / (hi - lo)


def _pct(share: float) -> str:
    return f"{share * 100:.2f}%"


def crowded(spots: Sequence[tuple[float, float]]) -> list[bool]:
    """Which of the labels at (share of width, y px) a later one is near: on a narrow card the
    earlier gives way, as spaced_labels lets the older figure give way on a wide one."""
    return [any(abs(x2 - x) < NEAR_SHARE and abs(y2 - y) < NEAR_PX for x2, y2 in spots[i + 1:])
            for i, (x, y) in enumerate(spots)]


def sparkline(points: Sequence[Point], colour: str, summary: str, height: int = 170) -> str:
    """The chart as one `<svg>` (markup, for layouts.markup.block), `height` px high and as
    wide as its box: the line and its fill in an inner SVG stretched to the width (strokes
    keep their width), markers, labels and ticks at percentages of it, so text is never
    stretched. `summary` is what a screen reader says (role img) and the tooltip."""
    plot_bottom = height - BOTTOM
    plot_height = plot_bottom - TOP
    parts = [tag("title", esc(summary))]
    if points:
        lo, hi = x_range([p.day for p in points])
        top = max(max(p.value for p in points), 0) * HEADROOM or 1.0  # all zero: flat at 0

        def y(value: float) -> float:
            return plot_bottom - plot_height * max(value, 0) / top

        for index, tick in enumerate(month_ticks(lo, hi)):
            x = _pct(_share(tick, lo, hi))
            parts.append(tag("line", x1=x, x2=x, y1=TOP, y2=plot_bottom, stroke=LINE,
                             strokeWidth=1))
            # every other tick's date gives way on a narrow card (its grid line stays)
            parts.append(tag("text", esc(tick.strftime("%m/%Y")), x=x, y=plot_bottom + 15,
                             textAnchor="middle", fontSize=11, fill=TEXT,
                             className=CROWDED if index % 2 else None))
        parts.append(tag("line", x1="0%", x2="100%", y1=plot_bottom, y2=plot_bottom, stroke=LINE,
                         strokeWidth=1))
        coords = [(_share(p.day, lo, hi) * VIEW_WIDTH, y(p.value)) for p in points]
        line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
        area = f"{coords[0][0]:.1f},{plot_bottom} {line} {coords[-1][0]:.1f},{plot_bottom}"
        parts.append(tag(
            "svg", tag("polygon", points=area, fill=FILL),
            tag("polyline", points=line, fill="none", stroke=colour, strokeWidth=3,
                strokeLinejoin="round", vectorEffect="non-scaling-stroke"),
            width="100%", height=height, viewBox=f"0 0 {VIEW_WIDTH} {height}",
            preserveAspectRatio="none"))
        for x, yy in coords:
            parts.append(tag("circle", cx=_pct(x / VIEW_WIDTH), cy=f"{yy:.1f}", r=4, fill=colour))
        labelled = [(p.label, x / VIEW_WIDTH, yy - 9) for p, (x, yy) in
                    zip(points, coords, strict=True) if p.label]
        near = crowded([(x, yy) for _, x, yy in labelled])
        for (label, x, yy), hide in zip(labelled, near, strict=True):
            parts.append(tag("text", esc(label), x=_pct(x), y=f"{yy:.1f}", textAnchor="middle",
                             fontSize=12, fill=TEXT, className=CROWDED if hide else None))
    return tag("svg", *parts, width="100%", height=height, role="img", aria_label=summary,
               overflow="visible", className="sparkline")
