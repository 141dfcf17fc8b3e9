"""Simulated wall viewers replay the overview's interval callbacks over real HTTP, with the
render cache off (the baseline) and on in the same run: refresh p95, errors, web CPU, database
statements a minute and CPU per viewer-minute.

    python bench/polling.py [--viewers 1 120 300] [--seconds 60] [--page /]
    python bench/polling.py --stack [--workers 4] [--viewers 1 120 1000] [--seconds 60]

The app runs as its own process (as in production), so the load generator (asyncio, one
keep-alive connection per viewer: bench/_load.py) does not share its interpreter. The callback
payloads are captured from a real headless Chromium visit to the page; each viewer sends its own
interval counts. --stack runs the production shape instead: gunicorn (deploy/gunicorn.conf.py)
on private PostgreSQL and Redis servers (tests/servers.py), seeded by the CLI; its database
column counts transactions (pg_stat_database), the embedded app's counts statements (/healthz).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _app, _load  # noqa: E402
from bench._load import Payload  # noqa: E402
from bench._table import p95, print_table  # noqa: E402


def start_app(data_dir: Path, port: int, render_cache: bool, years: int) -> subprocess.Popen:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_PORT": str(port),
           "OPS_CAMERAS": "0", "OPS_SIMULATE": "1", "OPS_SEED_YEARS": str(years),
           "OPS_RENDER_CACHE": "1" if render_cache else "0"}
    return _app.start_app(env, port, timeout=180)


def wall_display(env: dict[str, str], page: str) -> str:
    """A registered wall display showing `page`, as the centre sets one up (its link is printed
    once by the CLI): the token every simulated viewer signs in with."""
    name = f"bench-wall-{os.getpid()}-{time.monotonic_ns()}"
    out = subprocess.run([sys.executable, "-m", "data", "display", "create", name, "--place",
                          "wall", "--mode", "page", "--page", page], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return next(w for w in out.split() if "/display/" in w).rsplit("/display/", 1)[1]


CAPTURE_S = 8.0  # how long the page is watched for the callbacks it sends


def capture_payloads(base: str, page: str, token: str) -> list[Payload]:
    """Visit the page in headless Chromium and record the interval callbacks it posts."""
    from tests.browser.conftest import make_driver

    driver = make_driver()
    try:
        driver.get(f"{base}/display/{token}")  # signs this browser in as a display
        driver.get(base + page)
        time.sleep(CAPTURE_S)  # every interval fires (a benchmark, not a test)
        logs = driver.get_log("performance")
    finally:
        driver.quit()
    seen: dict[str, Payload] = {}
    fired: dict[str, int] = {}
    for entry in logs:
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") != "Network.requestWillBeSent":
            continue
        req = msg["params"]["request"]
        if "/_dash-update-component" not in req["url"] or "postData" not in req:
            continue
        body = json.loads(req["postData"])
        inputs = body.get("inputs", [])
        ticks = [i for i in _flat(inputs) if i.get("property") == "n_intervals"]
        if not ticks or ticks[0]["id"] == "clock-tick":
            continue
        seen[body["output"]] = Payload(body, 0.0, ticks[0]["id"],
                                       req["url"].split("/_dash-update-component", 1)[1])
        fired[body["output"]] = fired.get(body["output"], 0) + 1
    for key, payload in seen.items():
        payload.fired = fired[key]
    return list(seen.values())


def _flat(items: list) -> list[dict]:
    out = []
    for i in items:
        out.extend(_flat(i) if isinstance(i, list) else [i])
    return out


def interval_periods(page: str) -> dict[str, float]:
    """Each dcc.Interval's period (s) on the page, from its layout function's component tree,
    and the shell's presenter tick (in the header around every page)."""
    from dash import dcc

    import layouts

    page_def = next(p for p in layouts.PAGES if p.path == page)
    from layouts.displays import PRESENT_MS

    tree = page_def.layout()
    found = [tree, *tree._traverse()] if hasattr(tree, "_traverse") else [tree]
    return {"present-tick": PRESENT_MS / 1000,
            **{c.id: (c.interval or 1000) / 1000 for c in found if isinstance(c, dcc.Interval)}}


