"""Alerts: the wall's panel items and the /alerts page (list, filters, history, actions).

Pure functions of the plain dicts alerts.store returns; the texts come from web/i18n.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import dcc, html

from core.clock import utc_to_local
from layouts.components import page_head, stale_badge
from pagestate.alerts import KINDS, STATES, parse_state, subject_href
from web.i18n import number, t

WALL_SHOWN = 3  # items on the wall's panel (each readable whole at 1080p); the rest "+N more"
REFRESH_MS = 3_000  # /alerts list refresh


def _utc(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.removesuffix("Z")) if iso else None


def clock_text(iso: str | None, now: datetime) -> str:
    """'10:32' today (Viet Nam time), '05/12 10:32' on another day."""
    moment = _utc(iso)
    if moment is None:
        return "—"
    local, today = utc_to_local(moment), utc_to_local(now)
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%d/%m %H:%M")


def age_text(iso: str | None, now: datetime, lang: str) -> str:
    """'12 phút', '2 giờ 05', '3 ngày' since an ISO UTC moment."""
    moment = _utc(iso)
    if moment is None:
        return "—"
    seconds = max(int((now - moment).total_seconds()), 0)
    if seconds < 3600:
        n = max(seconds // 60, 0)
        return f"{n} {'phút' if lang == 'vi' else 'min'}"
    if seconds < 86400:
        return f"{seconds // 3600} {'giờ' if lang == 'vi' else 'h'} {seconds % 3600 // 60:02d}"
    return f"{number(seconds // 86400, lang)} {'ngày' if lang == 'vi' else 'd'}"


def headline(a: dict[str, Any], lang: str, short: bool = False) -> str:
    """'Camera mất tín hiệu: Hòa Bình' (kind in words, then what was detected); short: the
    wall's 'Camera: Hòa Bình', so the subject is what a leader reads from afar."""
    subject = a.get("title") or a.get("subject") or a["key"]
    if a["kind"] == "camera" and a.get("subject") == "relay":
        subject = "relay" if lang == "en" else "máy chủ camera (relay)"
    period = f" · {a['period']}" if a.get("period") else ""
    kind = t(("al.short." if short else "al.kind.") + a["kind"], lang)
    return f"{kind}: {subject}{period}"


def owner_text(a: dict[str, Any], lang: str, now: datetime) -> str:
    if a.get("acknowledged_by"):
        return t("al.owner", lang).format(who=a.get("acknowledged_by_label") or a["acknowledged_by"],
                                          time=clock_text(a.get("acknowledged_at"), now))
    return t("al.unowned", lang)


def severity_badge(a: dict[str, Any], lang: str) -> html.Span:
    return html.Span(t("al.sev." + a["severity"], lang), className=f"al-sev al-sev-{a['severity']}")


def wall_item(a: dict[str, Any], lang: str, now: datetime) -> dcc.Link:
    """One live alert on the wall: escalated mark, severity, what, age, owner; drills to its
    subject (pagestate.alerts.subject_href)."""
    escalated = a.get("escalated") and a["state"] == "open"
    classes = (f"al-item drill al-{a['severity']} al-{a['state']}"
               + (" al-escalated" if escalated else ""))
    return dcc.Link(href=subject_href(a), className=classes, id=f"wall-alert-{a['id']}",
                    children=[
        html.Div(className="al-item-top", children=[
            # Escalated stands in for the severity badge: the wall has no room for both.
            html.Span(t("al.escalated", lang), className="al-esc") if escalated
            else severity_badge(a, lang),
            html.Span(headline(a, lang, short=True), className="al-what"),
            html.Span(age_text(a.get("opened_at"), now, lang), className="al-age",
                      title=t("al.age", lang).format(n=age_text(a.get("opened_at"), now, lang))),
        ]),
        # The owner has the second line to itself: name, unit and time must be read whole.
        html.Div(className="al-item-meta", children=[
            html.Span(owner_text(a, lang, now),
                      className="al-owner" + ("" if a.get("acknowledged_by") else " al-nobody")),
        ]),
    ])


def wall_panel(rows: list[dict[str, Any]] | None, lang: str, now: datetime,
               stale_since: str | None = None) -> list[Any]:
    """The wall's alert panel: live alerts, escalated first (the query's order), then '+N'."""
    rows = rows or []
    head = [html.Span(t("ov.alerts", lang), className="ov-alerts-label"),
            stale_badge(stale_since, lang)]
    if not rows:
        return head + [html.Span(t("al.none", lang), className="chip chip-good")]
    items = [wall_item(a, lang, now) for a in rows[:WALL_SHOWN]]
    if len(rows) > WALL_SHOWN:
        items.append(dcc.Link(t("al.more", lang).format(n=len(rows) - WALL_SHOWN),
                              href="/alerts", className="chip chip-more al-more drill"))
    return head + [html.Div(items, className="al-wall-list", id="wall-alerts")]


# --- /alerts -----------------------------------------------------------------------------------

def _options(values: tuple[str, ...], prefix: str, lang: str) -> list[dict[str, str]]:
    """Filter options; the empty state means the live ones, the empty kind every kind."""
    empty = t("al.live" if values == STATES else "al.all", lang)
    return [{"label": empty, "value": ""}] + [
        {"label": t(prefix + v, lang), "value": v} for v in values]


