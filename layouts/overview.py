"""The wall overview `/`: savings, coverage, headline indicators, portal, tasks, live feeds,
alerts, and (when a camera relay is configured) a strip of rotating dam-camera snapshots.

A pure skeleton: every panel is filled (and refilled) by callbacks/overview.py, so the page
needs no database to render and switches language without a reload.
"""
from __future__ import annotations

from dash import dcc, html

from layouts.cameras import camera_strip
from layouts.tasks_panel import tasks_panel
from streams.client import cameras_enabled

LIVE_MS = 3_000  # live feeds: documents, dossiers, payments, power output
SLOW_MS = 60_000  # indicators, KPI facts, coverage, alerts


def panel(panel_id: str, className: str = "", children: object = None) -> html.Section:
    """A titled box; its children come from a callback."""
    return html.Section(children, id=panel_id, className=f"ov-panel {className}".strip())


def layout(**_query: str) -> html.Div:
    cams = cameras_enabled()  # with a relay configured the strip gets a row
    # With cameras, the bottom row holds the alerts (left) and the camera strip (right); without,
    # the alerts keep a single full-width line.
    strip = [html.Section(camera_strip(), id="overview-cams", className="ov-panel ov-cams")]
    return html.Div(id="overview", className="overview has-cams" if cams else "overview", children=[
        dcc.Interval(id="overview-live-tick", interval=LIVE_MS),
        dcc.Interval(id="overview-slow-tick", interval=SLOW_MS),
        # Savings ticker: the per-system rate segments, counted up in the browser every second.
        dcc.Store(id="overview-ticker"),
        dcc.Store(id="overview-as-of"),
        panel("overview-savings", "ov-savings"),
        html.Div(id="overview-tiles", className="ov-tiles"),
        panel("overview-coverage", "ov-coverage"),
        panel("overview-portal", "ov-portal"),
        # Government-assigned tasks: its own tick and callback (callbacks.tasks_panel).
        tasks_panel("ov-panel ov-tasks"),
        panel("overview-live", "ov-live"),
        html.Div(className="ov-alerts", children=[
            html.Div(id="overview-alerts", className="ov-alerts-main"),
            # Cameras down (OFFLINE/STALE), named: filled by callbacks.overview.update_cameras.
            html.Div(id="overview-camera-strip", className="ov-camera-strip"),
        ]),
        # Rotating snapshots (not streams) + LIVE/STALE/OFFLINE counts: layouts.cameras owns it.
        *(strip if cams else []),
    ])
