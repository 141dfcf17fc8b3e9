"""JSON API of task tracking: GET /api/v1/tasks/summary, GET /api/v1/tasks, POST /api/v1/tasks.

Reads are open to every signed-in principal the guard lets through (sessions, display tokens).
POST imports a tracking-system export: staff and admin sessions, or the tracking system's own
token (scope "tasks", `token create --tracking`); agency submissions tokens are refused, the
Government Office's included (web.access keeps each token kind to its own paths).
Status codes of POST: 200 all accepted (or unchanged), 207 some rows refused, 422 every row
refused, 400 the file as a whole, 401/403 who may not, 413 over the limit.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from accounts import audit, tokens
from core.db import Database, current
from reporting.models import Agency
from tasks import importer, status, summary
from tasks.reading import MAX_BYTES
from web.access.principal import bearer
from web.api import read_upload
from web.replies import error

blueprint = Blueprint("api_tasks", __name__, url_prefix="/api/v1/tasks")
PAGE_SIZE = 50


class BadQuery(ValueError):
    """A query parameter the client got wrong (400)."""


def init_app(server: Flask) -> None:
    server.register_blueprint(blueprint)


@blueprint.errorhandler(SQLAlchemyError)
def _database_down(_exc: SQLAlchemyError) -> Response:
    return error("database unavailable: nothing was stored, try again shortly", 503,
                 **{"Retry-After": "30"})


@blueprint.errorhandler(BadQuery)
def _bad(exc: BadQuery) -> Response:
    return error(str(exc), 400)


def _date(name: str, default: date | None = None) -> date:
    text = request.args.get(name, "").strip()
    if not text:
        if default is None:
            raise BadQuery(f"'{name}' is required (YYYY-MM-DD)")
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"'{name}': '{text[:20]}' is not a date (YYYY-MM-DD)") from None


def _window() -> tuple[str, str, str, str]:
    """(from, to, agency, theme) as plain values, checked."""
    today = status.today()
    start, stop = _date("from", date(today.year, 1, 1)), _date("to", today)
    if start > stop:
        raise BadQuery("'from' is after 'to'")
    agency = request.args.get("agency", "").strip().upper()[:16]
    if agency:
        with current().sessions() as session:
            if session.get(Agency, agency) is None:
                raise BadQuery(f"unknown agency '{agency}'")
    theme = request.args.get("theme", "").strip()[:120]
    return start.isoformat(), stop.isoformat(), agency, theme


def _int(name: str, default: int, high: int) -> int:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= high:
        raise BadQuery(f"'{name}' must be a whole number from 1 to {high}")
    return int(text)


@blueprint.get("/summary")
def get_summary() -> Response:
    start, stop, agency, theme = _window()
    day = status.today().isoformat()
    counts: dict[str, Any] = summary.summary(start, stop, agency, theme, day)
    return jsonify({"from": start, "to": stop, "agency": agency or None, "theme": theme or None,
                    "as_of": day, **counts})


@blueprint.get("")
def get_list() -> Response:
    start, stop, agency, theme = _window()
    state = request.args.get("status", "").strip()
    if state and state not in status.STATUSES:
        raise BadQuery(f"'status' must be one of {', '.join(status.STATUSES)}")
    key_text = request.args.get("key", "").strip()
    if key_text not in ("", "0", "1"):
        raise BadQuery("'key' must be 0 or 1")
    key = None if not key_text else key_text == "1"
    document = request.args.get("document", "").strip().upper().replace(" ", "")[:60]
    page = _int("page", 1, 100_000)
    size = _int("size", PAGE_SIZE, summary.PAGE_MAX)
    day = status.today().isoformat()
    found = summary.listing(start, stop, agency, theme, key, document, state, page, size, day)
    return jsonify({"from": start, "to": stop, "as_of": day, "status": state or None, **found})


TRACKING_ONLY = "importing tasks needs the tracking system's token (token create --tracking)"


def _importer_actor(database: Database) -> tuple[str, Response | None]:
    """Who imports: staff/admin sessions, or the tracking system's token (scope "tasks")."""
    principal = g.get("ops_principal")
    if principal is not None and principal.kind == "tracking":
        return principal.actor, None
    if principal is not None and principal.kind == "agency":
        return "", error(TRACKING_ONLY, 403)
    if principal is not None:
        if principal.role not in ("staff", "admin"):
            return "", error("importing tasks needs a staff or admin account", 403)
        return principal.actor, None
    # A bare app without web.access (some tests, embedding): check the token here.
    check = tokens.check(database, bearer())
    if not check.ok:
        return "", error("missing or unknown bearer token", 401, **{"WWW-Authenticate": "Bearer"})
    if check.scope != tokens.TASKS:
        return "", error(TRACKING_ONLY, 403)
    return f"tracking:{check.id}", None


@blueprint.post("")
def post_import() -> Response:
    database = current()
    actor, refused = _importer_actor(database)
    if refused is not None:
        return refused
    try:
        upload = read_upload(MAX_BYTES)
    except RequestEntityTooLarge:
        upload = None
    except Exception as exc:  # noqa: BLE001 - web.api's _BadRequest: a multipart without 'file'
        return error(str(exc), 400)
    if upload is None:
        size = request.content_length if request.mimetype != "multipart/form-data" else None
        result = importer.reject_oversize(database, size, MAX_BYTES,
                                          filename=request.args.get("filename", ""),
                                          actor=actor)
        code = 413
    else:
        payload, filename, content_type = upload
        result = importer.import_bytes(database, payload, filename=filename,
                                       content_type=content_type, channel="api", actor=actor)
        code = (400 if result.file_error else 422 if result.status == "rejected"
                else 207 if result.status == "partial" else 200)
    # Audited as a submission (the log's kind for data sent in), named as a task import.
    audit.record(database, "submission", actor,
                 f"task import {result.import_id} status={result.status} "
                 f"accepted={result.accepted} rejected={len(result.refused)}",
                 request.remote_addr or "")
    response = jsonify(result.to_dict())
    response.status_code = code
    return response


@blueprint.get("/export.csv")
def export_csv() -> Response:
    """The filtered list as CSV (UTF-8 with BOM, so spreadsheets read the Vietnamese)."""
    import csv
    import io

    start, stop, agency, theme = _window()
    state = request.args.get("status", "").strip()
    if state and state not in status.STATUSES:
        raise BadQuery(f"'status' must be one of {', '.join(status.STATUSES)}")
    key_text = request.args.get("key", "").strip()
    key = None if key_text not in ("0", "1") else key_text == "1"
    document = request.args.get("document", "").strip().upper().replace(" ", "")[:60]
    filters = summary.Filters(date.fromisoformat(start), date.fromisoformat(stop), agency, theme,
                              key, document)
    with current().sessions() as session:
        rows = summary.export_in(session, filters, status.today(), state)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(summary.EXPORT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    name = f"nhiem-vu-{start}-{stop}{'-' + agency if agency else ''}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
