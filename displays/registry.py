"""The display registry: walls and bridge points, their modes and playlists (database side).

A display is a screen that is not a person. Its link is a display token (data.tokens) so the
existing `/display/<token>` sign-in, revocation and read-only rules apply unchanged; the row here
adds a place (a bridge point or the wall) and a mode: follow the presenter, run a playlist, or
show one page. Screens never query this table themselves: `Snapshot` holds the registry in each
process, which checks one cheap stamp every SNAPSHOT_SECONDS (reloading only when it changed)
whoever is watching, so following and polling cost the database nothing per screen.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from accounts import audit, tokens
from accounts.models import DisplayToken
from core.cache import memoized
from core.clock import utc_now
from core.db import Database, current, transaction
from core.models import utcnow
from displays.models import Display, Playlist
from displays.playlists import (
    DEFAULT_ITEMS,
    DEFAULT_PLAYLIST,
    WALL,
    WALL_NAME,
    DisplayError,
    PlaylistItem,
    check_items,
    check_mode,
    check_name,
    check_url,
    items_from_json,
    parse_lines,
)
from reporting.models import BridgePoint, Region

SNAPSHOT_SECONDS = 1.0  # local snapshot age before the shared stamp is compared (a cache read)


@dataclass(frozen=True)
class DisplayView:
    """What may be shown about a display (never its token)."""

    id: int
    name: str
    place: str
    mode: str
    playlist: str
    page: str
    token_id: int
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _view(d: Display) -> DisplayView:
    return DisplayView(d.id, d.name, d.place, d.mode, d.playlist, d.page, d.token_id,
                       d.created_at, d.updated_at, d.revoked_at)


# --- reference ----------------------------------------------------------------------------------

def places(database: Database) -> list[tuple[str, str]]:
    """(id, Vietnamese name) of the wall and the 57 bridge points, in order."""
    with database.sessions() as session:
        rows = session.execute(select(BridgePoint.id, BridgePoint.name_vi).order_by(BridgePoint.id))
        return [(WALL, WALL_NAME[0])] + [(r.id, r.name_vi) for r in rows]


def province_codes(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(
            select(Region.code).where(Region.kind == "province").order_by(Region.code)))


def _check_place(database: Database, place: str) -> str:
    place = (place or "").strip()
    if not place:
        return ""
    if place.lower() == WALL:
        return WALL
    place = place.upper()
    if place not in {p for p, _ in places(database)}:
        raise DisplayError(f"place: '{place}' is not the wall or a bridge point (BP01..BP57)")
    return place


# --- displays ----------------------------------------------------------------------------------

def create(database: Database, name: str, *, place: str = "", mode: str = "playlist",
           playlist: str = "", page: str = "", actor: str = "cli") -> tuple[DisplayView, str]:
    """Register a display with its own display token; returns (display, secret shown once)."""
    name = check_name(name)
    mode = check_mode(mode)
    place = _check_place(database, place)
    page = check_url(page) if page else ""
    if mode == "page" and not page:
        raise DisplayError("page: mode 'page' needs --page URL")
    ensure_default_playlist(database)
    secret = tokens.DISPLAY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction(database.sessions) as session:
            if playlist and session.scalar(select(Playlist.id).where(Playlist.name == playlist)) is None:
                raise DisplayError(f"playlist: no playlist named '{playlist}'")
            if session.scalar(select(Display.id).where(Display.name == name)) is not None:
                raise DisplayError(f"name: a display named '{name}' exists (revoke it or choose another)")
            token = DisplayToken(name=name, token_hash=tokens.hash_token(secret), created_at=utc_now())
            session.add(token)
            session.flush()
            now = utcnow()  # microseconds: the registry stamp tells two changes a second apart
            row = Display(name=name, place=place, mode=mode, playlist=playlist, page=page,
                          token_id=token.id, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            audit.add(session, "admin", actor, f"display create {name} place={place or '-'} "
                      f"mode={mode} playlist={playlist or '-'} page={page or '-'} token=d{token.id}")
            view = _view(row)
    except IntegrityError:
        raise DisplayError(f"name: a display named '{name}' exists") from None
    snapshots.forget()
    return view, secret


def get(database: Database, name: str) -> DisplayView:
    with database.sessions() as session:
        row = session.scalar(select(Display).where(Display.name == (name or "").strip()))
        if row is None:
            raise DisplayError(f"name: no display named '{name}'")
        return _view(row)


def list_displays(database: Database) -> list[DisplayView]:
    with database.sessions() as session:
        return [_view(d) for d in session.scalars(select(Display).order_by(Display.name))]


def update(database: Database, name: str, *, place: str | None = None, mode: str | None = None,
           playlist: str | None = None, page: str | None = None,
           actor: str = "cli") -> DisplayView:
    """Change a display's place, mode, playlist or page; the screen follows within seconds."""
    changes: dict[str, str] = {}
    if place is not None:
        changes["place"] = _check_place(database, place)
    if mode is not None:
        changes["mode"] = check_mode(mode)
    if page is not None:
        changes["page"] = check_url(page) if page.strip() else ""
    if playlist is not None:
        changes["playlist"] = playlist.strip()
    with transaction(database.sessions) as session:
        row = session.scalar(select(Display).where(Display.name == (name or "").strip()))
        if row is None:
            raise DisplayError(f"name: no display named '{name}'")
        if row.revoked_at is not None:
            raise DisplayError(f"name: display '{name}' is revoked")
        if changes.get("playlist") and session.scalar(
                select(Playlist.id).where(Playlist.name == changes["playlist"])) is None:
            raise DisplayError(f"playlist: no playlist named '{changes['playlist']}'")
        if changes.get("mode", row.mode) == "page" and not changes.get("page", row.page):
            raise DisplayError("page: mode 'page' needs a page URL")
        changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
        for key, value in changed.items():
            setattr(row, key, value)
        if changed:
            row.updated_at = utcnow()
            audit.add(session, "admin", actor, f"display set {row.name} " + " ".join(
                f"{k}={v or '-'}" for k, v in changed.items()))
        view = _view(row)
    snapshots.forget()
    return view


