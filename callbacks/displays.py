"""Displays: presenter start/stop/takeover and publishing, /displays status, /admin/displays."""
from __future__ import annotations

import time
from typing import Any

import dash
from dash import Input, Output, State, ctx, html
from flask import abort

from accounts import users
from core.db import current
from displays import registry
from displays import status as display_status
from layouts.displays import status_table
from web.access import current_principal, require
from web.displays import live_state
from web.i18n import norm, t

PEOPLE = ("admin", "staff", "leader")


def _person() -> Any:
    """The signed-in person, or None for displays (their header is hidden; they never present)."""
    principal = current_principal()
    return principal if principal is not None and principal.kind == "user" else None


# --- presenter ----------------------------------------------------------------------------------

def _state(value: dict) -> tuple[str, str]:
    """The presenter's path and query, only as a same-site page (what followers navigate to)."""
    path = str(value.get("path") or "/")[:500]
    search = str(value.get("search") or "")[:1000]
    if search and not search.startswith("?"):
        raise dash.exceptions.PreventUpdate
    try:
        registry.check_url(path + search, "presenter page")
    except registry.DisplayError:
        raise dash.exceptions.PreventUpdate from None
    return path, search  # as typed: the followers' address bar must match the presenter's


def present_action(req: dict | None) -> dict[str, Any]:
    """Start, stop or take over presenting; the answer feeds present_status at once."""
    principal = require(*PEOPLE)
    if not isinstance(req, dict):
        raise dash.exceptions.PreventUpdate
    live = live_state()
    path, search = _state(req)
    current_presenter = live.presenter()
    mine = current_presenter is not None and current_presenter["user"] == principal.name
    if req.get("action") == "toggle" and mine:
        live.stop(principal.name)
        return {"on": False, "t": time.time()}
    takeover = req.get("action") == "takeover"
    # The banner on the bridge points names the person ('Full Name, Unit'), not the login.
    shown = users.labels(current(), [principal.name]).get(principal.name, principal.name)
    ok, _ = live.start(principal.name, shown, path, search, takeover=takeover)
    return {"on": ok, "t": time.time()}


def present_publish(loc: dict | None) -> dict[str, Any]:
    """The presenter's address bar changed: hand the new path and query to the followers."""
    principal = require(*PEOPLE)
    if not isinstance(loc, dict):
        raise dash.exceptions.PreventUpdate
    scroll = loc.get("scroll")
    scroll = float(scroll) if isinstance(scroll, (int, float)) and 0 <= scroll <= 1 else None
    record = live_state().publish(principal.name, *_state(loc), scroll)
    return {"seq": record["seq"] if record else None}


def present_status(_n: int | None, state: dict | None, lang: str | None
                   ) -> tuple[str, str, dict, Any, bool]:
    """Button text, takeover button, status line and whether this page presents (beats too)."""
    lang = norm(lang)
    hidden, shown = {"display": "none"}, {}
    person = _person()
    if person is None:
        return t("ds.present", lang), "present-button", hidden, "", False
    live = live_state()
    presenter = live.presenter()
    if presenter is not None and presenter["user"] == person.name:
        live.beat(person.name)
        statuses = display_status.current(current(), live, lang)
        following, lagging = display_status.followers(statuses, presenter)
        status: list[Any] = [t("ds.present.on", lang).format(n=len(following))]
        if lagging:
            status.append(html.Span(" · " + t("ds.present.lag", lang).format(
                names=", ".join(lagging[:8]) + (" …" if len(lagging) > 8 else "")),
                className="present-lag"))
        return t("ds.present.stop", lang), "present-button is-on", hidden, status, True
    if presenter is not None:
        believed = isinstance(state, dict) and state.get("on")
        key = "ds.present.taken" if believed else "ds.present.by"
        return (t("ds.present", lang), "present-button", shown,
                t(key, lang).format(name=presenter["name"]), False)
    return t("ds.present", lang), "present-button", hidden, "", False


# --- /displays ----------------------------------------------------------------------------------

def status_rows(lang: str) -> list[dict[str, Any]]:
    return [s.as_json() for s in display_status.current(current(), live_state(), lang)]


