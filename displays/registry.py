"""The display registry: walls and bridge points, their modes and playlists (database side).

A display is a screen that is not a person. Its link is a display token (data.tokens) so the
existing `/display/<token>` sign-in, revocation and read-only rules apply unchanged; the row here
adds a place (a bridge point or the wall) and a mode: follow the presenter, run a playlist, or
show one page. Screens never query this table themselves: `Snapshot` holds the registry in each
process, which checks one cheap stamp every SNAPSHOT_SECONDS (reloading only when it changed)
whoever is watching, so following and polling cost the database nothing per screen.
"""
from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from accounts import audit, tokens
from accounts.models import DisplayToken
from core.cache import memoized
from core.clock import cli_time, utc_now
from core.db import Database, current, transaction
from core.models import utcnow
from displays.models import Display, Playlist
from reporting.models import BridgePoint, Region

MODES = ("follow", "playlist", "page")
WALL = "wall"
WALL_NAME = ("Màn hình lớn của Trung tâm", "The centre's wall")
DEFAULT_PLAYLIST = "default"
SNAPSHOT_SECONDS = 1.0  # local snapshot age before the shared stamp is compared (a cache read)
MAX_ITEMS = 50
MAX_URL = 500
# Paths a screen may not be sent to: sign-in/out, admin, raw API and streams, the display links.
FORBIDDEN_PREFIXES = ("/display/", "/admin", "/logout", "/login", "/api/", "/streams/", "/_dash")
PARAM_RE = re.compile(r"^[a-z_]{1,20}$")


class DisplayError(ValueError):
    """A display or playlist operation that cannot be done; the text names field and reason."""


@dataclass(frozen=True)
class PlaylistItem:
    """One page of a playlist; with provinces it cycles that page through them in turn."""

    url: str
    seconds: float  # how long the page shows; per province when provinces are given
    provinces: tuple[str, ...] | str = ()  # () | "all" | ("01", "04", ...)
    param: str = "region"  # the query parameter that carries the province

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "seconds": self.seconds}
        if self.provinces:
            out["provinces"] = self.provinces if isinstance(self.provinces, str) \
                else list(self.provinces)
            out["param"] = self.param
        return out

    def line(self) -> str:
        """The item as one line of the admin page's editor (see parse_lines)."""
        text = f"{self.url} {self.seconds:g}"
        if self.provinces:
            provinces = self.provinces if isinstance(self.provinces, str) \
                else ",".join(self.provinces)
            text += f" provinces={provinces}"
            if self.param != "region":
                text += f" param={self.param}"
        return text


# The playlist that ships: the four wall pages, then one indicator through all 34 provinces.
DEFAULT_ITEMS: tuple[PlaylistItem, ...] = (
    PlaylistItem("/", 30),
    PlaylistItem("/savings", 20),
    PlaylistItem("/reporting", 20),
    PlaylistItem("/cameras", 30),
    PlaylistItem("/indicators/GDP_GROWTH", 8, "all"),
)


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


# --- validation ---------------------------------------------------------------------------------

def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise DisplayError("name: 1-64 letters, digits, space, - _ .")
    return name


def check_mode(mode: str) -> str:
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        raise DisplayError(f"mode: '{mode}' is not one of {', '.join(MODES)}")
    return mode


def check_url(url: str, what: str = "page") -> str:
    """A same-site page path with its query (a drill-down state), or DisplayError."""
    url = (url or "").strip()
    if not url:
        raise DisplayError(f"{what}: empty")
    if len(url) > MAX_URL:
        raise DisplayError(f"{what}: longer than {MAX_URL} characters")
    if not url.startswith("/") or url.startswith("//") or any(
            ch in url for ch in "\\\r\n\t\x00 "):
        raise DisplayError(f"{what}: '{url[:80]}' must be a path of this site, like /indicators/GDP_GROWTH?region=01")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.fragment:
        raise DisplayError(f"{what}: '{url[:80]}' must be a path of this site")
    if parts.path.startswith(FORBIDDEN_PREFIXES) or parts.path in ("/login", "/logout"):
        raise DisplayError(f"{what}: '{parts.path}' is not a page a screen can show")
    # Kiosk is the screen's mode, not part of the state: drop the flag from stored URLs.
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "kiosk"]
    return parts.path + ("?" + urlencode(query) if query else "")


