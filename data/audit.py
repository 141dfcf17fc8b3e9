"""The audit log: append security events (logins, token use, submissions, admin actions)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.clock import utc_now
from data.db import Database, transaction
from data.models import AuditEvent

log = logging.getLogger("ops.audit")

KINDS = ("login", "login_failed", "login_throttled", "logout", "token_used", "submission",
         "admin")


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
