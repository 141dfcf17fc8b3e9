"""Presenter follow: change -> acknowledgment latency, server CPU and database queries.

    python bench/displays.py [--seconds 120] [--followers 120] [--browsers 2] [--redis URL]

The app runs as its own process (`python app.py`, waitress, as in the embedded default; with
--redis the live state goes through Redis). A presenter (a staff session, through the same Dash
callbacks the header's button uses) changes page, indicator, province or camera every 2 s.
Followers are display sessions: N simulated over HTTP (polling /displays/live like the screen
runner: held by the server until the presenter changes, or every `poll` ms where it cannot hold;
acknowledging a change at once) and real headless Chromium screens
(assets/50-displays.js, acknowledging once the new page has its data). The latency of each
follower is the server's time of its acknowledgment minus the bench's time just before it sent
the change. Three phases in one run, so database queries can be compared: 1 HTTP follower,
N HTTP followers, N HTTP followers + the browsers (whose pages query the database as any screen
showing them would).
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _app  # noqa: E402
from bench._table import p95, print_table  # noqa: E402

STATES = ["/savings", "/reporting", "/indicators/GDP_GROWTH?region=01",
          "/indicators/GDP_GROWTH?region=04", "/cameras?cam=hoa-binh", "/"]
CHANGE_EVERY = 2.0
PAINT_WAIT = 6.0  # seconds a Chromium screen is given to paint a page before it counts as missed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path, n_displays: int, password: str) -> list[str]:
    """Database, a staff account and the follow-mode displays; returns their links' tokens."""
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "data", "init", "--years", "1"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    from accounts import users
    from core.db import Database
    from displays import registry

    database = Database(f"sqlite:///{(data_dir / 'ops.sqlite').resolve()}")
    users.add(database, "bench-staff", "staff", password)
    secrets_out = []
    for n in range(n_displays):
        place = f"BP{n + 1:02d}" if n < 57 else ""
        _, secret = registry.create(database, f"bench-{n:03d}", place=place, mode="follow")
        secrets_out.append(secret)
    database.dispose()
    return secrets_out


def start_app(data_dir: Path, port: int, redis_url: str) -> subprocess.Popen:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_PORT": str(port),
           "OPS_CAMERAS": "0", "OPS_SIMULATE": "0"}
    if redis_url:
        env.update(OPS_CACHE_TYPE="RedisCache", OPS_REDIS_URL=redis_url)
    return _app.start_app(env, port, timeout=120)


class Presenter:
    """A staff session that presents through the header's callbacks."""

    def __init__(self, base: str, password: str) -> None:
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = self.http.post(f"{base}/login", data={"csrf_token": csrf, "username": "bench-staff",
                                                  "password": password}, allow_redirects=False)
        assert r.status_code == 303, r.text[:200]
        self.http.get(f"{base}/healthz")  # sets the CSRF cookie

    def _callback(self, output: str, component: str, value: dict) -> dict:
        ident, prop = output.rsplit(".", 1)
        body = {"output": output, "outputs": {"id": ident, "property": prop},
                "inputs": [{"id": component, "property": "data", "value": value}],
                "changedPropIds": [f"{component}.data"], "state": []}
        r = self.http.post(f"{self.base}/_dash-update-component", json=body, timeout=10,
                           headers={"X-CSRFToken": self.http.cookies.get("_csrf_token", "")})
        r.raise_for_status()
        return r.json()

    def start(self) -> None:
        self._callback("present-state.data", "present-req",
                       {"action": "takeover", "path": "/", "search": ""})

    def change(self, url: str) -> None:
        path, _, query = url.partition("?")
        self._callback("present-pub.data", "present-loc",
                       {"path": path, "search": "?" + query if query else "", "t": time.time()})

    def stop(self) -> None:
        self._callback("present-state.data", "present-req",
                       {"action": "toggle", "path": "/", "search": ""})

    def status(self) -> dict:
        return self.http.get(f"{self.base}/api/v1/displays", timeout=10).json()

    def db_queries(self) -> int:
        return int(self.http.get(f"{self.base}/healthz", timeout=10).json()["db_queries"])