def _seconds(raw: Any, where: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise DisplayError(f"{where}, seconds: '{raw}' is not a number") from None
    if not 2 <= value <= 3600:
        raise DisplayError(f"{where}, seconds: {value:g} is outside 2..3600")
    return value


def _provinces(raw: Any, known: set[str] | None, where: str) -> tuple[str, ...] | str:
    if raw in (None, "", [], ()):
        return ()
    if isinstance(raw, str) and raw.strip().lower() == "all":
        return "all"
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise DisplayError(f"{where}, provinces: give 'all' or a list of province codes")
    codes = tuple(str(c).strip() for c in items if str(c).strip())
    unknown = [c for c in codes if known is not None and c not in known]
    if unknown:
        raise DisplayError(f"{where}, provinces: unknown code(s) {', '.join(unknown[:5])}")
    if not codes:
        raise DisplayError(f"{where}, provinces: empty list")
    return codes


def check_items(raw: list[Any], known_provinces: set[str] | None = None) -> list[PlaylistItem]:
    """Validate playlist items given as dicts (JSON); errors name the item and field."""
    if not isinstance(raw, list) or not raw:
        raise DisplayError("items: a playlist needs at least one item")
    if len(raw) > MAX_ITEMS:
        raise DisplayError(f"items: at most {MAX_ITEMS}")
    out = []
    for n, item in enumerate(raw, start=1):
        where = f"item {n}"
        if not isinstance(item, dict):
            raise DisplayError(f"{where}: must be an object with url and seconds")
        extra = set(item) - {"url", "seconds", "provinces", "param"}
        if extra:
            raise DisplayError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        url = check_url(str(item.get("url", "")), f"{where}, url")
        param = str(item.get("param") or "region")
        if not PARAM_RE.match(param):
            raise DisplayError(f"{where}, param: '{param}' is not a query parameter name")
        out.append(PlaylistItem(url, _seconds(item.get("seconds"), where),
                                _provinces(item.get("provinces"), known_provinces, where), param))
    return out


def parse_lines(text: str, known_provinces: set[str] | None = None) -> list[PlaylistItem]:
    """The admin editor's format, one item a line: `URL SECONDS [provinces=all|01,04] [param=P]`.

    Blank lines and lines starting with # are skipped; errors name the line.
    """
    raw: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) < 2:
            raise DisplayError(f"line {number}: give a URL and its seconds, e.g. '/savings 20'")
        item: dict[str, Any] = {"url": words[0], "seconds": words[1]}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or key not in ("provinces", "param"):
                raise DisplayError(f"line {number}: '{word}' is not provinces=... or param=...")
            item[key] = value
        raw.append(item)
        lines.append(number)
    try:
        return check_items(raw, known_provinces)
    except DisplayError as exc:
        text = str(exc)
        match = re.match(r"item (\d+)", text)
        if match:  # speak of the editor's line, not the item's position
            text = f"line {lines[int(match.group(1)) - 1]}" + text[match.end():]
        raise DisplayError(text) from None


def items_from_json(text: str) -> list[PlaylistItem]:
    """Stored items (already validated when saved); a damaged row yields the default items."""
    try:
        return check_items(json.loads(text))
    except (ValueError, TypeError):
        return list(DEFAULT_ITEMS)


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

    def get(self, database: Database) -> Snapshot:
        now = time.monotonic()
        hit = self._items.get(database.url)
        if hit is not None and now - hit.loaded_at < SNAPSHOT_SECONDS:
            return hit
        with self._lock:
            hit = self._items.get(database.url)
            if hit is not None and time.monotonic() - hit.loaded_at < SNAPSHOT_SECONDS:
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


