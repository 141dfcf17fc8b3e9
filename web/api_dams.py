"""JSON API of the dams: GET /api/v1/dams (latest reading and reference levels per dam) and
POST /api/v1/dams/readings (operators' gateways, agency bearer tokens; staff for any dam).

Status codes of the POST: 200 all stored; 207 some refused; 422 all refused; 400 a file-level
refusal (unreadable, empty, too many rows); 413 over the size limit; 401/403 from web.access
(and here, when the app runs without the guard). Refusals carry their reason in Vietnamese
and English.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, g, jsonify, request

from accounts import audit, tokens
from core.db import current
from dams import ingest, queries
from web.access.principal import bearer
from web.replies import error, json_errors

log = logging.getLogger(__name__)
blueprint = Blueprint("api_dams", __name__, url_prefix="/api/v1/dams")
READINGS_PATH = "/api/v1/dams/readings"


def init_app(server: Flask) -> None:
    """Register before web.api's blueprint: its catch-all 404 must not shadow these routes."""
    server.register_blueprint(blueprint)


json_errors(blueprint)


@blueprint.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("dams API error on %s %s", request.method, request.path)
    return error("internal error", 500)


@blueprint.get("")
def dams() -> Response:
    return jsonify({"dams": queries.latest()})


def _status(result: ingest.IngestResult) -> int:
    if result.too_large:
        return 413
    if result.file_error:
        return 400
    return {"accepted": 200, "partial": 207}.get(result.status, 422)


@blueprint.post("/readings")
def readings() -> Response:
    database = current()
    principal = g.get("ops_principal")
    if principal is not None and principal.kind == "agency":
        agency, operator_only, actor = principal.agency or "", True, principal.actor
    elif principal is not None and principal.role in ("staff", "admin"):
        agency, operator_only, actor = "STAFF", False, principal.actor
    else:
        check = tokens.check(database, bearer())
        if not check.ok:
            return error("token revoked" if check.reason == "revoked"
                          else "missing or unknown bearer token", 403 if check.reason == "revoked"
                          else 401)
        if check.scope != tokens.SUBMISSIONS:
            return error("the tracking system's token may only import and read tasks", 403)
        agency, operator_only, actor = check.agency or "", True, f"agency:{check.agency}"
    length = request.content_length
    if length is not None and length > ingest.MAX_BYTES:  # refused before a byte is read
        payload = b""
        result = ingest.IngestResult(0, "rejected", too_large=True, refused=[ingest.Refusal(
            0, "", "too_large", {"size": length, "limit": ingest.MAX_BYTES})])
    else:
        request.max_content_length = ingest.MAX_BYTES + 1  # bounds a chunked body too
        payload = request.get_data(cache=False)
        result = ingest.ingest(database, payload, agency=agency, channel="api",
                               operator_only=operator_only,
                               filename=request.args.get("filename", "")[:255],
                               content_type=request.mimetype or "")
        if result.accepted:
            # Readings come once a minute; a level past its limit must not wait out the
            # latest-readings window (dams.queries.TTL, 10 s) before the alert evaluator and the
            # camera wall see it: the condition reaches the wall within the evaluator's period.
            queries.latest.forget()
            queries.latest_by_camera.forget()
    audit.record(database, "submission", actor,
                 f"dam batch {result.batch_id} status={result.status} "
                 f"accepted={result.accepted} refused={len(result.refused)}",
                 request.remote_addr or "")
    response = jsonify(result.to_dict())
    response.status_code = _status(result)
    return response
