"""API and display tokens: create (shown once), check, list and revoke; only SHA-256 hashes are stored.

Agency tokens submit one agency's data through the API. Display tokens open a read-only session
for a wall or bridge-point screen (`/display/<token>`) or read pages, streams and API GETs as a
bearer token. Checks of display tokens and sessions are remembered for RECHECK_SECONDS so the
polling of many screens does not multiply database queries; a revocation in this process clears
that memory at once, one from another process (the CLI) applies within RECHECK_SECONDS.
"""
from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from data import audit
from data.clock import cli_time, utc_now
from data.db import Database, transaction
from data.models import Agency, AgencyToken, DisplayToken

PREFIX = "ops_"  # makes a leaked token easy to recognise in logs and secret scanners


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


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a presented token: the agency, or why it was refused."""

    agency: str | None
    reason: str = ""  # "" | missing | unknown | revoked

    @property
    def ok(self) -> bool:
        return self.agency is not None


def hash_token(token: str) -> str:
    """SHA-256 hex of a token; tokens are high-entropy, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(database: Database, agency: str, *, actor: str = "cli",
           address: str = "") -> tuple[int, str]:
    """Create a token for an agency; returns (id, secret). The secret is not kept anywhere."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction(database.sessions) as session:
        if session.get(Agency, agency) is None:
            raise TokenError(f"unknown agency '{agency}'")
        row = AgencyToken(agency_code=agency, token_hash=hash_token(secret), created_at=utc_now())
        session.add(row)
        session.flush()
        audit.add(session, "admin", actor, f"token create {row.id} agency={agency}", address)
        return row.id, secret


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
        return TokenCheck(row.agency_code)


def list_tokens(database: Database) -> list[TokenInfo]:
    """Every token, oldest first."""
    with database.sessions() as session:
        rows = session.scalars(select(AgencyToken).order_by(AgencyToken.id))
        return [TokenInfo(r.id, r.agency_code, r.created_at, r.last_used_at, r.revoked_at)
                for r in rows]


def peek(database: Database, token: str | None) -> TokenCheck:
    """Like check(), without recording use (to tell an agency token from garbage)."""
    if not token:
        return TokenCheck(None, "missing")
    with database.sessions() as session:
        row = session.scalar(select(AgencyToken).where(AgencyToken.token_hash == hash_token(token)))
    if row is None:
        return TokenCheck(None, "unknown")
    return TokenCheck(None, "revoked") if row.revoked_at else TokenCheck(row.agency_code)


def revoke(database: Database, token_id: int, *, actor: str = "cli", address: str = "") -> TokenInfo:
    """Revoke a token by id (idempotent: revoking twice keeps the first time)."""
    with transaction(database.sessions) as session:
        row = session.get(AgencyToken, token_id)
        if row is None:
            raise TokenError(f"no token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
            audit.add(session, "admin", actor, f"token revoke {row.id} agency={row.agency_code}",
                      address)
        return TokenInfo(row.id, row.agency_code, row.created_at, row.last_used_at, row.revoked_at)


# --- display tokens ---------------------------------------------------------------------------

DISPLAY_PREFIX = "opsd_"
RECHECK_SECONDS = 5.0  # how long a positive check is remembered in this process
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

    def get(self, key: tuple[str, object], compute: Callable[[], object]) -> object:
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
                self._items[key] = (now + RECHECK_SECONDS, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


memo = _Memo()
forget_all = memo.clear  # users.disable and the revocations call this


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

    found = memo.get((database.url, "dh:" + digest), lookup)
    if not isinstance(found, DisplayCheck):
        with database.sessions() as session:
            row = session.scalar(select(DisplayToken).where(DisplayToken.token_hash == digest))
        return DisplayCheck(None, reason="revoked" if row is not None else "unknown")
    if record:
        memo.get((database.url, "du:" + digest), lambda: _record_use(database, found.id, address) or True)
    return found


def display_active(database: Database, token_id: int) -> bool:
    """True while the display token exists and is not revoked (for display sessions)."""
    def lookup() -> bool:
        with database.sessions() as session:
            row = session.get(DisplayToken, token_id)
            return row is not None and row.revoked_at is None

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


def format_table(infos: list[TokenInfo], displays: list[DisplayInfo] | None = None) -> str:
    """A plain-text table of tokens (times are UTC); display tokens have ids d1, d2 ..."""
    lines = [f"{'ID':>4}  {'AGENCY':<10}  {'CREATED (UTC)':<19}  {'LAST USED':<19}  REVOKED"]
    for t in infos:
        lines.append(f"{t.id:>4}  {t.agency:<10}  {cli_time(t.created_at):<19}  "
                     f"{cli_time(t.last_used_at):<19}  {cli_time(t.revoked_at)}")
    for d in displays or []:
        lines.append(f"{'d' + str(d.id):>4}  {'display':<10}  {cli_time(d.created_at):<19}  "
                     f"{cli_time(d.last_used_at):<19}  {cli_time(d.revoked_at)}  {d.name}")
    return "\n".join(lines)


def cli(database: Database, args: argparse.Namespace) -> int:
    """`python -m data token create|list|revoke`; returns the exit code."""
    try:
        if args.token_command == "create":
            if getattr(args, "display", None):
                token_id, secret = create_display(database, args.display)
                base = (getattr(args, "base_url", "") or "").rstrip("/")
                print(f"display token d{token_id} for {args.display} (shown once, store it now);"
                      " open this URL on the screen:")
                print(f"{base}/display/{secret}")
                return 0
            if not args.agency:
                raise TokenError("give --agency CODE or --display NAME")
            token_id, secret = create(database, args.agency)
            print(f"token {token_id} for {args.agency} (shown once, store it now):")
            print(secret)
            return 0
        if args.token_command == "list":
            print(format_table(list_tokens(database), list_display_tokens(database)))
            return 0
        if args.token_command == "revoke":
            ident = str(args.id).strip().lower()
            if ident.startswith("d"):
                if not ident[1:].isdigit():
                    raise TokenError(f"bad token id '{args.id}'")
                shown = revoke_display(database, int(ident[1:]))
                print(f"display token d{shown.id} ({shown.name}) revoked at "
                      f"{cli_time(shown.revoked_at)} UTC")
                return 0
            if not ident.isdigit():
                raise TokenError(f"bad token id '{args.id}'")
            info = revoke(database, int(ident))
            print(f"token {info.id} of {info.agency} revoked at {cli_time(info.revoked_at)} UTC")
            return 0
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2