def revoke(database: Database, name: str, *, actor: str = "cli") -> DisplayView:
    """Revoke a display and its token: the open screen shows 'link revoked' within seconds."""
    with transaction(database.sessions) as session:
        row = session.scalar(select(Display).where(Display.name == (name or "").strip()))
        if row is None:
            raise DisplayError(f"name: no display named '{name}'")
        if row.revoked_at is None:
            now = utcnow()
            row.revoked_at, row.updated_at = now, now
            token = session.get(DisplayToken, row.token_id)
            if token is not None and token.revoked_at is None:
                token.revoked_at = now
            audit.add(session, "admin", actor, f"display revoke {row.name} token=d{row.token_id}")
        view = _view(row)
    tokens.forget_all()
    snapshots.forget()
    return view


# --- playlists ---------------------------------------------------------------------------------

def ensure_default_playlist(database: Database) -> None:
    """The shipped playlist exists (created once; an edited one is kept)."""
    try:
        with transaction(database.sessions) as session:
            if session.scalar(select(Playlist.id).where(Playlist.name == DEFAULT_PLAYLIST)) is None:
                session.add(Playlist(name=DEFAULT_PLAYLIST, updated_at=utc_now(),
                                     items=json.dumps([i.to_json() for i in DEFAULT_ITEMS])))
    except IntegrityError:
        pass  # created meanwhile by another request or process: the same playlist


def playlists(database: Database) -> dict[str, list[PlaylistItem]]:
    ensure_default_playlist(database)
    with database.sessions() as session:
        return {p.name: items_from_json(p.items)
                for p in session.scalars(select(Playlist).order_by(Playlist.name))}


def save_playlist(database: Database, name: str, items: list[PlaylistItem], *,
                  actor: str = "cli") -> None:
    """Create or replace a playlist; running screens take it up at their next item."""
    name = check_name(name)
    if not items:
        raise DisplayError("items: a playlist needs at least one item")
    text = json.dumps([i.to_json() for i in items])
    with transaction(database.sessions) as session:
        row = session.scalar(select(Playlist).where(Playlist.name == name))
        if row is None:
            session.add(Playlist(name=name, items=text, updated_at=utcnow()))
        elif row.items != text:
            row.items, row.updated_at = text, utcnow()
        else:
            return
        audit.add(session, "admin", actor, f"playlist save {name} items={len(items)}")
    snapshots.forget()


# --- the per-process snapshot that screens are served from ---------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The whole registry as plain values, loaded in a few queries."""

    by_token: dict[int, DisplayView] = field(default_factory=dict)
    playlists: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {version, items}
    provinces: tuple[str, ...] = ()
    places: tuple[tuple[str, str, str], ...] = ()  # (id, name_vi, name_en): the wall, BP01..BP57
    loaded_at: float = 0.0
    stamp: tuple = ()  # registry_stamp() when loaded

    def playlist_for(self, display: DisplayView) -> dict[str, Any]:
        """The display's playlist (its own, else the default), provinces resolved."""
        chosen = self.playlists.get(display.playlist) or self.playlists.get(DEFAULT_PLAYLIST)
        name = display.playlist if display.playlist in self.playlists else DEFAULT_PLAYLIST
        if chosen is None:
            items = [i.to_json() for i in DEFAULT_ITEMS]
            chosen = {"version": "shipped", "items": items}
        items = []
        for item in chosen["items"]:
            item = dict(item)
            if item.get("provinces") == "all":
                item["provinces"] = list(self.provinces)
            items.append(item)
        return {"name": name, "version": chosen["version"], "items": items}


