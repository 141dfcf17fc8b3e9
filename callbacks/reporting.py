"""Reporting page callbacks: compliance heat map, late list, an agency's submissions and rejects."""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html
from dash.development.base_component import Component

from core.cache import fetch
from layouts.components import simulated_badge, stale_badge
from layouts.markup import block, esc, link, tag
from pagestate.reporting import (
    ReportingState,
    _grouped,
    _name,
    agency_href,
    agency_options,
    parse_state,
)
from reporting import queries
from web.i18n import norm, number, percent, period_label, t, when

CELLS = ("on_time", "late", "missing", "pending")
GLYPHS = {"on_time": "✓", "late": "!", "missing": "✕", "pending": "…"}


# --- the matrix ------------------------------------------------------------------------------

def counts(matrix: dict) -> dict[str, Any]:
    """Tallies of the latest month that is due (the column that matters now)."""
    periods_ = matrix.get("periods") or []
    rows = matrix.get("rows") or []
    col = None
    for i in range(len(periods_) - 1, -1, -1):
        if any(r["cells"][i] != "pending" for r in rows):
            col = i
            break
    if col is None:
        return {"period": "", **{c: 0 for c in CELLS}, "total": len(rows), "simulated": 0}
    tally = {c: sum(1 for r in rows if r["cells"][col] == c) for c in CELLS}
    simulated = sum(1 for r in rows if _simulated(r, col))
    return {"period": periods_[col], **tally, "total": len(rows), "simulated": simulated}


def _simulated(row: dict, col: int) -> bool:
    flags = row.get("simulated") or []
    return col < len(flags) and bool(flags[col])


def summary(matrix: dict, late: list[dict], lang: str | None) -> list:
    c = counts(matrix)
    due = c["on_time"] + c["late"] + c["missing"]
    share = 100 * c["on_time"] / due if due else None
    # Counts of a month with simulated cells, and a late list with simulated agencies, say so.
    sim_month, sim_late = c["simulated"] > 0, any(x.get("demo") for x in late)
    items = [("rep.sum.on_time", f"{c['on_time']}/{due}", percent(share, lang, 0), "good",
              sim_month),
             ("rep.sum.late", str(c["late"]), t("rep.sum.late_note", lang), "warn", sim_month),
             ("rep.sum.missing", str(c["missing"]), t("rep.sum.missing_note", lang), "bad",
              sim_month),
             ("rep.sum.late_now", str(len(late)), t("rep.sum.late_now_note", lang), "bad",
              sim_late)]
    return [html.Div(className=f"sum-card tone-{tone}", id=f"rep-sum-{key.split('.')[-1]}",
                     children=[
        html.Div([t(key, lang).format(p=period_label(c["period"], lang)),
                  simulated_badge(lang) if sim else None], className="sum-label"),
        html.Div(value, className="sum-value"),
        html.Div(note, className="sum-note"),
    ]) for key, value, note, tone, sim in items]


def legend(lang: str | None, simulated: bool = False) -> list:
    items = [html.Span([html.Span(GLYPHS[c], className=f"cell cell-{c}"),
                        t(f"rep.cell.{c}", lang)], className="legend-item") for c in CELLS]
    if simulated:
        items.append(html.Span([html.Span("✓", className="cell cell-on_time is-sim"),
                                t("rep.sim.legend", lang)], className="legend-item",
                               id="rep-legend-sim"))
    return items


