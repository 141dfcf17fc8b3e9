"""The dashboard's view of the camera relay: status rows and camera list, in process or over HTTP.

Status comes from the in-process relay (`server.extensions["ops_streams"].status()`) or, when
the relay runs as its own service (settings.relay_url), from its /streams/status over HTTP.
Either way a failure yields None and pages say "relay unavailable"; nothing here raises.
Camera source URLs never leave the relay: rows are filtered to PUBLIC_KEYS.

Below both callbacks/ and layouts/: pages read cameras from here, never from each other.
"""
from __future__ import annotations

import csv
import logging
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Changes when this process restarts: the <img> URLs change with it, so walls reconnect.
RELAY_BOOT = format(int(time.time() * 1000) % 10**10, "x")
STATUS_TTL = 1.0  # seconds: every wall and strip polling within a second shares one read
PUBLIC_KEYS = ("id", "name", "dam", "river", "province", "capacity_mw", "lat", "lon", "state", "fps",
               "age_s", "last_frame_at", "reconnects", "viewers", "last_error")
STATES = ("LIVE", "STALE", "OFFLINE", "CONNECTING")
DOWN = ("OFFLINE", "STALE")
DEFAULT_COLUMNS = 8  # RelayOptions.mosaic_columns default
DAMS_CSV = Path(__file__).resolve().parent.parent / "data" / "reference" / "dams.csv"
WAIT_S = 5.0  # longest a caller without any rows waits for the read in flight (its timeouts: 1 s + 2 s)
_lock = threading.Lock()  # creates each app's _StatusCache once; held for no I/O


def _app() -> Any:
    from flask import current_app, has_app_context

    return current_app._get_current_object() if has_app_context() else None  # noqa: SLF001


def _service(app: Any) -> Any:
    return app.extensions.get("ops_streams") if app is not None else None


def _fetch_status(app: Any) -> list[dict[str, Any]] | None:
    service = _service(app)
    if service is not None and callable(getattr(service, "status", None)):
        return list(service.status())
    settings = app.config.get("OPS_SETTINGS") if app is not None else None
    if settings is not None and getattr(settings, "cameras", False) and getattr(settings, "relay_url", ""):
        import requests

        from streams.routes import relay_headers

        resp = requests.get(settings.relay_url.rstrip("/") + "/streams/status", timeout=(1.0, 2.0),
                            headers=relay_headers(settings.relay_token))
        resp.raise_for_status()
        rows = resp.json()
        return rows if isinstance(rows, list) else None
    return None


