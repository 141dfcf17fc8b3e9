"""Indicator drill-down for staff: picker, national series, 34-province comparison, table, CSV."""
from __future__ import annotations

from dash import dcc, html

from layouts.components import page_head
from pagestate.indicators import initial_controls
from ui.figures import loading_figure
from web.i18n import t
from web.pages import chosen_lang

GRAPH_CONFIG = {"displayModeBar": False, "scrollZoom": False}
# Base layers, were plotly ever to want them, from the app (a 404), never from a CDN.
MAP_CONFIG = {**GRAPH_CONFIG, "topojsonURL": "/assets/topojson/"}


def _field(label_id: str, label_key: str, control: object, cls: str = "") -> html.Div:
    return html.Div(className=f"field {cls}".strip(), children=[
        html.Label(t(label_key, "vi"), id=label_id, className="field-label"),
        control,
    ])


def _dropdown(id: str, value: str | None, options: list | None = None,
              disabled: bool = False) -> dcc.Dropdown:
    return dcc.Dropdown(id=id, value=value, options=options or [], clearable=False,
                        searchable=True, className="dd", disabled=disabled)


def layout(code: str | None = None, **query: str) -> html.Div:
    """The page for a URL: /indicators[/<code>]?region=..&from=..&to=..&period=..

    The pickers open with their options and values in the reader's language, as the picker
    callbacks would write them; so those do not run on the page's first render, and the page's
    views are asked for at once rather than after two more round trips.
    """
    init = initial_controls(code, query, chosen_lang())
    state = init["state"]
    return html.Div(className="pg pg-indicators", children=[
        # refresh=False: controls rewrite the address bar without re-rendering the page.
        dcc.Location(id="ind-url", refresh=False),
        dcc.Download(id="ind-csv"),
        page_head("ind-title", "ind-meta", "ind-stale"),
        html.Div(className="pg-controls control", children=[
            _field("ind-l-group", "ind.group", _dropdown("ind-group", init["group"], init["groups"]), "w-group"),
            _field("ind-l-code", "ind.indicator", _dropdown("ind-code", state.code, init["codes"]), "w-code"),
            _field("ind-l-region", "ind.region",
                   _dropdown("ind-region", state.region, init["regions"],
                             disabled=not init["by_province"])),
            _field("ind-l-from", "ind.from", _dropdown("ind-from", state.start, init["periods"])),
            _field("ind-l-to", "ind.to", _dropdown("ind-to", state.end, init["periods"])),
        ]),
        html.Section(className="pg-panel", children=[
            html.Div(className="panel-head", children=[
                html.H2(id="ind-series-title", className="panel-title"),
                html.Div(id="ind-series-note", className="panel-note"),
            ]),
            dcc.Graph(figure=loading_figure(), id="ind-series", config=GRAPH_CONFIG, className="graph graph-series"),
        ]),
        html.Section(className="pg-panel", id="ind-compare", children=[
            html.Div(className="panel-head", children=[
                html.H2(id="ind-compare-title", className="panel-title"),
                _field("ind-l-period", "ind.compare_period",
                       _dropdown("ind-period", state.period, init["compare_periods"]), "inline control"),
            ]),
            html.Div(id="ind-compare-note", className="panel-note"),
            html.Div(className="compare-grid", children=[
                dcc.Graph(figure=loading_figure(), id="ind-rank", config=GRAPH_CONFIG, className="graph graph-rank"),
                dcc.Graph(figure=loading_figure(), id="ind-map", config=MAP_CONFIG, className="graph graph-map"),
            ]),
        ]),
        html.Section(className="pg-panel", children=[
            html.Div(className="panel-head", children=[
                html.H2(id="ind-table-title", className="panel-title"),
                html.Button(t("ind.csv", "vi"), id="ind-csv-btn", n_clicks=0,
                            className="btn btn-csv control"),
            ]),
            html.Div(id="ind-table", className="table-wrap"),
        ]),
    ])
