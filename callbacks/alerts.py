"""/alerts callbacks: the list under the filters, one alert's history, acknowledge and resolve.

Thin: reads through alerts.store, writes through alerts.lifecycle (which audits); people act
(staff, leader, admin), displays only read.
"""
from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx

from alerts import lifecycle, store
from core.clock import utc_now
from core.db import current
from layouts import alerts as view
from pagestate.alerts import AlertsState, parse_state
from web.access import client_address, current_principal, require
from web.i18n import norm, t

PEOPLE = ("staff", "leader", "admin")


def _can_act() -> bool:
    principal = current_principal()
    return principal is not None and principal.kind == "user" and principal.role in PEOPLE


def update_list(_n: Any, _done: Any, state: str | None, kind: str | None, agency: str | None,
                period: str | None, selected: int | None, lang: str | None) -> tuple[Any, str]:
    """The table for the filters and the counts line; a row links to ?filters&alert=ID."""
    lang = norm(lang)
    page = parse_state({"state": state or "", "kind": kind or "", "agency": agency or "",
                        "period": period or "", "alert": str(selected or "")})
    database = current()
    rows = store.search(database, state=page.state or None, kind=page.kind or None,
                        agency=page.agency or None, period=page.period or None)
    c = store.counts(database)
    filters = AlertsState(page.state, page.kind, page.agency, page.period).search()
    return (view.list_rows(rows, lang, utc_now(), page.alert, filters),
            t("al.counts", lang).format(o=c["open"], a=c["acknowledged"], r=c["resolved"]))


def update_detail(_n: Any, _done: Any, selected: int | None, lang: str | None
                  ) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    """The selected alert's history; the comment box and buttons only for people on a live
    one, and Acknowledge only while nobody has it."""
    lang = norm(lang)
    found = store.one(current(), selected) if selected else None
    live = found is not None and found["state"] != "resolved"
    hidden: dict[str, str] = {"display": "none"}
    return (view.detail(found, lang, utc_now()), {} if live and _can_act() else hidden,
            {} if found is not None and found["state"] == "open" else hidden)


def act(_ack: int, _resolve: int, selected: int | None, comment: str | None, done: int | None,
        lang: str | None) -> tuple[str, int, str]:
    """Acknowledge or resolve the selected alert with the comment; the refusal in words."""
    lang = norm(lang)
    principal = require(*PEOPLE)
    action = "acknowledge" if ctx.triggered_id == "al-ack" else "resolve"
    if not selected:
        raise dash.exceptions.PreventUpdate
    fn = lifecycle.acknowledge if action == "acknowledge" else lifecycle.resolve
    try:
        fn(current(), int(selected), principal.name, comment or "", utc_now(), client_address())
    except lifecycle.AlertConflict:
        return t("al.err.conflict", lang), (done or 0) + 1, dash.no_update  # show the new state
    except lifecycle.AlertNotFound:
        raise dash.exceptions.PreventUpdate from None
    except lifecycle.AlertError:
        return t("al.err.comment", lang), dash.no_update, dash.no_update
    store.wall_alerts.forget()
    return t("al.done." + action, lang), (done or 0) + 1, ""


def update_labels(lang: str | None) -> tuple[Any, ...]:
    lang = norm(lang)
    return (t("al.title", lang), t("al.f.state", lang), t("al.f.kind", lang),
            t("al.f.agency", lang), t("al.f.period", lang), t("al.acknowledge", lang),
            t("al.resolve", lang), t("al.comment", lang),
            view._options(view.STATES, "al.state.", lang),  # noqa: SLF001
            view._options(view.KINDS, "al.kind.", lang))  # noqa: SLF001


def register(app: dash.Dash) -> None:
    lang = Input("lang", "data")
    # A row's link (or the wall's) changes the URL; Dash Pages renders the page again with
    # ?alert=ID in its layout, which fills al-selected.
    app.callback(Output("al-list", "children"), Output("al-counts", "children"),
                 Input("al-tick", "n_intervals"), Input("al-done", "data"),
                 Input("al-state", "value"), Input("al-kind", "value"),
                 Input("al-agency", "value"), Input("al-period", "value"),
                 Input("al-selected", "data"), lang)(update_list)
    app.callback(Output("al-detail", "children"), Output("al-actions", "style"),
                 Output("al-ack", "style"),
                 Input("al-tick", "n_intervals"), Input("al-done", "data"),
                 Input("al-selected", "data"), lang)(update_detail)
    app.callback(Output("al-message", "children"), Output("al-done", "data"),
                 Output("al-comment", "value"),
                 Input("al-ack", "n_clicks"), Input("al-resolve", "n_clicks"),
                 State("al-selected", "data"), State("al-comment", "value"),
                 State("al-done", "data"), lang, prevent_initial_call=True)(act)
    app.callback(Output("al-title", "children"), Output("al-l-state", "children"),
                 Output("al-l-kind", "children"), Output("al-l-agency", "children"),
                 Output("al-l-period", "children"), Output("al-ack", "children"),
                 Output("al-resolve", "children"), Output("al-comment", "placeholder"),
                 Output("al-state", "options"), Output("al-kind", "options"),
                 lang)(update_labels)