class _StatusCache:
    """One app's status rows, refreshed by one caller at a time; the lock guards only state swaps,
    never the fetch (an external relay's status is an HTTP call of up to a few seconds)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: tuple[float, list[dict[str, Any]] | None] | None = None  # (monotonic time, rows)
        self.refresh: threading.Event | None = None  # set when the refresh in flight has stored its rows


def _status_cache(app: Any) -> _StatusCache:
    with _lock:
        return app.extensions.setdefault("ops_cameras_status", _StatusCache())


def relay_status(max_age: float = STATUS_TTL) -> list[dict[str, Any]] | None:
    """Public status rows of every camera (mosaic order), at most `max_age` s old; None if unavailable.

    Single flight: one caller reads the relay, and callers meanwhile get the last rows at once
    (an ops wall rather shows a second-old state than waits); only callers with no rows yet wait
    for the read in flight (at most WAIT_S).
    """
    app = _app()
    if app is None:
        return None
    cache = _status_cache(app)
    now = time.monotonic()
    with cache.lock:
        cached, refresh = cache.value, cache.refresh
        if cached is not None and now - cached[0] < max_age:
            return cached[1]
        leader = refresh is None
        if leader:
            refresh = cache.refresh = threading.Event()
    if not leader:
        if cached is not None:
            return cached[1]
        refresh.wait(WAIT_S)
        latest = cache.value
        return latest[1] if latest is not None else None
    try:
        rows = _read_rows(app, cached)
        with cache.lock:
            cache.value = (now, rows)
        return rows
    finally:
        with cache.lock:
            cache.refresh = None
        refresh.set()


def _read_rows(app: Any, cached: tuple[float, list[dict[str, Any]] | None] | None) -> list[dict[str, Any]] | None:
    """The relay's rows filtered to PUBLIC_KEYS, or the camera file's cameras OFFLINE when it fails."""
    try:
        raw = _fetch_status(app)
        rows = [{k: r.get(k) for k in PUBLIC_KEYS} for r in raw if isinstance(r, dict)] if raw else raw
    except Exception as exc:  # noqa: BLE001 (the relay must never break a page)
        if cached is None or not relay_down(cached[1]):
            log.warning("camera status unavailable: %s", type(exc).__name__)  # once per outage
        rows = None
    if rows is None:  # relay down: the camera file's cameras, OFFLINE (streams.offline)
        rows = _offline_rows(app)
    return rows


def _offline_rows(app: Any) -> list[dict[str, Any]] | None:
    settings = app.config.get("OPS_SETTINGS")
    if settings is None or not getattr(settings, "cameras", False) or not settings.relay_url:
        return None  # no relay service configured (a worker refusing the in-process relay)
    from streams.offline import offline_rows

    return offline_rows(settings.cameras_file or None)


def relay_down(rows: list[dict[str, Any]] | None) -> bool:
    """True when the rows stand in for a relay that did not answer."""
    return bool(rows) and bool(rows[0].get("relay_down"))


def camera_config() -> dict[str, Any]:
    """{"enabled", "columns", "cameras": [{id, name, dam, mjpeg}]} for the layouts (no status
    needed; mjpeg: the live stream is MJPEG, so the focus view never asks for fMP4)."""
    app = _app()
    service = _service(app)
    if service is not None:
        try:
            return {"enabled": True, "columns": int(service.relay.mosaic.columns),
                    "cameras": [{"id": c.id, "name": c.name, "dam": c.dam, "mjpeg": c.live_is_mjpeg}
                                for c in service.cameras.cameras]}
        except AttributeError:
            pass
    settings = app.config.get("OPS_SETTINGS") if app is not None else None
    if settings is None or not getattr(settings, "cameras", False):
        return {"enabled": False, "columns": DEFAULT_COLUMNS, "cameras": []}
    columns, mjpeg = DEFAULT_COLUMNS, {}
    try:  # an external relay normally shares the cameras file: its mosaic geometry and streams
        from streams.config import load_cameras

        cameras = load_cameras(settings.cameras_file or None)
        columns = cameras.relay.mosaic_columns
        mjpeg = {c.id: c.live_is_mjpeg for c in cameras.cameras}
    except Exception:  # noqa: BLE001
        pass
    rows = relay_status() or []
    return {"enabled": True, "columns": columns,
            "cameras": [{"id": r["id"], "name": r.get("name"), "dam": r.get("dam"),
                         "mjpeg": mjpeg.get(r["id"], False)} for r in rows]}


def cameras_enabled() -> bool:
    """True when a camera relay is configured (in process or external)."""
    try:
        return bool(camera_config()["enabled"])
    except Exception:  # noqa: BLE001 (pages render without cameras rather than not at all)
        return False


def cameras_down() -> list[dict[str, Any]]:
    """Cameras OFFLINE or STALE, for the overview alerts: [{id, name, state, since}].

    since: ISO time of the camera's last frame (None if it never sent one). Empty when all are
    live or when no relay answers (check relay_status() is None for "unavailable").
    """
    return [{"id": r["id"], "name": r.get("name") or r["id"], "state": r.get("state"),
             "since": r.get("last_frame_at")}
            for r in relay_status() or [] if r.get("state") in DOWN]


@lru_cache(maxsize=1)
def dam_facts() -> dict[str, dict[str, str]]:
    """data/reference/dams.csv by dam id (HOA_BINH): river, provinces before/after 2025, MW, note."""
    try:
        with DAMS_CSV.open(encoding="utf-8", newline="") as fh:
            return {row["id"]: row for row in csv.DictReader(fh)}
    except OSError:
        return {}
