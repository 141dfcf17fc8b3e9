"""The wall panel's callback: this year to date against the same period last year.

Two memoized summaries a minute whatever the number of viewers (tasks.summary.TTL).
"""
from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import Input, Output, html

from tasks import status
from tasks import summary as queries
from web.i18n import day, number, percent, signed, t

FIGURES = ("done_on_time", "done_late", "open_in_time", "open_overdue")


def _rate(value: float | None, lang: str | None) -> str:
    return percent(None if value is None else value * 100, lang, 1)


def _change(now: float | None, then: float | None, lang: str | None, points: bool,
            worse_if_up: bool | None) -> html.Span:
    """'▲ +1.2 điểm % so cùng kỳ' coloured by whether it is better or worse."""
    if now is None or then is None:
        return html.Span("", className="tk-change")
    delta = (now - then) * 100 if points else (now - then) / then * 100 if then else None
    if delta is None:
        return html.Span("", className="tk-change")
    tone = ("flat" if abs(delta) < 0.05 or worse_if_up is None
            else "bad" if (delta > 0) == worse_if_up else "good")
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "■"
    unit = t("tasks.points", lang) if points else "%"
    return html.Span(f"{arrow} {signed(delta, lang, 1)} {unit} {t('tasks.vs_year', lang)}",
                     className=f"tk-change tone-{tone}")


def panel_body(now: dict[str, Any], then: dict[str, Any] | None, lang: str | None,
               as_of: date) -> list[Any]:
    """The panel's contents from two summaries (plain dicts); a pure function of its inputs."""
    then = then or {}
    assigned = now.get("assigned", 0)
    figures = [html.Div(className=f"tk-fig tk-{name}", children=[
        html.Div(number(now.get(name, 0), lang), className="tk-fig-value"),
        html.Div(t(f"tasks.{name}", lang), className="tk-fig-label"),
    ]) for name in FIGURES]
    if now.get("no_deadline"):
        figures.append(html.Div(className="tk-fig tk-no_deadline", children=[
            html.Div(number(now["no_deadline"], lang), className="tk-fig-value"),
            html.Div(t("tasks.no_deadline", lang), className="tk-fig-label")]))
    rates = [html.Div(className="tk-rate", children=[
        html.Div(_rate(now.get(key), lang), className="tk-rate-value"),
        html.Div(t(label, lang), className="tk-rate-label"),
        _change(now.get(key), then.get(key), lang, True, True),
    ]) for key, label in (("overdue_share_all", "tasks.share_all"),
                          ("overdue_share_due", "tasks.share_due"))]
    return [
        html.Div(className="tk-head", children=[
            html.H2(t("tasks.panel", lang), className="panel-title tk-title"),
            html.Span(f"{t('tasks.ytd', lang)} {day(as_of, lang)}", className="tk-asof"),
        ]),
        html.Div(className="tk-body", children=[
            html.Div(className="tk-assigned", children=[
                html.Div(number(assigned, lang), className="tk-assigned-value"),
                html.Div(t("tasks.assigned", lang), className="tk-fig-label"),
                # More tasks assigned is neither good nor bad: the change is shown untinted.
                _change(assigned, then.get("assigned"), lang, False, None),
            ]),
            html.Div(figures, className="tk-figs"),
            html.Div(rates, className="tk-rates"),
        ]),
    ]


def update_panel(_tick: int | None, lang: str | None) -> list[Any]:
    on = status.today()
    now, then = queries.year_to_date(on)
    if now is None:
        return [html.H2(t("tasks.panel", lang), className="panel-title tk-title"),
                html.Div(t("no_data", lang), className="tk-empty")]
    return panel_body(now, then, lang, on)


def register(app: dash.Dash) -> None:
    app.callback(Output("tasks-panel", "children"), Input("tasks-panel-tick", "n_intervals"),
                 Input("lang", "data"))(update_panel)
