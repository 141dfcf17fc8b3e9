"""The one before_request guard (deny by default), as a short sequence of named steps.

Public: /login, /display/<token> (it authenticates), /assets/..., Dash's static
/_dash-component-suites/..., /favicon.ico, /_favicon.ico, /relay/access (the relay's own token)
and /healthz (anonymous callers get only {"status"}). Everything else needs a principal:
unauthenticated page loads redirect to /login?next=..., everything else gets 401 JSON.

Roles: leader and display are read-only: no method other than GET/HEAD/OPTIONS except the Dash
callback route (reads) and /logout. /admin... is admin only (a browser gets a page saying so).
Submissions need staff, admin or an agency token, and agency tokens may do nothing else.
Task imports (POST /api/v1/tasks) need staff, admin or the tracking system's token, which may
otherwise only read the tasks API.
Callbacks that change data must also check `require("staff", "admin")` themselves.
"""
from __future__ import annotations

import dash
from flask import Response, g, request, session
from sqlalchemy.exc import SQLAlchemyError

from core.db import current
from settings import Settings
from web.access.contract import validate_callback
from web.access.paths import (
    ADMIN_PREFIXES,
    AGENCY_PATHS,
    CALLBACK_PATH,
    LEADER_WRITES,
    READ_METHODS,
    SUBMISSION_PATHS,
    SUBMITTER_PAGES,
    SUBMITTERS,
    TASKS_PATH,
    bad_path,
    callback_body_limit,
    is_public,
    login_redirect,
    refuse,
    wants_json,
)
from web.access.principal import Principal, bearer, bearer_principal, verified_bearers
from web.access.sessions import (
    CSRF_HEADER,
    csrf_ok,
    note_activity,
    outage_principal,
    same_origin,
    session_principal,
)

HEALTH_PATH = "/healthz"
LOGOUT_PATH = "/logout"


def guard(app: dash.Dash, settings: Settings) -> Response | None:
    """None lets the request through; a response refuses it (nothing of it reaches a view)."""
    path = request.path
    g.ops_principal = None
    if bad_path(path):
        return refuse(404, "deny.not_found")
    if is_public(path) and path != HEALTH_PATH:
        return None
    found = identify(settings, path)
    if isinstance(found, Response):
        return None if path == HEALTH_PATH else found  # health answers anyone, with less
    g.ops_principal = found
    if path == HEALTH_PATH:
        return None
    if found is None:
        return refuse(401, "deny.login_required") if wants_json(path) else login_redirect()
    if found.kind == "agency":
        return agency_scope(path)
    if found.kind == "tracking":
        return tracking_scope(path)
    refused = (role_refusal(found, path) or write_refusal(found, path)
               or callback_refusal(app, settings, path))
    if refused is None:
        note_activity(found, path)
    return refused


def identify(settings: Settings, path: str) -> Principal | Response | None:
    """Who is asking: a bearer token, else the session cookie, else nobody (None)."""
    database = current()
    token = bearer()
    if token is not None:
        try:
            found = bearer_principal(database, token, path)
        except SQLAlchemyError:
            # Database down: a token verified before stands for the same principal (as a signed
            # session does), so a wall on a display token keeps its last values too.
            remembered = verified_bearers.recall(token)
            return remembered if remembered is not None else refuse(503, "deny.db_down_token")
        if isinstance(found, Principal):
            verified_bearers.remember(token, found)
        else:
            verified_bearers.forget(token)
        return found
    if "k" not in session:
        return None
    try:
        return session_principal(database, settings.session_idle_minutes * 60)
    except SQLAlchemyError:
        # Database down: the signed, unexpired session still says who this is, so the wall
        # keeps showing its last good values (nobody can be disabled during an outage).
        return outage_principal()


def agency_scope(path: str) -> Response | None:
    """Agency tokens submit data, and do nothing else; task imports are the tracking token's,
    whatever the agency (the Government Office's submissions token included)."""
    if request.method == "POST" and path in SUBMISSION_PATHS:
        return None
    if request.method == "POST" and path == TASKS_PATH:
        return refuse(403, "deny.tasks_tracking_token")
    return refuse(403, "deny.agency_submit_only")


def tracking_scope(path: str) -> Response | None:
    """The tracking system's token imports tasks and reads the tasks API back, nothing else."""
    if request.method == "POST" and path == TASKS_PATH:
        return None
    if request.method in READ_METHODS and (path == TASKS_PATH or path.startswith(TASKS_PATH + "/")):
        return None
    return refuse(403, "deny.tracking_tasks_only")


def role_refusal(principal: Principal, path: str) -> Response | None:
    if path.startswith(ADMIN_PREFIXES) and principal.role != "admin":
        return refuse(403, "deny.admin_only")
    if path in SUBMITTER_PAGES and principal.role not in SUBMITTERS:
        return refuse(403, "deny.submit_role")
    return None


def write_refusal(principal: Principal, path: str) -> Response | None:
    """Writes: not by read-only roles, submissions by staff and admin, sessions need CSRF."""
    if request.method in READ_METHODS:
        return None
    if principal.read_only and path not in (CALLBACK_PATH, LOGOUT_PATH) and not (
            principal.role == "leader" and LEADER_WRITES.match(path)):
        return refuse(403, "deny.read_only")
    if path in AGENCY_PATHS and principal.role not in ("staff", "admin"):
        return refuse(403, "deny.submit_role")
    if principal.via == "session":
        return csrf_refusal(path)
    return None  # bearer callers carry no ambient credentials


def csrf_refusal(path: str) -> Response | None:
    if not same_origin():
        return refuse(403, "deny.cross_origin")
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and path.startswith(ADMIN_PREFIXES):
        presented = request.form.get("csrf_token")  # the admin console's HTML forms
    if path != LOGOUT_PATH and not csrf_ok(presented):  # logout checks its own form
        return refuse(403, "deny.csrf")
    return None


def callback_refusal(app: dash.Dash, settings: Settings, path: str) -> Response | None:
    if path != CALLBACK_PATH:
        return None
    # /submit's preview and confirm carry the file in the body: room for one of the upload
    # limit (the page refuses a larger one in the browser, before sending it).
    request.max_content_length = callback_body_limit(settings.max_upload_bytes)
    return validate_callback(app)
