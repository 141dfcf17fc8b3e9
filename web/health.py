"""GET /healthz: is the database reachable (and still the same file), is the cache and simulator up.

Anonymous callers (load balancers, monitors) get the status and its reason only, so their check
costs one `SELECT 1` and a stat of the SQLite file; the counts are computed only for signed-in
callers.
"""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, current_app, g, jsonify
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from core.cache import cache
from core.db import current
from reporting.seed import counts

VERSION = "0.1.0"
# What prepares a production database (workers never do it themselves).
SCHEMA_COMMAND = "python -m data init --empty"


def _cache_ok() -> bool:
    try:
        cache.set("ops:healthz", "ok", timeout=5)
        return cache.get("ops:healthz") == "ok" or current_app.config["OPS_SETTINGS"].cache_type == "NullCache"
    except Exception:  # any backend failure means "not reachable"
        return False


def _database(detail: bool) -> tuple[dict[str, Any], dict[str, int] | None]:
    database = current()
    problem = database.file_problem()
    if problem:
        # Moved, deleted or swapped under the running app: red, whatever the pool still holds.
        return {"reachable": False, "reason": problem}, None
    try:
        with database.sessions() as session:
            # One cheap read that also proves the schema is there (migrated, not an empty file).
            session.execute(text("SELECT version_num FROM alembic_version"))
            found = counts(session) if detail else None
    except SQLAlchemyError as exc:
        missing = _missing_tables(database)
        if missing:  # reachable, but nobody prepared it: say what to run, not "unreachable"
            return {"reachable": True, "schema": False, "missing_tables": missing[:10]}, None
        return {"reachable": False, "reason": exc.__class__.__name__}, None
    return {"reachable": True}, found


def report(detail: bool = True) -> tuple[dict[str, Any], int]:
    """The health document and its HTTP status (503 when the database is unreachable).

    detail=False (anonymous callers): no counts, no version; only what decides the status.
    """
    database = current()
    doc: dict[str, Any] = {}
    doc["database"], found = _database(detail)
    ok = doc["database"]["reachable"] and doc["database"].get("schema", True)
    reason = None
    if not doc["database"]["reachable"]:
        reason = doc["database"].get("reason", "database unreachable")
    elif not ok:
        reason = f"database has no schema: run `{SCHEMA_COMMAND}`"
    if not detail:
        brief: dict[str, Any] = {"status": "ok" if ok else "unavailable"}
        if reason:
            brief["reason"] = reason
        return brief, 200 if ok else 503
    doc.update({"version": VERSION, "dash": _dist("dash")})
    if found is not None:
        doc["counts"] = found
    doc["cache"] = {"reachable": _cache_ok(), "type": current_app.config["OPS_SETTINGS"].cache_type}
    feeds = current_app.extensions.get("ops_feeds")
    doc["simulator"] = {"running": bool(feeds and feeds.running), "ticks": getattr(feeds, "ticks", 0)}
    streams = current_app.extensions.get("ops_streams")
    if streams is not None and hasattr(streams, "summary"):
        doc["streams"] = streams.summary()
    doc["db_queries"] = database.query_count
    doc["worker"] = os.getpid()  # which gunicorn worker answered (signed-in callers only)
    doc["status"] = "ok" if ok else "unavailable"
    if reason:
        doc["reason"] = reason
    return doc, 200 if ok else 503


def _missing_tables(database: Any) -> list[str]:
    """Tables of the models that the database lacks ([] if it cannot be asked either)."""
    from core.models import Base

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
        principal = g.get("ops_principal")  # set by web.access; anonymous callers get the status only
        detail = principal is not None and principal.kind != "agency"
        doc, status = report(detail)
        return jsonify(doc), status
