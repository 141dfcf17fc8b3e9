"""Error handling: a user never sees a traceback; API clients get JSON errors."""
from __future__ import annotations

import logging

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
