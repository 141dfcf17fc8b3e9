"""Error handling: a user never sees a traceback; API clients get JSON errors."""
from __future__ import annotations

import logging

from dash.exceptions import DashException
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from web import pages

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/streams/", "/_dash", "/healthz"))


def _page(code: int, message: str = "", title: str = "") -> Response:
    """The error page in the reader's language; plain text if even the page cannot be made."""
    try:
        return pages.error(code, message, title)
    except Exception:  # noqa: BLE001 (an error while answering an error must not recurse)
        log.exception("error page for %s failed", code)
        return Response(f"{code}", status=code, mimetype="text/plain")


def init_app(server: Flask) -> None:
    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify({"error": exc.description or exc.name}), exc.code
        code = exc.code or 500
        # Werkzeug's own description is English: the page words the known codes itself.
        default = exc.description == type(exc).description
        return _page(code, "" if default else (exc.description or ""), exc.name)

    @server.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return jsonify({"error": "internal error"}), 500
        return _page(500)


class InputError(ValueError):
    """A callback's input it cannot use (a tampered or stale browser): the client's 400.

    The only exception a callback may raise on purpose. Anything else it raises is a bug and
    answers 500 (logged with its traceback), so the fuzz tests catch callbacks that fail on
    input they should handle.
    """


def callback_error(exc: Exception) -> None:
    """Dash's app-wide on_error: explicit input errors are 400, everything else 500.

    Every callback reads the database through core.cache.fetch, which already turns a database
    failure into last-good values. DashException covers Dash's own refusals of a request's
    shape (the pages router given a pathname that is not a path).
    """
    from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

    if isinstance(exc, HTTPException) and exc.code is not None and exc.code < 500:
        raise exc  # a deliberate refusal (web.access.require: 401/403) keeps its status
    if isinstance(exc, InputError | DashException):
        log.info("callback refused input on %s: %s", request.path, exc)
        raise BadRequest(f"invalid value for this callback: {exc}"[:300]) from None
    log.error("callback failed on %s", request.path, exc_info=exc)
    raise InternalServerError() from None