def update_status(_n: int | None, lang: str | None) -> tuple[str, str, Any]:
    lang = norm(lang)
    if _person() is None:
        return t("ds.st.forbidden", lang), "", ""
    rows = status_rows(lang)
    counts = {k: sum(1 for r in rows if r["state"] == k) for k in ("connected", "lost", "never")}
    return (t("ds.st.title", lang),
            t("ds.st.counts", lang).format(c=counts["connected"], l=counts["lost"], n=counts["never"]),
            status_table(rows, lang))


def lost_alert(lang: str) -> html.Div | None:
    """The overview's alert group for lost bridge points (None when none is lost)."""
    try:
        # Lost is read from the heartbeats each time; the registry may be older (see the age).
        lost = display_status.lost_places(display_status.current(
            current(), live_state(), lang, registry_age=display_status.LOST_GROUP_REGISTRY_AGE))
    except Exception:  # noqa: BLE001 - the alerts strip never fails because of this group
        return None
    if not lost:
        return None
    return html.Div(className="alert-group alert-bridge", id="overview-bridge-lost", children=[
        html.Span(f"{t('ds.ov.bridge_lost', lang)} ({len(lost)})", className="group-label"),
        *[html.Span(s.place_name or s.name, className="chip chip-bad") for s in lost[:6]],
    ])


# --- /admin/displays ----------------------------------------------------------------------------

def _admin() -> Any:
    principal = current_principal()
    if principal is None or principal.role != "admin":
        abort(403)
    return principal


def admin_options(_refresh: Any, lang: str | None) -> tuple[list, list, list, list, list, Any]:
    _admin()
    lang = norm(lang)
    database = current()
    places = [{"label": f"{p} · {n}" if p != registry.WALL else n, "value": p}
              for p, n in registry.places(database)]
    lists = [{"label": name, "value": name} for name in registry.playlists(database)]
    views = registry.list_displays(database)
    names = [{"label": v.name, "value": v.name} for v in views if v.active]
    table = html.Table(className="ds-table adm-table", children=[
        html.Thead(html.Tr([html.Th(t(f"ds.{k}", lang)) for k in
                            ("adm.name", "adm.place", "adm.mode", "adm.playlist", "adm.page",
                             "st.state")])),
        html.Tbody([html.Tr([html.Td(v.name), html.Td(v.place or "—"),
                             html.Td(t(f"ds.mode.{v.mode}", lang)),
                             html.Td(v.playlist or t("ds.adm.none", lang)), html.Td(v.page or "—"),
                             html.Td("—" if v.active else t("ds.adm.revoked", lang).format(name=""))])
                    for v in views]),
    ])
    return places, places, lists, lists, names, table


def admin_action(_create: int, _apply: int, _revoke: int, _save: int, *values: Any
                 ) -> tuple[Any, Any, Any, Any]:
    """Every button of the admin page in one callback (one writer of adm-refresh)."""
    return admin_do(str(ctx.triggered_id), *values)


def admin_do(trigger: str, new_name: str | None, new_place: str | None, new_mode: str | None,
             new_playlist: str | None, new_page: str | None, name: str | None,
             place: str | None, mode: str | None, playlist: str | None, page: str | None,
             pl_name: str | None, pl_text: str | None, lang: str | None
             ) -> tuple[Any, Any, Any, Any]:
    """Create, apply, revoke or save a playlist (trigger: the button's id); errors come back
    as the message, naming field and reason. Admin only; every change is audited."""
    principal = _admin()
    lang = norm(lang)
    database = current()
    messages: list[Any] = [dash.no_update, dash.no_update, dash.no_update]
    slot = {"adm-create": 0, "adm-apply": 1, "adm-revoke": 1, "adm-pl-save": 2}.get(trigger)
    if slot is None:
        raise dash.exceptions.PreventUpdate
    try:
        if trigger == "adm-create":
            view, secret = registry.create(database, new_name or "", place=new_place or "",
                                           mode=new_mode or "playlist",
                                           playlist=new_playlist or "", page=new_page or "",
                                           actor=principal.actor)
            messages[0] = [t("ds.adm.created", lang).format(name=view.name), " ",
                           html.Code(f"/display/{secret}", id="adm-new-link")]
        elif trigger == "adm-revoke":
            view = registry.revoke(database, name or "", actor=principal.actor)
            messages[1] = t("ds.adm.revoked", lang).format(name=view.name)
        elif trigger == "adm-apply":
            view = registry.update(database, name or "", place=place or "", mode=mode,
                                   playlist=playlist or "", page=page or "",
                                   actor=principal.actor)
            messages[1] = t("ds.adm.applied", lang).format(name=view.name)
        else:
            items = registry.parse_lines(pl_text or "", set(registry.province_codes(database)))
            registry.save_playlist(database, pl_name or "", items, actor=principal.actor)
            messages[2] = t("ds.adm.pl.saved", lang).format(name=(pl_name or "").strip())
    except registry.DisplayError as exc:
        messages[slot] = html.Span(str(exc), className="adm-error")
        return (*messages, dash.no_update)
    return (*messages, time.time())


