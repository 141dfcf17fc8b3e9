"""Which displays are connected, lost or never connected, and what each shows (no database query).

Built from the registry snapshot (data.displays.snapshots) and the heartbeats in the live state
(data.livestate): the /displays page, GET /api/v1/displays, the overview's alerts and the
presenter's follower count all read it.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from core.db import Database
from displays.livestate import LiveState
from displays.registry import SNAPSHOT_SECONDS, Snapshot, snapshots

LOST_AFTER = 10.0  # seconds without a heartbeat: lost (screens poll every 0.4-2 s, written every 3 s)
# The overview's lost-bridge group reads the registry (who stands where) at most this old: it is
# computed every second for every wall, and a registration or revocation is news within 30 s.
LOST_GROUP_REGISTRY_AGE = 30.0
LAG_AFTER = 1.5  # seconds after the presenter's change without an acknowledgment: lagging


@dataclass(frozen=True)
class DisplayStatus:
    """One row of /displays and of GET /api/v1/displays."""

    name: str  # the display's name; "" for a place without a display
    place: str  # wall | BPxx | ""
    place_name: str
    mode: str
    state: str  # connected | lost | never
    connected: bool
    last_seen: str | None  # ISO 8601 UTC
    lost_since: str | None
    showing: str | None  # path and query on the screen
    showing_since: str | None
    screen: str | None  # e.g. 1920x1080
    version: str | None
    last_error: str | None
    ack_seq: int | None  # the presenter's change this screen last applied (address bar switched)
    ack_at: str | None
    ready_seq: int | None  # ... and last showed with its data
    ready_at: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(float(epoch), UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def _row(name: str, place: str, place_name: str, mode: str, beat: dict[str, Any] | None,
         now: float) -> DisplayStatus:
    if beat is None:
        return DisplayStatus(name, place, place_name, mode, "never", False, None, None, None,
                             None, None, None, None, None, None, None, None)
    seen = float(beat.get("seen", 0))
    connected = now - seen <= LOST_AFTER
    w, h = beat.get("w"), beat.get("h")
    return DisplayStatus(
        name, place, place_name, mode, "connected" if connected else "lost", connected,
        iso(seen), None if connected else iso(seen), beat.get("showing"), iso(beat.get("since")),
        f"{w}x{h}" if w and h else None, beat.get("v"), beat.get("err") or None,
        beat.get("ack"), iso(beat.get("ack_at")), beat.get("ready"), iso(beat.get("ready_at")))


def rows(snapshot: Snapshot, beats: dict[str, dict[str, Any]], lang: str = "vi",
         now: float | None = None) -> list[DisplayStatus]:
    """Every place (the wall, then the 57 bridge points) with its displays, then displays
    without a place. A place without a display is 'never connected'."""
    now = time.time() if now is None else now
    active = [d for d in snapshot.by_token.values() if d.active]
    by_place: dict[str, list] = {}
    for d in sorted(active, key=lambda d: d.name):
        by_place.setdefault(d.place, []).append(d)
    out = []
    for place, name_vi, name_en in snapshot.places:
        place_name = name_en if lang == "en" else name_vi
        for d in by_place.pop(place, []) or [None]:
            if d is None:
                out.append(_row("", place, place_name, "", None, now))
            else:
                out.append(_row(d.name, place, place_name, d.mode, beats.get(d.name), now))
    for place, items in by_place.items():  # no place, or a place no longer in the reference
        for d in items:
            out.append(_row(d.name, place, "", d.mode, beats.get(d.name), now))
    return out


def current(database: Database, live: LiveState, lang: str = "vi",
            registry_age: float = SNAPSHOT_SECONDS) -> list[DisplayStatus]:
    """Every display's status: its heartbeat now, the registry as of `registry_age` seconds."""
    return rows(snapshots.get(database, registry_age), live.display_beats(), lang)


def lost_places(statuses: list[DisplayStatus]) -> list[DisplayStatus]:
    """Places whose display was connected and is not any more (the overview's alerts)."""
    return [s for s in statuses if s.state == "lost" and s.place]


def followers(statuses: list[DisplayStatus], presenter: dict[str, Any] | None,
              now: float | None = None) -> tuple[list[str], list[str]]:
    """(connected displays in follow mode, those of them not yet showing the current change)."""
    now = time.time() if now is None else now
    following = [s for s in statuses if s.mode == "follow" and s.connected]
    lagging = []
    if presenter is not None:
        seq = int(presenter.get("seq", 0))
        late = now - float(presenter.get("changed_at", now)) > LAG_AFTER
        lagging = [s.name for s in following if late and (s.ack_seq or 0) < seq]
    return [s.name for s in following], lagging
