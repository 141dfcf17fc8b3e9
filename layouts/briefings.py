"""/briefings: the briefings made (download each), and a button that makes one with progress."""
from __future__ import annotations

from dash import dcc, html

from layouts.components import page_head
from web.i18n import t


def layout(**_query: str) -> html.Div:
    return html.Div(className="pg pg-briefings", children=[
        page_head("brf-title", "brf-meta", "brf-stale", t("brf.title", "vi")),
        html.Section(className="pg-panel", children=[
            html.Div(className="panel-head", children=[
                html.Button(t("brf.make", "vi"), id="brf-make", n_clicks=0,
                            className="control btn brf-make"),
                html.Div(id="brf-message", className="brf-message", role="status"),
            ]),
            html.Div(id="brf-list", className="brf-list"),
        ]),
        dcc.Interval(id="brf-tick", interval=1500),
    ])