def admin_pick(name: str | None) -> tuple[str, str, str, str]:
    _admin()
    if not name:
        raise dash.exceptions.PreventUpdate
    try:
        view = registry.get(current(), name)
    except registry.DisplayError:
        raise dash.exceptions.PreventUpdate from None
    return view.place, view.mode, view.playlist, view.page


def admin_playlist_text(name: str | None) -> str:
    _admin()
    items = registry.playlists(current()).get((name or "").strip())
    if items is None:
        raise dash.exceptions.PreventUpdate
    return "\n".join(i.line() for i in items)


def register(app: dash.Dash) -> None:
    lang = State("lang", "data")
    app.clientside_callback(
        dash.ClientsideFunction(namespace="displays", function_name="request"),
        Output("present-req", "data"), Input("present-button", "n_clicks"),
        Input("present-takeover", "n_clicks"), prevent_initial_call=True)
    app.callback(Output("present-state", "data"), Input("present-req", "data"),
                 prevent_initial_call=True)(present_action)
    app.callback(Output("present-pub", "data"), Input("present-loc", "data"),
                 prevent_initial_call=True)(present_publish)
    app.callback(Output("present-button", "children"), Output("present-button", "className"),
                 Output("present-takeover", "style"), Output("present-status", "children"),
                 Output("present-flag", "data"),
                 Input("present-tick", "n_intervals"), Input("present-state", "data"),
                 Input("lang", "data"))(present_status)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="displays", function_name="flag"),
        Output("present-sink", "children"), Input("present-flag", "data"))

    app.callback(Output("ds-title", "children"), Output("ds-counts", "children"),
                 Output("ds-table", "children"), Input("ds-tick", "n_intervals"),
                 Input("lang", "data"))(update_status)

    app.callback(Output("adm-new-place", "options"), Output("adm-place", "options"),
                 Output("adm-new-playlist", "options"), Output("adm-playlist", "options"),
                 Output("adm-name", "options"), Output("adm-table", "children"),
                 Input("adm-refresh", "data"), Input("lang", "data"))(admin_options)
    app.callback(Output("adm-create-msg", "children"), Output("adm-change-msg", "children"),
                 Output("adm-pl-msg", "children"), Output("adm-refresh", "data"),
                 Input("adm-create", "n_clicks"), Input("adm-apply", "n_clicks"),
                 Input("adm-revoke", "n_clicks"), Input("adm-pl-save", "n_clicks"),
                 State("adm-new-name", "value"), State("adm-new-place", "value"),
                 State("adm-new-mode", "value"), State("adm-new-playlist", "value"),
                 State("adm-new-page", "value"), State("adm-name", "value"),
                 State("adm-place", "value"), State("adm-mode", "value"),
                 State("adm-playlist", "value"), State("adm-page", "value"),
                 State("adm-pl-name", "value"), State("adm-pl-items", "value"), lang,
                 prevent_initial_call=True)(admin_action)
    app.callback(Output("adm-place", "value"), Output("adm-mode", "value"),
                 Output("adm-playlist", "value"), Output("adm-page", "value"),
                 Input("adm-name", "value"), prevent_initial_call=True)(admin_pick)
    app.callback(Output("adm-pl-items", "value"), Input("adm-pl-name", "value"))(
        admin_playlist_text)
