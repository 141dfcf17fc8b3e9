"""The admin console through its own forms: every action with CSRF, admin only, and its audit row."""
from __future__ import annotations

import getpass
import re
import subprocess
import sys

import pytest

from accounts import audit, tokens, users


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _secret(page: str) -> str:
    return re.search(r'<span class="secret" id="admin-secret">([^<]+)</span>', page).group(1)


def _last_admin_event(db, actor: str) -> audit.AuditInfo:
    return audit.search(db, actor=actor, action="admin").rows[0]


@pytest.fixture
def admin(client_for):
    client = client_for("admin")
    name = next(u.name for u in reversed(users.list_users(client.application.extensions["ops_db"]))
                if u.role == "admin")
    return client, name


def test_every_action_through_the_page_leaves_an_audit_row(admin, db, web_app) -> None:
    client, me = admin
    page = client.get("/admin")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'href="/admin/displays"' in html and 'id="admin-users"' in html
    token = _csrf(html)

    # Add an account: the generated password is shown once and signs in.
    got = client.post("/admin/users", data={"csrf_token": token, "name": "Op-Tuan", "role": "staff"})
    assert got.status_code == 200
    password = _secret(got.get_data(as_text=True))
    assert users.verify(db, "op-tuan", password) is not None
    event = _last_admin_event(db, me)
    assert event.detail == "user add op-tuan role=staff" and event.address == "127.0.0.1"
    assert password not in event.detail

    # Change the role.
    client.post("/admin/users/op-tuan/role", data={"csrf_token": token, "role": "leader"})
    assert next(u for u in users.list_users(db) if u.name == "op-tuan").role == "leader"
    assert _last_admin_event(db, me).detail == "user role op-tuan staff->leader"

    # Reset the password: a new one, shown once; the old one no longer works.
    got = client.post("/admin/users/op-tuan/reset", data={"csrf_token": token})
    fresh = _secret(got.get_data(as_text=True))
    assert fresh != password and users.verify(db, "op-tuan", fresh) is not None
    assert users.verify(db, "op-tuan", password) is None
    assert _last_admin_event(db, me).detail == "user reset-password op-tuan"

    # Disable, then enable.
    client.post("/admin/users/op-tuan/disable", data={"csrf_token": token})
    assert users.verify(db, "op-tuan", fresh) is None
    assert _last_admin_event(db, me).detail == "user disable op-tuan"
    client.post("/admin/users/op-tuan/enable", data={"csrf_token": token})
    assert users.verify(db, "op-tuan", fresh) is not None
    assert _last_admin_event(db, me).detail == "user enable op-tuan"

    # An agency token: shown once, listed with its last use, then revoked.
    got = client.post("/admin/tokens", data={"csrf_token": token, "agency": "BTC"})
    secret = _secret(got.get_data(as_text=True))
    assert tokens.check(db, secret).agency == "BTC"
    token_id = max(t.id for t in tokens.list_tokens(db))
    listed = client.get("/admin").get_data(as_text=True)
    row = re.search(rf'<tr class="" id="token-{token_id}">(.*?)</tr>', listed).group(1)
    assert "BTC" in row and row.count("/20") == 2  # created and last used, both dated
    assert secret not in listed
    assert _last_admin_event(db, me).detail == f"token create {token_id} agency=BTC"
    client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert tokens.check(db, secret).reason == "revoked"
    assert _last_admin_event(db, me).detail == f"token revoke {token_id} agency=BTC"


def test_refusals_are_shown_not_raised(admin, db) -> None:
    client, me = admin
    token = _csrf(client.get("/admin").get_data(as_text=True))
    got = client.post("/admin/users", data={"csrf_token": token, "name": "bad name!", "role": "staff"})
    assert got.status_code == 400 and "user name" in got.get_data(as_text=True)
    got = client.post("/admin/users/nobody-here/disable", data={"csrf_token": token})
    assert got.status_code == 400 and "no user" in got.get_data(as_text=True)
    got = client.post("/admin/tokens", data={"csrf_token": token, "agency": "NOPE"})
    assert got.status_code == 400 and "unknown agency" in got.get_data(as_text=True)


def test_the_last_admin_cannot_lock_everyone_out(tmp_path) -> None:
    from core.db import Database
    from data.schema import metadata

    db = Database(f"sqlite:///{tmp_path / 'a.sqlite'}")
    metadata.create_all(db.engine)  # only the tables; no seed, no other accounts
    users.add(db, "root", "admin", "x" * 12)
    with pytest.raises(users.UserError, match="last active administrator"):
        users.disable(db, "root")
    with pytest.raises(users.UserError, match="last active administrator"):
        users.set_role(db, "root", "staff")
    users.add(db, "second", "admin", "x" * 12)
    assert users.set_role(db, "root", "staff").role == "staff"


def test_without_csrf_nothing_happens(admin, db) -> None:
    client, _ = admin
    before = len(users.list_users(db))
    for body in ({"name": "no-csrf", "role": "staff"},
                 {"name": "no-csrf", "role": "staff", "csrf_token": "forged" * 8}):
        assert client.post("/admin/users", data=body).status_code == 403
    assert len(users.list_users(db)) == before


@pytest.mark.parametrize("role", ["staff", "leader", "display", "anonymous"])
def test_only_admins(client_for, db, role: str) -> None:
    client = client_for(role)
    users.add(db, f"victim-{role}", "staff", "y" * 12)
    for path in ("/admin", "/admin/audit"):
        assert client.get(path).status_code in (302, 303, 401, 403)
    got = client.post(f"/admin/users/victim-{role}/disable", data={"csrf_token": "x"})
    assert got.status_code in (302, 303, 401, 403)
    assert next(u for u in users.list_users(db) if u.name == f"victim-{role}").active


