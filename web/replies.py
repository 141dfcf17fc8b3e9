"""The JSON API's one shape of refusal: {"error": "..."} with its status (and any headers)."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def error(message: str, status: int, **headers: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def json_errors(blueprint: Blueprint) -> None:
    """An API blueprint answers its HTTP errors and a database outage in that shape (503 with
    Retry-After: nothing was stored, the client retries), never with a page or a traceback."""

    @blueprint.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return error(exc.description or exc.name, exc.code or 500)

    @blueprint.errorhandler(SQLAlchemyError)
    def _database_down(exc: SQLAlchemyError) -> Response:
        log.warning("API database error on %s %s: %s", request.method, request.path,
                    exc.__class__.__name__)
        return error("database unavailable: nothing was stored, try again shortly", 503,
                     **{"Retry-After": "30"})

