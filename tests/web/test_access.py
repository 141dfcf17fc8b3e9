"""Who may do what: the access matrix, revocation, throttling, idle timeout, first start, CLI."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from accounts import audit, tokens, users
from accounts.models import AuditEvent, User
from data.__main__ import main
from reporting.models import Indicator
from settings import from_env
from tests.conftest import csrf_header, login
from web.access import sessions, throttle

ROLES = ("admin", "staff", "leader", "display", "display-bearer", "agency", "anonymous")
READERS = {"admin", "staff", "leader", "display", "display-bearer"}
PAGES = ("/", "/indicators", "/indicators/CPI_YOY", "/savings", "/reporting", "/cameras")
LANG_CALLBACK = {"output": "lang.data", "outputs": {"id": "lang", "property": "data"},
                 "inputs": [{"id": "lang-switch", "property": "n_clicks", "value": 1}],
                 "state": [{"id": "lang", "property": "data", "value": "vi"}],
                 "changedPropIds": ["lang-switch.n_clicks"]}
CSV = "indicator,region,period,value,note\nIIP,VN,2026-09,7.5,\n"


def _expect(role: str, allowed: set[str], status_ok: tuple[int, ...], response,
            anonymous: int = 401) -> None:
    code = response.status_code
    if role == "anonymous":
        assert code == anonymous, (role, code)
    elif role in allowed:
        assert code in status_ok, (role, code, response.get_data(as_text=True)[:200])
    else:
        assert code == 403, (role, code)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client_for, role: str) -> None:
    client = client_for(role)
    for path in PAGES:
        r = client.get(path)
        _expect(role, READERS, (200,), r, anonymous=302)
        if role == "anonymous":
            assert r.headers["Location"].startswith("/login?next=")
    for path in ("/_dash-layout", "/_dash-dependencies", "/api/v1/indicators",
                 "/api/v1/indicators/IIP/observations?region=VN"):
        _expect(role, READERS, (200,), client.get(path))
    r = client.post("/_dash-update-component", json=LANG_CALLBACK, headers=csrf_header(client))
    _expect(role, READERS, (200,), r)
    # Streams: the relay is off here (503) but the guard answers first.
    for path in ("/streams/status", "/streams/hoa-binh.jpg", "/streams/mosaic.mjpg"):
        _expect(role, READERS, (503,), client.get(path))
    # Submissions: staff and admin for ?agency=, agency tokens for their own agency.
    r = client.post("/api/v1/submissions?agency=BTC", data=CSV, content_type="text/csv",
                    headers=csrf_header(client))
    _expect(role, {"admin", "staff", "agency"}, (200,), r)
    # Admin area: admin only (no admin page yet: Dash's in-page "not found" for the admin).
    _expect(role, {"admin"}, (200, 404), client.get("/admin/users"), anonymous=302)
    # Anonymous health is the status only; signed-in readers get the whole document.
    health = client.get("/healthz").get_json()
    assert (set(health) == {"status"}) == (role not in READERS)


def test_public_paths_need_no_login(web_app) -> None:
    client = web_app.server.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/assets/00-theme.css").status_code == 200
    assert client.get("/_favicon.ico").status_code == 200
    js = re.search(r'src="(/_dash-component-suites/[^"]+)"', _index(web_app)).group(1)
    assert client.get(js).status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}


def _index(web_app) -> str:
    client = web_app.server.test_client()
    login(client, "leader")
    return client.get("/").get_data(as_text=True)


def test_read_only_roles_cannot_write(client_for) -> None:
    for role in ("leader", "display"):
        client = client_for(role)
        for method in ("post", "put", "delete", "patch"):
            r = getattr(client, method)("/api/v1/indicators", headers=csrf_header(client))
            assert r.status_code == 403, (role, method)
        assert client.post("/reporting", headers=csrf_header(client)).status_code == 403


def test_callbacks_need_csrf_and_same_origin(client_for) -> None:
    client = client_for("staff")
    assert client.post("/_dash-update-component", json=LANG_CALLBACK).status_code == 403
    r = client.post("/_dash-update-component", json=LANG_CALLBACK,
                    headers={**csrf_header(client), "Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/_dash-update-component", json=LANG_CALLBACK,
                    headers={**csrf_header(client), "Origin": "http://localhost"})
    assert r.status_code == 200
    # Bearer callers carry no ambient credentials: no CSRF token needed.
    bearer = client_for("display-bearer")
    assert bearer.post("/_dash-update-component", json=LANG_CALLBACK).status_code == 200


def test_login_next_is_same_site_only(web_app) -> None:
    for target, landed in (("/savings?kiosk=1", "/savings?kiosk=1"), ("//evil.example/x", "/"),
                           ("https://evil.example/", "/"), ("/\\evil.example", "/"),
                           ("javascript:alert(1)", "/")):
        client = web_app.server.test_client()
        users.add(web_app.server.extensions["ops_db"], f"n{abs(hash(target)) % 10**8}", "staff",
                  "correct horse battery")
        page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = client.post("/login", query_string={"next": target},
                        data={"csrf_token": csrf, "password": "correct horse battery",
                              "username": f"n{abs(hash(target)) % 10**8}"})
        assert r.status_code == 303 and r.headers["Location"] == landed


def test_login_form_needs_csrf_and_escapes_input(web_app) -> None:
    client = web_app.server.test_client()
    client.get("/login")
    r = client.post("/login", data={"csrf_token": "forged", "username": "x", "password": "y"})
    assert r.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"csrf_token": csrf, "username": '"><script>alert(1)</script>',
                                    "password": "' OR 1=1 --"})
    assert r.status_code == 401
    assert "<script>alert(1)" not in r.get_data(as_text=True)


def test_display_and_agency_revocation_takes_effect_at_once(web_app, db, monkeypatch) -> None:
    monkeypatch.delenv("OPS_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPS_DATA_DIR", str(web_app.server.config["OPS_SETTINGS"].data_dir))
    client = web_app.server.test_client()
    token_id, secret = tokens.create_display(db, "wall-revoke")
    assert client.get(f"/display/{secret}").headers["Location"] == "/?kiosk=1"
    assert client.get("/").status_code == 200
    bearer = web_app.server.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert bearer.get("/api/v1/indicators").status_code == 200
    assert main(["token", "revoke", f"d{token_id}"]) == 0  # the CLI, in this process
    assert client.get("/").status_code == 302
    assert bearer.get("/api/v1/indicators").status_code == 401
    assert web_app.server.test_client().get(f"/display/{secret}").status_code == 404

    agency_id, agency_secret = tokens.create(db, "BTC")
    headers = {"Authorization": f"Bearer {agency_secret}"}
    assert client.post("/api/v1/submissions", data=CSV, content_type="text/csv",
                       headers=headers).status_code == 200
    tokens.revoke(db, agency_id)
    assert client.post("/api/v1/submissions", data=CSV, content_type="text/csv",
                       headers=headers).status_code == 403


def test_disabled_user_is_out_at_once(web_app, db) -> None:
    client = web_app.server.test_client()
    name = login(client, "staff")
    assert client.get("/savings").status_code == 200
    users.disable(db, name)
    assert client.get("/savings").status_code == 302
    assert client.get("/api/v1/indicators").status_code == 401


def test_agency_token_submits_only_its_own_indicators(client_for, db) -> None:
    with db.sessions() as s:
        other = s.scalar(select(Indicator.code).where(Indicator.agency_code != "BTC",
                                                      Indicator.by_province.is_(False)))
    client = client_for("agency")
    body = f"indicator,region,period,value,note\nIIP,VN,2026-09,7.5,\n{other},VN,2026-09,1,\n"
    r = client.post("/api/v1/submissions", data=body, content_type="text/csv")
    assert r.status_code == 207
    (rejected,) = r.get_json()["rejected"]
    assert rejected["row"] == 3 and "BTC" in rejected["reason"]
    events = audit.recent(db, 5, kind="submission")
    assert events[0].actor == "agency:BTC" and "agency=BTC" in events[0].detail


def _attempt(client, name: str, password: str):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf_token": csrf, "username": name,
                                       "password": password})


def test_login_throttled_per_account_and_per_address(web_app, db) -> None:
    users.add(db, "throttled", "staff", "correct horse battery")
    client = web_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    for _ in range(throttle.PAIR_FAILURES):
        assert _attempt(client, "throttled", "wrong password").status_code == 401
    r = _attempt(client, "throttled", "correct horse battery")  # even the right one, from there
    assert r.status_code == 429 and r.headers["Retry-After"] == "900"
    owner = web_app.server.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the owner elsewhere is not locked out
    assert _attempt(owner, "throttled", "correct horse battery").status_code == 303

    spray = web_app.server.test_client()
    spray.environ_base["REMOTE_ADDR"] = "10.0.0.3"
    for i in range(throttle.ADDRESS_FAILURES):
        assert _attempt(spray, f"nobody{i}", "wrong password").status_code == 401
    assert _attempt(spray, "nobody-else", "wrong password").status_code == 429
    kinds = {e.kind for e in audit.recent(db, 100)}
    assert {"login_failed", "login_throttled"} <= kinds


def test_idle_timeout_but_not_for_displays_and_polling_is_not_activity(web_app, client_for) -> None:
    client = client_for("staff")
    with client.session_transaction() as s:
        s["t"] = int(time.time()) - 20 * 60
    polled = {**LANG_CALLBACK, "changedPropIds": ["overview-tick.n_intervals"]}
    assert client.post("/_dash-update-component", json=polled,
                       headers=csrf_header(client)).status_code == 200
    with client.session_transaction() as s:
        assert int(time.time()) - s["t"] >= 20 * 60  # an interval tick is not a person
    with client.session_transaction() as s:
        s["t"] = int(time.time()) - 31 * 60
    assert client.post("/_dash-update-component", json=LANG_CALLBACK,
                       headers=csrf_header(client)).status_code == 401
    assert client.get("/savings").status_code == 302

    display = client_for("display")
    with display.session_transaction() as s:
        s["t"] = s["iat"] = int(time.time()) - 30 * 24 * 3600
    assert display.get("/savings").status_code == 200


def test_logout_needs_csrf_and_ends_session(client_for, db) -> None:
    client = client_for("leader")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", headers=csrf_header(client)).status_code == 303
    assert client.get("/").status_code == 302
    assert audit.recent(db, 1)[0].kind == "logout"


def test_first_start_admin_password_printed_once(tmp_path: Path, capsys) -> None:
    from tests.apps import build_app

    settings = from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False, seed_years=1)
    app = build_app(settings)
    out = capsys.readouterr().out
    password = re.search(r"password: (\S+)", out).group(1)
    build_app(settings)
    assert "password" not in capsys.readouterr().out
    client = app.server.test_client()
    r = _attempt(client, "admin", password)
    assert r.status_code == 303
    db = app.server.extensions["ops_db"]
    with db.sessions() as s:
        row = s.scalar(select(User).where(User.name == "admin"))
        assert row.role == "admin" and row.password_hash.startswith("$argon2id$")
        assert password not in row.password_hash
        assert not any(password in (e.detail + e.actor) for e in s.scalars(select(AuditEvent)))
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert app.server.secret_key == key_file.read_text().strip()
    db.dispose()


def test_secret_key_required_outside_the_embedded_default(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="OPS_SECRET_KEY is required"):
        sessions.resolve_secret_key(from_env({}, data_dir=tmp_path, database_url="postgresql://x/y"))
    with pytest.raises(RuntimeError, match="at least 32"):
        sessions.resolve_secret_key(from_env({}, secret_key="short"))
    assert sessions.resolve_secret_key(from_env({}, secret_key="k" * 40)) == "k" * 40


def test_cli_users_and_display_tokens(settings, database, monkeypatch, capsys) -> None:
    monkeypatch.delenv("OPS_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["user", "add", "Lan", "--role", "leader", "--password-stdin"]) == 0
    assert users.verify(database, "lan", "a long enough password").role == "leader"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "minh", "--role", "staff", "--password-stdin"]) == 1
    assert main(["user", "add", "lan", "--role", "staff", "--password-stdin"]) == 1
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "lan" in listing and "leader" in listing and "argon2" not in listing
    assert main(["user", "disable", "lan"]) == 0
    assert users.verify(database, "lan", "a long enough password") is None

    assert main(["token", "create", "--display", "wall-1"]) == 0
    url = capsys.readouterr().out.splitlines()[-1]
    assert url.startswith("/display/opsd_")
    secret = url.removeprefix("/display/")
    assert tokens.check_display(database, secret).name == "wall-1"
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if line.strip().startswith("d1"))
    assert "wall-1" in row and secret not in listing and row.split()[-2] == "-"  # not revoked
    assert main(["token", "revoke", "d1"]) == 0
    assert tokens.check_display(database, secret).reason == "revoked"
    assert main(["token", "revoke", "dx"]) == 1
    kinds = [(e.kind, e.detail.split()[:2]) for e in audit.recent(database, 20)]
    assert ("admin", ["user", "add"]) in kinds and ("admin", ["user", "disable"]) in kinds
    assert ("admin", ["token", "create"]) in kinds and ("admin", ["token", "revoke"]) in kinds


def _failed_login(client, forwarded_for: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"csrf_token": csrf, "username": "nobody", "password": "wrong"},
                    headers={"X-Forwarded-For": forwarded_for})
    assert r.status_code == 401


def test_client_address_behind_a_trusted_proxy_only(web_app, tmp_path) -> None:
    from datetime import timedelta

    from accounts import audit
    from settings import from_env
    from tests.apps import build_app

    window = timedelta(minutes=15)
    # No proxy configured: X-Forwarded-For is the client's own claim and is ignored.
    _failed_login(web_app.server.test_client(), "203.0.113.7")
    assert audit.failures_since(web_app.server.extensions["ops_db"], address="203.0.113.7", window=window) == 0
    # Behind one trusted proxy (nginx), the address it forwards is the one throttled and audited.
    proxied = build_app(from_env({}, data_dir=tmp_path, simulate=False, cameras=False, seed_years=1,
                                  trusted_proxies=1))
    try:
        _failed_login(proxied.server.test_client(), "203.0.113.8")
        database = proxied.server.extensions["ops_db"]
        assert audit.failures_since(database, address="203.0.113.8", window=window) == 1
    finally:
        proxied.server.extensions["ops_db"].dispose()


def test_a_display_token_verified_before_holds_through_a_database_outage(settings) -> None:
    """As a wall signed in through its link keeps its last values, so does one on a bearer token."""
    from tests.apps import build_app
    from tests.helpers import database_down

    app = build_app(settings)
    database = app.server.extensions["ops_db"]
    _, secret = tokens.create_display(database, "wall-outage")
    _, stranger = tokens.create_display(database, "never-seen")
    wall = app.server.test_client()
    wall.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert wall.post("/_dash-update-component", json=LANG_CALLBACK).status_code == 200
    with database_down(app):
        assert wall.post("/_dash-update-component", json=LANG_CALLBACK).status_code == 200
        other = app.server.test_client()
        other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {stranger}"
        assert other.post("/_dash-update-component", json=LANG_CALLBACK).status_code == 503
    database.dispose()


def test_a_tracking_token_verified_before_keeps_its_kind_through_a_database_outage(
        settings) -> None:
    """The verified-bearer memory keeps the tracking token a tracking principal: while the
    database is down it is still refused submissions (403, not let through as an agency)."""
    from tests.apps import build_app
    from tests.helpers import database_down
    from web.access.principal import verified_bearers
    from web.i18n import t

    app = build_app(settings)
    database = app.server.extensions["ops_db"]
    token_id, secret = tokens.create(database, "VPCP", scope=tokens.TASKS, name="outage")
    _, stranger = tokens.create(database, "VPCP", scope=tokens.TASKS, name="never-seen")
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert client.get("/api/v1/tasks/summary").status_code == 200
    remembered = verified_bearers.recall(secret)
    assert remembered is not None and (remembered.kind, remembered.id) == ("tracking", token_id)
    with database_down(app):
        refused = client.post("/api/v1/submissions", data=b"x", content_type="text/csv")
        assert refused.status_code == 403
        assert refused.get_json()["error"] == t("deny.tracking_tasks_only", "en")
        # Let through by the guard; the import itself then finds no database (503, not 401).
        assert client.post("/api/v1/tasks", data=b"x", content_type="text/csv").status_code == 503
        other = app.server.test_client()
        other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {stranger}"
        assert other.post("/api/v1/tasks", data=b"x", content_type="text/csv").status_code == 503
        assert other.post("/api/v1/tasks", data=b"x",
                          content_type="text/csv").get_json()["error"] == t(
                              "deny.db_down_token", "en")
    database.dispose()
