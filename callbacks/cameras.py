"""Camera wall callbacks: relay status (streams.client, cached 1 s) to tiles, counts, map, facts, strip.

The status rows come from streams/client.py (in-process relay or its HTTP status, public keys
only); None there means "relay unavailable", which every builder below shows in words.
"""
from __future__ import annotations

import contextlib
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from callbacks import damview, provincemap
from core.clock import VN_TZ
from layouts.cameras import STRIP_SIZE, href, live_url
from layouts.components import stale_since_text
from streams.client import (
    RELAY_BOOT,
    STATES,
    camera_config,
    cameras_down,
    dam_facts,
    relay_down,
    relay_status,
)
from ui.palette import CAMERA_STATE_COLOURS
from web.i18n import norm, number, t
from web.streamaccess import stream_url

# Re-exported for the callers that read cameras through this page module.
__all__ = ["camera_config", "cameras_down", "register", "relay_down", "relay_status"]


# --- small texts --------------------------------------------------------------------------------

def state_label(state: str | None, lang: str) -> str:
    return t(f"cam.state.{state}", lang) if state in STATES else t("cam.state.unknown", lang)


def vn_time(stamp: Any, seconds: bool = False) -> str:
    """An ISO time from the relay (its own zone) as Viet Nam time, like the shell clock: 10:05."""
    if not isinstance(stamp, str) or len(stamp) < 16:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is not None:
            moment = moment.astimezone(VN_TZ)
        return moment.strftime("%H:%M:%S" if seconds else "%H:%M")
    except ValueError:
        return stamp[11:19] if seconds else stamp[11:16]


def since_text(row: dict[str, Any], lang: str) -> str:
    """'từ 10:05' (the last frame, Viet Nam time; with the date when not today, like the stale
    badge) or '' when the camera never sent a frame."""
    stamp = row.get("last_frame_at")
    clock = vn_time(stamp)
    if not clock:
        return ""
    with contextlib.suppress(ValueError):  # vn_time already read it; a naive stamp stays as is
        clock = stale_since_text(datetime.fromisoformat(stamp), lang)
    return f"{t('cam.since', lang)} {clock}"


def age_text(age: float | None, lang: str) -> str:
    """Frame age as a wall reads it: 80 ms / 2,5 s / 45 s / 12 phút / 3 giờ."""
    if age is None:
        return "—"
    if age < 1:
        return f"{int(max(age, 0.001) * 1000)} ms"
    if age < 10:
        return f"{number(age, lang, 1)} s"
    if age < 120:
        return f"{number(age, lang)} s"
    if age < 7200:
        return f"{number(age // 60, lang)} {t('cam.min', lang)}"
    return f"{number(age // 3600, lang)} {t('cam.hour', lang)}"


def counts(rows: list[dict[str, Any]] | None) -> Counter:
    return Counter(str(r.get("state")) for r in rows or [])


def _kiosk(search: str | None) -> bool:
    value = parse_qs((search or "").lstrip("?")).get("kiosk", [""])[0].lower()
    return value in ("1", "true")


# --- builders (plain functions of plain data) ---------------------------------------------------

def count_chips(rows: list[dict[str, Any]] | None, lang: str) -> list[html.Span]:
    got = counts(rows)
    chips = [html.Span([html.B(str(got.get(s, 0)), className="cam-count-n"),
                        html.Span(state_label(s, lang), className="cam-count-label")],
                       className=f"cam-count cam-count-{s.lower()}", id=f"cam-count-{s.lower()}")
             for s in ("LIVE", "STALE", "OFFLINE")]
    if got.get("CONNECTING"):
        chips.append(html.Span([html.B(str(got["CONNECTING"]), className="cam-count-n"),
                                html.Span(state_label("CONNECTING", lang), className="cam-count-label")],
                               className="cam-count cam-count-connecting"))
    return chips


def tile(row: dict[str, Any], lang: str, kiosk: bool, dam: dict[str, Any] | None = None) -> dcc.Link:
    """One overlay cell: status flag (words, not only colour), the dam's level and discharge,
    name band with frame age."""
    state = str(row.get("state"))
    flag = None
    if state != "LIVE":
        flag = html.Div(className="cam-tile-flag", children=[
            html.Div(state_label(state, lang), className="cam-tile-state"),
            html.Div(since_text(row, lang), className="cam-tile-since"),
        ])
    return dcc.Link(id=f"cam-tile-{row['id']}", href=href(row["id"], kiosk),
                    className=f"cam-tile cam-{state.lower()}", children=[
        flag,
        damview.water_line(dam, lang),
        html.Div(className="cam-tile-band", children=[
            html.Span(className="cam-dot"),
            html.Span(row.get("name") or row["id"], className="cam-tile-name"),
            html.Span(age_text(row.get("age_s"), lang), className="cam-tile-age"),
        ]),
    ])


