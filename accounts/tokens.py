"""API and display tokens: create (shown once), check, list and revoke; only SHA-256 hashes are stored.

Agency tokens have one scope each: "submissions" tokens submit one agency's data through the
API; the "tasks" token is the task tracking system's (the Government Office's), for its task
imports only (`token create --tracking`). Display tokens open a read-only session
for a wall or bridge-point screen (`/display/<token>`) or read pages, streams and API GETs as a
bearer token. Display checks read one table of active display tokens shared by every worker
through the cache (active_displays, ACTIVE_TTL_S), so the polling of many screens on many workers
costs one query per few seconds; a revocation in this process forgets it at once, one from
another process (the CLI) applies within ACTIVE_TTL_S. Outside a running app (the CLI, some
tests) checks go to the database, remembered for RECHECK_SECONDS.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_app_context
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from accounts import audit
from accounts.models import AgencyToken, DisplayToken
from core import shared
from core.cache import memoized
from core.clock import utc_now
from core.db import Database, current, transaction
from reporting.models import Agency

PREFIX = "ops_"  # makes a leaked token easy to recognise in logs and secret scanners


SUBMISSIONS = "submissions"  # an agency's observations and dam readings
TASKS = "tasks"  # the task tracking system's imports (POST /api/v1/tasks)
SCOPES = (SUBMISSIONS, TASKS)


class TokenError(ValueError):
    """A token operation that cannot be done (unknown agency, unknown token id)."""


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the secret, not even its hash."""

    id: int
    agency: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scope: str = SUBMISSIONS
    name: str = ""


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a presented token: the agency and scope, or why it was refused."""

    agency: str | None
    reason: str = ""  # "" | missing | unknown | revoked
    id: int = 0
    scope: str = SUBMISSIONS
    name: str = ""

    @property
    def ok(self) -> bool:
        return self.agency is not None


def hash_token(token: str) -> str:
    """SHA-256 hex of a token; tokens are high-entropy, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _tracking_name(name: str) -> str:
    name = (name or "").strip() or "tracking"
    if len(name) > 64 or not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise TokenError("tracking token name: 1-64 letters, digits, space, - _ .")
    return name


def create(database: Database, agency: str, *, scope: str = SUBMISSIONS, name: str = "",
           actor: str = "cli", address: str = "") -> tuple[int, str]:
    """Create a token for an agency (scope "tasks": the tracking system's, named); returns
    (id, secret). The secret is not kept anywhere."""
    if scope not in SCOPES:
        raise TokenError(f"unknown token scope '{scope}'")
    name = _tracking_name(name) if scope == TASKS else ""
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction(database.sessions) as session:
        if session.get(Agency, agency) is None:
            raise TokenError(f"unknown agency '{agency}'")
        row = AgencyToken(agency_code=agency, token_hash=hash_token(secret), created_at=utc_now(),
                          scope=scope, name=name)
        session.add(row)
        session.flush()
        what = f"tracking={name} agency={agency}" if scope == TASKS else f"agency={agency}"
        audit.add(session, "admin", actor, f"token create {row.id} {what}", address)
        return row.id, secret


def _found(row: AgencyToken) -> TokenCheck:
    return TokenCheck(row.agency_code, id=row.id, scope=row.scope, name=row.name)


def check(database: Database, token: str | None) -> TokenCheck:
    """Resolve a presented token to its agency; records last use. Revocation applies at once."""
    if not token:
        return TokenCheck(None, "missing")
    with transaction(database.sessions) as session:
        row = session.scalar(select(AgencyToken).where(AgencyToken.token_hash == hash_token(token)))
        if row is None:
            return TokenCheck(None, "unknown")
        if row.revoked_at is not None:
            return TokenCheck(None, "revoked")
        row.last_used_at = utc_now()
        return _found(row)


def list_tokens(database: Database) -> list[TokenInfo]:
    """Every token, oldest first."""
    with database.sessions() as session:
        rows = session.scalars(select(AgencyToken).order_by(AgencyToken.id))
        return [TokenInfo(r.id, r.agency_code, r.created_at, r.last_used_at, r.revoked_at,
                          r.scope, r.name) for r in rows]


def peek(database: Database, token: str | None) -> TokenCheck:
    """Like check(), without recording use (to tell an agency token from garbage)."""
    if not token:
        return TokenCheck(None, "missing")
    with database.sessions() as session:
        row = session.scalar(select(AgencyToken).where(AgencyToken.token_hash == hash_token(token)))
    if row is None:
        return TokenCheck(None, "unknown")
    return TokenCheck(None, "revoked") if row.revoked_at else _found(row)


