"""Reporting compliance: agencies × months heat map, who is late now, an agency's submissions."""
from __future__ import annotations

from dash import dcc, html

from layouts.components import page_head
from pagestate.reporting import initial_options, parse_state
from web.i18n import t


def layout(agency: str | None = None, submission: str | None = None, **_query: str) -> html.Div:
    """The page for /reporting[?agency=T34_01[&submission=123]]."""
    state = parse_state({"agency": agency, "submission": submission})
    options = initial_options(state.agency)
    return html.Div(className="pg pg-reporting", children=[
        dcc.Location(id="rep-url", refresh=False),
        dcc.Store(id="rep-submission", data=state.submission),
        page_head("rep-title", "rep-subtitle", "rep-stale", t("rep.title", "vi")),
        html.Div(id="rep-summary", className="rep-summary"),
        html.Div(className="rep-grid", children=[
            html.Section(className="pg-panel rep-heat-panel", children=[
                html.Div(className="panel-head", children=[
                    html.H2(id="rep-heat-title", className="panel-title"),
                    html.Div(id="rep-legend", className="legend"),
                ]),
                html.Div(id="rep-heat", className="heat-wrap"),
            ]),
            html.Div(className="rep-side", children=[
                html.Section(className="pg-panel", children=[
                    html.H2(id="rep-late-title", className="panel-title"),
                    html.Div(id="rep-late", className="late-list"),
                ]),
                html.Section(className="pg-panel", id="rep-drill", children=[
                    html.Div(className="panel-head", children=[
                        html.H2(id="rep-agency-title", className="panel-title"),
                        html.Div(id="rep-drill-stale", className="pg-badges"),
                    ]),
                    html.Div(className="field control", children=[
                        html.Label(t("rep.agency", "vi"), id="rep-l-agency",
                                   className="field-label"),
                        dcc.Dropdown(id="rep-agency", value=state.agency, options=options,
                                     clearable=True,
                                     className="dd"),
                    ]),
                    html.Div(id="rep-submissions", className="table-wrap"),
                    html.Div(id="rep-rejected", className="rejected"),
                ]),
            ]),
        ]),
    ])
