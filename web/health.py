"""GET /healthz: is the database reachable, how much it holds, is the cache and simulator up."""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, current_app, g, jsonify
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from data.cache import cache
from data.db import current
from data.seed import counts

VERSION = "0.1.0"
# What prepares a production database (workers never do it themselves).
SCHEMA_COMMAND = "python -m data init --empty"


def _cache_ok() -> bool:
    try:
        cache.set("ops:healthz", "ok", timeout=5)
        return cache.get("ops:healthz") == "ok" or current_app.config["OPS_SETTINGS"].cache_type == "NullCache"
    except Exception:  # any backend failure means "not reachable"
        return False


def report() -> tuple[dict[str, Any], int]:
    """The health document and its HTTP status (503 when the database is unreachable)."""
    database = current()
    doc: dict[str, Any] = {"version": VERSION, "dash": _dist("dash")}
    try:
        with database.sessions() as session:
            session.execute(text("SELECT 1"))
            doc["counts"] = counts(session)
        doc["database"] = {"reachable": True}
    except SQLAlchemyError as exc:
        doc["database"] = {"reachable": False, "reason": exc.__class__.__name__}
        missing = _missing_tables(database)
        if missing:  # reachable, but nobody prepared it: say what to run, not "unreachable"
            doc["database"] = {"reachable": True, "schema": False, "missing_tables": missing[:10]}
    doc["cache"] = {"reachable": _cache_ok(), "type": current_app.config["OPS_SETTINGS"].cache_type}
    feeds = current_app.extensions.get("ops_feeds")
    doc["simulator"] = {"running": bool(feeds and feeds.running), "ticks": getattr(feeds, "ticks", 0)}
    streams = current_app.extensions.get("ops_streams")
    if streams is not None and hasattr(streams, "summary"):
        doc["streams"] = streams.summary()
    doc["db_queries"] = database.query_count
    doc["worker"] = os.getpid()  # which gunicorn worker answered (signed-in callers only)
    ok = doc["database"]["reachable"] and doc["database"].get("schema", True)
    doc["status"] = "ok" if ok else "unavailable"
    if not doc["database"]["reachable"]:
        doc["reason"] = "database unreachable"
    elif not ok:
        doc["reason"] = f"database has no schema: run `{SCHEMA_COMMAND}`"
    return doc, 200 if ok else 503


def _missing_tables(database: Any) -> list[str]:
    """Tables of the models that the database lacks ([] if it cannot be asked either)."""
    from data.models import Base

    try:
        present = set(inspect(database.engine).get_table_names())
    except SQLAlchemyError:
        return []
    return sorted(set(Base.metadata.tables) - present)


def _dist(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def init_app(server: Flask) -> None:
    @server.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        doc, status = report()
        principal = g.get("ops_principal")  # set by web.auth; anonymous callers get the status only
        if principal is None or principal.kind == "agency":
            brief = {k: doc[k] for k in ("status", "reason") if k in doc}  # no counts, no versions
            return jsonify(brief), status
        return jsonify(doc), status