def down_list(rows: list[dict[str, Any]] | None, lang: str, kiosk: bool) -> list[Any]:
    if rows is None:
        return [html.Div(t("cam.relay_na", lang), className="cam-empty cam-bad-text")]
    banner = [html.Div(t("cam.relay_na", lang), className="cam-empty cam-bad-text")] if relay_down(rows) else []
    down = [r for r in rows if r.get("state") != "LIVE"]
    if not down:
        return [html.Div(t("cam.all_ok", lang), className="cam-empty cam-good-text")]
    order = {s: i for i, s in enumerate(("OFFLINE", "STALE", "CONNECTING"))}
    down.sort(key=lambda r: (order.get(str(r.get("state")), 9), r.get("name") or ""))
    return banner + [dcc.Link(href=href(r["id"], kiosk), className=f"cam-down-row cam-{str(r.get('state')).lower()}",
                     children=[html.Span(className="cam-dot"),
                               html.Span(r.get("name") or r["id"], className="cam-down-name"),
                               html.Span(state_label(r.get("state"), lang), className="cam-down-state"),
                               html.Span(since_text(r, lang), className="cam-down-since"),
                               html.Span(r.get("province") or "", className="cam-down-where")])
            for r in down]


def map_figure(rows: list[dict[str, Any]] | None, lang: str, mode: str = "status",
               levels: dict[str, dict[str, Any]] | None = None) -> go.Figure:
    """Dams by status (or, mode 'level', by level against their limits) on the 34-province map
    (shipped shapes: nothing loads from outside)."""
    dams = [r for r in rows or [] if r.get("lat") is not None and r.get("lon") is not None]
    if mode == "level":
        dams = damview.map_rows(dams, levels or {})
        got = counts(dams)
        legend = {b: f"{t(f'dam.band.{b}', lang)} ({got.get(b, 0)})" for b in damview.BANDS}
        return provincemap.status_map(dams, damview.BAND_COLOURS, legend, lang, 400,
                                      order=damview.BANDS, quiet="NORMAL")
    got = counts(dams)
    legend = {s: f"{state_label(s, lang)} ({got.get(s, 0)})" for s in STATES}
    return provincemap.status_map(dams, CAMERA_STATE_COLOURS, legend, lang, 400)


def river_name(row: dict[str, Any], facts: dict[str, str], lang: str) -> str | None:
    """The dam's river in the screen's language: 'sông Đà' / 'Da (Black River)' (dams.csv
    river_vi, river_en); a camera whose dam is not in dams.csv keeps its configured river."""
    named = facts.get("river_en" if norm(lang) == "en" else "river_vi")
    return named or row.get("river") or facts.get("river")


def facts_children(row: dict[str, Any] | None, cam: str, lang: str) -> list[Any]:
    """River, provinces before and after the 1 July 2025 merger, MW, coordinates, demo note."""
    row = row or {"id": cam}
    facts = dam_facts().get(str(row.get("dam") or ""), {})

    def fact(key: str, value: Any) -> html.Div:
        return html.Div(className="cam-fact", children=[html.Dt(t(key, lang)), html.Dd(value or "—")])

    lat = row.get("lat") if row.get("lat") is not None else facts.get("lat")
    lon = row.get("lon") if row.get("lon") is not None else facts.get("lon")
    mw = row.get("capacity_mw") or facts.get("capacity_mw")
    coords = (f"{number(float(lat), lang, 4)}° N, {number(float(lon), lang, 4)}° E"
              if lat is not None and lon is not None else None)
    items = [
        fact("cam.river", river_name(row, facts, lang)),
        fact("cam.province", row.get("province") or facts.get("province")),
        fact("cam.province_2025", facts.get("province_2025")),
        fact("cam.capacity", f"{number(float(mw), lang)} MW" if mw else None),
        fact("cam.coords", coords),
    ]
    status = [
        fact("cam.age", age_text(row.get("age_s"), lang)),
        fact("cam.fps", number(row.get("fps"), lang, 1) if row.get("fps") is not None else None),
        fact("cam.last_frame", vn_time(row.get("last_frame_at"), seconds=True) or None),
        fact("cam.reconnects", number(row.get("reconnects"), lang) if row.get("reconnects") is not None else None),
    ]
    if row.get("last_error") and row.get("state") != "LIVE":
        status.append(fact("cam.last_error", row["last_error"]))
    return [
        html.H2(t("cam.facts", lang), className="cam-panel-title"),
        html.Dl(items, className="cam-facts-list"),
        html.H2(t("cam.health", lang), className="cam-panel-title"),
        html.Dl(status, className="cam-facts-list"),
        html.P(t("cam.demo_note", lang), className="cam-demo-note"),
    ]


