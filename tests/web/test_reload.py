"""A deploy's graceful reload (SIGHUP to gunicorn's master, as `systemctl reload ops-web` sends)
under load from page loads and agency ingests: every worker is replaced, and no request gets a
5xx or a refused connection, and no acknowledged submission is lost."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import psutil
import pytest
import requests
from sqlalchemy import select

from accounts import tokens
from core.db import Database
from data import prepare
from reporting.models import Submission
from tests.helpers import wait_for
from tests.servers import free_port
from tests.web.test_first_requests import _page_scripts

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
pytestmark = [pytest.mark.timeout(300), pytest.mark.serial]  # a reload under load


class Load:
    """Reader threads fetching the page's scripts and /healthz, writer threads posting new
    values as an agency; each request on a connection of its own (a browser's new page)."""

    def __init__(self, url: str, scripts: list[str], token: str) -> None:
        self.url, self.scripts, self.token = url, scripts, token
        self.outcomes: Counter[str] = Counter()
        self.acked: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(n,)) for n in range(6)]
        self._threads += [threading.Thread(target=self._write, args=(n,)) for n in range(2)]

    def _count(self, outcome: str) -> None:
        with self._lock:
            self.outcomes[outcome] += 1

    def _read(self, n: int) -> None:
        paths = [*self.scripts, "/healthz"]
        while not self._stop.is_set():
            n += 1
            try:
                status = requests.get(self.url + paths[n % len(paths)], timeout=30).status_code
                self._count(str(status))
            except requests.RequestException as exc:
                self._count(type(exc).__name__)

    def _write(self, worker: int) -> None:
        n = 0
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "text/csv"}
        while not self._stop.is_set():
            n += 1
            body = f"indicator,region,period,value\nIIP,VN,2025-{n % 12 + 1:02d},{worker + 1 + n / 1000}\n"
            try:
                answer = requests.post(self.url + "/api/v1/submissions", data=body.encode(),
                                       headers=headers, timeout=30)
            except requests.RequestException as exc:
                self._count(type(exc).__name__)
                continue
            self._count(str(answer.status_code))
            if answer.status_code == 200:
                with self._lock:
                    self.acked.append(answer.json()["submission_id"])

    def total(self) -> int:
        with self._lock:
            return sum(self.outcomes.values())

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def test_a_graceful_reload_under_load_loses_nothing(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    database = Database(database_url)
    prepare.init_database(database, empty=True)
    _, token = tokens.create(database, "BTC")
    scripts = _page_scripts(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(OPS_DATABASE_URL=database_url, OPS_SECRET_KEY="s" * 40, OPS_DATA_DIR=str(tmp_path),
               OPS_BIND=f"127.0.0.1:{port}", OPS_WEB_WORKERS=str(WORKERS), OPS_WEB_THREADS="8",
               OPS_SIMULATE="0", OPS_CAMERAS="0")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                 "app:server"], cwd=ROOT, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    master = psutil.Process(proc.pid)
    try:
        wait_for(lambda: requests.get(url + "/healthz", timeout=2).status_code == 200, 60,
                 "gunicorn answering", ignore=(requests.RequestException,))
        old = {p.pid for p in master.children()}
        assert len(old) == WORKERS
        with Load(url, scripts, token) as load:
            wait_for(lambda: load.total() >= 100, 60, "load running")
            proc.send_signal(signal.SIGHUP)  # what ExecReload sends on a deploy

            def replaced() -> bool:
                now = {p.pid for p in master.children()}
                return len(now) == WORKERS and not now & old

            wait_for(replaced, 90, "every worker replaced")
            served = load.total()
            wait_for(lambda: load.total() >= served + 200, 60, "the new workers serving")
        said = log.read_text(errors="replace")
        errors = [line for line in said.splitlines() if re.search(r'" 5\d\d ', line)]
        assert set(load.outcomes) <= {"200"}, (load.outcomes, errors[:10])
        assert len(load.acked) > 10
        with database.sessions() as s:
            stored = set(s.scalars(select(Submission.id).where(Submission.channel == "api")))
        assert set(load.acked) <= stored
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        database.dispose()
