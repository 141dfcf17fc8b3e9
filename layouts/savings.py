"""Cost savings of the e-government systems: official figures with sources, adoption, estimate."""
from __future__ import annotations

from dash import dcc, html

from layouts.components import page_head
from pagestate.savings import ASSUMPTIONS, parse_assumptions
from ui.figures import loading_figure
from web.i18n import t

GRAPH_CONFIG = {"displayModeBar": False}


def _input(key: str, value: float, step: float) -> html.Div:
    return html.Div(className="field", children=[
        html.Label(t(f"sav.in.{key}", "vi"), id=f"sav-l-{key}", className="field-label",
                   htmlFor=f"sav-in-{key}"),
        dcc.Input(id=f"sav-in-{key}", type="number", value=value, min=0, step=step,
                  debounce=True, className="num-input"),
    ])


def layout(**query: str) -> html.Div:
    """The page for /savings[?n1=..&h1=..]: assumptions of the estimate come from the URL."""
    values = parse_assumptions(query)
    return html.Div(className="pg pg-savings", children=[
        dcc.Location(id="sav-url", refresh=False),
        page_head("sav-title", "sav-subtitle", "sav-stale", t("sav.title", "vi")),
        html.Div(id="sav-cards", className="sav-cards"),
        html.Div(className="grid-2", children=[
            html.Section(className="pg-panel", children=[
                html.H2(id="sav-by-system-title", className="panel-title"),
                dcc.Graph(figure=loading_figure(), id="sav-by-system", config=GRAPH_CONFIG, className="graph"),
            ]),
            html.Section(className="pg-panel", children=[
                html.H2(id="sav-growth-title", className="panel-title"),
                dcc.Graph(figure=loading_figure(), id="sav-growth", config=GRAPH_CONFIG, className="graph"),
            ]),
        ]),
        html.Section(className="pg-panel", children=[
            html.H2(id="sav-adoption-title", className="panel-title"),
            html.Div(id="sav-adoption", className="adoption-grid"),
        ]),
        html.Section(className="pg-panel sav-estimate", children=[
            html.Div(className="panel-head", children=[
                html.H2(id="sav-est-title", className="panel-title"),
                html.Span(id="sav-est-badge", className="badge badge-estimate"),
            ]),
            html.Div(id="sav-est-intro", className="panel-note"),
            html.Div(className="est-grid", children=[
                html.Div(className="est-inputs control", children=[
                    html.Fieldset(className="est-group", children=[
                        html.Legend(id=f"sav-g-{group}"),
                        *[_input(a.key, values[a.key], a.step) for a in ASSUMPTIONS
                          if a.group == group],
                    ]) for group in ("portal", "axis", "common")
                ] + [html.Button(id="sav-reset", n_clicks=0, className="btn")]),
                html.Div(id="sav-est-result", className="est-result"),
            ]),
        ]),
        html.Section(className="pg-panel", children=[
            html.H2(id="sav-sources-title", className="panel-title"),
            html.Div(id="sav-sources", className="table-wrap"),
        ]),
    ])
