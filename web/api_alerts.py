"""JSON API of alerts: GET /api/v1/alerts, POST /api/v1/alerts/<id>/acknowledge and /resolve.

Status codes: 200 done (the alert as JSON); 400 a bad filter, body or comment (over 2,000
characters, control characters); 403 not staff, leader or admin (web.access has already refused
anonymous callers, agencies, and sessions without the CSRF header); 404 no such alert; 409 the
alert's state forbids it (already resolved, or already acknowledged), with the reason.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from alerts import lifecycle, store
from alerts.conditions import KINDS
from alerts.models import STATES
from core.clock import utc_now
from core.db import current
from web.access import client_address, current_principal
from web.replies import error

blueprint = Blueprint("api_alerts", __name__, url_prefix="/api/v1/alerts")
PEOPLE = ("staff", "leader", "admin")


def init_app(server: Flask) -> None:
    server.register_blueprint(blueprint)



@blueprint.get("")
def list_alerts() -> Response | tuple[Response, int]:
    state = request.args.get("state", "").strip() or None
    kind = request.args.get("kind", "").strip() or None
    if state is not None and state not in STATES:
        return error(f"state: one of {', '.join(STATES)}", 400)
    if kind is not None and kind not in KINDS:
        return error(f"kind: one of {', '.join(KINDS)}", 400)
    limit_text = request.args.get("limit", "100")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= store.MAX_PAGE:
        return error(f"limit: a whole number from 1 to {store.MAX_PAGE}", 400)
    before = request.args.get("before", "")
    if before and not before.isdigit():
        return error("before: an alert id", 400)
    rows = store.search(current(), state=state, kind=kind,
                        agency=request.args.get("agency", "").strip()[:16] or None,
                        period=request.args.get("period", "").strip()[:16] or None,
                        limit=int(limit_text), before_id=int(before) if before else None)
    return jsonify({"alerts": rows})


@blueprint.get("/<int:alert_id>")
def one_alert(alert_id: int) -> Response:
    found = store.one(current(), alert_id)
    return jsonify(found) if found is not None else error(f"no alert {alert_id}", 404)


def _comment() -> str:
    body: Any = request.get_json(silent=True)
    if body is None and request.content_length:
        raise lifecycle.AlertError("body: a JSON object {\"comment\": \"...\"}")
    if body is None:
        return ""
    if not isinstance(body, dict) or not isinstance(body.get("comment", ""), str):
        raise lifecycle.AlertError("body: a JSON object {\"comment\": \"...\"}")
    return body.get("comment", "")


def _act(alert_id: int, action: str) -> Response:
    principal = current_principal()
    if principal is None or principal.kind != "user" or principal.role not in PEOPLE:
        return error("staff, leader or admin only", 403)
    fn = lifecycle.acknowledge if action == "acknowledge" else lifecycle.resolve
    try:
        fn(current(), alert_id, principal.name, _comment(), utc_now(), client_address())
    except lifecycle.AlertNotFound as exc:
        return error(str(exc), 404)
    except lifecycle.AlertConflict as exc:
        return error(str(exc), 409)
    except lifecycle.AlertError as exc:
        return error(str(exc), 400)
    store.wall_alerts.forget()  # the walls show the owner at their next poll
    return jsonify(store.one(current(), alert_id))


@blueprint.post("/<int:alert_id>/acknowledge")
def acknowledge(alert_id: int) -> Response:
    return _act(alert_id, "acknowledge")


@blueprint.post("/<int:alert_id>/resolve")
def resolve(alert_id: int) -> Response:
    return _act(alert_id, "resolve")
