"""The briefing's charts drawn by matplotlib as SVG (vectors): series, ranking and the map."""
from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.collections import PolyCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from briefings import texts
from core.fmt import number
from reporting import geo

matplotlib.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 9, "axes.edgecolor": "#8a96aa",
    "axes.labelcolor": "#14203a", "xtick.color": "#39465e", "ytick.color": "#39465e",
    "svg.fonttype": "none", "svg.hashsalt": "ops-briefing",  # same input, same bytes
})

# The screens' statuses (reporting.queries.tile_status) in print colours: dark enough on paper.
STATUS_INK = {"good": "#1b8a4c", "warn": "#c27c00", "bad": "#c8323c", "neutral": "#2f6db5"}
TARGET_INK = "#6b778c"
NO_DATA = "#d5dae3"
EDGE = "#ffffff"
# Bad -> good: red, amber, teal, as on the wall's map; its luminance rises, so it prints in grey.
GOOD_SCALE = LinearSegmentedColormap.from_list("good", ["#c8323c", "#e8b23a", "#2aa58a"])
NEUTRAL_SCALE = LinearSegmentedColormap.from_list("neutral", ["#c9dcf2", "#1f4f8f"])


def _svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _margins(fig: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches: tight_layout draws the figure once more (a third of its cost)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def _vi_axis(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: number(v, "vi", decimals))


def series_chart(labels: Sequence[str], values: Sequence[float], *, status: str,
                 target: float | None, decimals: int, size: tuple[float, float]) -> bytes:
    """One series over time, the latest point marked and labelled, the target dashed."""
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    colour = STATUS_INK.get(status, STATUS_INK["neutral"])
    xs = list(range(len(values)))
    ax.plot(xs, values, color=colour, linewidth=2)
    ax.fill_between(xs, values, min(values) if values else 0, color=colour, alpha=0.12)
    if values:
        ax.plot([xs[-1]], [values[-1]], "o", color=colour, markersize=6)
        ax.annotate(number(values[-1], "vi", decimals), (xs[-1], values[-1]),
                    textcoords="offset points", xytext=(-4, 8), ha="right", fontsize=11,
                    fontweight="bold", color=colour)
    if target is not None:
        ax.axhline(target, color=TARGET_INK, linestyle="--", linewidth=1)
        ax.annotate(f"Mục tiêu {number(target, 'vi', decimals)}", (0, target),
                    textcoords="offset points", xytext=(2, 3), fontsize=8, color=TARGET_INK)
    step = max(1, len(labels) // 8)
    ax.set_xticks(xs[::step], [labels[i] for i in xs[::step]], fontsize=8)
    ax.yaxis.set_major_formatter(_vi_axis(decimals))
    ax.grid(axis="y", color="#e3e7ee", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _margins(fig, 0.55, 0.1, 0.1, 0.3)
    return _svg(fig)


def province_map(values: dict[str, float], *, higher_is_better: bool | None, decimals: int,
                 size: tuple[float, float]) -> bytes:
    """The 34 provinces from the shipped shapes, coloured by value, with both archipelagos."""
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    known = [v for v in values.values() if v is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    scale = NEUTRAL_SCALE if higher_is_better is None else GOOD_SCALE
    norm = Normalize(lo, hi if hi > lo else lo + 1)
    polygons, colours = [], []
    for feature in geo.provinces()["features"]:
        value = values.get(feature["id"])
        if value is None:
            colour = NO_DATA
        else:
            share = norm(value)
            colour = scale(1 - share if higher_is_better is False else share)
        for polygon in feature["geometry"]["coordinates"]:
            polygons.append(polygon[0])
            colours.append(colour)
    ax.add_collection(PolyCollection(polygons, facecolors=colours, edgecolors=EDGE,
                                     linewidths=0.3))
    isles = [i for group in geo.islands().values() for i in group]
    ax.scatter([i["lon"] for i in isles], [i["lat"] for i in isles], s=2, color="#39465e")
    ax.text(111.3, 17.3, texts.HOANG_SA, fontsize=6, ha="center", va="top", color="#14203a")
    ax.text(114.2, 11.3, texts.TRUONG_SA, fontsize=6, ha="center", va="top", color="#14203a")
    lon0, lat0, lon1, lat1 = geo.bounds()
    ax.set_xlim(lon0 - 0.3, lon1 + 1.2)
    ax.set_ylim(lat0 - 1.0, lat1 + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if known:
        steps = 5
        handles = []
        for i in range(steps):
            v = lo + (hi - lo) * i / (steps - 1)
            share = norm(v)
            handles.append(Patch(color=scale(1 - share if higher_is_better is False else share),
                                 label=number(v, "vi", decimals)))
        if higher_is_better is not None:
            handles.append(Patch(color="none", label=f"→ {texts.BETTER}" if higher_is_better
                                 else f"← {texts.BETTER}"))
        handles.append(Patch(color=NO_DATA, label=texts.NO_DATA))
        ax.legend(handles=handles, loc="lower left", fontsize=6, frameon=False,
                  handlelength=1.2, handleheight=0.8)
    _margins(fig, 0.02, 0.02, 0.02, 0.02)
    return _svg(fig)


def rgb(status: str) -> tuple[int, int, int]:
    """A status's print colour as 0-255 RGB (for what the PDF library draws itself)."""
    ink = STATUS_INK.get(status, STATUS_INK["neutral"])
    return int(ink[1:3], 16), int(ink[3:5], 16), int(ink[5:7], 16)
