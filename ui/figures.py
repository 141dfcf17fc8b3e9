"""The plotly styling every chart shares: the dark theme, the app font, Vietnamese separators."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from ui.palette import LINE, MUTED, TEXT
from web.i18n import norm

FONT = '"Noto Sans", "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif'
TEMPLATE = "ops_dark"
# The trace types the app draws; a template's defaults for any other type are never read.
TRACE_TYPES = ("bar", "scatter", "choropleth", "scattergeo")
# plotly_dark's layout parts for subplots the app never makes (3-D scenes, polar, ternary) and
# widgets it never shows (sliders, menus).
UNUSED_LAYOUT = ("scene", "polar", "ternary", "sliderdefaults", "updatemenudefaults")


def slim_template() -> go.layout.Template:
    """plotly_dark without what the app never draws: the same look in a fifth of the bytes.

    Every figure carries its whole template in its JSON, and plotly.py copies and validates it
    for each figure built: plotly_dark is 7.4 kB, eight times over on /savings.
    """
    dark = pio.templates["plotly_dark"].to_plotly_json()
    layout = {k: v for k, v in dark["layout"].items() if k not in UNUSED_LAYOUT}
    data = {k: v for k, v in dark["data"].items() if k in TRACE_TYPES}
    return go.layout.Template(layout=layout, data=data)


# Registered once, at import, as plotly's own documentation does with a custom template; the
# default too, so a figure built without dark_layout (a placeholder go.Figure()) is slim as well.
pio.templates[TEMPLATE] = slim_template()
pio.templates.default = TEMPLATE


def separators(lang: str | None) -> str:
    """Plotly's decimal and thousands separators: 30,5 and 9.900 in Vietnamese."""
    return ",." if norm(lang) == "vi" else ".,"


def dark_layout(fig: go.Figure, lang: str | None, height: int | None = None,
                **extra: Any) -> go.Figure:
    """The dark theme on a figure: transparent background, muted grid, app font."""
    fig.update_layout(
        template=TEMPLATE, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "color": TEXT, "size": 13}, separators=separators(lang),
        margin={"l": 60, "r": 24, "t": 36, "b": 48}, height=height,
        hoverlabel={"font": {"family": FONT}}, dragmode=False,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                "bgcolor": "rgba(0,0,0,0)"},
        **extra,
    )
    fig.update_xaxes(gridcolor=LINE, linecolor=LINE, zerolinecolor=LINE, fixedrange=True)
    fig.update_yaxes(gridcolor=LINE, linecolor=LINE, zerolinecolor=LINE, fixedrange=True)
    return fig


def empty_figure(message: str, lang: str | None, height: int | None = 320) -> go.Figure:
    """A chart with nothing to plot: the message where the plot would be, in the same theme."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": MUTED},
                       xref="paper", yref="paper", x=0.5, y=0.5)
    dark_layout(fig, lang, height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


@lru_cache(maxsize=4)  # one per language
def loading_figure(lang: str | None = "vi") -> dict[str, Any]:
    """What a graph shows before its callback answers: the dark theme and 'đang tải', never
    plotly's white empty axes (a bridge point may show it for a second).

    Built once per language as JSON-ready data (each layout holds up to three; building them
    was most of a page layout's time): shared, so read it, never change it.
    """
    from web.i18n import t

    return empty_figure(t("loading", lang), lang, None).to_plotly_json()
