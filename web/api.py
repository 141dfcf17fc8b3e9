"""JSON API /api/v1: the indicator catalogue, observation series, and agency submissions.

Status codes of POST /api/v1/submissions (the body is always the JSON report or {"error"}):
200 every row accepted (or all unchanged: status "duplicate"); 207 some rows accepted, some
rejected; 422 every row rejected; 400 file-level error (empty, undecodable, malformed, missing
column); 401 no or unknown token; 403 revoked token; 413 payload over the upload limit.
In the full app web.access has already authenticated the caller: an agency token submits for its
agency; a staff or admin session submits for `?agency=CODE`. Every submission is audited.
Rows an agency may not report are row rejections, not 403.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from accounts import audit, tokens
from core import periods
from core.db import Database, current
from reporting import ingest, queries
from reporting.models import Agency, Indicator, Observation, Region
from web.access.principal import bearer
from web.replies import error, json_errors

log = logging.getLogger(__name__)
blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
MAX_SERIES = 20000  # rows per series response: a year of a real-time feed is far below this
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file itself
DEFAULT_MAX_UPLOAD = 5 * 1024 * 1024


def init_app(server: Flask) -> None:
    """Register the API blueprint on the Flask server (expects extensions['ops_db'])."""
    server.register_blueprint(blueprint)


json_errors(blueprint)


@blueprint.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    # Never a traceback to the client; the log keeps it for us.
    log.exception("API error on %s %s", request.method, request.path)
    return error("internal error", 500)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _indicator_json(item: dict[str, Any]) -> dict[str, Any]:
    """The catalogue entry as the API publishes it: thresholds and range grouped."""
    flat = ("warn_below", "warn_above", "min_value", "max_value", "headline")
    out = {k: v for k, v in item.items() if k not in flat}
    out["thresholds"] = {"warn_below": item["warn_below"], "warn_above": item["warn_above"]}
    out["plausible_range"] = {"min": item["min_value"], "max": item["max_value"]}
    return out


@blueprint.get("/indicators")
def indicators() -> Response:
    # The same memoized catalogue the screens read: one serializer, one cache key.
    return jsonify({"indicators": [_indicator_json(i) for i in queries.catalogue()]})


def _bound(name: str) -> periods.Period | None:
    """A from/to query parameter as a period of any frequency (None when absent)."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return periods.parse(text)
    except periods.PeriodError as exc:
        raise _BadRequest(f"'{name}': {exc}") from None


class _BadRequest(Exception):
    """A query parameter the client got wrong (answered with 400)."""


@blueprint.errorhandler(_BadRequest)
def _bad_request(exc: _BadRequest) -> Response:
    return error(str(exc), 400)


@blueprint.get("/indicators/<code>/observations")
def observations(code: str) -> Response:
    region = request.args.get("region", "VN").strip().upper()
    start, stop = _bound("from"), _bound("to")
    with current().sessions() as session:
        ind = session.get(Indicator, code.upper())
        if ind is None:
            return error(f"unknown indicator '{code}'", 404)
        if session.get(Region, region) is None:
            return error(f"unknown region '{region}' (VN or a province code)", 400)
        stmt = select(Observation).where(Observation.indicator_code == ind.code,
                                         Observation.region_code == region,
                                         Observation.is_latest)
        if start is not None:
            stmt = stmt.where(Observation.period_start >= start.start)
        if stop is not None:
            stmt = stmt.where(Observation.period_start < periods.end(stop))
        rows = list(session.scalars(stmt.order_by(Observation.period_start.desc())
                                    .limit(MAX_SERIES + 1)))
    truncated = len(rows) > MAX_SERIES
    rows = rows[:MAX_SERIES][::-1]  # the most recent MAX_SERIES, oldest first
    return jsonify({
        "indicator": ind.code, "region": region, "unit": ind.unit, "frequency": ind.frequency,
        "truncated": truncated,
        "observations": [
            {"period": o.period, "period_start": o.period_start.isoformat(), "value": o.value,
             "source": o.source, "revision": o.revision, "received_at": _iso(o.received_at)}
            for o in rows
        ],
    })


