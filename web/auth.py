"""Access control: one before_request guard (deny by default), login/logout, display links.

Who: user accounts (admin, staff, leader) sign in at /login into a signed-cookie session;
display tokens open a read-only session at /display/<token> (or are sent as bearer tokens);
agency tokens (bearer) may only POST /api/v1/submissions.

What is public: /login, /display/<token> (it authenticates), /assets/..., Dash's static
/_dash-component-suites/..., /favicon.ico, /_favicon.ico and /healthz (anonymous callers get only
{"status"}). Everything else needs a principal; unauthenticated page loads redirect to
/login?next=..., everything else (API, streams, Dash routes, non-GET) gets 401 JSON.

Roles: leader and display are read-only: no method other than GET/HEAD/OPTIONS except the Dash
callback route (reads) and /logout. /admin... is admin only. Submissions need staff, admin or an
agency token. Callbacks that change data must also check `require("staff", "admin")` themselves.

Sessions: Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind TLS) holding the
principal's id, issue and last-activity times and a CSRF token. Every request re-validates the
principal against the database (remembered for a few seconds, see accounts.tokens.RECHECK_SECONDS):
a disabled user or revoked display token loses access at once. User sessions end after
`session_idle_minutes` without activity (interval polling is not activity) or 12 hours.
CSRF: the login and logout forms carry the token; Dash callbacks send it back as X-CSRFToken
(read by dash-renderer from the `_csrf_token` cookie); cross-origin unsafe requests are refused.
Logout ends the session on the server: its id (`sid`, in the signed cookie) goes into the
revoked_session table, checked on every request, so a cookie copied before logout is refused
by every worker.
Login throttling counts failed sign-ins in web/throttle.py (Redis for every worker, else the
audit log);
the policy is `login_throttled` below: it slows guessing per address and per account without
letting strangers lock the owner out.
"""
from __future__ import annotations

import hmac
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import dash
from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from accounts import audit, sessions, tokens, users
from core import clock
from core.db import Database, current
from settings import Settings
from web import throttle

