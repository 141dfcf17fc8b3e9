"""Server-side end of signed-cookie sessions: a logout revokes the session's id everywhere."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select

from data.clock import utc_now
from data.db import Database, transaction
from data.models import RevokedSession


def new_id() -> str:
    """A fresh session id (kept in the signed cookie; only revoked ones are stored)."""
    return secrets.token_urlsafe(24)


def revoke(database: Database, sid: str, expires_at: datetime) -> None:
    """End a session on the server; also forget revocations whose cookies expired anyway."""
    with transaction(database.sessions) as session:
        session.execute(delete(RevokedSession).where(RevokedSession.expires_at < utc_now()))
        if session.get(RevokedSession, sid) is None:
            session.add(RevokedSession(sid=sid, revoked_at=utc_now(), expires_at=expires_at))


def is_revoked(database: Database, sid: str) -> bool:
    """One primary-key lookup per request: logout holds across every worker at once."""
    with database.sessions() as session:
        return session.scalar(select(RevokedSession.sid).where(RevokedSession.sid == sid)) \
            is not None
