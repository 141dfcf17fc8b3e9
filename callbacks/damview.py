"""The dams' numbers on the camera pages: level and discharge on tiles, the focus view's 7-day
chart and gates, and level bands for the status map (plain data from dams.queries)."""
from __future__ import annotations

import logging
from typing import Any

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, html
from flask import current_app, has_app_context
from plotly.subplots import make_subplots

from core.db import EXTENSION_KEY
from dams import queries
from web.i18n import norm, number, t

log = logging.getLogger(__name__)
BAND_COLOURS = {"NORMAL": "#2fd67b", "LIMIT": "#ffb020", "HIGH": "#ff4d5a", "NODATA": "#8a97ad"}
BANDS = ("NORMAL", "LIMIT", "HIGH", "NODATA")
LINE = {"level": "#7cc4ff", "inflow": "#b78cff", "outflow": "#ff8a3d",
        "normal": "#2fd67b", "limit": "#ffb020", "dead": "#8a97ad", "crest": "#ff4d5a"}
TEXT, GRID = "#e8eef8", "rgba(138,151,173,0.25)"


def by_camera() -> dict[str, dict[str, Any]]:
    """The latest reading and reference of each dam by camera id; {} when the database fails
    (the camera wall must show its pictures whatever happens to the numbers)."""
    if not has_app_context() or EXTENSION_KEY not in current_app.extensions:
        return {}  # a page served without the database (camera-only tests, a relay worker)
    try:
        return queries.latest_by_camera()
    except Exception:  # noqa: BLE001
        log.warning("dam readings unavailable", exc_info=True)
        return {}


def band(info: dict[str, Any] | None) -> str:
    """Where the level stands against the limits: NORMAL, LIMIT, HIGH or NODATA."""
    last = (info or {}).get("latest")
    if not last:
        return "NODATA"
    ref = info["reference"]  # type: ignore[index]
    if last["level_m"] > ref["normal_level_m"]:
        return "HIGH"
    limit = ref["flood_limit_m"] if ref.get("flood_season", True) else ref["normal_level_m"]
    return "LIMIT" if last["level_m"] > limit else "NORMAL"


def water_line(info: dict[str, Any] | None, lang: str) -> html.Div | None:
    """'▲ 104,5 m · 3.100 m³/s · 2 cửa xả' for a tile; None without a reading."""
    last = (info or {}).get("latest")
    if not last:
        return None
    parts: list[Any] = [
        html.Span(f"{number(last['level_m'], lang, 1)} m", className=f"dam-level dam-{band(info).lower()}"),
        html.Span(f"{number(last.get('discharge_m3s'), lang)} m³/s", className="dam-discharge"),
    ]
    if last.get("gates_open"):
        parts.append(html.Span(f"{last['gates_open']} {t('dam.gates_tile', lang)}",
                               className="dam-gates"))
    return html.Div(parts, className="dam-water")


def map_rows(rows: list[dict[str, Any]], dams: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Status rows with `state` replaced by the dam's level band (for provincemap.status_map)."""
    return [{**r, "state": band(dams.get(str(r.get("id"))))} for r in rows]


def figure(series: dict[str, Any], lang: str) -> go.Figure:
    """Level against its reference lines (top), inflow and discharge (bottom), 7 days."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.55, 0.45])
    x = series.get("at", [])
    fig.add_trace(go.Scatter(x=x, y=series.get("level_m", []), name=t("dam.level", lang),
                             line={"color": LINE["level"], "width": 3}), row=1, col=1)
    ref = series.get("reference", {})
    for key, label in (("normal_level_m", "dam.normal"), ("flood_limit_m", "dam.flood_limit"),
                       ("dead_level_m", "dam.dead")):
        colour = LINE[{"normal_level_m": "normal", "flood_limit_m": "limit"}.get(key, "dead")]
        if key in ref:
            fig.add_hline(y=ref[key], line={"color": colour, "width": 2, "dash": "dash"},
                          annotation_text=f"{t(label, lang)} {number(ref[key], lang, 1)} m",
                          annotation_font={"color": colour, "size": 14},
                          annotation_position="top left", row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=series.get("inflow_m3s", []), name=t("dam.inflow", lang),
                             line={"color": LINE["inflow"], "width": 2.5}), row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=series.get("discharge_m3s", []), name=t("dam.outflow", lang),
                             line={"color": LINE["outflow"], "width": 2.5}), row=2, col=1)
    fig.update_layout(
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", autosize=True,
        margin={"l": 70, "r": 20, "t": 10, "b": 40}, font={"color": TEXT, "size": 14},
        legend={"orientation": "h", "y": -0.12, "x": 0, "font": {"size": 14}},
        hovermode="x unified", separators=",." if norm(lang) == "vi" else ".,")
    fig.update_xaxes(gridcolor=GRID, tickformat="%d/%m %Hh")
    fig.update_yaxes(gridcolor=GRID)
    fig.update_yaxes(title_text="m", row=1, col=1)
    fig.update_yaxes(title_text="m³/s", rangemode="tozero", row=2, col=1)
    return fig


def now_children(info: dict[str, Any] | None, lang: str) -> list[Any]:
    """The dam's latest numbers above the chart: level, inflow, discharge, gates open."""
    last = (info or {}).get("latest")
    if not last:
        return [html.Div(t("dam.no_data", lang), className="dam-empty")]
    ref = info["reference"]  # type: ignore[index]
    spilling = bool(last.get("gates_open")) or bool(last.get("spillway_m3s"))

    def stat(key: str, value: str, extra: str = "") -> html.Div:
        return html.Div([html.Div(t(key, lang), className="dam-stat-label"),
                         html.Div(value, className="dam-stat-value " + extra)], className="dam-stat")

    return [
        stat("dam.level", f"{number(last['level_m'], lang, 2)} m", f"dam-{band(info).lower()}"),
        stat("dam.inflow", f"{number(last.get('inflow_m3s'), lang)} m³/s"),
        stat("dam.outflow", f"{number(last.get('discharge_m3s'), lang)} m³/s"),
        stat("dam.gates", f"{last.get('gates_open') or 0}/{ref['spill_gates']}",
             "dam-spilling" if spilling else ""),
        html.Div(t("dam.spilling", lang), className="dam-spill-flag") if spilling else None,
        html.Div(f"{t('dam.at', lang)} {str(last['at'])[11:16]}", className="dam-at"),
    ]


def update_focus_dam(_n: int | None, lang: str | None, cam: str | None) -> tuple[Any, ...]:
    lang = norm(lang)
    info = by_camera().get(cam or "")
    if info is None:
        return [html.Div(t("dam.no_data", lang), className="dam-empty")], go.Figure(), ""
    try:
        series = queries.series(info["id"])
    except Exception:  # noqa: BLE001 (the picture stays; the chart says why it is empty)
        log.warning("dam series unavailable", exc_info=True)
        series = {}
    return now_children(info, lang), figure(series, lang), t("dam.chart_title", lang)


def map_mode_options(lang: str | None) -> list[dict[str, str]]:
    return [{"label": t(f"dam.map_mode.{m}", lang), "value": m} for m in ("status", "level")]


def register(app: dash.Dash) -> None:
    app.callback(Output("cam-map-mode", "options"), Input("lang", "data"))(map_mode_options)
    app.callback(Output("cam-dam-now", "children"), Output("cam-dam-chart", "figure"),
                 Output("cam-dam-title", "children"),
                 Input("cam-dam-tick", "n_intervals"), Input("lang", "data"),
                 State("cam-focus", "data"))(update_focus_dam)
