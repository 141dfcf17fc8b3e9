"""The audit log: append security events (logins, token use, submissions, admin actions)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import AuditEvent
from core.clock import VN_TZ, utc_now
from core.db import Database, transaction

log = logging.getLogger("ops.audit")

KINDS = ("login", "login_failed", "login_throttled", "logout", "token_used", "submission",
         "admin", "alert", "cli")
# What an administrator did, by the first words of an "admin" event's detail.
ADMIN_ACTIONS = ("user add", "user role", "user disable", "user enable", "user reset-password",
                 "token create", "token revoke", "user person")
PAGE_SIZE = 50


def _clean(text: str, limit: int) -> str:
    """Attacker-chosen text (a user name typed at the login form) cannot forge log lines."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))[:limit]


def add(session: Session, kind: str, actor: str, detail: str = "", address: str = "") -> None:
    """Append one event in the caller's transaction. Never pass a secret in `detail`."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    event = AuditEvent(time=utc_now(), kind=kind, actor=_clean(actor, 80),
                       detail=_clean(detail, 500), address=_clean(address, 64))
    session.add(event)
    log.info("audit %s actor=%s address=%s %s", kind, event.actor, event.address, event.detail)


def record(database: Database, kind: str, actor: str, detail: str = "", address: str = "") -> None:
    """Append one event in its own transaction."""
    with transaction(database.sessions) as session:
        add(session, kind, actor, detail, address)


@dataclass(frozen=True)
class AuditInfo:
    time: datetime
    actor: str
    kind: str
    detail: str
    address: str


def recent(database: Database, limit: int = 100, kind: str | None = None) -> list[AuditInfo]:
    """The newest events first."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if kind:
        stmt = stmt.where(AuditEvent.kind == kind)
    with database.sessions() as session:
        return [AuditInfo(e.time, e.actor, e.kind, e.detail, e.address)
                for e in session.scalars(stmt)]


def failures_since(database: Database, *, actor: str | None = None, address: str | None = None,
                   window: timedelta) -> int:
    """Failed logins in the window for an account (since its last success) or an address."""
    since = utc_now() - window
    with database.sessions() as session:
        stmt = select(func.count()).select_from(AuditEvent).where(
            AuditEvent.kind == "login_failed")
        if actor is not None:
            actor = _clean(actor, 80)
            last_ok = session.scalar(select(func.max(AuditEvent.id)).where(
                AuditEvent.kind == "login", AuditEvent.actor == actor))
            stmt = stmt.where(AuditEvent.actor == actor, AuditEvent.id > (last_ok or 0))
        if address is not None:
            stmt = stmt.where(AuditEvent.address == _clean(address, 64))
        return session.scalar(stmt.where(AuditEvent.time >= since)) or 0


@dataclass(frozen=True)
class AuditPage:
    """One page of a filtered audit log, newest first."""

    rows: list[AuditInfo]
    total: int
    page: int
    pages: int


def _utc_start(day: date) -> datetime:
    """Midnight of a Viet Nam calendar day, as the naive UTC the table stores."""
    return datetime.combine(day, time(0), VN_TZ).astimezone(UTC).replace(tzinfo=None)


def search(database: Database, *, actor: str = "", action: str = "", day_from: date | None = None,
           day_to: date | None = None, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """Events filtered by actor (exact), action (a kind, or an admin action such as 'user add')
    and Viet Nam calendar days (inclusive), newest first, one page of `per_page`."""
    stmt = select(AuditEvent)
    if actor:
        stmt = stmt.where(AuditEvent.actor == _clean(actor, 80))
    if action in KINDS:
        stmt = stmt.where(AuditEvent.kind == action)
    elif action:
        if action not in ADMIN_ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        stmt = stmt.where(AuditEvent.kind == "admin", AuditEvent.detail.startswith(action + " "))
    if day_from is not None:
        stmt = stmt.where(AuditEvent.time >= _utc_start(day_from))
    if day_to is not None:
        stmt = stmt.where(AuditEvent.time < _utc_start(day_to + timedelta(days=1)))
    with database.sessions() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        found = session.scalars(stmt.order_by(AuditEvent.id.desc())
                                .offset((page - 1) * per_page).limit(per_page))
        rows = [AuditInfo(e.time, e.actor, e.kind, e.detail, e.address) for e in found]
    return AuditPage(rows, total, page, pages)
