"""Two real gunicorn workers ride out a Redis restart and a PostgreSQL restart with no operator
action: after Redis comes back every worker shares the presenter, the cache and login
throttling through it again; while PostgreSQL is down the wall's callbacks answer 200 with a
"stale since" badge (never a 5xx), and fresh values once it is back."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa

from accounts import tokens, users
from core.db import Database
from data import prepare
from displays import livestate
from tests.helpers import wait_for
from tests.servers import PostgresServer, RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
PASSWORD = "correct horse battery"
pytestmark = [pytest.mark.timeout(240), pytest.mark.serial]  # restarts under load
# The overview's live panel as a wall screen asks for it every 3 s.
LIVE = {"output": "..overview-live.children...overview-alerts.children"
                  "...overview-camera-strip.children..",
        "outputs": [{"id": i, "property": "children"}
                    for i in ("overview-live", "overview-alerts", "overview-camera-strip")],
        "inputs": [{"id": "overview-live-tick", "property": "n_intervals", "value": 1},
                   {"id": "lang", "property": "data", "value": "vi"}],
        "changedPropIds": ["overview-live-tick.n_intervals"], "state": []}


@dataclass
class Stack:
    url: str
    pg: PostgresServer
    redis: RedisServer
    display: str  # a display token: the wall screen opens /display/<token>
    log: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("restarts")
    with PostgresServer() as pg, RedisServer() as cache:
        database = Database(pg.url)
        prepare.init_database(database, empty=True)
        users.add(database, "staff1", "staff", PASSWORD)
        _, display = tokens.create_display(database, "Wall")
        database.dispose()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
        env.update(OPS_DATABASE_URL=pg.url, OPS_CACHE_TYPE="RedisCache", OPS_REDIS_URL=cache.url,
                   OPS_SECRET_KEY="s" * 40, OPS_DATA_DIR=str(folder),
                   OPS_BIND=f"127.0.0.1:{port}", OPS_WEB_WORKERS=str(WORKERS),
                   OPS_WEB_THREADS="4", OPS_SIMULATE="0", OPS_CAMERAS="0")
        log = folder / "gunicorn.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                     "deploy/gunicorn.conf.py", "app:server"],
                                    cwd=ROOT, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: requests.get(url + "/healthz", timeout=2).status_code == 200, 60,
                     "gunicorn answering", ignore=(requests.RequestException,))
            yield Stack(url, pg, cache, display, log)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)


def _login(stack: Stack, name: str, password: str) -> requests.Response:
    page = requests.get(stack.url + "/login", timeout=5)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return requests.post(stack.url + "/login", data={"csrf_token": csrf, "username": name,
                                                     "password": password},
                         cookies=page.cookies, allow_redirects=False, timeout=5)


def _caches(stack: Stack, cookies: requests.cookies.RequestsCookieJar) -> dict[int, object]:
    """Each worker's cache health (a new connection each time: any worker may take it)."""
    seen: dict[int, object] = {}
    for _ in range(60):
        health = requests.get(stack.url + "/healthz", cookies=cookies, timeout=5).json()
        seen[health["worker"]] = health["cache"]
        if len(seen) == WORKERS:
            return seen
    raise AssertionError(f"60 requests reached only {sorted(seen)}")


def _presenters(stack: Stack, cookies: requests.cookies.RequestsCookieJar) -> set[str | None]:
    """The presenter as 20 requests on new connections see it (the kernel spreads them)."""
    found = set()
    for _ in range(20):
        doc = requests.get(stack.url + "/api/v1/displays", cookies=cookies, timeout=5).json()
        found.add(doc["presenter"]["name"] if doc["presenter"] else None)
    return found


def test_a_redis_restart_heals_without_operator_action(stack: Stack) -> None:
    cookies = _login(stack, "staff1", PASSWORD).cookies
    # Another worker presents (the live state in Redis, as a worker writes it).
    other = livestate.LiveState(livestate.RedisBackend(stack.redis.url))
    assert other.start("anna", "Anna", "/indicators", "")[0]
    assert _presenters(stack, cookies) == {"Anna"}
    stack.redis.stop()
    # Down: the workers answer from their own memory, quickly and without errors.
    for _ in range(10):
        assert requests.get(stack.url + "/api/v1/displays", cookies=cookies, timeout=5).ok
    stack.redis.start()  # back on the same port, empty (no persistence), nobody told
    other = livestate.LiveState(livestate.RedisBackend(stack.redis.url))
    assert other.start("binh", "Bình", "/savings", "")[0]
    # Within the fall-back window every worker reads the presenter from Redis again.
    wait_for(lambda: _presenters(stack, cookies) == {"Bình"}, livestate.FALLBACK_SECONDS + 10,
             "both workers following the presenter in Redis again")
    # The cache: every worker writes and reads it again (its health check round-trips a key).
    health = _caches(stack, cookies)
    assert all(c == {"reachable": True, "type": "RedisCache"} for c in health.values()), health
    # Login throttling counts across the workers in the new Redis.
    for _ in range(5):
        assert _login(stack, "staff1", "wrong password").status_code == 401
    assert _login(stack, "staff1", PASSWORD).status_code == 429
    assert redis.Redis.from_url(stack.redis.url).dbsize() > 1  # the workers' keys, not only ours