def strip_children(rows: list[dict[str, Any]] | None, lang: str, n: int = 0) -> list[Any]:
    """Overview strip: counts, then STRIP_SIZE snapshots of live cameras, rotating each tick."""
    if rows is None:
        return [html.Span(t("cam.relay_na", lang), className="cam-strip-count cam-bad-text")]
    got = counts(rows)
    if relay_down(rows):
        return [html.Span(t("cam.relay_na", lang), className="cam-strip-count cam-bad-text"),
                html.Span(f"{got.get('OFFLINE', 0)} {state_label('OFFLINE', lang).lower()}",
                          id="cam-strip-offline", className="cam-strip-count cam-offline cam-bad-text")]
    live = [r for r in rows if r.get("state") == "LIVE"]
    tone = {"LIVE": "cam-good-text", "STALE": "cam-warn-text", "OFFLINE": "cam-bad-text"}

    def count(state: str) -> html.Span:
        n_state = got.get(state, 0)
        figure = f"{n_state}/{len(rows)}" if state == "LIVE" else str(n_state)
        return html.Span(f"{figure} {state_label(state, lang).lower()}",
                         id=f"cam-strip-{state.lower()}",
                         className=f"cam-strip-count cam-{state.lower()} "
                                   + (tone[state] if n_state else "cam-muted-text"))

    summary = html.Div(className="cam-strip-summary", children=[
        dcc.Link(t("cam.title", lang), href=href(), className="cam-strip-title"),
        count("LIVE"), count("STALE"), count("OFFLINE"),
    ])
    shots = []
    dams = damview.by_camera() if live else {}
    if live:
        start = (n * STRIP_SIZE) % len(live)
        picked = [live[(start + i) % len(live)] for i in range(min(STRIP_SIZE, len(live)))]
        # Snapshots, not streams: the overview page keeps its connections for its own callbacks.
        shots = [dcc.Link(href=href(r["id"]), className="cam-shot", children=[
            html.Img(src=stream_url(f"/streams/{r['id']}.jpg", {"w": "320", "t": str(n)}), alt="",
                     className="cam-shot-img"),
            html.Span(r.get("name") or r["id"], className="cam-shot-name"),
            damview.water_line(dams.get(r["id"]), lang),
        ]) for r in picked]
    return [summary, html.Div(shots, className="cam-shots")]


# --- the callbacks ------------------------------------------------------------------------------

def update_wall(_n: int | None, lang: str | None, search: str | None, sig: Any,
                mode: str | None = "status") -> tuple[Any, ...]:
    """Title, counts, overlay tiles, attention list, map (redrawn only when what it shows changes)."""
    lang = norm(lang)
    rows = relay_status()
    kiosk = _kiosk(search)
    dams = damview.by_camera() if rows else {}
    overlay = [tile(r, lang, kiosk, dams.get(r["id"])) for r in rows] if rows else []
    title = f"{t('cam.title', lang)} · {len(rows)} {t('cam.sites', lang)}" if rows else t("cam.title", lang)
    mode = "level" if mode == "level" else "status"
    shown = [(r.get("id"), r.get("state") if mode == "status" else damview.band(dams.get(r["id"])))
             for r in rows or []]
    new_sig = [lang, mode, shown]
    figure = map_figure(rows, lang, mode, dams) if new_sig != sig else no_update
    note = [html.P(t("cam.demo_note", lang), className="cam-demo-note"),
            html.Dl(className="cam-legend", children=[
                html.Div([html.Dt([html.Span(className="cam-dot"), state_label(s, lang)]),
                          html.Dd(t(f"cam.means.{s}", lang))], className=f"cam-legend-row cam-{s.lower()}")
                for s in ("LIVE", "STALE", "OFFLINE")]),
            html.P(t("cam.click_hint", lang), className="control")]
    return (title, count_chips(rows, lang) if rows is not None else [], overlay,
            t("cam.attention", lang), down_list(rows, lang, kiosk), t("cam.map", lang), note,
            figure, new_sig if figure is not no_update else no_update)


