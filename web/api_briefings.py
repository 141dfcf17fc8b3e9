"""/api/v1/briefings: the briefings kept (list, progress, PDF) and a new one made in the background.

Readers: staff, leader and admin (a display or an agency token has no business here).
Making one (POST) is a write: staff and admin, as for every other write.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_file

from briefings import jobs, sources, store
from briefings.build import PagesError
from core.clock import local_now
from core.db import current
from web.access import require
from web.replies import error

blueprint = Blueprint("api_briefings", __name__, url_prefix="/api/v1/briefings")
READERS = ("staff", "leader", "admin")
MAKERS = ("staff", "admin")


def init_app(server: Flask) -> None:
    server.register_blueprint(blueprint)



def _data_dir() -> Path:
    return Path(current_app.config["OPS_SETTINGS"].data_dir)


@blueprint.get("")
def listing() -> Response:
    require(*READERS)
    return jsonify({"briefings": store.recent(current())})


@blueprint.get("/<int:briefing_id>")
def one(briefing_id: int) -> Response:
    require(*READERS)
    row = store.get(current(), briefing_id)
    return jsonify(row) if row else error(f"no briefing {briefing_id}", 404)


@blueprint.get("/<int:briefing_id>.pdf")
def pdf(briefing_id: int) -> Any:
    require(*READERS)
    row = store.get(current(), briefing_id)
    path = store.file_of(current(), _data_dir(), briefing_id)
    if row is None or path is None:
        return error(f"no finished briefing {briefing_id}", 404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"ban-tin-{row['date']}-{briefing_id}.pdf", max_age=0)


@blueprint.post("")
def make() -> Response:
    principal = require(*MAKERS)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        return error("expected a JSON object {date, pages}", 400)
    try:
        day = date.fromisoformat(str(body["date"])) if body.get("date") else local_now().date()
    except ValueError:
        return error("date: expected YYYY-MM-DD", 400)
    pages = body.get("pages") or None
    if pages is not None and not isinstance(pages, str):
        return error("pages: expected a comma list, e.g. overview,indicator:GDP_GROWTH", 400)
    server = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    try:
        briefing_id = jobs.start(server, day, pages, principal.name,
                                 lambda: sources.for_app(server))
    except PagesError as exc:
        return error(f"pages: {exc}", 400)
    except jobs.Busy as exc:
        return error(str(exc), 409)
    response = jsonify(store.get(current(), briefing_id))
    response.status_code = 202
    return response
