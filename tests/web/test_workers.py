"""Four real gunicorn workers (deploy/gunicorn.conf.py) on PostgreSQL and Redis behave as one
process: sessions, CSRF, login throttling and token revocation; workers seed, simulate and
capture nothing; a display's re-check costs no database query per viewer or worker; a wall
callback's answer is computed once for every worker (the render cache)."""
from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from accounts import tokens, users
from core.db import Database
from data import prepare
from tests.helpers import wait_for
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
PASSWORD = "correct horse battery"
pytestmark = [pytest.mark.timeout(240), pytest.mark.serial]  # several gunicorn workers; times revocation


@dataclass
class Stack:
    url: str
    database_url: str
    log: Path


def _fresh_database(server_url: str) -> str:
    """A database of this module's own on the session's PostgreSQL server."""
    name = f"ops_workers_{secrets.token_hex(4)}"
    admin = server_url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def stack(postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("workers-var")
    database_url = _fresh_database(postgres_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(OPS_DATABASE_URL=database_url, OPS_CACHE_TYPE="RedisCache",
               OPS_REDIS_URL=redis_url.rsplit("/", 1)[0] + "/7", OPS_SECRET_KEY="s" * 40,
               OPS_DATA_DIR=str(data_dir), OPS_BIND=f"127.0.0.1:{port}",
               OPS_WEB_WORKERS=str(WORKERS), OPS_WEB_THREADS="4", OPS_SIMULATE="1",
               OPS_CAMERAS="1")
    database = Database(database_url)  # the CLI's step (reference data only); workers never seed
    prepare.init_database(database, empty=True)
    users.add(database, "staff1", "staff", PASSWORD)
    users.add(database, "victim", "staff", PASSWORD)
    database.dispose()
    log = data_dir / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                 "app:server"], cwd=ROOT, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(url + "/healthz", timeout=2).status_code == 200, 60,
                 "gunicorn did not answer /healthz", ignore=(requests.RequestException,))
        yield Stack(url, database_url, log)
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        proc.wait(30)


def _login(stack: Stack, name: str = "staff1", password: str = PASSWORD) -> requests.Response:
    """Sign in through the form, the GET and the POST on different connections."""
    page = requests.get(stack.url + "/login", timeout=5)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return requests.post(stack.url + "/login", data={"csrf_token": csrf, "username": name,
                                                     "password": password},
                         cookies=page.cookies, allow_redirects=False, timeout=5)


def test_sessions_and_csrf_hold_across_workers(stack: Stack) -> None:
    signed_in = _login(stack)
    assert signed_in.status_code == 303
    cookies = signed_in.cookies
    seen = set()
    for _ in range(40):  # a new connection each time: the kernel hands them to any worker
        doc = requests.get(stack.url + "/healthz", cookies=cookies, timeout=5).json()
        assert doc["status"] == "ok" and "worker" in doc, doc  # signed in on every worker
        seen.add(doc["worker"])
        assert doc["simulator"]["running"] is False  # workers never simulate
    assert len(seen) >= 2, seen
    csrf = cookies["_csrf_token"]
    for _ in range(12):
        good = requests.post(stack.url + "/_dash-update-component", json={"output": "x.y"},
                             headers={"X-CSRFToken": csrf}, cookies=cookies, timeout=5)
        assert good.status_code == 400 and good.json()["error"] == "unknown callback"  # past CSRF
        bad = requests.post(stack.url + "/_dash-update-component", json={"output": "x.y"},
                            headers={"X-CSRFToken": "forged"}, cookies=cookies, timeout=5)
        assert bad.status_code == 403


def test_login_throttling_counts_across_workers(stack: Stack) -> None:
    for _ in range(5):
        assert _login(stack, "victim", "wrong password").status_code == 401
    throttled = _login(stack, "victim", PASSWORD)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"]


def test_workers_refuse_the_in_process_relay_and_say_so_once(stack: Stack) -> None:
    cookies = _login(stack).cookies
    for _ in range(8):
        r = requests.get(stack.url + "/streams/status", cookies=cookies, timeout=5)
        assert r.status_code == 503 and "OPS_RELAY_URL" in r.json()["error"]
    said = stack.log.read_text().count("in-process camera relay refused")
    assert said == 1, stack.log.read_text()[-2000:]