def _wall_with_mode(n: int | None, lang: str | None, mode: str | None, search: str | None,
                    sig: Any) -> tuple[Any, ...]:
    """update_wall in the order Dash passes the inputs (the map mode is an input)."""
    return update_wall(n, lang, search, sig, mode)


def update_focus(_n: int | None, lang: str | None, cam: str | None) -> tuple[Any, ...]:
    lang = norm(lang)
    rows = relay_status()
    row = next((r for r in rows or [] if r.get("id") == cam), None)
    state = str(row.get("state")) if row else "OFFLINE"
    name = (row or {}).get("name") or cam or ""
    badge = html.Span([html.Span(className="cam-dot"), state_label(state, lang)],
                      className=f"cam-state-badge cam-{state.lower()}")
    flag = None
    if rows is None or relay_down(rows):
        flag = html.Div(t("cam.relay_na", lang), className="cam-live-flag-text cam-offline")
    elif state != "LIVE":
        flag = html.Div([html.Div(state_label(state, lang), className="cam-tile-state"),
                         html.Div(since_text(row or {}, lang), className="cam-tile-since")],
                        className=f"cam-live-flag-text cam-{state.lower()}")
    return (f"{t('cam.dam', lang)} {name}", badge, flag, facts_children(row, cam or "", lang),
            t("cam.back", lang))


def update_message(lang: str | None, key: str | None) -> list[Any]:
    lang = norm(lang)
    key = key if isinstance(key, str) and key.startswith("cam.") else "cam.unknown"
    return [html.H1(t(key, lang), className="cam-title"),
            dcc.Link(t("cam.back", lang), href="/cameras", className="cam-back control")]


def update_strip(n: int | None, lang: str | None) -> list[Any]:
    return strip_children(relay_status(), norm(lang), n or 0)


def refresh_mosaic_url(_n: int | None, current: str | None) -> Any:
    """A signed stream URL expires: keep a fresh one in the store for reconnects (same URL: no update)."""
    url = stream_url("/streams/mosaic.mjpg", {"r": RELAY_BOOT})
    return no_update if url == current else url


def refresh_live_url(_n: int | None, current: str | None, cam: str | None) -> Any:
    url = live_url(cam or "", RELAY_BOOT)
    return no_update if url == current else url


def register(app: dash.Dash) -> None:
    tick, lang = Input("cam-tick", "n_intervals"), Input("lang", "data")
    app.callback(
        Output("cam-title", "children"), Output("cam-counts", "children"),
        Output("cam-overlay", "children"), Output("cam-down-title", "children"),
        Output("cam-down", "children"), Output("cam-map-title", "children"),
        Output("cam-note", "children"), Output("cam-map", "figure"), Output("cam-map-sig", "data"),
        tick, lang, Input("cam-map-mode", "value"), State("url", "search"),
        State("cam-map-sig", "data"),
    )(_wall_with_mode)
    damview.register(app)
    app.callback(
        Output("cam-focus-title", "children"), Output("cam-focus-state", "children"),
        Output("cam-live-flag", "children"), Output("cam-facts", "children"),
        Output("cam-back", "children"),
        tick, lang, State("cam-focus", "data"),
    )(update_focus)
    app.callback(Output("cam-message", "children"), lang, Input("cam-message-key", "data"))(update_message)
    app.callback(Output("cam-strip-body", "children"), Input("cam-strip-tick", "n_intervals"),
                 lang)(update_strip)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="cameras", function_name="fit"),
        Output("cam-mosaic", "src", allow_duplicate=True), Input("cam-mosaic-base", "data"),
        prevent_initial_call="initial_duplicate",
    )
    app.callback(Output("cam-mosaic-base", "data"), tick, State("cam-mosaic-base", "data"),
                 prevent_initial_call=True)(refresh_mosaic_url)
    app.callback(Output("cam-live-base", "data"), tick, State("cam-live-base", "data"),
                 State("cam-focus", "data"), prevent_initial_call=True)(refresh_live_url)
    # A stalled <img> stream (relay or server restart) is reopened by the browser itself, with
    # the freshest URL of its store.
    for img, base in (("cam-mosaic", "cam-mosaic-base"), ("cam-live-img", "cam-live-base")):
        app.clientside_callback(
            dash.ClientsideFunction(namespace="cameras", function_name="watchdog"),
            Output(img, "src"), tick, State(img, "id"), State(base, "data"), prevent_initial_call=True,
        )
