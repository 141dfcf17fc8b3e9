"""/briefings callbacks: the list (with progress) from briefings.store, and the make button."""
from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, html
from flask import current_app
from werkzeug.exceptions import HTTPException

from briefings import jobs, sources, store
from briefings.build import PagesError
from core.clock import local_now
from core.db import current
from web.access import current_principal, require
from web.i18n import day, norm, t, when

READERS = ("staff", "leader", "admin")


def rows_children(rows: list[dict[str, Any]], lang: str) -> Any:
    """One line per briefing: date, made at, pages, size, status or progress, download link."""
    if not rows:
        return html.Div(t("brf.none", lang), className="brf-empty")
    head = html.Tr([html.Th(t(k, lang)) for k in ("brf.date", "brf.made_at", "brf.pages",
                                                  "brf.size", "brf.status", "")])
    body = []
    for r in rows:
        if r["status"] == "done":
            state: Any = html.A(t("brf.download", lang), href=f"/api/v1/briefings/{r['id']}.pdf",
                                className="brf-download", id=f"brf-dl-{r['id']}")
        elif r["status"] == "failed":
            state = html.Span(f"{t('brf.failed', lang)}: {r['error'] or ''}", className="tone-bad")
        else:
            state = html.Div(className="ov-progress", children=html.Div(
                className="ov-progress-fill", style={"width": f"{r['progress']}%"}),
                title=f"{r['progress']} %")
        body.append(html.Tr([
            html.Td(day(r["date"], lang)), html.Td(when(r["made_at"], lang)),
            html.Td(str(r["page_count"] or len(r["pages"]) or "")),
            html.Td(f"{r['size'] / 1024:.0f} KiB" if r["size"] else ""),
            html.Td(t(f"brf.trigger.{r['trigger']}", lang)), html.Td(state)]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="brf-table")


def update_list(_n: int | None, lang: str | None) -> tuple[Any, str]:
    lang = norm(lang)
    principal = current_principal()
    if principal is not None and principal.role not in READERS:
        return html.Div(t("brf.forbidden", lang)), ""
    return rows_children(store.recent(current(), 30), lang), t("brf.subtitle", lang)


def make(n_clicks: int | None, lang: str | None) -> str:
    lang = norm(lang)
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    try:
        principal = require("staff", "admin")
    except HTTPException:
        return t("brf.not_allowed", lang)
    server = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    try:
        jobs.start(server, local_now().date(), None, principal.name,
                   lambda: sources.for_app(server))
    except jobs.Busy:
        return t("brf.busy", lang)
    except PagesError as exc:
        return str(exc)
    return t("brf.started", lang)


def register(app: dash.Dash) -> None:
    app.callback(Output("brf-list", "children"), Output("brf-meta", "children"),
                 Input("brf-tick", "n_intervals"), Input("lang", "data"))(update_list)
    app.callback(Output("brf-message", "children"), Input("brf-make", "n_clicks"),
                 State("lang", "data"), prevent_initial_call=True)(make)
