"""A freshly started gunicorn answers its very first requests: each worker finishes Dash's set-up
(script paths, the pages' router) before it serves, so concurrent first requests for the page's
scripts never meet a half-filled registry (500 `"dash" is registered but the path requested is
not valid`, a blank page after every restart or deploy)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from core.db import Database
from data import prepare
from settings import from_env
from tests.conftest import login
from tests.helpers import wait_for
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS, REQUESTS, STARTS = 4, 8, 64, 3
pytestmark = [pytest.mark.timeout(300), pytest.mark.serial]  # times every worker's first answers


def _page_scripts(data_dir: Path) -> list[str]:
    """The `_dash-component-suites` URLs a signed-in browser's first page asks for."""
    from app import create_app

    app = create_app(from_env({}, data_dir=data_dir, simulate=False, cameras=False))
    try:
        client = app.server.test_client()
        login(client)
        html = client.get("/").get_data(as_text=True)
    finally:
        app.server.extensions["ops_db"].dispose()
    scripts = sorted(set(re.findall(r'src="(/_dash-component-suites/[^"]+)"', html)))
    assert len(scripts) >= 5, html[:2000]
    return scripts


def _first_requests(port: int, env: dict[str, str], urls: list[str], log: Path) -> list[int]:
    """Start gunicorn, send REQUESTS concurrent requests before any worker has answered one
    (they wait in the listen queue while the workers build the app), return their statuses."""
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                 "app:server"], cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        # The master listens before it forks the workers; a bare connection warms nothing.
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=0.2).close() or True,
                 30, "gunicorn listening", ignore=(OSError,))

        def fetch(n: int) -> int:
            with requests.Session() as session:  # a connection of its own: any worker takes it
                return session.get(f"http://127.0.0.1:{port}{urls[n % len(urls)]}",
                                   timeout=60).status_code

        with ThreadPoolExecutor(REQUESTS) as pool:
            return list(pool.map(fetch, range(REQUESTS)))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def test_every_worker_serves_its_first_concurrent_requests(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    database = Database(database_url)
    prepare.init_database(database, empty=True)  # the CLI's step; workers never seed
    database.dispose()
    urls = _page_scripts(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(OPS_DATABASE_URL=database_url, OPS_SECRET_KEY="s" * 40, OPS_DATA_DIR=str(tmp_path),
               OPS_BIND=f"127.0.0.1:{port}", OPS_WEB_WORKERS=str(WORKERS),
               OPS_WEB_THREADS=str(THREADS), OPS_SIMULATE="0", OPS_CAMERAS="0")
    log = tmp_path / "gunicorn.log"
    failures = []
    for start in range(STARTS):
        statuses = _first_requests(port, env, urls, log)
        failures += [(start, s) for s in statuses if s != 200]
    said = log.read_text(errors="replace")
    errors = [line for line in said.splitlines() if "DependencyException" in line
              or re.search(r'" 5\d\d ', line)]
    # (A worker still building the app when the test stops gunicorn logs its SystemExit: that
    # is the shutdown, not a request.)
    assert failures == [] and errors == [], (failures, errors[:20])
