"""The admin console `/admin`: accounts, agency API tokens, the audit log; a link to /admin/displays.

Server-rendered forms (web/templates/admin/), no script: every action is a POST carrying the
session's CSRF token (checked by the guard in web/access, which also keeps /admin to the admin
role), done through the same functions as the CLI (data/users.py, data/tokens.py) and audited
with the admin's name and address. A generated password or token is shown once, in the answer
to the POST that made it (never stored, never in a URL, `Cache-Control: no-store`).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, redirect, request
from sqlalchemy import select

from accounts import audit, tokens, users
from core.clock import VN_TZ
from core.db import current
from reporting.models import Agency
from web import i18n, pages
from web.access import client_address, csrf_token, current_principal, require

bp = Blueprint("ops_admin", __name__)
NEW_ACCOUNT_ROLES = ("staff", "leader", "admin")  # staff first: the least surprising default


@dataclass(frozen=True)
class Outcome:
    """What an action did, shown above the console (a secret: shown this once)."""

    ok: bool
    text: str
    secret: str = ""


def _when(moment: datetime | None) -> str:
    """A stored (naive) UTC moment in Viet Nam time, dd/mm/yyyy HH:MM, or an em dash."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=UTC).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def _agencies() -> dict[str, str]:
    with current().sessions() as session:
        rows = session.scalars(select(Agency).where(Agency.era != "pre2025").order_by(Agency.code))
        return {a.code: a.name_vi for a in rows}


def _accounts() -> list[dict[str, Any]]:
    me = current_principal()
    return [{"name": u.name, "role": u.role, "active": u.active, "created": _when(u.created_at),
             "full_name": u.full_name, "unit": u.unit,
             "last_login": _when(u.last_login_at), "disabled": _when(u.disabled_at),
             "you": me is not None and me.name == u.name}
            for u in users.list_users(current())]


def _tokens(names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"id": tk.id, "agency": tk.agency, "agency_name": names.get(tk.agency, ""),
             "tracking": tk.scope == tokens.TASKS, "name": tk.name,
             "created": _when(tk.created_at), "last_used": _when(tk.last_used_at),
             "revoked": _when(tk.revoked_at) if tk.revoked_at else ""}
            for tk in reversed(tokens.list_tokens(current()))]


def _console(outcome: Outcome | None = None, status: int = 200) -> Response:
    names = _agencies()
    return pages.render("admin/console.html", status, title_key="admin.title", here="/admin", outcome=outcome,
                        csrf=csrf_token(), accounts=_accounts(), roles=users.ROLES,
                        new_roles=NEW_ACCOUNT_ROLES, tokens=_tokens(names), agencies=names)


def _act(action: Callable[[str, str], object], done: str, **values: object) -> Response:
    """Run action(actor, address) as the signed-in admin and show the outcome on the console;
    a str it returns is a one-time secret (a password, a token), shown this once."""
    admin = require("admin")
    try:
        result = action(admin.name, client_address())
    except (users.UserError, tokens.TokenError) as exc:
        return _console(Outcome(False, str(exc)), 400)
    text = i18n.t(done, pages.page_lang()).format(**values)
    return _console(Outcome(True, text, result if isinstance(result, str) else ""))


@bp.get("/admin")
def console() -> Response:
    require("admin")
    return _console()


@bp.post("/admin/users")
def add_user() -> Response:
    name, role = request.form.get("name", ""), request.form.get("role", "")

    def run(actor: str, address: str) -> str:
        password = secrets.token_urlsafe(18)
        users.add(current(), name, role, password, actor=actor, address=address,
                  full_name=request.form.get("full_name", ""), unit=request.form.get("unit", ""))
        return password

    return _act(run, "admin.done.add", name=users.norm_name(name), role=role)


@bp.post("/admin/users/<name>/role")
def set_role(name: str) -> Response:
    role = request.form.get("role", "")
    return _act(lambda actor, address: users.set_role(current(), name, role, actor=actor,
                                                      address=address),
                "admin.done.role", name=name, role=role)


@bp.post("/admin/users/<name>/person")
def set_person(name: str) -> Response:
    full_name, unit = request.form.get("full_name", ""), request.form.get("unit", "")
    return _act(lambda actor, address: users.set_person(current(), name, full_name, unit,
                                                        actor=actor, address=address),
                "admin.done.person", name=name)


@bp.post("/admin/users/<name>/disable")
def disable_user(name: str) -> Response:
    return _act(lambda actor, address: users.disable(current(), name, actor=actor,
                                                     address=address),
                "admin.done.disable", name=name)


@bp.post("/admin/users/<name>/enable")
def enable_user(name: str) -> Response:
    return _act(lambda actor, address: users.enable(current(), name, actor=actor,
                                                    address=address),
                "admin.done.enable", name=name)


@bp.post("/admin/users/<name>/reset")
def reset_password(name: str) -> Response:
    return _act(lambda actor, address: users.reset_password(current(), name, actor=actor,
                                                            address=address)[1],
                "admin.done.reset", name=name)


@bp.post("/admin/tokens")
def create_token() -> Response:
    agency = request.form.get("agency", "")
    return _act(lambda actor, address: tokens.create(current(), agency, actor=actor,
                                                     address=address)[1],
                "admin.done.token", agency=agency)


@bp.post("/admin/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    return _act(lambda actor, address: tokens.revoke(current(), token_id, actor=actor,
                                                     address=address),
                "admin.done.revoke", id=token_id)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _person(actor: str, people: dict[str, str]) -> str:
    """The person's full name and unit for an actor that is an account, else "" (shown as is)."""
    label = people.get(actor, "")
    return "" if label == actor else label


@bp.get("/admin/audit")
def audit_log() -> Response:
    require("admin")
    actor = (request.args.get("actor") or "").strip()[:80]
    action = request.args.get("action") or ""
    if action not in audit.KINDS and action not in audit.ADMIN_ACTIONS:
        action = ""
    day_from, day_to = _day(request.args.get("from")), _day(request.args.get("to"))
    page = int(request.args.get("page", "1")) if (request.args.get("page") or "").isdigit() else 1
    found = audit.search(current(), actor=actor, action=action, day_from=day_from, day_to=day_to,
                         page=page)
    people = users.labels(current(), [e.actor for e in found.rows])  # who, by full name and unit
    query = {k: v for k, v in (("actor", actor), ("action", action),
                               ("from", day_from and day_from.isoformat()),
                               ("to", day_to and day_to.isoformat())) if v}

    def page_href(n: int) -> str:
        return "/admin/audit?" + urlencode({**query, "page": n})

    return pages.render(
        "admin/audit.html", title_key="audit.title", here="/admin/audit", actor=actor, action=action,
        actions=("", *audit.KINDS, *audit.ADMIN_ACTIONS), day_from=day_from or "",
        day_to=day_to or "", found=found,
        rows=[{"time": _when(e.time), "actor": e.actor, "person": _person(e.actor, people),
               "kind": e.kind, "detail": e.detail, "address": e.address} for e in found.rows],
        newer=page_href(found.page - 1) if found.page > 1 else "",
        older=page_href(found.page + 1) if found.page < found.pages else "")


@bp.get("/admin/")
def slash() -> Response:
    return redirect("/admin", code=308)


def init_app(server: Flask) -> None:
    server.register_blueprint(bp)
