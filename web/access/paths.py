"""Which paths are public, which answer JSON, and the refusals and redirects the guard sends."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask import Response, jsonify, redirect, request

from web import pages
from web.i18n import t

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CALLBACK_PATH = "/_dash-update-component"
SUBMISSIONS_PATH = "/api/v1/submissions"
TASKS_PATH = "/api/v1/tasks"  # POST: the tracking system's exports (tasks.importer)
DAM_READINGS_PATH = "/api/v1/dams/readings"  # POST: the reservoirs' gateways
# The data-sending writes of bearer tokens: an agency token's submissions and dam readings, the
# tracking token's task imports (web.access.guard keeps each kind to its own).
AGENCY_PATHS = frozenset({SUBMISSIONS_PATH, TASKS_PATH, DAM_READINGS_PATH})
SUBMISSION_PATHS = frozenset({SUBMISSIONS_PATH, DAM_READINGS_PATH})
# /relay/access authenticates the relay itself (OPS_RELAY_TOKEN; web.streamaccess).
# The one write a leader makes: taking or closing an alert (web/api_alerts.py checks the role).
LEADER_WRITES = re.compile(r"^/api/v1/alerts/\d{1,12}/(acknowledge|resolve)$")
PUBLIC_EXACT = frozenset({"/login", "/favicon.ico", "/_favicon.ico", "/healthz", "/relay/access"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/display/")
JSON_PREFIXES = ("/api/", "/streams/", "/_dash", "/_reload-hash", "/healthz")
ADMIN_PREFIXES = ("/admin", "/api/v1/admin")
# Pages for the roles that send data (staff, admin): leaders and displays are refused them.
SUBMITTER_PAGES = frozenset({"/submit"})
SUBMITTERS = ("staff", "admin")
CALLBACK_BODY_OVERHEAD = 64 * 1024


def callback_body_limit(max_upload_bytes: int) -> int:
    """Bytes a Dash callback body may have: one file of the upload limit as base64 (4/3 of it)
    in JSON, for /submit's preview and confirm."""
    return max_upload_bytes * 4 // 3 + CALLBACK_BODY_OVERHEAD
# Requests that do not count as a person being active (polling, video, hot reload).
PASSIVE_PREFIXES = ("/streams/", "/_reload-hash", "/healthz")


def bad_path(path: str) -> bool:
    return any(seg in ("..", ".") for seg in path.split("/")) or "\\" in path or "\x00" in path


def is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def wants_json(path: str) -> bool:
    """API, streams, Dash's own routes and every write answer JSON; so does a client that
    prefers JSON to HTML. A browser opening a page gets a page."""
    if path.startswith(JSON_PREFIXES) or request.method not in READ_METHODS:
        return True
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == \
        "application/json"


def deny(status: int, message: str) -> Response:
    """A JSON refusal (API clients read the English message)."""
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ops"'
    return response


def refuse(status: int, key: str) -> Response:
    """A refusal worded by the catalogue: JSON in English for API clients, else a page saying
    why in the reader's language."""
    if wants_json(request.path):
        return deny(status, t(key, "en"))
    response = pages.refusal(status, key)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ops"'
    return response


def safe_next(target: str | None) -> str:
    """A same-site path to return to after login; anything else becomes '/'."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\\\r\n\t\x00") or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def login_redirect() -> Response:
    target = request.full_path if request.query_string else request.path
    return redirect("/login?next=" + quote(safe_next(target), safe=""), code=302)