# --- command line ------------------------------------------------------------------------------

def format_table(views: list[DisplayView]) -> str:
    lines = [f"{'NAME':<20}  {'PLACE':<6}  {'MODE':<8}  {'PLAYLIST':<12}  {'TOKEN':<5}  "
             f"{'CREATED (UTC)':<19}  {'REVOKED':<19}  PAGE"]
    for v in views:
        lines.append(f"{v.name:<20}  {v.place or '-':<6}  {v.mode:<8}  {v.playlist or '-':<12}  "
                     f"{'d' + str(v.token_id):<5}  {cli_time(v.created_at):<19}  "
                     f"{cli_time(v.revoked_at):<19}  {v.page or '-'}")
    return "\n".join(lines)


def add_parser(sub: Any) -> None:
    """`python -m data display ...`"""
    p = sub.add_parser("display", help="displays: the wall and bridge points (modes, playlists)")
    dsub = p.add_subparsers(dest="display_command", required=True)
    pc = dsub.add_parser("create", help="register a display; prints its /display/<token> link last")
    pc.add_argument("name")
    for target in (pc, ps := dsub.add_parser("set", help="change a display's place, mode, playlist or page")):
        target.add_argument("--place", help="BP01..BP57 or wall")
        target.add_argument("--mode", choices=MODES)
        target.add_argument("--playlist", help="a playlist name (empty: the default playlist)")
        target.add_argument("--page", help="a page path with its query, e.g. /indicators/GDP_GROWTH?region=01")
    pc.add_argument("--base-url", default="", help="prefix of the printed link")
    ps.add_argument("name")
    dsub.add_parser("list", help="list displays (never the token)")
    pr = dsub.add_parser("revoke", help="revoke a display; its screen shows 'link revoked'")
    pr.add_argument("name")
    pp = dsub.add_parser("playlist", help="list playlists, or save one from lines on stdin")
    pp.add_argument("playlist_name", nargs="?", help="with --stdin: the playlist to save")
    pp.add_argument("--stdin", action="store_true",
                    help="read items, one a line: URL SECONDS [provinces=all|01,04] [param=region]")


def cli(database: Database, args: argparse.Namespace) -> int:
    """`python -m data display create|list|set|revoke|playlist`; returns the exit code."""
    try:
        command = args.display_command
        if command == "create":
            view, secret = create(database, args.name, place=args.place or "",
                                  mode=args.mode or "playlist", playlist=args.playlist or "",
                                  page=args.page or "")
            print(f"display {view.name} (token d{view.token_id}, mode {view.mode}) created; the link"
                  " is shown once, open it on the screen:")
            print(f"{(args.base_url or '').rstrip('/')}/display/{secret}")
            return 0
        if command == "list":
            print(format_table(list_displays(database)))
            return 0
        if command == "set":
            if all(getattr(args, k) is None for k in ("place", "mode", "playlist", "page")):
                raise DisplayError("give at least one of --place, --mode, --playlist, --page")
            view = update(database, args.name, place=args.place, mode=args.mode,
                          playlist=args.playlist, page=args.page)
            print(format_table([view]))
            return 0
        if command == "revoke":
            view = revoke(database, args.name)
            print(f"display {view.name} revoked at {cli_time(view.revoked_at)} UTC")
            return 0
        if command == "playlist":
            if args.stdin:
                if not args.playlist_name:
                    raise DisplayError("name: give the playlist's name")
                items = parse_lines(sys.stdin.read(), set(province_codes(database)))
                save_playlist(database, args.playlist_name, items)
            for name, items in playlists(database).items():
                print(f"[{name}]")
                print("\n".join(i.line() for i in items))
            return 0
    except DisplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2


__all__ = ["DEFAULT_ITEMS", "DisplayError", "DisplayView", "PlaylistItem", "Snapshot",
           "check_items", "check_url", "create", "list_displays", "parse_lines", "playlists",
           "revoke", "save_playlist", "snapshots", "update"]
