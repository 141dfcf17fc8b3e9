"""/tasks callbacks: the filters in the URL, agencies ranked, the list, and one task's view."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html

from callbacks import tasks_map
from callbacks.tasks_panel import panel_body
from core.clock import utc_to_local
from pagestate.tasks import TasksState
from tasks import status
from tasks import summary as queries
from web.i18n import day, number, percent, t, when

RANK_ROWS = 60  # every current ministry and province fits
PAGE = 50


def _state(agency: str | None, start: str | None, stop: str | None, theme: str | None,
           key: str | None, state: str | None, document: str | None, page: int | None
           ) -> TasksState:
    def iso(text: str | None) -> str:
        try:
            return date.fromisoformat((text or "")[:10]).isoformat()
        except ValueError:
            return ""

    return TasksState(agency=(agency or "").upper(), start=iso(start), stop=iso(stop),
                      theme=theme or "", key=key or "", status=state or "",
                      document=(document or "").strip().upper().replace(" ", "")[:60],
                      page=page or 1)


def _rate(value: float | None, lang: str | None) -> str:
    return percent(None if value is None else value * 100, lang, 1)


def ranked_table(rows: list[dict[str, Any]], names: dict[str, str], lang: str | None,
                 search: str) -> html.Table | html.Div:
    if not rows:
        return html.Div(t("tasks.none", lang), className="empty")
    head = html.Thead(html.Tr([html.Th(t("tasks.agency", lang))] + [
        html.Th(t(k, lang), className="num") for k in (
            "tasks.assigned", "tasks.done", "tasks.open_overdue", "tasks.share_all",
            "tasks.share_due")]))
    body = []
    here = _parsed(search).with_(page=1)  # a row's link: this page's filters, for its agency
    for r in rows[:RANK_ROWS]:
        done = r["done_on_time"] + r["done_late"]
        link = dcc.Link(names.get(r["agency"], r["agency"]),
                        href=f"/tasks{here.with_(agency=r['agency']).search()}")
        body.append(html.Tr([
            html.Td(link), html.Td(number(r["assigned"], lang), className="num"),
            html.Td(number(done, lang), className="num"),
            html.Td(number(r["open_overdue"], lang),
                    className="num bad" if r["open_overdue"] else "num"),
            html.Td(_rate(r["overdue_share_all"], lang), className="num"),
            html.Td(_rate(r["overdue_share_due"], lang), className="num")]))
    return html.Table([head, html.Tbody(body)], className="data-table compact tk-ranked")


def _parsed(search: str) -> TasksState:
    from urllib.parse import parse_qsl

    from pagestate.tasks import parse

    return parse(dict(parse_qsl(search.lstrip("?"))))


def list_table(found: dict[str, Any], names: dict[str, str], lang: str | None
               ) -> html.Table | html.Div:
    tasks = found.get("tasks") or []
    if not tasks:
        return html.Div(t("tasks.none", lang), className="empty")
    head = html.Thead(html.Tr([html.Th(t(k, lang), className=c) for k, c in (
        ("tasks.days_overdue", "num"), ("tasks.agency", ""), ("tasks.document", ""),
        ("tasks.content", ""), ("tasks.deadline", "num"), ("tasks.status", ""))]))
    body = [html.Tr([
        html.Td(number(task["days_overdue"], lang) if task["days_overdue"] else "",
                className="num bad" if task["status"] == status.OPEN_OVERDUE else "num"),
        html.Td(names.get(task["lead_agency"], task["lead_agency"])),
        html.Td(f"{task['document']} ({day(task['document_date'], lang)})"),
        html.Td(dcc.Link(("★ " if task["key"] else "") + task["content"][:140],
                         href=f"/tasks/{task['id']}")),
        html.Td(day(task["deadline"], lang) if task["deadline"] else "—", className="num"),
        html.Td(t(f"tasks.{task['status']}", lang), className=f"tk-st tk-st-{task['status']}"),
    ]) for task in tasks]
    return html.Table([head, html.Tbody(body)], className="data-table compact tk-list")


def _names(lang: str | None, agencies: list[dict[str, str]] | None = None) -> dict[str, str]:
    field = "name_vi" if lang != "en" else "name_en"
    return {a["code"]: a[field] for a in (queries.agencies() if agencies is None else agencies)}


def update_page(agency: str | None, start: str | None, stop: str | None, theme: str | None,
                key: str | None, state_value: str | None, document: str | None,
                page: int | None, lang: str | None) -> tuple[Any, ...]:
    """The callback: the filters as a state (a new filter starts at page 1), then the page."""
    if ctx.triggered_id not in (None, "tk-page", "lang"):
        page = 1
    return page_view(_state(agency, start, stop, theme, key, state_value, document, page), lang)


def page_view(state: TasksState, lang: str | None) -> tuple[Any, ...]:
    """Everything on /tasks for a state; the URL follows it."""
    today = status.today()
    first, last = state.window(today)
    key_flag = None if not state.key else state.key == "1"
    shown = state.status or status.OPEN_OVERDUE  # the list opens on the overdue tasks
    read = queries.page(first, last, state.agency, state.theme, key_flag, state.document, shown,
                        state.page, PAGE, today.isoformat())
    ranked, found, now, then = read["ranking"], read["list"], read["now"], read["then"]
    agencies = read["agencies"]
    names = _names(lang, agencies)
    search = state.search()
    total, pages = found["total"], max(1, -(-found["total"] // PAGE))
    title = t("tasks.overdue_list" if shown == status.OPEN_OVERDUE else "tasks.list", lang)
    if shown != status.OPEN_OVERDUE:
        title += f": {t(f'tasks.{shown}', lang)}"
    pager = (f"{t('tasks.shown', lang)} {number(min(total, (state.page - 1) * PAGE + 1), lang)}"
             f"–{number(min(total, state.page * PAGE), lang)} {t('tasks.of', lang)} "
             f"{number(total, lang)}")
    meta = [html.Span(f"{t('tasks.window', lang)} {day(first, lang)} – {day(last, lang)}",
                      className="chip"),
            html.Span(names.get(state.agency, state.agency), className="chip")
            if state.agency else None]
    labels = [t(k, lang) for k in ("tasks.agency", "tasks.from", "tasks.theme", "tasks.key",
                                   "tasks.status", "tasks.document")]
    agency_options = [{"label": f"{a['code']} · {names[a['code']]}", "value": a["code"]}
                      for a in agencies]
    theme_options = [{"label": th, "value": th} for th in read["themes"]]
    key_options = [{"label": t("tasks.key_only", lang), "value": "1"},
                   {"label": t("tasks.not_key", lang), "value": "0"}]
    status_options = [{"label": t(f"tasks.{s}", lang), "value": s} for s in status.STATUSES]
    return (t("tasks.title", lang), meta,
            panel_body(now, then, lang, min(today, date.fromisoformat(last))),
            ranked_table(ranked, names, lang, search), title, list_table(found, names, lang),
            pager, state.page <= 1, state.page >= pages,
            f"/api/v1/tasks/export.csv{_export(state, first, last, shown)}",
            t("tasks.csv", lang), t("tasks.ranked", lang), search, state.page,
            *labels, agency_options, theme_options, key_options, status_options,
            t("tasks.map", lang), tasks_map.figure(ranked, agencies, state.agency, lang))


def _export(state: TasksState, first: str, last: str, shown: str) -> str:
    from pagestate import search_string

    return search_string({"from": first, "to": last, "agency": state.agency,
                          "theme": state.theme, "key": state.key, "status": shown,
                          "document": state.document})


def turn_page(_prev: int | None, _next: int | None, page: int | None) -> int:
    """‹ and ›: the page store moves; the page callback (and the URL) follow."""
    step = {"tk-prev": -1, "tk-next": 1}.get(str(ctx.triggered_id), 0)
    if not step:
        raise dash.exceptions.PreventUpdate
    return max(1, int(page or 1) + step)


def map_drill(click: dict[str, Any] | None) -> str:
    """A province clicked on the map: its agency becomes the filter (and the URL follows)."""
    return tasks_map.drill(click, queries.agencies())


def task_view(task_id: str | None, lang: str | None) -> Any:
    """/tasks/<id>: the task, its document and every revision."""
    found = queries.task(int(task_id), status.today().isoformat()) \
        if task_id and str(task_id).isdigit() and len(str(task_id)) < 12 else None
    back = dcc.Link(t("tasks.back", lang), href="/tasks", className="tk-back")
    if found is None:
        return [back, html.Div(t("tasks.not_found", lang), className="empty")]
    names = _names(lang)
    facts = [("tasks.document", f"{found['document']} · {found['document_kind']}"),
             ("tasks.document_date", day(found["document_date"], lang)),
             ("tasks.assigned_by", found["assigned_by"]),
             ("tasks.agency", names.get(found["lead_agency"], found["lead_agency"])),
             ("tasks.deadline", day(found["deadline"], lang) if found["deadline"] else "—"),
             ("tasks.completed_on", day(found["completed_on"], lang)
              if found["completed_on"] else "—"),
             ("tasks.status", t(f"tasks.{found['status']}", lang)),
             ("tasks.days_overdue", number(found["days_overdue"], lang)),
             ("tasks.theme", found["theme"] or "—"),
             ("tasks.key", "★" if found["key"] else "—")]
    history = html.Table([html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
        "tasks.revision", "tasks.received", "tasks.deadline", "tasks.completed_on",
        "tasks.progress", "tasks.report_document")])), html.Tbody([html.Tr([
            html.Td(str(h["revision"])), html.Td(when(utc_to_local(datetime.fromisoformat(h["received_at"])), lang)),
            html.Td(day(h["deadline"], lang) if h["deadline"] else "—"),
            html.Td(day(h["completed_on"], lang) if h["completed_on"] else "—"),
            html.Td(h["progress"] or "—"), html.Td(h["report_document"] or "—")])
            for h in found["history"]])], className="data-table compact")
    badge = (html.Span(t("simulated", lang), className="badge badge-simulated")
             if found["source"] == "simulated" else
             html.Span(t("tasks.sourced", lang), className="badge")
             if found["source"] == "sourced" else None)
    return [back, html.Div(className="pg-head", children=[
                html.H1(found["content"], className="pg-title"), badge]),
            html.Section(className="pg-panel", children=[html.Dl(className="tk-facts", children=[
                item for k, v in facts for item in (html.Dt(t(k, lang)), html.Dd(v))])]),
            html.Div(found.get("document_note") or "", className="panel-note"),
            html.Section(className="pg-panel", children=[
                html.H2(t("tasks.history", lang), className="panel-title"),
                html.Div(history, className="table-wrap")])]


def register(app: dash.Dash) -> None:
    app.callback(
        Output("tk-title", "children"), Output("tk-meta", "children"),
        Output("tk-summary", "children"),
        Output("tk-ranked", "children"), Output("tk-list-title", "children"),
        Output("tk-list", "children"), Output("tk-pager", "children"),
        Output("tk-prev", "disabled"), Output("tk-next", "disabled"),
        Output("tk-csv", "href"), Output("tk-csv", "children"),
        Output("tk-ranked-title", "children"), Output("tk-url", "search"),
        Output("tk-page", "data", allow_duplicate=True),
        Output("tk-l-agency", "children"), Output("tk-l-period", "children"),
        Output("tk-l-theme", "children"), Output("tk-l-key", "children"),
        Output("tk-l-status", "children"), Output("tk-l-document", "children"),
        Output("tk-agency", "options"), Output("tk-theme", "options"),
        Output("tk-key", "options"), Output("tk-status", "options"),
        Output("tk-map-title", "children"), Output("tk-map", "figure"),
        Input("tk-agency", "value"), Input("tk-from", "value"), Input("tk-to", "value"),
        Input("tk-theme", "value"), Input("tk-key", "value"), Input("tk-status", "value"),
        Input("tk-document", "value"), Input("tk-page", "data"), Input("lang", "data"),
        prevent_initial_call="initial_duplicate",
    )(update_page)
    app.callback(Output("tk-page", "data", allow_duplicate=True), Input("tk-prev", "n_clicks"),
                 Input("tk-next", "n_clicks"), State("tk-page", "data"),
                 prevent_initial_call=True)(turn_page)
    app.callback(Output("tk-agency", "value"), Input("tk-map", "clickData"),
                 prevent_initial_call=True)(map_drill)
    app.callback(Output("tk-task", "children"), Input("tk-task-id", "data"),
                 Input("lang", "data"))(task_view)


__all__ = ["register", "page_view", "update_page", "task_view", "map_drill"]