class Xacts:
    """Committed transactions of the app's database (pg_stat_database), read on one connection."""

    def __init__(self, database_url: str) -> None:
        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.name = plain.rsplit("/", 1)[1]
        self.conn = psycopg.connect(plain.rsplit("/", 1)[0] + "/postgres", autocommit=True)

    def read(self) -> int:
        return self.conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s",
                                 (self.name,)).fetchone()[0]

    def settled(self) -> int:
        """The count once every backend has flushed: PostgreSQL 15 backends flush statistics
        at most once a second, and an idle one may hold them up to 10 s; wait until the count
        has not moved for that long."""
        last, since = self.read(), time.monotonic()
        while time.monotonic() - since < 10.5:
            time.sleep(0.5)
            now = self.read()
            if now != last:
                last, since = now, time.monotonic()
        return last


def test_display_revocation_reaches_every_worker_within_5s_and_costs_no_query_per_viewer(
        stack: Stack) -> None:
    database = Database(stack.database_url)
    screens = []
    for n in range(12):
        token_id, secret = tokens.create_display(database, f"bridge-{n}")
        opened = requests.get(f"{stack.url}/display/{secret}", allow_redirects=False, timeout=5)
        assert opened.status_code == 303
        screens.append((token_id, opened.cookies))
    for _, cookies in screens:  # every screen known to the shared table
        assert requests.get(stack.url + "/", cookies=cookies, timeout=5).status_code == 200
    xacts = Xacts(stack.database_url)
    before = xacts.settled()
    started = time.monotonic()
    for _ in range(5):
        for _, cookies in screens:
            assert requests.get(stack.url + "/", cookies=cookies, timeout=5).status_code == 200
    took = time.monotonic() - started
    spent = xacts.settled() - before
    # 60 checks of 12 screens over 4 workers: a few reads of the shared table (one per 3 s
    # window, plus a new pooled connection's setup), never one per screen and worker (48).
    assert spent <= 6 + int(took / tokens.ACTIVE_TTL_S) * 2, (spent, took)

    xacts.conn.close()
    token_id, cookies = screens[0]
    tokens.revoke_display(database, token_id)  # from another process, as the CLI would
    revoked_at = time.monotonic()

    def refused_everywhere() -> bool:
        return all(requests.get(stack.url + "/", cookies=cookies, allow_redirects=False,
                                timeout=5).status_code == 302 for _ in range(12))

    wait_for(refused_everywhere, 5.0, "a revoked display was still served after 5 s",
             ignore=(requests.RequestException,))
    assert time.monotonic() - revoked_at < 5.0
    assert requests.get(stack.url + "/", cookies=screens[1][1], timeout=5).status_code == 200
    database.dispose()


FACTS = ("..overview-savings.children...overview-coverage.children...overview-portal.children"
         "...overview-ticker.data..")


def _wall_body(output: str, outputs: Any, tick: int) -> dict[str, Any]:
    return {"output": output, "outputs": outputs,
            "inputs": [{"id": "overview-slow-tick", "property": "n_intervals", "value": tick},
                       {"id": "lang", "property": "data", "value": "vi"}],
            "state": [], "changedPropIds": ["overview-slow-tick.n_intervals"]}


def test_a_wall_answer_is_computed_once_across_workers(stack: Stack) -> None:
    database = Database(stack.database_url)
    _, secret = tokens.create_display(database, "wall-render")
    database.dispose()
    calls = [("overview-tiles.children", {"id": "overview-tiles", "property": "children"}),
             (FACTS, [{"id": i, "property": p} for i, p in (
                 ("overview-savings", "children"), ("overview-coverage", "children"),
                 ("overview-portal", "children"), ("overview-ticker", "data"))])]
    for output, outputs in calls:
        def ask(tick: int, output: str = output, outputs: Any = outputs) -> tuple[float, float, Any]:
            started = time.time()
            r = requests.post(stack.url + "/_dash-update-component",  # a new connection each
                              json=_wall_body(output, outputs, tick), timeout=10,
                              headers={"Authorization": f"Bearer {secret}"})
            return started, time.time(), r

        with ThreadPoolExecutor(max_workers=16) as pool:  # viewers at once, on every worker
            answers = list(pool.map(ask, range(48)))
        failed = [(r.status_code, r.text[:200]) for _, _, r in answers if r.status_code != 200]
        assert not failed, failed
        assert len({r.content for _, _, r in answers}) <= 2  # one answer a window
        computed = [round(b - a, 2) for a, b, r in answers if r.headers["X-Render-Cache"] == "miss"]
        # The slow callbacks' window is 60 s: one computation for all 48 viewers and 4 workers
        # (two if the requests straddled a window's end).
        windows = {int(t // 60) for a, b, _ in answers for t in (a, b)}
        assert computed and len(computed) <= len(windows), (computed, windows)
