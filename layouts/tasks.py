"""/tasks: the tasks the Government and the Prime Minister assign, and /tasks/<id>, one task.

Skeletons only: callbacks/tasks.py fills them. Every filter is in the URL (pagestate.tasks),
so /tasks?agency=BCT&status=overdue opens on what it names.
"""
from __future__ import annotations

from dash import dcc, html

from layouts.components import page_head
from layouts.indicators import MAP_CONFIG
from pagestate.tasks import STATUSES, parse
from ui.figures import loading_figure
from web.i18n import t


def _field(label_id: str, control: object, className: str = "field") -> html.Div:
    return html.Div(className=className, children=[
        html.Label(id=label_id, className="field-label"), control])


def _own(value: str) -> list[str]:
    return [value] if value else []


def layout(**query: str) -> html.Div:
    state = parse(query)
    return html.Div(className="pg pg-tasks", children=[
        dcc.Location(id="tk-url", refresh=False),
        page_head("tk-title", "tk-meta", "tk-badges", t("tasks.title", "vi")),
        html.Section(id="tk-summary", className="tk-panel tk-wall"),
        html.Div(className="pg-controls tk-controls control", children=[
            # The URL's value is an option from the start (the callback fills the rest), or
            # the dropdown would drop it before the first callback reads it.
            _field("tk-l-agency", dcc.Dropdown(id="tk-agency", value=state.agency or None,
                                               options=_own(state.agency), clearable=True,
                                               className="dd")),
            _field("tk-l-period", html.Div(className="tk-dates", children=[
                dcc.Input(id="tk-from", type="date", value=state.start, debounce=True,
                          className="date-input"),
                dcc.Input(id="tk-to", type="date", value=state.stop, debounce=True,
                          className="date-input")])),
            _field("tk-l-theme", dcc.Dropdown(id="tk-theme", value=state.theme or None,
                                              options=_own(state.theme), clearable=True,
                                              className="dd")),
            _field("tk-l-key", dcc.Dropdown(id="tk-key", value=state.key or None,
                                            options=["1", "0"], clearable=True, className="dd")),
            _field("tk-l-status", dcc.Dropdown(id="tk-status", value=state.status or None,
                                               options=list(STATUSES), clearable=True,
                                               className="dd")),
            _field("tk-l-document", dcc.Input(id="tk-document", value=state.document,
                                              debounce=True, className="text-input")),
        ]),
        dcc.Store(id="tk-page", data=state.page),
        html.Div(className="tk-grid", children=[
            html.Div(className="tk-side", children=[
                html.Section(className="pg-panel", children=[
                    html.H2(id="tk-ranked-title", className="panel-title"),
                    html.Div(id="tk-ranked", className="table-wrap"),
                ]),
                html.Section(className="pg-panel tk-map-panel", children=[
                    html.H2(id="tk-map-title", className="panel-title"),
                    dcc.Graph(id="tk-map", figure=loading_figure(), config=MAP_CONFIG,
                              className="graph graph-map"),
                ]),
            ]),
            html.Section(className="pg-panel", children=[
                html.Div(className="panel-head", children=[
                    html.H2(id="tk-list-title", className="panel-title"),
                    html.A(id="tk-csv", className="btn btn-csv", href="/api/v1/tasks/export.csv"),
                ]),
                html.Div(id="tk-list", className="table-wrap"),
                html.Div(className="tk-pager", children=[
                    html.Button("‹", id="tk-prev", n_clicks=0, className="btn btn-small"),
                    html.Span(id="tk-pager"),
                    html.Button("›", id="tk-next", n_clicks=0, className="btn btn-small")]),
            ]),
        ]),
    ])


def task_layout(task_id: str = "", **_query: str) -> html.Div:
    """/tasks/<id>: one task, its document and its history."""
    return html.Div(className="pg pg-task", children=[
        dcc.Store(id="tk-task-id", data=task_id),
        html.Div(id="tk-task"),
    ])