def revoke(database: Database, token_id: int, *, actor: str = "cli", address: str = "") -> TokenInfo:
    """Revoke a token by id (idempotent: revoking twice keeps the first time)."""
    with transaction(database.sessions) as session:
        row = session.get(AgencyToken, token_id)
        if row is None:
            raise TokenError(f"no token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
            what = (f"tracking={row.name} agency={row.agency_code}" if row.scope == TASKS
                    else f"agency={row.agency_code}")
            audit.add(session, "admin", actor, f"token revoke {row.id} {what}", address)
        return TokenInfo(row.id, row.agency_code, row.created_at, row.last_used_at, row.revoked_at,
                         row.scope, row.name)


# --- display tokens ---------------------------------------------------------------------------

DISPLAY_PREFIX = "opsd_"
RECHECK_SECONDS = 5.0  # how long a positive check is remembered in this process
# How long this process trusts a display check read from the shared table without asking the
# table again: a wall polls several callbacks a second per worker, and each ask is a Redis round
# trip and an unpickle. A revocation here forgets it at once (forget_all); elsewhere it adds this
# to ACTIVE_TTL_S.
HOLD_SECONDS = 1.0
USE_RECORD_SECONDS = 60  # last_used_at (and a token_used audit event) at most once a minute


@dataclass(frozen=True)
class DisplayInfo:
    """What may be shown about a display token."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class DisplayCheck:
    """A presented display token: its id and name, or why it was refused."""

    id: int | None
    name: str = ""
    reason: str = ""  # "" | missing | unknown | revoked

    @property
    def ok(self) -> bool:
        return self.id is not None


class _Memo:
    """Process-local memory of recent positive checks, cleared on any revocation here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, object], tuple[float, object]] = {}

    def get(self, key: tuple[str, object], compute: Callable[[], object],
            ttl: float = RECHECK_SECONDS) -> object:
        """compute() unless remembered; while the database fails, the last success is used
        (the wall keeps running through an outage; nothing can be revoked during one)."""
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        try:
            value = compute()
        except SQLAlchemyError:
            if hit is not None:
                return hit[1]
            raise
        if value:  # only successes are remembered: a failure is re-checked every time
            with self._lock:
                if len(self._items) > 10000:
                    self._items.clear()
                self._items[key] = (now + ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


memo = _Memo()


_generation = 0  # bumped by a revocation in this process outside any app (the CLI's main())


def forget_all() -> None:
    """Forget remembered checks here, and the shared table of active displays (users.disable and
    the revocations call this; a revocation from another process reaches all by ACTIVE_TTL_S)."""
    global _generation
    memo.clear()
    if has_app_context():
        active_displays.forget(_generation)  # every worker sharing the cache reloads it
    else:
        _generation += 1  # no app to reach the cache through: this process asks afresh


# --- active display tokens, shared by every worker ------------------------------------------------

ACTIVE_TTL_S = 3  # a revoked display is refused by every worker within this (plus one request)


@memoized(ttl=ACTIVE_TTL_S)
def active_displays(generation: int = 0) -> dict[str, list[Any]]:
    """token hash -> [id, name] of every display token not revoked.

    One read for all workers and all screens per ACTIVE_TTL_S (the cache's single flight), so
    checking display sessions and bearer tokens costs no database query per viewer or worker.
    """
    with current().sessions() as session:
        rows = session.execute(select(DisplayToken.id, DisplayToken.token_hash, DisplayToken.name)
                               .where(DisplayToken.revoked_at.is_(None)))
        return {digest: [ident, name] for ident, digest, name in rows}


def _shared_table_applies(database: Database) -> bool:
    """active_displays() answers for `database`: it is the running app's own (else: check directly)."""
    return has_app_context() and current() is database


def _record_use_once(database: Database, token_id: int, address: str) -> None:
    """last_used_at at most once a minute per token: across workers with Redis, else per process."""
    redis = shared.current()

    def record() -> bool:
        if redis is not None:
            got = redis.call(lambda r: r.set(f"ops:display-used:{token_id}", "1", nx=True,
                                             ex=USE_RECORD_SECONDS))
            if got is not shared.DOWN:
                if got:
                    _record_use(database, token_id, address)
                return True
        _record_use(database, token_id, address)
        return True

    # Asked at most once per RECHECK_SECONDS per process: not a Redis round trip per request.
    memo.get((database.url, ("du", token_id)), record)


def _display_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise TokenError("display name: 1-64 letters, digits, space, - _ .")
    return name


def create_display(database: Database, name: str, *, actor: str = "cli") -> tuple[int, str]:
    """Create a display token; returns (id, secret). The secret is not kept anywhere."""
    name = _display_name(name)
    secret = DISPLAY_PREFIX + secrets.token_urlsafe(32)
    with transaction(database.sessions) as session:
        row = DisplayToken(name=name, token_hash=hash_token(secret), created_at=utc_now())
        session.add(row)
        session.flush()
        audit.add(session, "admin", actor, f"token create d{row.id} display={name}")
        return row.id, secret


def _record_use(database: Database, token_id: int, address: str) -> None:
    now = utc_now()
    with transaction(database.sessions) as session:
        row = session.get(DisplayToken, token_id)
        if row is None:
            return
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= USE_RECORD_SECONDS:
            row.last_used_at = now
            audit.add(session, "token_used", f"display:{token_id}", row.name, address)


def check_display(database: Database, token: str | None, *, address: str = "",
                  record: bool = True) -> DisplayCheck:
    """Resolve a presented display token (remembered briefly; revocation here applies at once)."""
    if not token or not token.startswith(DISPLAY_PREFIX) or len(token) > 200:
        return DisplayCheck(None, reason="missing" if not token else "unknown")
    digest = hash_token(token)

    def lookup() -> DisplayCheck | None:
        with database.sessions() as session:
            row = session.scalar(select(DisplayToken).where(DisplayToken.token_hash == digest))
            if row is None or row.revoked_at is not None:
                return None
            return DisplayCheck(row.id, row.name)

    def from_table(table: dict[str, list[Any]]) -> DisplayCheck | None:
        row = table.get(digest)
        # Not in the shared table: revoked, unknown, or created since it was read. Ask the
        # database (never remembered, so a refusal is never stale); a new token reloads the table.
        found = DisplayCheck(int(row[0]), str(row[1])) if row is not None else lookup()
        if row is None and found is not None:
            active_displays.forget(_generation)
        return found

    if _shared_table_applies(database):
        found = memo.get((database.url, "dv:" + digest),  # type: ignore[assignment]
                         lambda: from_table(active_displays(_generation)), HOLD_SECONDS)
    else:
        found = memo.get((database.url, "dh:" + digest), lookup)  # type: ignore[assignment]
    if not isinstance(found, DisplayCheck):
        with database.sessions() as session:
            row = session.scalar(select(DisplayToken).where(DisplayToken.token_hash == digest))
        return DisplayCheck(None, reason="revoked" if row is not None else "unknown")
    if record:
        _record_use_once(database, found.id, address)  # type: ignore[arg-type]
    return found


def display_active(database: Database, token_id: int) -> bool:
    """True while the display token exists and is not revoked (for display sessions)."""
    def lookup() -> bool:
        with database.sessions() as session:
            row = session.get(DisplayToken, token_id)
            return row is not None and row.revoked_at is None

    def from_table() -> bool:
        table = active_displays(_generation)
        if any(row[0] == token_id for row in table.values()):
            return True
        active = lookup()  # see check_display: a miss is asked of the database, never remembered
        if active:
            active_displays.forget(_generation)
        return active

    if _shared_table_applies(database):
        return bool(memo.get((database.url, ("dva", token_id)), from_table, HOLD_SECONDS))
    return bool(memo.get((database.url, ("did", token_id)), lookup))


def list_display_tokens(database: Database) -> list[DisplayInfo]:
    with database.sessions() as session:
        rows = session.scalars(select(DisplayToken).order_by(DisplayToken.id))
        return [DisplayInfo(r.id, r.name, r.created_at, r.last_used_at, r.revoked_at) for r in rows]


def revoke_display(database: Database, token_id: int, *, actor: str = "cli") -> DisplayInfo:
    """Revoke a display token by id; its sessions end at their next request."""
    with transaction(database.sessions) as session:
        row = session.get(DisplayToken, token_id)
        if row is None:
            raise TokenError(f"no display token with id d{token_id}")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
            audit.add(session, "admin", actor, f"token revoke d{row.id} display={row.name}")
        info = DisplayInfo(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at)
    forget_all()
    return info
