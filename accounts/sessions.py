"""Server-side end of signed-cookie sessions: a logout revokes the session's id everywhere."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import has_app_context
from sqlalchemy import delete, select

from accounts import tokens
from accounts.models import RevokedSession
from core.cache import memoized
from core.clock import utc_now
from core.db import Database, current, transaction

REVOKED_TTL_S = 3  # the shared list is re-read at most this often (a logout forgets it at once)


def new_id() -> str:
    """A fresh session id (kept in the signed cookie; only revoked ones are stored)."""
    return secrets.token_urlsafe(24)


def revoke(database: Database, sid: str, expires_at: datetime) -> None:
    """End a session on the server; also forget revocations whose cookies expired anyway."""
    with transaction(database.sessions) as session:
        session.execute(delete(RevokedSession).where(RevokedSession.expires_at < utc_now()))
        if session.get(RevokedSession, sid) is None:
            session.add(RevokedSession(sid=sid, revoked_at=utc_now(), expires_at=expires_at))
    tokens.memo.clear()  # this process's held "not revoked" answers (is_revoked)
    if has_app_context():
        revoked_ids.forget()  # every worker sharing the cache reads the list afresh


@memoized(ttl=REVOKED_TTL_S)
def revoked_ids() -> list[str]:
    """Ids of revoked sessions whose cookies have not expired yet.

    Bounded by design: a row lives only until its cookie would have expired (12 hours for a
    person), so the list holds the logouts of the last half day. One read for every worker and
    request per REVOKED_TTL_S, instead of a lookup per request.
    """
    with current().sessions() as session:
        return list(session.scalars(select(RevokedSession.sid)
                                    .where(RevokedSession.expires_at >= utc_now())))


def is_revoked(database: Database, sid: str) -> bool:
    """Whether a session was ended on the server (logout holds across every worker at once)."""
    if has_app_context() and current() is database:
        # "Not revoked" is held for tokens.HOLD_SECONDS in this process (a wall asks several
        # times a second; each read of the shared list is a Redis round trip).
        return not tokens.memo.get((database.url, ("sid-ok", sid)),
                                   lambda: sid not in revoked_ids(), tokens.HOLD_SECONDS)
    with database.sessions() as session:
        return session.scalar(select(RevokedSession.sid).where(RevokedSession.sid == sid)) \
            is not None
