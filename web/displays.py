"""HTTP side of the displays: the screens' live endpoint, the revoked page, GET /api/v1/displays.

Transport (issue 11 §5, figures in bench/displays.py): each screen polls GET /displays/live,
a small JSON answer built from memory only: the registry snapshot of this process (refreshed
every 1 s) and the presenter/heartbeat state (memory or Redis). The poll is also the heartbeat
and the acknowledgment (`?ack=` the presenter change it applied, what it shows, screen size,
app version, last error). One short request at a time per screen, so it never holds one of the
browser's 6 connections per host (the camera wall keeps its MJPEG stream) nor a server thread;
server-sent events would hold both, per screen, for as long as it runs.

Screens in follow mode ask to be held (`?hold=<presenter seq they show>`): where the server can
hand the socket over (waitress under `python app.py`), the poll waits in web/heldpolls.py, on one
thread for all screens, and is answered within 50 ms of the presenter's change; elsewhere it is
answered at once and the screen polls again after FOLLOW_POLL_MS.

Display sessions are answered before the access guard runs (`_fast_live`): the signed session
cookie says which display token this is, and the snapshot says whether it is still active, so
a poll costs no database query (the guard would re-check the token every few seconds per
screen). Revocation reaches the screen within about 3 s (snapshot, shared stamp, poll: 1 s each).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import dash
from flask import Flask, Response, current_app, jsonify, request, session
from sqlalchemy.exc import SQLAlchemyError

from core.db import current
from displays import livestate, registry
from displays import status as display_status
from settings import Settings
from streams.handover import take_socket
from web import pages
from web.heldpolls import LIVE_PATH, HeldPolls
from web.i18n import t

REVOKED_PATH = "/display/revoked"  # under /display/, which the guard leaves public
EXTENSION_KEY = "ops_live"
HELD_KEY = "ops_held_polls"
BEAT_WRITE_SECONDS = 3.0  # an unchanged heartbeat is written at most this often per process
FOLLOW_POLL_MS = 400  # follow mode where polls cannot be held (gunicorn): 1 s p95
IDLE_POLL_MS = 1000  # playlist and page screens: poll 1 s + stamp 1 s + snapshot 1 s < 5 s
REVOKED_ANSWER = {"kind": "display", "revoked": True}
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def app_version() -> str:
    """The version screens report and compare (a different one after an upgrade: reload)."""
    try:
        for line in PYPROJECT.read_text(encoding="utf-8").splitlines():
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "dev"


VERSION = app_version()


def live_state() -> livestate.LiveState:
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]


class _BeatThrottle:
    """Per-process memory of the last heartbeat written per display. Bounded: MAX entries."""

    MAX = 2000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, tuple]] = OrderedDict()

    def due(self, name: str, signature: tuple, now: float) -> bool:
        with self._lock:
            last = self._items.get(name)
            if last is not None and last[1] == signature and now - last[0] < BEAT_WRITE_SECONDS:
                return False
            self._items.pop(name, None)
            self._items[name] = (now, signature)
            while len(self._items) > self.MAX:
                self._items.popitem(last=False)
            return True


_throttle = _BeatThrottle()


def _arg(name: str, limit: int = 500) -> str:
    return (request.args.get(name) or "")[:limit]


def _int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def record_beat(live: livestate.LiveState, name: str, mode: str) -> None:
    """The poll's query string is the screen's heartbeat and acknowledgment."""
    now = time.time()
    showing = _arg("showing")
    ack, ready = _int("ack"), _int("ready")
    error = "".join(ch for ch in _arg("err", 200) if ch.isprintable())
    signature = (showing, ack, ready, error, mode)
    if not _throttle.due(name, signature, now):
        return
    previous = live.display_beat_of(name) if ack is not None else None
    ack_at = ready_at = now
    if previous is not None and previous.get("ack") == ack:
        ack_at = previous.get("ack_at") or now  # the first time this change was acknowledged
    if previous is not None and previous.get("ready") == ready:
        ready_at = previous.get("ready_at") or now
    since_ms = _int("since")
    live.display_beat(name, {
        "seen": now, "showing": showing or None, "since": since_ms / 1000 if since_ms else now,
        "w": _int("w"), "h": _int("h"), "v": _arg("v", 40) or None, "err": error,
        "mode": mode, "ack": ack, "ack_at": ack_at if ack is not None else None,
        "ready": ready, "ready_at": ready_at if ready is not None else None,
    })


def display_answer(view: registry.DisplayView, snapshot: registry.Snapshot,
                   presenter: dict[str, Any] | None) -> dict[str, Any]:
    """What a screen needs to decide what to show."""
    following = view.mode == "follow" and presenter is not None
    return {
        "kind": "display", "name": view.name, "place": view.place, "mode": view.mode,
        "page": view.page, "playlist": snapshot.playlist_for(view),
        "presenter": ({"name": presenter["name"], "seq": presenter["seq"],
                       "path": presenter["path"], "search": presenter["search"],
                       "scroll": presenter.get("scroll") or 0.0,
                       # The banner in both languages: the screen shows its own (Vietnamese first).
                       "banner": {lang: t("present.banner", lang).format(name=presenter["name"])
                                  for lang in ("vi", "en")}}
                      if following else None),
        "poll": FOLLOW_POLL_MS if view.mode == "follow" else IDLE_POLL_MS,
        "version": VERSION,
    }


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _behind(presenter: dict[str, Any] | None) -> bool:
    """Has the polling screen missed a change? It sends the presenter's sequence it has (`hold`)
    and the scroll it applied (`scroll`). A scroll made while the screen was between polls
    changes no sequence: without comparing it, the poll would be held with that scroll already
    in its answer, and sent only at the end of the hold (up to HOLD_S late)."""
    if request.args["hold"] != str(presenter["seq"] if presenter else "none"):
        return True
    has = request.args.get("scroll")
    if presenter is None or has is None:  # a screen that does not say: sequence only
        return False
    try:
        return abs(float(has) - float(presenter.get("scroll") or 0.0)) > 1e-6
    except ValueError:
        return False


def _fast_live() -> Response | None:
    """Display sessions' polls, answered before the guard from memory (see module doc)."""
    if request.path != LIVE_PATH or request.method != "GET" or session.get("k") != "display":
        return None
    ident = session.get("id")
    try:
        snapshot = registry.snapshots.get(current())
    except SQLAlchemyError:
        return None  # no registry yet and no database: the guard answers (outage rules)
    view = snapshot.by_token.get(ident) if isinstance(ident, int) else None
    if view is None:
        return None  # a display token without a registry entry (older links): the guard decides
    if not view.active:
        session.clear()
        return _no_store(jsonify(REVOKED_ANSWER))
    live = live_state()
    record_beat(live, view.name, view.mode)
    answer = display_answer(view, snapshot, live.presenter())
    if view.mode == "follow" and "hold" in request.args:
        if _behind(answer["presenter"]):
            answer["poll"] = 0  # the screen is behind: it applies this and asks again at once
        else:
            polls: HeldPolls = current_app.extensions[HELD_KEY]
            sock = None if polls.full() else take_socket(request.environ)
            if sock is not None:
                polls.park(sock, ident, answer)
                return Response(b"", status=200)  # never sent: the socket is no longer the server's
    return _no_store(jsonify(answer))


