"""Access control: who is asking (principal), their session and CSRF, the guard, sign-in views.

Who: user accounts (admin, staff, leader) sign in at /login into a signed-cookie session
(sessions); display tokens open a read-only session at /display/<token> or are sent as bearer
tokens; agency tokens (bearer) may only POST /api/v1/submissions (principal). What each may do
is the guard's (guard); the Dash callback route's body is checked against the callbacks and
their type contract (contract); failed sign-ins are throttled (throttle).
"""
from __future__ import annotations

import sys
from datetime import timedelta

import dash

from accounts import users
from core.db import Database
from settings import Settings
from web.access.contract import PROP_CONTRACT, declared_outputs
from web.access.guard import guard
from web.access.principal import Principal, client_address, current_principal, require
from web.access.sessions import SessionInterface, csrf_token, resolve_secret_key, set_csrf_cookie
from web.access.throttle import login_throttled
from web.access.views import display, login, logout

__all__ = ["PROP_CONTRACT", "Principal", "bootstrap_admin", "client_address", "csrf_token",
           "current_principal", "declared_outputs", "init_app", "login_throttled", "require",
           "resolve_secret_key"]


def bootstrap_admin(database: Database) -> None:
    """The embedded default's first start: create 'admin' and print its one-time password."""
    password = users.bootstrap_admin(database)
    if password is not None:
        # Printed, not logged (as notebook servers do), and only on this very first start.
        print("\n  First start: an administrator account was created.\n"
              f"    user:     admin\n    password: {password}\n"
              "  It is shown only this once and stored only as a hash; add accounts with\n"
              "  `python -m data user add NAME --role staff --password-stdin`.\n",
              file=sys.stdout, flush=True)


def init_app(app: dash.Dash, settings: Settings) -> None:
    """Secret key, session cookie, the guard and the views (tables: app.prepare_database)."""
    server = app.server
    server.secret_key = resolve_secret_key(settings)
    server.session_interface = SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME="ops_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=400),  # displays; people: browser session
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    # After Dash's own one-time setup hooks (they register the pages' callbacks, which the
    # callback validator looks up); nothing of a refused request reaches a view.
    server.before_request(lambda: guard(app, settings))
    server.after_request(set_csrf_cookie)
    server.add_url_rule("/login", "ops_login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "ops_logout", logout, methods=["GET", "POST"])
    server.add_url_rule("/display/<path:token>", "ops_display", display, methods=["GET"])