@dataclass
class Follower:
    """A simulated screen: the runner's poll loop, over HTTP."""

    base: str
    token: str
    stop: threading.Event
    http: requests.Session = field(default_factory=requests.Session)
    requests: int = 0
    errors: int = 0

    def run(self) -> None:
        self.http.get(f"{self.base}/display/{self.token}", allow_redirects=False)
        seq, ack, showing, hold = None, None, "/", None
        while not self.stop.is_set():
            params = {"showing": showing, "w": "1920", "h": "1080", "v": "0.1.0"}
            if ack is not None:
                params["ack"] = str(ack)
            if hold is not None:  # as the runner: the server may hold it until the presenter changes
                params["hold"] = hold
            try:
                data = self.http.get(f"{self.base}/displays/live", params=params, timeout=10).json()
                self.requests += 1
            except (requests.RequestException, ValueError):
                self.errors += 1
                self.stop.wait(1)
                continue
            presenter = data.get("presenter")
            if presenter and presenter["seq"] != seq:
                seq = presenter["seq"]
                showing, ack, hold = presenter["path"] + presenter["search"], seq, None
                continue  # acknowledge at once, as the runner does after applying
            hold = str(presenter["seq"]) if presenter else "none"
            self.stop.wait(data.get("poll", 400) / 1000)


def _epoch(stamp: str | None) -> float | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else None


def phase(name: str, base: str, presenter: Presenter, tokens: list[str], browsers: int,
          seconds: float, server: psutil.Process) -> list:
    stop = threading.Event()
    followers = [Follower(base, t, stop) for t in tokens]
    threads = [threading.Thread(target=f.run, daemon=True) for f in followers]
    for t in threads:
        t.start()
    drivers = []
    if browsers:
        from tests.browser.conftest import make_driver

        for token in BROWSER_TOKENS[:browsers]:
            driver = make_driver(1280, 720)
            driver.get(f"{base}/display/{token}")
            drivers.append(driver)
    browser_names = {f"bench-{n:03d}" for n in range(len(ALL_TOKENS) - browsers, len(ALL_TOKENS))}
    time.sleep(3)  # every follower signed in and polling
    presenter.start()
    time.sleep(1)
    q0, cpu0, t0 = presenter.db_queries(), server.cpu_times(), time.monotonic()
    http_lat, browser_lat, browser_ready, missed, changes, not_painted = [], [], [], 0, 0, 0
    followed = {f"bench-{ALL_TOKENS.index(t):03d}" for t in tokens} | browser_names
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        sent = time.time()
        presenter.change(STATES[n % len(STATES)])
        changes += 1
        n += 1
        time.sleep(max(0.0, sent + CHANGE_EVERY - 0.15 - time.time()))
        body = presenter.status()
        seq = body["presenter"]["seq"] if body.get("presenter") else None
        waiting = set()
        for row in body["displays"]:
            if row["name"] not in followed:
                continue
            if row.get("ack_seq") != seq or not row.get("ack_at"):
                missed += 1
                continue
            latency = (_epoch(row["ack_at"]) - sent) * 1000
            (browser_lat if row["name"] in browser_names else http_lat).append(latency)
            if row["name"] in browser_names:
                waiting.add(row["name"])
        # A painted page can take longer than the change period: wait for it (up to PAINT_WAIT)
        # rather than count only the quick ones; one not painted by then is counted as missed.
        while waiting:
            for row in presenter.status()["displays"]:
                if row["name"] in waiting and row.get("ready_seq") == seq and row.get("ready_at"):
                    browser_ready.append((_epoch(row["ready_at"]) - sent) * 1000)
                    BY_PAGE.setdefault(STATES[(n - 1) % len(STATES)], []).append(browser_ready[-1])
                    waiting.discard(row["name"])
            if not waiting or time.time() > sent + PAINT_WAIT:
                break
            time.sleep(0.1)
        not_painted += len(waiting)
        time.sleep(max(0.0, sent + CHANGE_EVERY - time.time()))
    wall = time.monotonic() - t0
    cpu1 = server.cpu_times()
    queries = presenter.db_queries() - q0 - HEALTHZ_QUERIES
    presenter.stop()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    for d in drivers:
        d.quit()
    cores = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall
    polls = sum(f.requests for f in followers)
    rows = []
    for label, lat in (("http", http_lat), ("chromium applied", browser_lat),
                       ("chromium page ready", browser_ready)):
        if not lat:
            continue
        rows.append([name, label, len(tokens) if label == "http" else browsers, changes, len(lat),
                     statistics.median(lat), p95(lat), max(lat)])
    SUMMARY.append([name, len(tokens), browsers, round(wall, 1), missed, not_painted, polls,
                    round(polls / wall, 1), queries, round(queries * 60 / wall, 1), round(cores, 2)])
    return rows