class _FollowState:
    """What the held polls compare each tick: the registry snapshot and the presenter, read once
    per tick for all the screens (memory; with Redis one read)."""

    def __init__(self) -> None:
        self.snapshot: registry.Snapshot | None = None
        self.presenter: dict[str, Any] | None = None

    def key(self) -> tuple:
        self.snapshot = registry.snapshots.get(current())
        self.presenter = p = live_state().presenter()
        return self.snapshot.stamp, p and (p["seq"], p["name"], p["path"], p["search"],
                                           p.get("scroll"))

    def answer(self, token_id: int) -> dict[str, Any]:
        assert self.snapshot is not None
        view = self.snapshot.by_token.get(token_id)
        if view is None or not view.active:
            return REVOKED_ANSWER
        return display_answer(view, self.snapshot, self.presenter)


def _live() -> Response:
    """Everyone else who polls: people (their presenter UI is in the header) and older links."""
    from web.access import current_principal

    principal = current_principal()
    kind = principal.kind if principal is not None else "anonymous"
    return _no_store(jsonify({"kind": kind, "registered": False, "version": VERSION}))


def _revoked() -> Response:
    session.clear()
    return pages.render("display_revoked.html")


def _api_displays() -> Response:
    from web.access import current_principal

    principal = current_principal()
    if principal is None or principal.kind != "user":
        return _no_store(Response('{"error": "staff, leader or admin accounts only"}', 403,
                                  mimetype="application/json"))
    lang = "en" if request.args.get("lang") == "en" else "vi"
    live = live_state()
    statuses = display_status.current(current(), live, lang)
    presenter = live.presenter()
    return _no_store(jsonify({
        "displays": [s.as_json() for s in statuses],
        "presenter": ({k: presenter[k] for k in ("name", "seq", "path", "search")}
                      | {"changed_at": display_status.iso(presenter["changed_at"])}
                      if presenter else None),
        "counts": {state: sum(1 for s in statuses if s.state == state)
                   for state in ("connected", "lost", "never")},
    }))


def _stop_on_logout() -> None:
    """Signing out stops presenting (followers go back at once, not after 15 s)."""
    if request.path == "/logout" and request.method == "POST" and session.get("k") == "user":
        name = session.get("n")
        if isinstance(name, str) and name:
            live_state().stop(name)


def init_app(app: dash.Dash, settings: Settings) -> None:
    """The live state and the routes. Call before web.access.init_app: the screens' poll is
    answered ahead of the guard (it authenticates itself from the session)."""
    server: Flask = app.server
    server.extensions[EXTENSION_KEY] = livestate.for_settings(settings)
    follow = _FollowState()
    server.extensions[HELD_KEY] = HeldPolls(server, follow.answer, follow.key)
    server.before_request(_fast_live)
    server.before_request(_stop_on_logout)
    server.add_url_rule(LIVE_PATH, "ops_displays_live", _live, methods=["GET"])
    server.add_url_rule(REVOKED_PATH, "ops_display_revoked", _revoked, methods=["GET"])
    server.add_url_rule("/api/v1/displays", "ops_api_displays", _api_displays, methods=["GET"])