def layout(**query: str) -> html.Div:
    """The page for /alerts[?state=&kind=&agency=&period=&alert=]."""
    state = parse_state(query)
    return html.Div(className="pg pg-alerts", children=[
        dcc.Interval(id="al-tick", interval=REFRESH_MS),
        dcc.Store(id="al-selected", data=state.alert),
        dcc.Store(id="al-done", data=0),
        page_head("al-title", "al-counts", "al-stale", t("al.title", "vi")),
        html.Div(className="al-filters", children=[
            html.Div(className="field control", children=[
                html.Label(t("al.f.state", "vi"), id="al-l-state", className="field-label"),
                dcc.Dropdown(id="al-state", value=state.state, clearable=False,
                             options=_options(STATES, "al.state.", "vi")),
            ]),
            html.Div(className="field control", children=[
                html.Label(t("al.f.kind", "vi"), id="al-l-kind", className="field-label"),
                dcc.Dropdown(id="al-kind", value=state.kind, clearable=False,
                             options=_options(KINDS, "al.kind.", "vi")),
            ]),
            html.Div(className="field control", children=[
                html.Label(t("al.f.agency", "vi"), id="al-l-agency", className="field-label"),
                dcc.Input(id="al-agency", value=state.agency, debounce=True, maxLength=16,
                          placeholder="BCT", className="al-input"),
            ]),
            html.Div(className="field control", children=[
                html.Label(t("al.f.period", "vi"), id="al-l-period", className="field-label"),
                dcc.Input(id="al-period", value=state.period, debounce=True, maxLength=7,
                          placeholder="2026-11", className="al-input"),
            ]),
        ]),
        html.Div(className="al-grid", children=[
            html.Section(className="pg-panel al-list-panel", children=[
                html.Div(id="al-list", className="al-list")]),
            html.Section(className="pg-panel al-detail-panel", children=[
                html.Div(id="al-detail"),
                html.Div(id="al-actions", className="al-actions", children=[
                    dcc.Textarea(id="al-comment", maxLength=2000, className="al-comment"),
                    html.Div(className="al-buttons", children=[
                        html.Button(t("al.acknowledge", "vi"), id="al-ack", n_clicks=0,
                                    className="al-btn al-btn-ack"),
                        html.Button(t("al.resolve", "vi"), id="al-resolve", n_clicks=0,
                                    className="al-btn al-btn-resolve"),
                    ]),
                    html.Div(id="al-message", className="al-message", role="status"),
                ]),
            ]),
        ]),
    ])


def list_rows(rows: list[dict[str, Any]], lang: str, now: datetime,
              selected: int | None, search: str) -> html.Table:
    """The alerts as a table; a row's alert links to its history (?alert=ID, filters kept)."""
    head = html.Tr([html.Th(t(k, lang)) for k in ("al.col.opened", "al.col.alert",
                                                 "al.col.state", "al.col.owner")])
    body = []
    for a in rows:
        href = "/alerts" + (search + "&" if search else "?") + f"alert={a['id']}"
        escalated = a.get("escalated") and a["state"] == "open"
        who = (a.get("resolved_by_label") or t("al.system", lang)) if a["state"] == "resolved" \
            else (a.get("acknowledged_by_label") or "—")
        body.append(html.Tr(id=f"al-row-{a['id']}",
                            className="al-row" + (" is-selected" if a["id"] == selected else ""),
                            children=[
            html.Td(clock_text(a["opened_at"], now) + f" · {age_text(a['opened_at'], now, lang)}"),
            html.Td([html.Span(t("al.escalated", lang), className="al-esc") if escalated else None,
                     severity_badge(a, lang), " ",
                     dcc.Link(headline(a, lang), href=href, className="al-link")]),
            html.Td(t("al.state." + a["state"], lang), className=f"al-state-{a['state']}"),
            html.Td(who),
        ]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="al-table")


def _event_text(e: dict[str, Any], lang: str) -> str:
    who = e.get("actor_label") or t("al.system", lang)
    comment = e.get("comment") or ""
    if e["action"] == "resolved" and not e.get("actor"):
        comment = t("al.cleared", lang)
    return f"{t('al.ev.' + e['action'], lang)} · {who}" + (f" — {comment}" if comment else "")


def detail(a: dict[str, Any] | None, lang: str, now: datetime) -> list[Any]:
    """One alert: what, severity and state, owner, and its history oldest first."""
    if a is None:
        return [html.P(t("al.pick", lang), className="al-pick")]
    return [
        html.H2(headline(a, lang), className="panel-title", id="al-detail-title"),
        html.Div(className="al-detail-meta", children=[
            severity_badge(a, lang),
            html.Span(t("al.state." + a["state"], lang), className=f"al-state al-state-{a['state']}"),
            html.Span(t("al.escalated", lang), className="al-esc")
            if a.get("escalated") and a["state"] == "open" else None,
            html.Span(a["key"], className="al-key"),
        ]),
        html.P(owner_text(a, lang, now), className="al-owner-line"),
        html.H3(t("al.history", lang)),
        html.Ol(className="al-history", id="al-history", children=[
            html.Li([html.Span(clock_text(e["time"], now), className="al-h-time"), " ",
                     html.Span(_event_text(e, lang))]) for e in a.get("history", [])]),
    ]