def test_audit_log_filters_newest_first_and_pages(admin, db) -> None:
    client, me = admin
    token = _csrf(client.get("/admin").get_data(as_text=True))
    for _ in range(55):
        client.post("/admin/tokens", data={"csrf_token": token, "agency": "BTC"})
    html = client.get(f"/admin/audit?actor={me}&action=token+create").get_data(as_text=True)
    ids = [int(x) for x in re.findall(r"token create (\d+) agency=BTC", html)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)  # newest first, 50 a page
    assert "Trang 1/2" in html and 'id="audit-older"' in html
    older = re.search(r'id="audit-older" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    page2 = client.get(older).get_data(as_text=True)
    rest = [int(x) for x in re.findall(r"token create (\d+) agency=BTC", page2)]
    assert len(rest) >= 5 and max(rest) < min(ids)
    # Date filter: nothing before today's events when the range ends yesterday.
    empty = client.get(f"/admin/audit?actor={me}&to=2000-01-01").get_data(as_text=True)
    assert "· 0 sự kiện" in empty
    # Filtering by a login kind finds the admin's own sign-in.
    assert f"<td>{me}</td><td>login</td>" in client.get(
        f"/admin/audit?action=login&actor={me}").get_data(as_text=True)


def test_cli_does_the_same(web_app, db, tmp_path) -> None:
    url = db.url if hasattr(db, "url") else None
    env = {"OPS_DATABASE_URL": str(url), "PATH": "/usr/bin:/bin"}
    users.add(db, "cli-person", "staff", "z" * 12)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "data", *args], capture_output=True,
                              text=True, env=env, timeout=60)

    assert run("user", "role", "cli-person", "leader").returncode == 0
    reset = run("user", "reset-password", "cli-person")
    assert reset.returncode == 0
    assert users.verify(db, "cli-person", reset.stdout.rsplit(" ", 1)[1].strip()) is not None
    assert run("user", "disable", "cli-person").returncode == 0
    assert run("user", "enable", "cli-person").returncode == 0
    # The actor is the operating-system user who ran the command.
    listed = run("audit", "--actor", f"cli:{getpass.getuser()}", "--action", "user role")
    assert listed.returncode == 0 and "user role cli-person staff->leader" in listed.stdout
    assert run("audit", "--action", "nonsense").returncode == 1


def test_a_password_reset_ends_the_accounts_open_sessions(admin, client_for, db, web_app) -> None:
    from tests.conftest import login

    client, _ = admin
    victim = web_app.server.test_client()
    name = login(victim, "staff")
    assert victim.get("/api/v1/indicators").status_code == 200
    token = _csrf(client.get("/admin").get_data(as_text=True))
    client.post(f"/admin/users/{name}/reset", data={"csrf_token": token})
    assert victim.get("/api/v1/indicators").status_code == 401
    assert client.get("/admin").status_code == 200  # the admin's own session is untouched


def test_a_leader_opening_admin_in_a_browser_gets_a_page_saying_why(client_for) -> None:
    from web.i18n import t

    leader = client_for("leader")
    page = leader.get("/admin", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 403 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert t("deny.admin_only", "vi") in html and t("err.403", "vi") in html
    assert t("deny.admin_only", "en") not in html  # one language at a time
    leader.set_cookie("ops_lang", "en")
    html = leader.get("/admin/audit", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "administrators only" in html and t("deny.admin_only", "vi") not in html
    # An API client asking for JSON still gets JSON.
    answer = leader.get("/admin", headers={"Accept": "application/json"})
    assert answer.status_code == 403 and answer.get_json() == {"error": "administrators only"}


def test_full_name_and_unit_from_the_console_and_in_the_audit_log(admin, db) -> None:
    client, me = admin
    token = _csrf(client.get("/admin").get_data(as_text=True))
    got = client.post("/admin/users", data={"csrf_token": token, "name": "op-hoa", "role": "staff",
                                            "full_name": "Lê Thị Hoa", "unit": "Vụ Tổng hợp"})
    assert got.status_code == 200
    assert next(u for u in users.list_users(db) if u.name == "op-hoa").label == \
        "Lê Thị Hoa, Vụ Tổng hợp"
    client.post("/admin/users/op-hoa/person", data={"csrf_token": token,
                                                   "full_name": "Lê Thị Hoa", "unit": "Cục KSTTHC"})
    assert _last_admin_event(db, me).detail == "user person op-hoa"
    refused = client.post("/admin/users/op-hoa/person", data={"csrf_token": token,
                                                             "full_name": "a\x01", "unit": ""})
    assert refused.status_code == 400
    users.set_person(db, me, "Phạm Minh Quân", "Văn phòng Chính phủ")
    log = client.get(f"/admin/audit?actor={me}").get_data(as_text=True)
    assert "Phạm Minh Quân, Văn phòng Chính phủ" in log


def test_the_tracking_systems_token_is_named_on_the_console(admin, db) -> None:
    token_id, _ = tokens.create(db, "VPCP", scope=tokens.TASKS, name="vpcp-tracking")
    plain_id, _ = tokens.create(db, "BTC")
    client, _ = admin
    page = client.get("/admin").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*id="token-{token_id}".*?</tr>', page, re.S).group(0)
    assert "Hệ thống theo dõi nhiệm vụ" in row and "vpcp-tracking" in row
    plain = re.search(rf'<tr[^>]*id="token-{plain_id}".*?</tr>', page, re.S).group(0)
    assert "Hệ thống theo dõi nhiệm vụ" not in plain