def db_statements(base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(base + "/healthz", headers=headers, timeout=10).json()["db_queries"]


def prepared_payloads(base: str, page: str, token: str) -> list[Payload]:
    """The interval callbacks the page keeps sending: one fired only at load although its
    interval is shorter than the capture is switched off on a wall (the presenter poll)."""
    periods = interval_periods(page)
    payloads = capture_payloads(base, page, token)
    for p in payloads:
        p.period_s = periods.get(p.name, 5.0)
    return [p for p in payloads if p.fired > 1 or p.period_s > CAPTURE_S / 2]


# --- the production stack: gunicorn + Redis + PostgreSQL -------------------------------------

def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class PgCounter:
    """Transactions (commits + rollbacks: read-only sessions roll back) of one database."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.name = plain.rsplit("/", 1)[1]
        self.conn = psycopg.connect(plain.rsplit("/", 1)[0] + "/postgres", autocommit=True)

    def read(self) -> int:
        row = self.conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                                "WHERE datname = %s", (self.name,)).fetchone()
        return int(row[0])


def start_gunicorn(env: dict[str, str], workers: int, port: int) -> subprocess.Popen:
    env = {**env, "OPS_WEB_WORKERS": str(workers), "OPS_BIND": f"127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                             "app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


MODES = (("off", False), ("on", True))  # the render cache: the baseline first
HEADERS = ["render cache", "viewers", "requests", "p50 ms", "p95 ms", "errors", "hit %",
           "web cores", "{db}/min", "CPU s/viewer-min"]


def _row(mode: str, result: dict) -> list:
    lat = result["latencies"] or [float("nan")]
    return [mode, result["viewers"], result["requests"], statistics.median(lat), p95(lat),
            result["errors"], 100 * result["hits"] / max(1, result["requests"]), result["cores"],
            result["db_per_min"], result["cpu_per_viewer_min"]]


def report(rows: list[list], db: str, targets: dict[str, float]) -> None:
    print()
    print_table([h.format(db=db) for h in HEADERS], rows)
    by = {(r[0], r[1]): r for r in rows}
    lo, hi = min(r[1] for r in rows), max(r[1] for r in rows)
    print()
    for mode, _ in MODES:
        one, top = by.get((mode, lo)), by.get((mode, hi))
        if not one or not top:
            continue
        ratio = top[8] / one[8] if one[8] else float("nan")
        print(f"render cache {mode}, {hi} viewers: errors {top[5]} (target 0), p95 {top[4]:.0f} ms "
              f"(target < {targets['p95']:.0f}), web {top[7]:.2f} cores (target <= "
              f"{targets['cores']}), {db}/min {ratio:.2f}x those at {lo} viewer (target <= 1.2x)")


def modes(args: argparse.Namespace) -> tuple[tuple[str, bool], ...]:
    """The render cache off (the baseline) then on, or only the one --cache names."""
    return tuple(m for m in MODES if args.cache in ("both", m[0]))


def run_embedded(args: argparse.Namespace) -> None:
    data_dir = (ROOT / args.data_dir).resolve()
    base = f"http://127.0.0.1:{args.port}"
    rows, payloads = [], []
    for mode, on in modes(args):
        proc = start_app(data_dir, args.port, on, args.years)
        try:
            token = wall_display({**os.environ, "OPS_DATA_DIR": str(data_dir)}, args.page)
            payloads = payloads or prepared_payloads(base, args.page, token)
            print("replayed callbacks: " + ", ".join(
                f"{p.body['output'][:40]} every {p.period_s:g}s" for p in payloads), flush=True)
            for n in args.viewers:
                result = _load.load("127.0.0.1", args.port, token, payloads, n, args.warmup,
                                    args.seconds, proc.pid, partial(db_statements, base, token))
                rows.append(_row(mode, result))
                print(f"  render cache {mode}, {n} viewers: p95 {rows[-1][4]:.0f} ms, "
                      f"{rows[-1][7]:.2f} cores", flush=True)
        finally:
            proc.terminate()
            proc.wait(20)
    report(rows, "db statements", {"p95": 250, "cores": 1.5})


def run_stack(args: argparse.Namespace) -> None:
    from tests.servers import free_port, postgres_server, redis_server

    data_dir = (ROOT / args.data_dir).resolve() / "stack"
    data_dir.mkdir(parents=True, exist_ok=True)
    with postgres_server() as database_url, redis_server() as redis_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
        env.update(OPS_DATABASE_URL=database_url, OPS_CACHE_TYPE="RedisCache",
                   OPS_REDIS_URL=redis_url, OPS_SECRET_KEY="bench-" + "k" * 40,
                   OPS_DATA_DIR=str(data_dir), OPS_CAMERAS="0", OPS_SIMULATE="0",
                   OPS_WEB_THREADS=str(args.threads))
        print(f"seeding: python -m data init --years {args.years}", flush=True)
        subprocess.run([sys.executable, "-m", "data", "init", "--years", str(args.years)],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        token = wall_display(env, args.page)
        pg = PgCounter(database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        rows, payloads = [], []
        for mode, on in modes(args):
            proc = start_gunicorn({**env, "OPS_RENDER_CACHE": "1" if on else "0"}, args.workers,
                                  port)
            try:
                payloads = payloads or prepared_payloads(base, args.page, token)
                # Warm every worker (Dash's first-request setup, connection pools) unmeasured.
                _load.load("127.0.0.1", port, token, payloads, 4 * args.workers, 3, 2, proc.pid,
                           pg.read)
                for n in args.viewers:
                    result = _load.load("127.0.0.1", port, token, payloads, n, args.warmup,
                                        args.seconds, proc.pid, pg.read)
                    rows.append(_row(mode, result))
                    print(f"  render cache {mode}, {args.workers} workers, {n} viewers: p95 "
                          f"{rows[-1][4]:.0f} ms, {rows[-1][7]:.2f} cores", flush=True)
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(30)
        pg.conn.close()
    print(f"\ngunicorn, {args.workers} workers x {args.threads} threads, PostgreSQL, Redis")
    report(rows, "db xacts", {"p95": 250, "cores": 1.5})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--viewers", type=int, nargs="+", help="default: 1 120 300; --stack 1 120 1000")
    ap.add_argument("--seconds", type=float, default=60, help="measured seconds per row")
    ap.add_argument("--warmup", type=float, default=10, help="unmeasured seconds before each row")
    ap.add_argument("--page", default="/")
    ap.add_argument("--port", type=int, default=8071)
    ap.add_argument("--years", type=int, default=1, help="years of simulated history seeded")
    ap.add_argument("--data-dir", default="bench/out/polling")
    ap.add_argument("--stack", action="store_true",
                    help="gunicorn + Redis + PostgreSQL instead of the embedded app")
    ap.add_argument("--workers", type=int, default=4, help="--stack: gunicorn workers")
    ap.add_argument("--cache", choices=("both", "off", "on"), default="both",
                    help="the render cache modes measured (default: off, the baseline, then on)")
    ap.add_argument("--threads", type=int, default=8, help="--stack: threads per worker")
    args = ap.parse_args()
    args.viewers = args.viewers or ([1, 120, 1000] if args.stack else [1, 120, 300])
    if args.stack:
        run_stack(args)
    else:
        run_embedded(args)


if __name__ == "__main__":
    main()
