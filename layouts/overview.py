"""The wall overview `/`: savings, coverage, headline indicators, portal, live feeds, alerts.

A pure skeleton: every panel is filled (and refilled) by callbacks/overview.py, so the page
needs no database to render and switches language without a reload.
"""
from __future__ import annotations

from dash import dcc, html

LIVE_MS = 3_000  # live feeds: documents, dossiers, payments, power output
SLOW_MS = 60_000  # indicators, KPI facts, coverage, alerts


def panel(panel_id: str, className: str = "", children: object = None) -> html.Section:
    """A titled box; its children come from a callback."""
    return html.Section(children, id=panel_id, className=f"ov-panel {className}".strip())


def layout(**_query: str) -> html.Div:
    return html.Div(id="overview", className="overview", children=[
        dcc.Interval(id="overview-live-tick", interval=LIVE_MS),
        dcc.Interval(id="overview-slow-tick", interval=SLOW_MS),
        # Savings ticker: the per-system rate segments, counted up in the browser every second.
        dcc.Store(id="overview-ticker"),
        dcc.Store(id="overview-as-of"),
        panel("overview-savings", "ov-savings"),
        html.Div(id="overview-tiles", className="ov-tiles"),
        panel("overview-coverage", "ov-coverage"),
        panel("overview-portal", "ov-portal"),
        panel("overview-live", "ov-live"),
        html.Div(className="ov-alerts", children=[
            html.Div(id="overview-alerts", className="ov-alerts-main"),
            # Slot for the camera relay's strip (streams engineer): state counts land here.
            html.Div(id="overview-camera-strip", className="ov-camera-strip"),
        ]),
    ])