ALL_TOKENS: list[str] = []
BROWSER_TOKENS: list[str] = []
SUMMARY: list[list] = []
BY_PAGE: dict[str, list[float]] = {}  # the presenter's page -> the Chromium screens' painted times
HEALTHZ_QUERIES = 0


def main() -> int:
    global HEALTHZ_QUERIES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="main phase (the others: 1/4)")
    parser.add_argument("--followers", type=int, default=120)
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--redis", default="", help="a Redis URL: live state through Redis")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ops-bench-displays-"))
    password = secrets.token_urlsafe(16)
    print(f"preparing {args.followers + args.browsers} displays ...", flush=True)
    ALL_TOKENS.extend(prepare(data_dir, args.followers + args.browsers, password))
    BROWSER_TOKENS.extend(ALL_TOKENS[args.followers:])
    http_tokens = ALL_TOKENS[:args.followers]
    port = free_port()
    proc = start_app(data_dir, port, args.redis)
    base = f"http://127.0.0.1:{port}"
    try:
        server = psutil.Process(proc.pid)
        presenter = Presenter(base, password)
        first = presenter.db_queries()
        HEALTHZ_QUERIES = presenter.db_queries() - first  # what one /healthz call itself costs
        short = max(10.0, args.seconds / 4)
        rows = []
        rows += phase("1 follower", base, presenter, http_tokens[:1], 0, short, server)
        rows += phase(f"{args.followers} followers", base, presenter, http_tokens, 0, short, server)
        rows += phase(f"{args.followers} + {args.browsers} Chromium", base, presenter,
                      http_tokens, args.browsers, args.seconds, server)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"\npresenter change -> follower acknowledgment (ms), a change every {CHANGE_EVERY:g} s"
          f"{' (live state in Redis)' if args.redis else ' (live state in memory)'}")
    print_table(["phase", "followers", "n", "changes", "acks", "p50 ms", "p95 ms", "max ms"], rows)
    if BY_PAGE:
        print("\nchromium page painted, by the page the presenter went to")
        print_table(["page", "n", "p50 ms", "p95 ms", "max ms"],
                    [[page, len(v), statistics.median(v), p95(v), max(v)]
                     for page, v in BY_PAGE.items()])
    print("\nserver cost per phase (db queries: all of the server's; the browsers' pages query "
          "the database as any screen showing them does)")
    print_table(["phase", "http", "chromium", "seconds", "missed acks", "not painted",
                 "polls", "polls/s", "db queries", "queries/min", "server cores"], SUMMARY)
    base_qpm = SUMMARY[0][9] or 1.0
    print(f"\nqueries/min with {args.followers} followers vs 1 follower: "
          f"{SUMMARY[1][9]} vs {SUMMARY[0][9]} (ratio {SUMMARY[1][9] / base_qpm:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
