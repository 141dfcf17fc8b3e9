"""Signed-cookie sessions: the secret key, starting and re-checking a session, CSRF, activity.

The cookie holds the principal's id, issue and last-activity times, a session id (`sid`) and a
CSRF token. Every request re-validates the principal against the database (remembered for a few
seconds, data.tokens.RECHECK_SECONDS): a disabled user or revoked display token loses access at
once; a logged-out `sid` is in the revoked_session table, refused by every worker. People's
sessions end after `session_idle_minutes` without activity (interval polling is not activity)
or SESSION_MAX_AGE_S. Dash callbacks send the CSRF token back as X-CSRFToken, read by
dash-renderer from the CSRF_COOKIE mirror; the login, logout and admin forms carry it.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request

from accounts import sessions, tokens, users
from core import clock
from core.db import Database
from settings import Settings
from web.access.paths import CALLBACK_PATH, PASSIVE_PREFIXES, PUBLIC_PREFIXES
from web.access.principal import ROLES, Principal
from web.origin import same_origin as origin_matches

SESSION_MAX_AGE_S = 12 * 3600
ACTIVITY_GRANULARITY_S = 60  # rewrite the session cookie at most once a minute
CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads (config csrf_token_name)
CSRF_HEADER = "X-CSRFToken"
SECRET_FILE = "secret_key"


def resolve_secret_key(settings: Settings) -> str:
    """OPS_SECRET_KEY; required with OPS_DATABASE_URL (workers share it). The embedded default
    (SQLite under data_dir) generates one once and keeps it in data_dir/secret_key (mode 0600)."""
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            raise RuntimeError("OPS_SECRET_KEY must have at least 32 characters")
        return settings.secret_key
    if settings.database_url:
        raise RuntimeError("OPS_SECRET_KEY is required when OPS_DATABASE_URL is set "
                           "(every worker must sign sessions with the same key)")
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds a key shorter than 32 characters; delete it to renew")
    return key


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie; Secure when the setting says so or the request itself came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """No cookie (bearer walls, assets): an empty session without building the signer
        Flask would make on every request to read nothing."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


# --- CSRF -------------------------------------------------------------------------------------

def csrf_token() -> str:
    """The session's CSRF token (made on first use), for forms to carry."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(presented: str | None) -> bool:
    expected = session.get("csrf")
    return (isinstance(expected, str) and isinstance(presented, str) and bool(presented)
            and hmac.compare_digest(expected.encode(), presented.encode()))


def same_origin() -> bool:
    """The browser's Origin names the host it addressed (the port too; see web.origin)."""
    return origin_matches(request.headers.get("Origin"), request.host)


def set_csrf_cookie(response: Response) -> Response:
    """Mirror the session's CSRF token into the cookie dash-renderer sends back as a header."""
    if request.path.startswith(PUBLIC_PREFIXES) or request.path.startswith("/streams/"):
        return response
    token = session.get("csrf") if "k" in session else None
    if token and request.cookies.get(CSRF_COOKIE) != token:
        # Readable by dash-renderer (not HttpOnly): it is the CSRF token, not a credential.
        secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="Strict", path="/",
                            secure=secure)
    elif not token and CSRF_COOKIE in request.cookies:
        response.delete_cookie(CSRF_COOKIE, path="/")
    return response


# --- the session's principal ------------------------------------------------------------------

def start_session(kind: str, ident: int, role: str = "display", name: str = "") -> None:
    session.clear()
    now = int(clock.epoch())
    # The role and name are only used while the database is unreachable (see outage_principal).
    session.update({"k": kind, "id": ident, "r": role, "n": name, "iat": now, "t": now,
                    "csrf": secrets.token_urlsafe(32), "sid": sessions.new_id()})
    # Displays keep their session across browser restarts; people's sessions end with the browser.
    session.permanent = kind == "display"


def session_principal(database: Database, idle_s: int) -> Principal | None:
    """The principal the signed cookie names, if still valid (else the session is cleared)."""
    kind, ident = session.get("k"), session.get("id")
    if kind not in ("user", "display") or not isinstance(ident, int):
        return None
    sid = session.get("sid")
    if kind == "display" and not isinstance(sid, str):
        session["sid"] = sid = sessions.new_id()  # display cookies from before session ids
    if not isinstance(sid, str) or sessions.is_revoked(database, sid):
        session.clear()
        return None
    if kind == "display":
        if not tokens.display_active(database, ident):
            session.clear()
            return None
        return Principal("display", "display", f"display:{ident}", ident, "session")
    return _user_principal(database, ident, idle_s)


def _user_principal(database: Database, ident: int, idle_s: int) -> Principal | None:
    now = int(clock.epoch())
    issued, last = session.get("iat", 0), session.get("t", 0)
    if not isinstance(issued, int) or not isinstance(last, int):
        session.clear()
        return None
    if now - last > idle_s or now - issued > SESSION_MAX_AGE_S:
        session.clear()
        g.ops_session_expired = True
        return None
    info = tokens.memo.get((database.url, ("uid", ident)), lambda: users.get(database, ident))
    if not isinstance(info, users.UserInfo) or not info.active or info.role not in ROLES:
        session.clear()
        return None
    if session.get("pw", info.password_stamp) != info.password_stamp:  # password reset since
        session.clear()
        return None
    return Principal("user", info.role, info.name, info.id, "session")


def outage_principal() -> Principal | None:
    """Database down: the signed, unexpired session still says who this is."""
    kind, ident, role = session.get("k"), session.get("id"), session.get("r")
    if not isinstance(ident, int):
        return None
    if kind == "display":
        return Principal("display", "display", f"display:{ident}", ident, "session")
    if kind == "user" and role in ROLES:
        return Principal("user", role, str(session.get("n", "")), ident, "session")
    return None


def _is_activity(path: str) -> bool:
    if path.startswith(PASSIVE_PREFIXES):
        return False
    if path == CALLBACK_PATH:
        body = request.get_json(silent=True)
        changed = body.get("changedPropIds") if isinstance(body, dict) else None
        if isinstance(changed, list) and changed and all(
                isinstance(c, str) and c.endswith(".n_intervals") for c in changed):
            return False  # a dcc.Interval tick, not a person
    return True


def note_activity(principal: Principal, path: str) -> None:
    """A person did something: the idle clock starts again (written at most once a minute)."""
    if principal.via != "session" or principal.kind != "user" or not _is_activity(path):
        return
    now = int(clock.epoch())
    if now - int(session.get("t", 0)) >= ACTIVITY_GRANULARITY_S:
        session["t"] = now
