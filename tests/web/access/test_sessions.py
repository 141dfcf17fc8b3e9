"""Sessions end on the server at logout; throttling slows attackers, never locks the owner out."""
from __future__ import annotations

import re

from accounts import users
from tests.conftest import csrf_header, login
from web.access import throttle


def _attempt(client, name: str, password: str):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf_token": csrf, "username": name,
                                       "password": password})


def test_a_cookie_copied_before_logout_no_longer_works(web_app) -> None:
    client = web_app.server.test_client()
    login(client, "staff")
    assert client.get("/api/v1/indicators").status_code == 200
    copied = client.get_cookie("ops_session").value
    assert client.post("/logout", headers=csrf_header(client)).status_code == 303
    thief = web_app.server.test_client()
    thief.set_cookie("ops_session", copied)
    assert thief.get("/api/v1/indicators").status_code == 401
    again = web_app.server.test_client()
    login(again, "staff")  # a new sign-in is a new session, unaffected
    assert again.get("/api/v1/indicators").status_code == 200


def test_five_anonymous_wrong_passwords_do_not_lock_the_admin(web_app, db) -> None:
    users.add(db, "chief", "admin", "correct horse battery")
    stranger = web_app.server.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    for _ in range(5):
        assert _attempt(stranger, "chief", "guess").status_code == 401
    owner = web_app.server.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert _attempt(owner, "chief", "correct horse battery").status_code == 303


def test_a_distributed_attack_holds_each_guessing_address_after_one_try(web_app, db) -> None:
    users.add(db, "target", "staff", "correct horse battery")
    for i in range(throttle.ACCOUNT_FAILURES):
        bot = web_app.server.test_client()
        bot.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"
        assert _attempt(bot, "target", "guess").status_code == 401
    bot = web_app.server.test_client()
    bot.environ_base["REMOTE_ADDR"] = "192.0.2.1"  # failed once already: now held
    assert _attempt(bot, "target", "guess").status_code == 429
    owner = web_app.server.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.1.1.2"  # no failures from here: still signs in
    assert _attempt(owner, "target", "correct horse battery").status_code == 303


def test_policy_table() -> None:
    assert not throttle.login_throttled(pair=4, address=4, account=4)
    assert throttle.login_throttled(pair=5, address=5, account=5)
    assert throttle.login_throttled(pair=0, address=20, account=0)
    assert not throttle.login_throttled(pair=0, address=0, account=10_000)
    assert throttle.login_throttled(pair=1, address=1, account=50)
