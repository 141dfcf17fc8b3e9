"""The sign-in and sign-out pages and the display link (/display/<token> opens a kiosk session)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from flask import Response, current_app, redirect, request, session
from sqlalchemy.exc import SQLAlchemyError

from accounts import audit, sessions, tokens, users
from core import clock
from core.db import Database, current
from web import pages
from web.access import throttle
from web.access.paths import deny, refuse, safe_next
from web.access.principal import client_address, current_principal
from web.access.sessions import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_MAX_AGE_S,
    csrf_ok,
    csrf_token,
    start_session,
)


def _login_page(message_key: str = "", name: str = "", status: int = 200,
                next_url: str = "/") -> Response:
    return pages.render("login.html", status, message_key=message_key, name=name,
                        next_q=quote(next_url, safe=""), csrf=csrf_token())


def login() -> Response:
    next_url = safe_next(request.args.get("next"))
    if request.method == "GET":
        return _login_page("login.expired" if request.args.get("expired") else "",
                           next_url=next_url)
    if not csrf_ok(request.form.get("csrf_token")):
        return _login_page("login.form_expired", status=400, next_url=next_url)
    name = users.norm_name(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")[:1024]
    try:
        return _check_login(current(), name, password, client_address(), next_url)
    except SQLAlchemyError:
        return _login_page("login.unavailable", name=name, status=503, next_url=next_url)


def _check_login(database: Database, name: str, password: str, address: str,
                 next_url: str) -> Response:
    if throttle.throttled(database, name, address):
        audit.record(database, "login_throttled", name, "", address)
        response = _login_page("login.throttled", name=name, status=429, next_url=next_url)
        response.headers["Retry-After"] = str(int(throttle.WINDOW.total_seconds()))
        return response
    info = users.verify(database, name, password)
    if info is None:
        audit.record(database, "login_failed", name, "", address)
        throttle.failed(name, address, window=throttle.WINDOW)
        return _login_page("login.wrong", name=name, status=401, next_url=next_url)
    start_session("user", info.id, info.role, info.name)
    session["pw"] = info.password_stamp  # a password reset ends this session
    audit.record(database, "login", info.name, f"role={info.role}", address)
    throttle.succeeded(info.name, address)
    return redirect(next_url, code=303)


def logout() -> Response:
    """GET: the sign-out form. POST: the session id is revoked on the server, so a cookie copied
    before sign-out is refused by every worker."""
    principal = current_principal()
    if request.method == "GET":
        return pages.render("logout.html", csrf=csrf_token())
    if not csrf_ok(request.form.get("csrf_token") or request.headers.get(CSRF_HEADER)):
        return refuse(403, "deny.csrf")
    sid = session.get("sid")
    if isinstance(sid, str):
        # Until the cookie could have expired anyway: 12 hours for people, a display's lifetime.
        lifetime = (current_app.permanent_session_lifetime.total_seconds()
                    if session.get("k") == "display" else SESSION_MAX_AGE_S)
        issued = session.get("iat") if isinstance(session.get("iat"), int) else clock.epoch()
        expires = clock.utc_now() + timedelta(seconds=max(0.0, issued + lifetime - clock.epoch()))
        try:
            sessions.revoke(current(), sid, expires)
        except SQLAlchemyError:
            return deny(503, "sign-out cannot be recorded now (database unavailable); "
                             "try again shortly")
    if principal is not None:
        audit.record(current(), "logout", principal.actor, "", client_address())
    session.clear()
    response = redirect("/login", code=303)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def display(token: str) -> Response:
    """A display link: a read-only session for the screen, then the wall in kiosk mode."""
    database = current()
    found = tokens.check_display(database, token, address=client_address())
    if not found.ok or found.id is None:
        return pages.refusal(404, "deny.display_link")
    start_session("display", found.id)
    audit.record(database, "login", f"display:{found.id}", f"display session {found.name}",
                 client_address())
    response = redirect("/?kiosk=1", code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
