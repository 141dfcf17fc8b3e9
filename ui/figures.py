"""The plotly styling every chart shares: the dark theme, the app font, Vietnamese separators."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ui.palette import LINE, MUTED, TEXT
from web.i18n import norm

FONT = '"Noto Sans", "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif'


def separators(lang: str | None) -> str:
    """Plotly's decimal and thousands separators: 30,5 and 9.900 in Vietnamese."""
    return ",." if norm(lang) == "vi" else ".,"


def dark_layout(fig: go.Figure, lang: str | None, height: int | None = None,
                **extra: Any) -> go.Figure:
    """The dark theme on a figure: transparent background, muted grid, app font."""
    fig.update_layout(
        template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
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


def loading_figure(lang: str | None = "vi") -> go.Figure:
    """What a graph shows before its callback answers: the dark theme and 'đang tải', never
    plotly's white empty axes (a bridge point may show it for a second)."""
    from web.i18n import t

    return empty_figure(t("loading", lang), lang, None)
