"""The admin console `/admin`: accounts, agency API tokens, the audit log; a link to /admin/displays.

Server-rendered HTML forms, no script: every action is a POST carrying the session's CSRF token
(checked by the guard in web/auth.py, which also keeps /admin to the admin role), done through
the same functions as the CLI (data/users.py, data/tokens.py) and audited with the admin's name
and address. A generated password or token is shown once, in the answer to the POST that made
it (never stored, never in a URL, `Cache-Control: no-store`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, redirect, request
from markupsafe import Markup, escape
from sqlalchemy import select

from accounts import audit, tokens, users
from core.clock import VN_TZ
from core.db import current
from reporting.models import Agency
from web.auth import client_address, current_principal, require

bp = Blueprint("ops_admin", __name__)

STYLE = """
body{margin:0;background:#0a1120;color:#eef3fb;font:15px/1.45 "Noto Sans","Segoe UI",Roboto,
"DejaVu Sans",Arial,sans-serif}main{max-width:1500px;margin:0 auto;padding:18px 24px 40px}
a{color:#7cc4ff}h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 10px}
nav{display:flex;gap:18px;margin:6px 0 18px;font-size:16px}nav a.here{color:#ffcd00;font-weight:700}
section{background:#111b30;border:1px solid #24365a;border-radius:8px;padding:14px 16px;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px
solid #24365a;vertical-align:middle}th{color:#9fb0cc;font-weight:600;font-size:13px;
text-transform:uppercase}tr.off td{color:#7d8aa3}form.inline{display:inline-flex;gap:6px;margin:0 6px 0 0}
input,select,button{font:inherit;color:#eef3fb;background:#0d1628;border:1px solid #3a4d70;
border-radius:5px;padding:4px 8px}button{background:#1d3d6e;cursor:pointer;font-weight:600}
button.danger{background:#5a1b28;border-color:#a3334f}.row{display:flex;gap:10px;flex-wrap:wrap;
align-items:end}label{display:flex;flex-direction:column;font-size:13px;color:#9fb0cc;gap:3px}
.msg{padding:10px 12px;border-radius:6px;margin:0 0 16px;font-size:16px}.ok{background:#12351f;
border:1px solid #2fd67b}.err{background:#3b1420;border:1px solid #a3334f}
.secret{font:600 18px/1.4 "DejaVu Sans Mono",monospace;background:#000;padding:6px 10px;
border-radius:4px;user-select:all;word-break:break-all;display:inline-block;margin-top:6px}
.muted{color:#9fb0cc}td.actions{white-space:nowrap}.pager{display:flex;gap:14px;align-items:center;margin-top:10px}
"""


def _csrf_field() -> Markup:
    from web.auth import _csrf  # the session's token, as the login form carries it

    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(_csrf())


def _when(moment: datetime | None) -> str:
    """A stored (naive) UTC moment in Viet Nam time, dd/mm/yyyy HH:MM, or an em dash."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=UTC).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def _page(title: str, here: str, body: str, status: int = 200) -> Response:
    links = [("/admin", "Tài khoản & token / Accounts & tokens"),
             ("/admin/audit", "Nhật ký / Audit log"),
             ("/admin/displays", "Màn hình / Displays"), ("/", "← Tổng quan / Overview")]
    nav = "".join(f'<a href="{href}"{" class=here" if href == here else ""}>{escape(text)}</a>'
                  for href, text in links)
    html = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}'
            f'</title><style>{STYLE}</style></head><body><main><h1>{escape(title)}</h1>'
            f'<nav>{nav}</nav>{body}</main></body></html>')
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # one-time secrets must not be cached
    return response


def _message(ok: bool, text: str, secret: str = "") -> str:
    shown = (f'<br><span class="secret" id="admin-secret">{escape(secret)}</span>'
             '<br><span class="muted">Chỉ hiện một lần: hãy lưu ngay. / Shown once: store it now.'
             '</span>') if secret else ""
    return f'<div class="msg {"ok" if ok else "err"}" role="status" id="admin-msg">{escape(text)}{shown}</div>'


def _agencies() -> list[tuple[str, str]]:
    with current().sessions() as session:
        rows = session.scalars(select(Agency).where(Agency.era != "pre2025").order_by(Agency.code))
        return [(a.code, a.name_vi) for a in rows]


def _accounts() -> str:
    me = current_principal()
    rows = []
    for u in users.list_users(current()):
        name = escape(u.name)
        roles = "".join(f'<option{" selected" if r == u.role else ""}>{r}</option>' for r in users.ROLES)
        toggle = "enable" if not u.active else "disable"
        toggle_text = "Mở lại / Enable" if not u.active else "Khóa / Disable"
        actions = (
            f'<form class="inline" method="post" action="/admin/users/{name}/role">{_csrf_field()}'
            f'<select name="role" aria-label="role of {name}">{roles}</select>'
            f'<button id="role-{name}">Đổi vai trò / Set role</button></form>'
            f'<form class="inline" method="post" action="/admin/users/{name}/person">{_csrf_field()}'
            f'<input name="full_name" value="{escape(u.full_name)}" maxlength="200" '
            f'aria-label="full name of {name}" placeholder="Họ tên / Full name" id="full-name-{name}">'
            f'<input name="unit" value="{escape(u.unit)}" maxlength="200" aria-label="unit of {name}"'
            f' placeholder="Đơn vị / Unit" id="unit-{name}">'
            f'<button id="person-{name}">Lưu / Save</button></form>'
            f'<form class="inline" method="post" action="/admin/users/{name}/reset">{_csrf_field()}'
            f'<button id="reset-{name}">Đặt lại mật khẩu / Reset password</button></form>'
            f'<form class="inline" method="post" action="/admin/users/{name}/{toggle}">'
            f'{_csrf_field()}<button id="{toggle}-{name}"'
            f'{" class=danger" if toggle == "disable" else ""}>{toggle_text}</button></form>')
        you = ' <span class="muted">(bạn / you)</span>' if me is not None and me.name == u.name else ""
        rows.append(f'<tr class="{"" if u.active else "off"}" id="user-{name}"><td>{name}{you}</td>'
                    f'<td>{u.role}</td><td>{_when(u.created_at)}</td><td>{_when(u.last_login_at)}</td>'
                    f'<td>{"hoạt động / active" if u.active else "đã khóa / disabled " + _when(u.disabled_at)}'
                    f'</td><td class="actions">{actions}</td></tr>')
    # staff first and preselected: the least surprising role for a new account.
    roles = "".join(f"<option{' selected' if r == 'staff' else ''}>{r}</option>"
                    for r in ("staff", "leader", "admin"))
    return (f'<section id="admin-users"><h2>Tài khoản / Accounts</h2><table><thead><tr><th>Tên / Name'
            f'</th><th>Vai trò / Role</th><th>Tạo / Created</th><th>Đăng nhập cuối / Last login</th>'
            f'<th>Trạng thái / Status</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<form method="post" action="/admin/users" class="row" style="margin-top:12px">'
            f'{_csrf_field()}<label>Tên đăng nhập / User name<input name="name" id="new-user-name" '
            f'required maxlength="64" pattern="[a-z0-9][a-z0-9._\\-]*"></label><label>Họ tên / Full name'
            f'<input name="full_name" id="new-user-full-name" maxlength="200"></label>'
            f'<label>Đơn vị / Unit<input name="unit" id="new-user-unit" maxlength="200"></label>'
            f'<label>Vai trò / Role'
            f'<select name="role" id="new-user-role">{roles}</select></label><button id="add-user">'
            f'Thêm tài khoản / Add account</button><span class="muted">Mật khẩu được tạo và hiện '
            f'một lần / a password is generated and shown once</span></form></section>')


def _tokens() -> str:
    names = dict(_agencies())
    rows = []
    for tk in reversed(tokens.list_tokens(current())):
        revoke = "" if tk.revoked_at else (
            f'<form class="inline" method="post" action="/admin/tokens/{tk.id}/revoke">'
            f'{_csrf_field()}<button class="danger" id="revoke-{tk.id}">Thu hồi / Revoke</button></form>')
        status = f"thu hồi / revoked {_when(tk.revoked_at)}" if tk.revoked_at else "hiệu lực / active"
        rows.append(f'<tr class="{"off" if tk.revoked_at else ""}" id="token-{tk.id}"><td>{tk.id}</td>'
                    f'<td>{escape(tk.agency)} <span class="muted">{escape(names.get(tk.agency, ""))}'
                    f'</span></td><td>{_when(tk.created_at)}</td><td>{_when(tk.last_used_at)}</td>'
                    f'<td>{status}</td><td>{revoke}</td></tr>')
    options = "".join(f'<option value="{escape(c)}">{escape(c)} · {escape(n)}</option>'
                      for c, n in names.items())
    return (f'<section id="admin-tokens"><h2>Token API của cơ quan / Agency API tokens</h2>'
            f'<table><thead><tr><th>ID</th><th>Cơ quan / Agency</th><th>Tạo / Created</th>'
            f'<th>Dùng lần cuối / Last used</th><th>Trạng thái / Status</th><th></th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table><form method="post" action="/admin/tokens" '
            f'class="row" style="margin-top:12px">{_csrf_field()}<label>Cơ quan / Agency<select '
            f'name="agency" id="new-token-agency">{options}</select></label><button id="add-token">'
            f'Tạo token / Create token</button></form></section>'
            f'<section><h2>Màn hình / Displays</h2><a href="/admin/displays" id="displays-link">'
            f'Màn hình, điểm cầu và danh sách phát / Displays, bridge points and playlists →</a>'
            f'</section>')


def _console(message: str = "", status: int = 200) -> Response:
    return _page("Quản trị / Administration", "/admin", message + _accounts() + _tokens(), status)


def _act(action: Callable[[str, str], object], done: str) -> Response:
    """Run action(actor, address) as the signed-in admin and show the outcome on the console;
    a str it returns is a one-time secret (a password, a token), shown this once."""
    admin = require("admin")
    try:
        result = action(admin.name, client_address())
    except (users.UserError, tokens.TokenError) as exc:
        return _console(_message(False, str(exc)), 400)
    return _console(_message(True, done, result if isinstance(result, str) else ""))


@bp.get("/admin")
def console() -> Response:
    require("admin")
    return _console()


@bp.post("/admin/users")
def add_user() -> Response:
    name, role = request.form.get("name", ""), request.form.get("role", "")

    def run(actor: str, address: str) -> str:
        import secrets

        password = secrets.token_urlsafe(18)
        users.add(current(), name, role, password, actor=actor, address=address,
                  full_name=request.form.get("full_name", ""), unit=request.form.get("unit", ""))
        return password

    return _act(run, f"Đã thêm {users.norm_name(name)} ({role}); mật khẩu / password:")


@bp.post("/admin/users/<name>/role")
def set_role(name: str) -> Response:
    role = request.form.get("role", "")
    return _act(lambda actor, address: users.set_role(current(), name, role, actor=actor,
                                                      address=address),
                f"{name}: vai trò mới / new role {role}")


@bp.post("/admin/users/<name>/person")
def set_person(name: str) -> Response:
    full_name, unit = request.form.get("full_name", ""), request.form.get("unit", "")
    return _act(lambda actor, address: users.set_person(current(), name, full_name, unit,
                                                        actor=actor, address=address),
                f"{name}: đã lưu họ tên, đơn vị / full name and unit saved")


@bp.post("/admin/users/<name>/disable")
def disable_user(name: str) -> Response:
    return _act(lambda actor, address: users.disable(current(), name, actor=actor,
                                                     address=address),
                f"Đã khóa / disabled {name}")


@bp.post("/admin/users/<name>/enable")
def enable_user(name: str) -> Response:
    return _act(lambda actor, address: users.enable(current(), name, actor=actor,
                                                    address=address),
                f"Đã mở lại / enabled {name}")


@bp.post("/admin/users/<name>/reset")
def reset_password(name: str) -> Response:
    return _act(lambda actor, address: users.reset_password(current(), name, actor=actor,
                                                            address=address)[1],
                f"Mật khẩu mới của / new password of {name}:")


@bp.post("/admin/tokens")
def create_token() -> Response:
    agency = request.form.get("agency", "")
    return _act(lambda actor, address: tokens.create(current(), agency, actor=actor,
                                                     address=address)[1],
                f"Token mới cho / new token for {agency}:")


@bp.post("/admin/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    return _act(lambda actor, address: tokens.revoke(current(), token_id, actor=actor,
                                                     address=address),
                f"Đã thu hồi token / revoked token {token_id}")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _actor(actor: str, people: dict[str, str]) -> Markup:
    """The person's full name and unit with the login name beside it; other actors as stored."""
    label = people.get(actor)
    if label is None or label == actor:
        return escape(actor)
    return Markup(f'{escape(label)} <small class="muted">({escape(actor)})</small>')


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
    options = "".join(f'<option value="{a}"{" selected" if a == action else ""}>{a}</option>'
                      for a in ("", *audit.KINDS, *audit.ADMIN_ACTIONS))
    form = (f'<form method="get" action="/admin/audit" class="row" id="audit-filter">'
            f'<label>Người thực hiện / Actor<input name="actor" value="{escape(actor)}" '
            f'id="audit-actor"></label><label>Hành động / Action<select name="action" '
            f'id="audit-action">{options}</select></label><label>Từ ngày / From<input type="date" '
            f'name="from" value="{day_from or ""}" id="audit-from"></label><label>Đến ngày / To'
            f'<input type="date" name="to" value="{day_to or ""}" id="audit-to"></label>'
            f'<button id="audit-apply">Lọc / Filter</button></form>')
    people = users.labels(current(), [e.actor for e in found.rows])  # who, by full name and unit
    rows = "".join(
        f'<tr><td>{_when(e.time)}</td><td>{_actor(e.actor, people)}</td><td>{escape(e.kind)}</td>'
        f'<td>{escape(e.detail)}</td><td>{escape(e.address)}</td></tr>' for e in found.rows)
    query = {k: v for k, v in (("actor", actor), ("action", action),
                               ("from", day_from and day_from.isoformat()),
                               ("to", day_to and day_to.isoformat())) if v}

    def page_link(n: int, text: str, ident: str) -> str:
        return f'<a id="{ident}" href="/admin/audit?{urlencode({**query, "page": n})}">{text}</a>'

    pager = '<div class="pager">' + (page_link(found.page - 1, "← Mới hơn / Newer", "audit-newer")
                                     if found.page > 1 else "") + \
        f'<span id="audit-page">Trang / Page {found.page}/{found.pages} · {found.total} sự kiện / events' \
        f'</span>' + (page_link(found.page + 1, "Cũ hơn / Older →", "audit-older")
                      if found.page < found.pages else "") + '</div>'
    body = (f'<section>{form}</section><section><table id="audit-table"><thead><tr><th>Thời điểm / '
            f'Time (ICT)</th><th>Người thực hiện / Actor</th><th>Loại / Kind</th><th>Chi tiết / '
            f'Detail</th><th>Địa chỉ / Address</th></tr></thead><tbody>{rows}</tbody></table>'
            f'{pager}</section>')
    return _page("Nhật ký kiểm toán / Audit log", "/admin/audit", body)


@bp.get("/admin/")
def slash() -> Response:
    return redirect("/admin", code=308)


def init_app(server: Flask) -> None:
    server.register_blueprint(bp)

