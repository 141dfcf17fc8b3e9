"""Error handling: a user never sees a traceback; API clients get JSON errors."""
from __future__ import annotations

import logging

from dash.exceptions import DashException
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{code}</title>
<style>body{{background:#0b1220;color:#e8eef8;font:2vh/1.4 sans-serif;display:grid;
place-items:center;height:100vh;margin:0}}a{{color:#7cc4ff}}</style></head><body><div>
<h1>{code} — {title}</h1><p>{message}</p><p><a href="/">Về trang tổng quan / Back to overview</a></p>
</div></body></html>"""


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/streams/", "/_dash", "/healthz"))


def init_app(server: Flask) -> None:
    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify({"error": exc.description or exc.name}), exc.code
        return _PAGE.format(code=exc.code, title=exc.name, message=exc.description), exc.code

    @server.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return jsonify({"error": "internal error"}), 500
        return _PAGE.format(code=500, title="Lỗi hệ thống / Internal error",
                            message="Đã ghi nhận lỗi. / The error was logged."), 500


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
        raise exc  # a deliberate refusal (web.auth.require: 401/403) keeps its status
    if isinstance(exc, InputError | DashException):
        log.info("callback refused input on %s: %s", request.path, exc)
        raise BadRequest(f"invalid value for this callback: {exc}"[:300]) from None
    log.error("callback failed on %s", request.path, exc_info=exc)
    raise InternalServerError() from None