ROLES = ("admin", "staff", "leader")
READ_ONLY = ("leader", "display")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CALLBACK_PATH = "/_dash-update-component"
SUBMISSIONS_PATH = "/api/v1/submissions"
# What an agency token may POST: submissions, and the dams' readings (web/api_dams.py).
AGENCY_PATHS = frozenset({SUBMISSIONS_PATH, "/api/v1/dams/readings"})
# /relay/access authenticates the relay itself (OPS_RELAY_TOKEN; web.streamaccess).
PUBLIC_EXACT = frozenset({"/login", "/favicon.ico", "/_favicon.ico", "/healthz", "/relay/access"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/display/")
JSON_PREFIXES = ("/api/", "/streams/", "/_dash", "/_reload-hash", "/healthz")
ADMIN_PREFIXES = ("/admin", "/api/v1/admin")
# Requests that do not count as a person being active (polling, video, hot reload).
PASSIVE_PREFIXES = ("/streams/", "/_reload-hash", "/healthz")

PAIR_FAILURES = 5  # wrong passwords for one account from one address
ADDRESS_FAILURES = 20  # wrong passwords from one address, any accounts (spraying)
ACCOUNT_FAILURES = 50  # wrong passwords for one account from anywhere (distributed guessing)
THROTTLE_WINDOW = timedelta(minutes=15)
SESSION_MAX_AGE_S = 12 * 3600
ACTIVITY_GRANULARITY_S = 60  # rewrite the session cookie at most once a minute
CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads (config csrf_token_name)
CSRF_HEADER = "X-CSRFToken"
SECRET_FILE = "secret_key"


@dataclass(frozen=True)
class Principal:
    """Who is making the request."""

    kind: str  # user | display | agency
    role: str  # admin | staff | leader | display | agency
    name: str
    id: int
    via: str  # session | bearer
    agency: str | None = None

    @property
    def actor(self) -> str:
        return {"user": self.name, "display": f"display:{self.id}",
                "agency": f"agency:{self.agency}"}[self.kind]

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY


def current_principal() -> Principal | None:
    """The principal of the request being handled (None: anonymous)."""
    return g.get("ops_principal")


def require(*roles: str) -> Principal:
    """For callbacks and views that write: 403 unless the caller has one of the roles."""
    principal = current_principal()
    if principal is None:
        abort(401)
    if principal.role not in roles:
        abort(403)
    return principal


def client_address() -> str:
    return request.remote_addr or ""


# --- secret key -------------------------------------------------------------------------------

def resolve_secret_key(settings: Settings) -> str:
    """OPS_SECRET_KEY; required with OPS_DATABASE_URL (workers share it). The embedded default
    (SQLite under data_dir) generates one once and keeps it in data_dir/secret_key (mode 0600)."""
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            raise RuntimeError("OPS_SECRET_KEY must have at least 32 characters")
        return settings.secret_key
    if settings.database_url:
        raise RuntimeError("OPS_SECRET_KEY is required when OPS_DATABASE_URL is set "
                           "(every worker must sign sessions with the same key)")
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds a key shorter than 32 characters; delete it to renew")
    return key


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie; Secure when the setting says so or the request itself came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


# --- responses --------------------------------------------------------------------------------

def _wants_json(path: str) -> bool:
    return path.startswith(JSON_PREFIXES) or request.method not in READ_METHODS


def _deny(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ops"'
    return response


def safe_next(target: str | None) -> str:
    """A same-site path to return to after login; anything else becomes '/'."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\\\r\n\t\x00") or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _login_redirect() -> Response:
    target = request.full_path if request.query_string else request.path
    return redirect("/login?next=" + quote(safe_next(target), safe=""), code=302)


_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="/_favicon.ico"><style>
body{{background:#0b1220;color:#e8eef8;font:2vh/1.4 system-ui,sans-serif;margin:0;min-height:100vh;
display:grid;place-items:center}}main{{background:#111b2e;border:1px solid #24324d;border-radius:1vh;
padding:4vh 4vw;min-width:min(90vw,28rem)}}h1{{font-size:3vh;margin:0 0 .4em}}
.sub{{color:#9fb0c8;margin:0 0 2vh}}label{{display:block;margin:1.6vh 0 .4vh}}
input{{width:100%;box-sizing:border-box;font:inherit;padding:1vh;background:#0b1220;color:#e8eef8;
border:1px solid #3a4d70;border-radius:.5vh}}button{{margin-top:2.4vh;width:100%;font:inherit;
font-weight:600;padding:1.2vh;background:#2f7de1;color:#fff;border:0;border-radius:.5vh;
cursor:pointer}}.msg{{background:#3b1420;border:1px solid #a3334f;padding:1vh;border-radius:.5vh}}
</style></head><body><main>{body}</main></body></html>"""


def _login_page(message: str = "", name: str = "", status: int = 200,
                next_url: str = "/") -> Response:
    msg = f'<p class="msg" role="alert">{escape(message)}</p>' if message else ""
    body = f"""<h1>Trung tâm Thông tin, Chỉ đạo, Điều hành</h1>
<p class="sub">Đăng nhập / Sign in</p>{msg}
<form method="post" action="/login?next={escape(quote(next_url, safe=''))}" autocomplete="on">
<input type="hidden" name="csrf_token" value="{escape(_csrf())}">
<label for="username">Tên đăng nhập / User name</label>
<input id="username" name="username" value="{escape(name)}" autocomplete="username" required
 maxlength="64" autofocus>
<label for="password">Mật khẩu / Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="1024">
<button id="login-submit" type="submit">Đăng nhập / Sign in</button></form>"""
    response = Response(_PAGE.format(title="Đăng nhập / Sign in", body=body), status=status,
                        mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _logout_page() -> Response:
    body = f"""<h1>Đăng xuất / Sign out</h1><form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="{escape(_csrf())}">
<button id="logout-submit" type="submit">Đăng xuất / Sign out</button></form>"""
    response = Response(_PAGE.format(title="Đăng xuất / Sign out", body=body), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- sessions ---------------------------------------------------------------------------------

def _csrf() -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok(presented: str | None) -> bool:
    expected = session.get("csrf")
    return (isinstance(expected, str) and isinstance(presented, str) and bool(presented)
            and hmac.compare_digest(expected.encode(), presented.encode()))


def _start_session(kind: str, ident: int, role: str = "display", name: str = "") -> None:
    session.clear()
    now = int(clock.epoch())
    # The role and name are only used while the database is unreachable (see _outage_principal).
    session.update({"k": kind, "id": ident, "r": role, "n": name, "iat": now, "t": now,
                    "csrf": secrets.token_urlsafe(32), "sid": sessions.new_id()})
    # Displays keep their session across browser restarts; people's sessions end with the browser.
    session.permanent = kind == "display"


def _session_principal(database: Database, idle_s: int) -> Principal | None:
    kind, ident = session.get("k"), session.get("id")
    if kind not in ("user", "display") or not isinstance(ident, int):
        return None
    now = int(clock.epoch())
    sid = session.get("sid")
    if kind == "display" and not isinstance(sid, str):
        session["sid"] = sid = sessions.new_id()  # display cookies from before session ids
    if not isinstance(sid, str) or sessions.is_revoked(database, sid):
        session.clear()
        return None
    if kind == "display":
        if not tokens.display_active(database, ident):
            session.clear()
            return None
        return Principal("display", "display", f"display:{ident}", ident, "session")
    issued, last = session.get("iat", 0), session.get("t", 0)
    if not isinstance(issued, int) or not isinstance(last, int):
        session.clear()
        return None
    if now - last > idle_s or now - issued > SESSION_MAX_AGE_S:
        session.clear()
        g.ops_session_expired = True
        return None
    info = tokens.memo.get((database.url, ("uid", ident)), lambda: users.get(database, ident))
    if not isinstance(info, users.UserInfo) or not info.active or info.role not in ROLES:
        session.clear()
        return None
    if session.get("pw", info.password_stamp) != info.password_stamp:  # password reset since
        session.clear()
        return None
    return Principal("user", info.role, info.name, info.id, "session")


def _outage_principal() -> Principal | None:
    kind, ident, role = session.get("k"), session.get("id"), session.get("r")
    if not isinstance(ident, int):
        return None
    if kind == "display":
        return Principal("display", "display", f"display:{ident}", ident, "session")
    if kind == "user" and role in ROLES:
        return Principal("user", role, str(session.get("n", "")), ident, "session")
    return None


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _bearer_principal(database: Database, token: str, path: str) -> Principal | Response:
    """A bearer token: display (read-only) or agency (submissions only)."""
    if token.startswith(tokens.DISPLAY_PREFIX):
        found = tokens.check_display(database, token, address=client_address())
        if found.ok and found.id is not None:
            return Principal("display", "display", found.name, found.id, "bearer")
        return _deny(401, "display token revoked" if found.reason == "revoked"
                     else "missing or unknown bearer token")
    if path in AGENCY_PATHS and request.method == "POST":
        check = tokens.check(database, token)  # records last use
    else:
        check = tokens.peek(database, token)
    if check.ok:
        return Principal("agency", "agency", check.agency or "", 0, "bearer", check.agency)
    if check.reason == "revoked":
        return _deny(403, "token revoked")
    return _deny(401, "missing or unknown bearer token")


def _is_activity(path: str) -> bool:
    if path.startswith(PASSIVE_PREFIXES):
        return False
    if path == CALLBACK_PATH:
        body = request.get_json(silent=True)
        changed = body.get("changedPropIds") if isinstance(body, dict) else None
        if isinstance(changed, list) and changed and all(
                isinstance(c, str) and c.endswith(".n_intervals") for c in changed):
            return False  # a dcc.Interval tick, not a person
    return True


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # non-browser clients; SameSite=Lax keeps cross-site POSTs cookie-less
    return urlsplit(origin).netloc == request.host


# --- the callback-body validator ----------------------------------------------------------------

def _prop_ref(item: Any) -> bool:
    if isinstance(item, list):
        return all(_prop_ref(i) for i in item)
    return (isinstance(item, dict) and isinstance(item.get("id"), (str, dict))
            and isinstance(item.get("property"), str))


URL_PROPS = frozenset({"pathname", "search", "hash", "href"})  # dcc.Location sends strings
MAX_TEXT = 4000  # characters of one text value a callback input may carry


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (
        isinstance(value, str) and len(value) <= MAX_TEXT)


MAX_STORE_ITEMS = 500  # values in one dcc.Store a callback reads (lists and dicts, all levels)


def _small_json(value: Any, budget: list[int] | None = None, depth: int = 0) -> bool:
    """A store's data: scalars, or lists and dicts of them, at most 4 deep and MAX_STORE_ITEMS
    values in all, so no input can make a callback walk an unbounded structure."""
    budget = budget if budget is not None else [MAX_STORE_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > 4:
        return False
    if isinstance(value, list):
        return all(_small_json(v, budget, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and len(k) <= 200 and _small_json(v, budget, depth + 1)
                   for k, v in value.items())
    return _scalar(value)


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and 0 <= value < 2**53)


# The type contract of the properties the pages' server callbacks read: what a real browser
# sends. A value outside it is refused here as the client's 400 before any callback runs, so a
# callback that still fails on a value inside it is a bug (500), which the fuzz tests catch.
# Every dcc.Store a server callback reads holds a scalar (language, ids, a signature).
PROP_CONTRACT: dict[str, Any] = {
    "n_intervals": _count,
    "n_clicks": _count,
    "value": lambda v: _scalar(v) or (isinstance(v, list) and len(v) <= 200
                                      and all(_scalar(i) for i in v)),
    "data": _small_json,
    **{prop: lambda v: isinstance(v, str) and len(v) <= MAX_TEXT for prop in URL_PROPS},
}


def _within_contract(arg: dict[str, Any]) -> bool:
    check = PROP_CONTRACT.get(arg.get("property", ""))
    return check is None or "value" not in arg or bool(check(arg["value"]))


def _flat(items: list[Any]) -> list[dict[str, Any]]:
    return [i for item in items for i in (item if isinstance(item, list) else [item])]


def _matches(given: Any, want: dict[str, Any]) -> bool:
    """An argument names the component and property the callback declared (pattern-matching
    ids: the same keys; ALL/ALLSMALLER arrive as lists of such references)."""
    items = given if isinstance(given, list) else [given]
    for item in items:
        if item.get("property") != want.get("property"):
            return False
        got, exp = item.get("id"), want.get("id")
        if isinstance(exp, dict):
            if not isinstance(got, dict) or set(got) != set(exp):
                return False
        elif got != exp:
            return False
    return True


def declared_outputs(output: str) -> list[tuple[str, str]]:
    """(id, property) of each output named by a callback_map key ('a.b' or '..a.b...c.d..';
    '@hash' suffixes of allow_duplicate outputs dropped; pattern ids stay JSON text)."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") \
        else [output]
    found = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        found.append((ident, prop.split("@", 1)[0]))
    return found


def _outputs_match(output: str, given: Any) -> bool:
    wanted = declared_outputs(output)
    multi = output.startswith("..")
    if multi != isinstance(given, list):
        return False
    items = given if multi else [given]
    if len(items) != len(wanted):
        return False
    for item, (ident, prop) in zip(items, wanted, strict=True):
        if not _prop_ref(item):
            return False
        for ref in item if isinstance(item, list) else [item]:
            # dash-renderer names an allow_duplicate output 'value@<hash>' here too.
            if str(ref["property"]).split("@", 1)[0] != prop:
                return False
            if isinstance(ref["id"], dict) != ident.startswith("{"):
                return False
            if isinstance(ref["id"], str) and ref["id"] != ident:
                return False
    return True


def validate_callback(app: dash.Dash) -> Response | None:
    """400 JSON unless the body is a well-formed call of a registered callback."""
    if not request.is_json:
        return _deny(415, "callback body must be application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _deny(400, "callback body must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or len(output) > 10000:
        return _deny(400, "callback 'output' must be a string")
    spec = app.callback_map.get(output)
    if spec is None:
        return _deny(400, "unknown callback")
    if "callback" not in spec:
        return _deny(400, "not a server-side callback")
    inputs, state = body.get("inputs"), body.get("state", [])
    if not isinstance(inputs, list) or not isinstance(state, list):
        return _deny(400, "callback 'inputs' and 'state' must be lists")
    if len(inputs) != len(spec.get("inputs", [])) or len(state) != len(spec.get("state", [])):
        return _deny(400, "callback arguments do not match the callback")
    if not all(_prop_ref(i) for i in inputs + state):
        return _deny(400, "callback arguments must be {id, property, value} objects")
    if not all(isinstance(a.get("value", ""), str) for a in _flat(inputs + state)
               if a.get("property") in URL_PROPS):
        return _deny(400, "URL properties must be strings")
    wrong = [a for a in _flat(inputs + state) if not _within_contract(a)]
    if wrong:
        return _deny(400, f"callback value of the wrong type for "
                          f"{str(wrong[0].get('property'))[:40]}")
    declared = list(spec.get("inputs", [])) + list(spec.get("state", []))
    if not all(_matches(given, want) for given, want in zip(inputs + state, declared, strict=True)):
        return _deny(400, "callback arguments do not match the callback")
    if not _outputs_match(output, body.get("outputs")):
        return _deny(400, "callback 'outputs' do not match the callback")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return _deny(400, "callback 'changedPropIds' must be a list of strings")
    return None


# --- the guard --------------------------------------------------------------------------------

def _bad_path(path: str) -> bool:
    return any(seg in ("..", ".") for seg in path.split("/")) or "\\" in path or "\x00" in path


def _is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _guard(app: dash.Dash, settings: Settings) -> Response | None:
    path = request.path
    g.ops_principal = None
    if _bad_path(path):
        return _deny(404, "not found") if _wants_json(path) else abort(404)
    if _is_public(path) and path != "/healthz":
        return None
    database = current()
    token = _bearer()
    principal: Principal | None = None
    if token is not None:
        try:
            found = _bearer_principal(database, token, path)
        except SQLAlchemyError:
            found = _deny(503, "database unavailable: cannot check the token")
        if isinstance(found, Response):
            return None if path == "/healthz" else found
        principal = found
    elif "k" in session:
        try:
            principal = _session_principal(database, settings.session_idle_minutes * 60)
        except SQLAlchemyError:
            # Database down: the signed, unexpired session still says who this is, so the wall
            # keeps showing its last good values (nobody can be disabled during an outage).
            principal = _outage_principal()
    g.ops_principal = principal
    if path == "/healthz":
        return None
    if principal is None:
        if _wants_json(path):
            return _deny(401, "authentication required")
        return _login_redirect()

    method = request.method
    if principal.kind == "agency":
        if path in AGENCY_PATHS and method == "POST":
            return None
        return _deny(403, "agency tokens may only submit data")
    if path.startswith(ADMIN_PREFIXES) and principal.role != "admin":
        return _deny(403, "administrators only")
    if method not in READ_METHODS:
        if principal.read_only and path not in (CALLBACK_PATH, "/logout"):
            return _deny(403, "read-only account")
        if path in AGENCY_PATHS and principal.role not in ("staff", "admin"):
            return _deny(403, "submissions need a staff or admin account")
        if principal.via == "session":
            if not _same_origin():
                return _deny(403, "cross-origin request refused")
            presented = request.headers.get(CSRF_HEADER)
            if presented is None and path.startswith(ADMIN_PREFIXES):
                presented = request.form.get("csrf_token")  # the admin console's HTML forms
            if path != "/logout" and not _csrf_ok(presented):
                return _deny(403, "missing or wrong CSRF token")
    if path == CALLBACK_PATH:
        refused = validate_callback(app)
        if refused is not None:
            return refused
    if principal.via == "session" and principal.kind == "user" and _is_activity(path):
        now = int(clock.epoch())
        if now - int(session.get("t", 0)) >= ACTIVITY_GRANULARITY_S:
            session["t"] = now
    return None


def _set_csrf_cookie(response: Response) -> Response:
    """Mirror the session's CSRF token into the cookie dash-renderer sends back as a header."""
    if request.path.startswith(PUBLIC_PREFIXES) or request.path.startswith("/streams/"):
        return response
    token = session.get("csrf") if "k" in session else None
    if token and request.cookies.get(CSRF_COOKIE) != token:
        # Readable by dash-renderer (not HttpOnly): it is the CSRF token, not a credential.
        secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="Strict", path="/",
                            secure=secure)
    elif not token and CSRF_COOKIE in request.cookies:
        response.delete_cookie(CSRF_COOKIE, path="/")
    return response


# --- views ------------------------------------------------------------------------------------

def _login() -> Response:
    next_url = safe_next(request.args.get("next"))
    if request.method == "GET":
        message = ("Phiên làm việc đã hết hạn / Your session expired"
                   if request.args.get("expired") else "")
        return _login_page(message, next_url=next_url)
    if not _csrf_ok(request.form.get("csrf_token")):
        return _login_page("Biểu mẫu đã hết hạn, hãy thử lại / The form expired, try again",
                           status=400, next_url=next_url)
    name = users.norm_name(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")[:1024]
    database = current()
    address = client_address()
    try:
        return _check_login(database, name, password, address, next_url)
    except SQLAlchemyError:
        return _login_page("Hệ thống tạm thời không đăng nhập được / Sign-in is unavailable, "
                           "try again shortly", name=name, status=503, next_url=next_url)


def login_throttled(pair: int, address: int, account: int) -> bool:
    """The throttle policy, from failed sign-ins in the last THROTTLE_WINDOW: `pair` for this
    account from this address, `address` from this address for any account, `account` for this
    account from anywhere (pair and account count only since the account's last success).

    An address that keeps failing is stopped (per account, and across accounts); a stranger's
    failures never stop the owner at another address. Under a distributed attack on one account
    (ACCOUNT_FAILURES), each address gets its first try only: the owner, whose address has no
    failures, still signs in, while every guessing address is held after one wrong password.
    """
    if pair >= PAIR_FAILURES or address >= ADDRESS_FAILURES:
        return True
    return account >= ACCOUNT_FAILURES and pair > 0


def _throttled(database: Database, name: str, address: str) -> bool:
    window = THROTTLE_WINDOW
    return login_throttled(
        pair=throttle.failures(database, actor=name, address=address, window=window),
        address=throttle.failures(database, address=address, window=window),
        account=throttle.failures(database, actor=name, window=window))


def _check_login(database: Database, name: str, password: str, address: str,
                 next_url: str) -> Response:
    if _throttled(database, name, address):
        audit.record(database, "login_throttled", name, "", address)
        response = _login_page("Quá nhiều lần đăng nhập sai, hãy thử lại sau 15 phút / "
                               "Too many failed sign-ins, try again in 15 minutes",
                               name=name, status=429, next_url=next_url)
        response.headers["Retry-After"] = str(int(THROTTLE_WINDOW.total_seconds()))
        return response
    info = users.verify(database, name, password)
    if info is None:
        audit.record(database, "login_failed", name, "", address)
        throttle.failed(name, address, window=THROTTLE_WINDOW)
        return _login_page("Sai tên đăng nhập hoặc mật khẩu / Wrong user name or password",
                           name=name, status=401, next_url=next_url)
    _start_session("user", info.id, info.role, info.name)
    session["pw"] = info.password_stamp  # a password reset ends this session
    audit.record(database, "login", info.name, f"role={info.role}", address)
    throttle.succeeded(info.name, address)
    return redirect(next_url, code=303)


def _logout() -> Response:
    principal = current_principal()
    if request.method == "GET":
        return _logout_page()
    if not _csrf_ok(request.form.get("csrf_token") or request.headers.get(CSRF_HEADER)):
        return _deny(403, "missing or wrong CSRF token")
    sid = session.get("sid")
    if isinstance(sid, str):
        # Until the cookie could have expired anyway: 12 hours for people, a display's lifetime.
        lifetime = (current_app.permanent_session_lifetime.total_seconds()
                    if session.get("k") == "display" else SESSION_MAX_AGE_S)
        issued = session.get("iat") if isinstance(session.get("iat"), int) else clock.epoch()
        expires = clock.utc_now() + timedelta(seconds=max(0.0, issued + lifetime - clock.epoch()))
        try:
            sessions.revoke(current(), sid, expires)
        except SQLAlchemyError:
            return _deny(503, "sign-out cannot be recorded now (database unavailable); "
                              "try again shortly")
    if principal is not None:
        audit.record(current(), "logout", principal.actor, "", client_address())
    session.clear()
    response = redirect("/login", code=303)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _display(token: str) -> Response:
    database = current()
    found = tokens.check_display(database, token, address=client_address())
    if not found.ok or found.id is None:
        abort(404, "Liên kết màn hình không hợp lệ hoặc đã bị thu hồi / "
                   "Unknown or revoked display link")
    _start_session("display", found.id)
    audit.record(database, "login", f"display:{found.id}", f"display session {found.name}",
                 client_address())
    response = redirect("/?kiosk=1", code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- wiring -----------------------------------------------------------------------------------

def bootstrap_admin(database: Database) -> None:
    """The embedded default's first start: create 'admin' and print its one-time password."""
    password = users.bootstrap_admin(database)
    if password is not None:
        # Printed, not logged (as notebook servers do), and only on this very first start.
        print("\n  First start: an administrator account was created.\n"
              f"    user:     admin\n    password: {password}\n"
              "  It is shown only this once and stored only as a hash; add accounts with\n"
              "  `python -m data user add NAME --role staff --password-stdin`.\n",
              file=sys.stdout, flush=True)


def init_app(app: dash.Dash, settings: Settings) -> None:
    """Secret key, session cookie, the guard and the views (tables: app.prepare_database)."""
    server = app.server
    server.secret_key = resolve_secret_key(settings)
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME="ops_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=400),  # displays; people: browser session
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    # After Dash's own one-time setup hooks (they register the pages' callbacks, which the
    # callback validator looks up); nothing of a refused request reaches a view.
    server.before_request(lambda: _guard(app, settings))
    server.after_request(_set_csrf_cookie)
    server.add_url_rule("/login", "ops_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "ops_logout", _logout, methods=["GET", "POST"])
    server.add_url_rule("/display/<path:token>", "ops_display", _display, methods=["GET"])