def heat_table(matrix: dict, selected: str | None, lang: str | None) -> Component:
    """Agencies × months; each cell coloured and marked, each agency a link to its drill-down.

    One component (layouts.markup): as html.Td per cell the 42 × 12 table was ~700 Dash
    components and about a second of the browser's work on every visit.
    """
    labels = matrix.get("periods") or []
    rows = matrix.get("rows") or []
    if not rows:
        return html.Div(t("no_data", lang), className="empty")
    heads = [period_label(p, lang) for p in labels]
    head = tag("thead", tag("tr", tag("th", esc(t("rep.agency", lang)), className="agency-col"),
                            *[tag("th", esc(h)) for h in heads]))
    names = {c: t(f"rep.cell.{c}", lang) for c in CELLS}
    sim_note = f" · {t('rep.sim.cell', lang)}"
    body: list[str] = []
    for key, group in _grouped(rows):
        body.append(tag("tr", tag("th", esc(f"{t(key, lang)} ({len(group)})"),
                                  colSpan=len(labels) + 1, className="group-row")))
        for r in group:
            sims = r.get("simulated") or [False] * len(labels)
            cells = [tag("td", GLYPHS[c], className=f"cell cell-{c}" + (" is-sim" if sim else ""),
                         title=f"{h}: {names[c]}" + (sim_note if sim else ""))
                     for h, c, sim in zip(heads, r["cells"], sims, strict=True)]
            body.append(tag("tr", tag("td", link(_name(r, lang), agency_href(r["agency"]),
                                                 title=r["agency"]), className="agency-col"),
                            *cells, id=f"rep-row-{r['agency']}",
                            className="selected" if r["agency"] == selected else None))
    return block(tag("table", head, tag("tbody", *body), className="heat-table"))


def late_list(late: list[dict], lang: str | None) -> html.Ul | html.Div:
    if not late:
        return html.Div(t("rep.none_late", lang), className="empty good")
    return html.Ul(className="late", children=[
        html.Li([dcc.Link(_name(x, lang), href=agency_href(x["agency"])),
                 simulated_badge(lang) if x.get("demo") else None,
                 html.Span(period_label(x["period"], lang), className="late-period")])
        for x in late])


def page(lang: str | None, agency: str | None) -> tuple:
    """The matrix, the summary and the late list: same for every viewer (cached queries)."""
    lang = norm(lang)
    got = fetch(queries.compliance, 12)
    matrix = got.data or {"periods": [], "rows": []}
    late_f = fetch(queries.late_now, 12)
    late = late_f.data or []
    stale = min([s for s in (got.stale_since, late_f.stale_since) if s], default=None)
    subtitle = t("rep.subtitle", lang).format(n=len(matrix["rows"]), m=len(matrix["periods"]))
    if matrix.get("as_of"):
        subtitle += f" · {t('as_of', lang)} {when(matrix['as_of'], lang)}"
    simulated = matrix.get("simulated", 0)
    badges = [stale_badge(stale, lang),
              html.Span(t("rep.sim.page", lang), className="badge badge-sim", id="rep-sim",
                        title=t("rep.sim.page_title", lang).format(n=simulated))
              if simulated else None]
    return (t("rep.title", lang), subtitle, [b for b in badges if b is not None],
            summary(matrix, late, lang), t("rep.heat", lang), legend(lang, bool(simulated)),
            heat_table(matrix, agency, lang), f"{t('rep.late_now', lang)} ({len(late)})",
            late_list(late, lang), t("rep.agency", lang), agency_options(matrix, agency, lang))


# --- one agency ------------------------------------------------------------------------------

def submissions_table(subs: list[dict], selected: int | None, lang: str | None) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
        "period", "rep.received", "rep.due", "rep.on_time", "rep.status", "rep.rows",
        "rep.channel", "")]))
    body = []
    for s in subs:
        on_time = {True: "✓", False: "✕", None: "—"}[s["on_time"]]
        action = html.Button(t("rep.show_rejected", lang).format(n=s["rows_rejected"]),
                             id={"type": "rep-sub", "id": s["id"]}, n_clicks=0,
                             className="btn btn-small") if s["rows_rejected"] or \
            s["status"] in ("rejected", "partial") else ""
        body.append(html.Tr(
            className="selected" if s["id"] == selected else None, children=[
                html.Td(period_label(s["period"], lang) if s["period"] else "—"),
                html.Td(when(s["received_at"], lang)), html.Td(when(s["due_at"], lang)),
                html.Td(on_time, className=f"center {'good' if s['on_time'] else 'bad'}"),
                html.Td(t(f"rep.st.{s['status']}", lang), className=f"st st-{s['status']}"),
                html.Td(f"{number(s['rows_accepted'], lang)}/{number(s['rows_total'], lang)}"
                        + (f" (−{s['rows_rejected']})" if s["rows_rejected"] else ""),
                        className="num"),
                html.Td([s["channel"], " ", simulated_badge(lang)] if s.get("simulated")
                        else s["channel"]), html.Td(action),
            ]))
    return html.Table([head, html.Tbody(body)], className="data-table compact")