def _max_upload() -> int:
    settings = current_app.config.get("OPS_SETTINGS")
    return getattr(settings, "max_upload_bytes", DEFAULT_MAX_UPLOAD)


def read_upload(limit: int) -> tuple[bytes, str, str] | None:
    """(payload, filename, content type) from a multipart 'file' part or the raw body.

    None when the body is over the limit. Raises _BadRequest for a multipart without 'file'.
    """
    multipart = request.mimetype == "multipart/form-data"
    allowed = limit + (MULTIPART_OVERHEAD if multipart else 0)
    if request.content_length is not None and request.content_length > allowed:
        return None
    # Bounds chunked bodies too. Werkzeug silently stops a chunked body at the maximum, so
    # allow one byte more: a body that reaches it is known to be over the limit, not truncated.
    request.max_content_length = allowed + 1
    if not multipart:
        payload = request.get_data(cache=False)
        if len(payload) > limit:
            return None
        return payload, request.args.get("filename", ""), request.mimetype or ""
    upload = request.files.get("file")
    if upload is None:
        raise _BadRequest("multipart body needs a 'file' part")
    payload = upload.read(limit + 1)
    return (None if len(payload) > limit
            else (payload, upload.filename or "", upload.mimetype or ""))


def _status_code(result: ingest.IngestResult) -> int:
    if result.too_large:
        return 413
    if result.file_error:
        return 400
    if result.status == "rejected":
        return 422
    return 207 if result.status == "partial" else 200


@blueprint.post("/submissions")
def submit() -> Response:
    database: Database = current()
    principal = g.get("ops_principal")  # set by web.access in the full app (absent in bare apps)
    if principal is not None and principal.kind == "agency":
        agency, actor = principal.agency or "", principal.actor
    elif principal is not None and principal.role in ("staff", "admin"):
        # Staff upload on an agency's behalf: ingest still limits rows to that agency's indicators.
        agency, actor = request.args.get("agency", "").strip().upper(), principal.actor
        if not agency:
            return error("give ?agency=CODE: the agency this submission is from", 400)
        with database.sessions() as session:
            if session.get(Agency, agency) is None:
                return error(f"unknown agency '{agency[:16]}'", 400)
    else:
        check = tokens.check(database, bearer())
        if not check.ok:
            if check.reason == "revoked":
                return error("token revoked", 403)
            return error("missing or unknown bearer token", 401, **{"WWW-Authenticate": "Bearer"})
        if check.scope != tokens.SUBMISSIONS:
            return error("the tracking system's token may only import and read tasks", 403)
        agency, actor = check.agency or "", f"agency:{check.agency}"
    limit = _max_upload()
    try:
        upload = read_upload(limit)
    except RequestEntityTooLarge:
        upload = None
    if upload is None:
        # Only a raw body's Content-Length is the payload's size; multipart adds its framing.
        size = request.content_length if request.mimetype != "multipart/form-data" else None
        result = ingest.reject_oversize(
            database, ingest.unread_arrival(agency, "api", request.args.get("filename", ""),
                                            request.mimetype or ""), size, limit)
    else:
        payload, filename, content_type = upload
        result = ingest.ingest_bytes(database, payload, filename=filename, agency=agency,
                                     channel="api", content_type=content_type, max_bytes=limit)
        if result.accepted:
            queries.forget_submitted(result.indicators)  # its alerts at the next evaluation
    audit.record(database, "submission", actor,
                 f"submission {result.submission_id} agency={agency} status={result.status} "
                 f"accepted={result.accepted} rejected={len(result.rejected)}",
                 request.remote_addr or "")
    response = jsonify(result.to_dict())
    response.status_code = _status_code(result)
    return response


@blueprint.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(_rest: str) -> Response:
    return error("no such API endpoint", 404)