def _wall_session(stack: Stack) -> dict[str, str]:
    """A wall screen's cookies: it opened its display link (a signed display session)."""
    opened = requests.get(f"{stack.url}/display/{stack.display}", timeout=10)
    assert opened.ok, opened.status_code
    cookies = {c.name: c.value for c in opened.history[0].cookies} if opened.history else {}
    cookies.update({c.name: c.value for c in opened.cookies})
    assert "_csrf_token" in cookies, cookies.keys()
    return cookies


def _live_panel(stack: Stack, outcomes: Counter[str], cookies: dict[str, str]) -> str:
    """The live panel's callback on a new connection (the kernel hands it to either worker)."""
    r = requests.post(stack.url + "/_dash-update-component", json=LIVE, timeout=10,
                      cookies=cookies, headers={"X-CSRFToken": cookies["_csrf_token"]})
    outcomes[str(r.status_code)] += 1
    assert r.status_code == 200, r.text[:300]
    return "stale" if "badge-stale" in r.text else "fresh"


def test_a_postgresql_restart_gives_stale_badges_then_fresh_values_and_no_5xx(
        stack: Stack) -> None:
    outcomes: Counter[str] = Counter()
    wall = _wall_session(stack)
    # Every worker has answered once (its last good values are in the shared cache).
    assert {_live_panel(stack, outcomes, wall) for _ in range(8)} == {"fresh"}
    stack.pg.stop()
    try:
        wait_for(lambda: _live_panel(stack, outcomes, wall) == "stale", 20, "a stale badge while it is down")
        # Down: every answer is a 200 with the last good values and the badge, on any worker.
        seen = Counter(_live_panel(stack, outcomes, wall) for _ in range(12))
        assert seen["stale"] >= 10, seen
    finally:
        stack.pg.start()
    # Back: fresh values by themselves, on every worker (the pools drop the dead connections).
    wait_for(lambda: {_live_panel(stack, outcomes, wall) for _ in range(6)} == {"fresh"}, 30,
             "fresh values on every worker after the restart")
    assert set(outcomes) == {"200"}, outcomes
    said = stack.log.read_text(errors="replace")
    assert not re.findall(r'" 5\d\d ', said), [line for line in said.splitlines()
                                               if re.search(r'" 5\d\d ', line)][:5]


def test_ingests_are_refused_plainly_while_postgresql_is_down(stack: Stack) -> None:
    """An agency's upload during the outage gets a plain 503; the same upload is stored after."""
    database = Database(stack.pg.url)
    _, token = tokens.create(database, "BTC")
    with database.engine.connect() as conn:  # a monthly indicator the agency reports
        code = conn.execute(sa.text(
            "SELECT code FROM indicator WHERE agency_code = 'BTC' AND frequency = 'monthly'"
            " ORDER BY code LIMIT 1")).scalar_one()
    database.dispose()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    body = f"indicator,region,period,value\n{code},VN,2025-03,101.5\n".encode()
    stack.pg.stop()
    try:
        down = requests.post(stack.url + "/api/v1/submissions", data=body, headers=headers,
                             timeout=10)
    finally:
        stack.pg.start()
    # 503 and why (the token cannot be checked, or nothing was stored): the client sends again.
    assert down.status_code == 503 and "database unavailable" in down.json()["error"]
    answers: list[str] = []

    def send() -> requests.Response | None:
        r = requests.post(stack.url + "/api/v1/submissions", data=body, headers=headers, timeout=10)
        answers.append(f"{r.status_code} {r.text[:400]}")
        return r if r.ok else None

    try:
        stored = wait_for(send, 30, "the same upload stored once PostgreSQL is back")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {answers[:3]} ... {answers[-3:]}") from None
    assert len(answers) < 5, answers
    assert stored.json()["submission_id"]