def rejected_view(submission: dict, rows: list[dict], lang: str | None) -> html.Div:
    title = t("rep.rejected_title", lang).format(
        file=submission.get("filename") or f"#{submission['id']}", n=len(rows))
    parts: list = [html.H3([title, " ", simulated_badge(lang)] if submission.get("simulated")
                           else title, className="panel-subtitle")]
    if submission.get("error"):
        parts.append(html.Div(submission["error"], className="error-line"))
    if rows:
        head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
            "rep.row", "rep.field", "rep.reason", "rep.raw")]))
        parts.append(html.Table([head, html.Tbody([html.Tr([
            html.Td(str(r["row"]) if r["row"] else t("rep.whole_file", lang), className="num"),
            html.Td(r["field"]), html.Td(r["reason"], className="reason"),
            html.Td(html.Code(r["raw"]))]) for r in rows])], className="data-table compact"))
    else:
        parts.append(html.Div(t("rep.no_rejected", lang), className="empty"))
    return html.Div(parts, id="rep-rejected-view")


def drill(agency: str | None, submission: int | None, lang: str | None) -> tuple:
    """An agency's recent submissions; a submission's quarantined rows with their reasons."""
    lang = norm(lang)
    state = ReportingState(agency or None, submission if agency else None)
    if not state.agency:
        return (t("rep.pick", lang), "", "", "", state.search())
    got = fetch(queries.agency_submissions, state.agency)
    subs = got.data or []
    known = {s["id"]: s for s in subs}
    rejected: Any = ""
    stale = got.stale_since
    if state.submission in known:
        rej = fetch(queries.rejected_rows, state.submission)
        stale = stale or rej.stale_since
        rejected = rejected_view(known[state.submission], rej.data or [], lang)
    elif state.submission is not None:
        state = ReportingState(state.agency, None)
    names = {o["value"]: o["label"] for o in agency_options(
        fetch(queries.compliance, 12).data or {}, None, lang)}
    title: Any = f"{names.get(state.agency, state.agency)} · {t('rep.submissions', lang)} " \
                 f"({len(subs)})"
    if any(s.get("simulated") for s in subs):
        title = [title, " ", simulated_badge(lang)]
    table = submissions_table(subs, state.submission, lang) if subs else \
        html.Div(t("rep.no_submissions", lang), className="empty")
    return title, table, rejected, stale_badge(stale, lang) or "", state.search()


def pick_submission(_agency: str | None, clicks: list, _current: int | None) -> int | None:
    """A click on a 'rejected rows' button selects that submission; a new agency clears it."""
    trig = dash.ctx.triggered_id
    if trig == "rep-agency":
        return None
    if isinstance(trig, dict) and any(c for c in clicks or []):
        value = next((x.get("value") for x in dash.ctx.triggered if x.get("value")), None)
        if value:
            return int(trig["id"])
    raise dash.exceptions.PreventUpdate


def register(app: dash.Dash) -> None:
    app.callback(
        Output("rep-title", "children"), Output("rep-subtitle", "children"),
        Output("rep-stale", "children"), Output("rep-summary", "children"),
        Output("rep-heat-title", "children"), Output("rep-legend", "children"),
        Output("rep-heat", "children"), Output("rep-late-title", "children"),
        Output("rep-late", "children"), Output("rep-l-agency", "children"),
        Output("rep-agency", "options"),
        Input("lang", "data"), Input("rep-agency", "value"),
    )(page)
    app.callback(
        Output("rep-agency-title", "children"), Output("rep-submissions", "children"),
        Output("rep-rejected", "children"), Output("rep-drill-stale", "children"),
        Output("rep-url", "search"),
        Input("rep-agency", "value"), Input("rep-submission", "data"), Input("lang", "data"),
    )(drill)
    app.callback(
        Output("rep-submission", "data"),
        Input("rep-agency", "value"), Input({"type": "rep-sub", "id": ALL}, "n_clicks"),
        State("rep-submission", "data"), prevent_initial_call=True,
    )(pick_submission)


__all__ = ["ReportingState", "counts", "drill", "heat_table", "page", "parse_state",
           "pick_submission", "register"]