@memoized(ttl=1)
def shared_stamp() -> list[Any]:
    """registry_stamp of the app's database through the shared cache: one statement per 1 s
    window for every worker and screen, so a change from the CLI reaches screens within ~3 s
    (stamp 1 s + local snapshot 1 s + the screen's 1 s poll), well inside the 5 s promised."""
    with current().sessions() as session:
        return [str(v) for v in registry_stamp(session)]


def _stamp(database: Database) -> tuple:
    if has_app_context() and current() is database:
        return tuple(shared_stamp())
    with database.sessions() as session:
        return tuple(str(v) for v in registry_stamp(session))


def registry_stamp(session: Any) -> tuple:
    """One cheap statement that changes whenever the registry does (a display or playlist
    added, changed or revoked, a display token revoked): the snapshot reloads only then."""
    return tuple(session.execute(select(
        select(func.count(Display.id)).scalar_subquery(),
        select(func.max(Display.updated_at)).scalar_subquery(),
        select(func.count(Playlist.id)).scalar_subquery(),
        select(func.max(Playlist.updated_at)).scalar_subquery(),
        select(func.count(DisplayToken.revoked_at)).scalar_subquery(),
    )).one())


def load_snapshot(database: Database) -> Snapshot:
    ensure_default_playlist(database)
    with database.sessions() as session:
        stamp = tuple(str(v) for v in registry_stamp(session))
        rows = session.execute(select(Display, DisplayToken.revoked_at)
                               .join(DisplayToken, DisplayToken.id == Display.token_id))
        by_token = {}
        for d, token_revoked in rows:
            view = _view(d)
            if view.revoked_at is None and token_revoked is not None:
                # Revoked as a token (python -m data token revoke dN): the display is too.
                view = replace(view, revoked_at=token_revoked)
            by_token[d.token_id] = view
        lists = {p.name: {"version": p.updated_at.isoformat(),
                          "items": [i.to_json() for i in items_from_json(p.items)]}
                 for p in session.scalars(select(Playlist))}
        provinces = tuple(session.scalars(
            select(Region.code).where(Region.kind == "province").order_by(Region.code)))
        bridge = session.execute(select(BridgePoint.id, BridgePoint.name_vi, BridgePoint.name_en)
                                 .order_by(BridgePoint.id))
        place_rows = ((WALL, WALL_NAME[0], WALL_NAME[1]),
                      *((b.id, b.name_vi, b.name_en) for b in bridge))
    return Snapshot(by_token, lists, provinces, place_rows, time.monotonic(), stamp)


class Snapshots:
    """One Snapshot per database, refreshed at most every SNAPSHOT_SECONDS (single flight).

    Bounded: at most MAX_DATABASES snapshots (one per app; tests build many apps).
    """

    MAX_DATABASES = 16

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Snapshot] = {}

    def get(self, database: Database, max_age: float = SNAPSHOT_SECONDS) -> Snapshot:
        """The registry as of at most `max_age` seconds ago (a reader that needs it less fresh
        than a screen following its own mode passes more, and checks the stamp less often)."""
        now = time.monotonic()
        hit = self._items.get(database.url)
        if hit is not None and now - hit.loaded_at < max_age:
            return hit
        with self._lock:
            hit = self._items.get(database.url)
            if hit is not None and time.monotonic() - hit.loaded_at < max_age:
                return hit
            try:
                fresh = None
                if hit is not None and _stamp(database) == hit.stamp:  # unchanged: shared read
                    fresh = replace(hit, loaded_at=time.monotonic())
                fresh = fresh or load_snapshot(database)
            except SQLAlchemyError:
                if hit is None:
                    raise
                # Database down: screens keep their last known registry; retry next period.
                fresh = replace(hit, loaded_at=time.monotonic())
            if len(self._items) >= self.MAX_DATABASES and database.url not in self._items:
                self._items.pop(next(iter(self._items)))
            self._items[database.url] = fresh
            return fresh

    def forget(self) -> None:
        """A change made in this process shows at the screens' next poll (other workers read the
        shared stamp afresh)."""
        with self._lock:
            self._items.clear()
        if has_app_context():
            shared_stamp.forget()


snapshots = Snapshots()


__all__ = ["DEFAULT_ITEMS", "DisplayError", "DisplayView", "PlaylistItem", "Snapshot",
           "check_items", "check_url", "create", "list_displays", "parse_lines", "playlists",
           "revoke", "save_playlist", "snapshots", "update"]
