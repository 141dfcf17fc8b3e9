"""N simulated viewers replay the overview's interval callbacks over real HTTP, with the cache on
and off in the same run: latency, errors and database queries per minute.

    python bench/polling.py [--viewers 1 60 120] [--seconds 60] [--page /]
    python bench/polling.py --stack [--workers 1 4] [--viewers 1 60 120] [--seconds 60]

The app runs as its own process (as in production), so the load generator does not share its
interpreter. The callback payloads are captured from a real headless Chromium visit to the page.
--stack runs the production shape instead: gunicorn (deploy/gunicorn.conf.py) with 1 and 4
workers on private PostgreSQL and Redis servers (tests/servers.py), seeded by the CLI, and counts
database transactions from pg_stat_database and cache hits/misses from Redis INFO.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _app  # noqa: E402
from bench._table import p95, print_table  # noqa: E402


@dataclass
class Payload:
    """One interval callback as the browser sends it, and how often it fires."""

    body: dict
    period_s: float
    name: str
    query: str = ""  # Dash 4 tags callback requests with ?endId=...


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_app(data_dir: Path, port: int, cache_type: str) -> subprocess.Popen:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_PORT": str(port),
           "OPS_CACHE_TYPE": cache_type, "OPS_CAMERAS": "0", "OPS_SIMULATE": "1",
           "OPS_SEED_YEARS": "6"}
    return _app.start_app(env, port, timeout=180)


def display_token(data_dir: Path) -> str:
    """A read-only display token, as a wall screen would use (printed once by the CLI)."""
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-m", "data", "token", "create", "--display", "bench"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return next(w for w in out.split() if "/display/" in w).rsplit("/display/", 1)[1]


def capture_payloads(base: str, page: str, token: str) -> list[Payload]:
    """Visit the page in headless Chromium and record the interval callbacks it posts."""
    from tests.browser.conftest import make_driver

    driver = make_driver()
    try:
        driver.get(f"{base}/display/{token}")  # signs this browser in as a display
        driver.get(base + page)
        time.sleep(8)  # let every interval fire at least once (a benchmark, not a test)
        logs = driver.get_log("performance")
    finally:
        driver.quit()
    seen: dict[str, Payload] = {}
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
    return list(seen.values())


def _flat(items: list) -> list[dict]:
    out = []
    for i in items:
        out.extend(_flat(i) if isinstance(i, list) else [i])
    return out


def interval_periods(page: str) -> dict[str, float]:
    """Each dcc.Interval's period (s) on the page, from its layout function's component tree."""
    from dash import dcc

    import layouts

    page_def = next(p for p in layouts.PAGES if p.path == page)
    tree = page_def.layout()
    found = [tree, *tree._traverse()] if hasattr(tree, "_traverse") else [tree]
    return {c.id: (c.interval or 1000) / 1000 for c in found if isinstance(c, dcc.Interval)}


def viewer(base: str, payloads: list[Payload], seconds: float, run: Run, token: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    start = time.monotonic()
    next_at = {p.name + p.body["output"]: start + random.uniform(0, p.period_s) for p in payloads}
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            return
        key, due = min(next_at.items(), key=lambda kv: kv[1])
        if due > now:
            time.sleep(min(due - now, seconds - (now - start)))
            continue
        payload = next(p for p in payloads if p.name + p.body["output"] == key)
        t0 = time.perf_counter()
        try:
            r = session.post(base + "/_dash-update-component" + payload.query, json=payload.body,
                             timeout=10)
            ok = r.status_code in (200, 204)
        except requests.RequestException:
            ok = False
        ms = (time.perf_counter() - t0) * 1000
        with run.lock:
            run.requests += 1
            run.latencies_ms.append(ms)
            run.errors += 0 if ok else 1
        next_at[key] = due + payload.period_s


def db_queries(base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(base + "/healthz", headers=headers, timeout=5).json()["db_queries"]


def measure(base: str, payloads: list[Payload], viewers: int, seconds: float, token: str) -> list:
    run = Run()
    q0, t0 = db_queries(base, token), time.monotonic()
    threads = [threading.Thread(target=viewer, args=(base, payloads, seconds, run, token))
               for _ in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    per_min = (db_queries(base, token) - q0 - 1) / elapsed * 60
    lat = run.latencies_ms or [float("nan")]
    return [viewers, run.requests, statistics.median(lat), p95(lat), run.errors, per_min]


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


def _redis_stats(url: str) -> tuple[int, int]:
    import redis

    info = redis.Redis.from_url(url).info("stats")
    return int(info["keyspace_hits"]), int(info["keyspace_misses"])


def start_gunicorn(env: dict[str, str], workers: int, port: int) -> subprocess.Popen:
    env = {**env, "OPS_WEB_WORKERS": str(workers), "OPS_BIND": f"127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                             "app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


def measure_stack(base: str, payloads: list[Payload], viewers: int, seconds: float, token: str,
                  pg: PgCounter, redis_url: str, warmup: float = 10.0) -> list:
    """Steady state: the viewers run `warmup` s first, then counters are read under load at the
    start and end of `seconds` (backends under load flush statistics every second, so the delay
    is the same at both ends): a row's first recompute of every key is not counted."""
    run = Run()
    threads = [threading.Thread(target=viewer, args=(base, payloads, warmup + seconds + 1, run,
                                                     token)) for _ in range(viewers)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    with run.lock:
        n0, e0 = len(run.latencies_ms), run.errors
    q0, (h0, m0), t0 = pg.read(), _redis_stats(redis_url), time.monotonic()
    time.sleep(seconds)
    q1, (h1, m1), elapsed = pg.read(), _redis_stats(redis_url), time.monotonic() - t0
    with run.lock:
        lat, errors = run.latencies_ms[n0:], run.errors - e0
    for t in threads:
        t.join()
    per_min = (q1 - q0) / elapsed * 60  # (our reads are on another database)
    lat = lat or [float("nan")]
    return [viewers, len(lat), statistics.median(lat), p95(lat), errors, per_min,
            h1 - h0, m1 - m0]


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
        print("seeding: python -m data init --years 1", flush=True)
        subprocess.run([sys.executable, "-m", "data", "init", "--years", "1"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, "-m", "data", "token", "create", "--display",
                              "bench"], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout
        token = next(w for w in out.split() if "/display/" in w).rsplit("/display/", 1)[1]
        pg = PgCounter(database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        rows, payloads = [], []
        for workers in args.workers:
            proc = start_gunicorn(env, workers, port)
            try:
                if not payloads:
                    periods = interval_periods(args.page)
                    payloads = capture_payloads(base, args.page, token)
                    for p in payloads:
                        p.period_s = periods.get(p.name, 5.0)
                    print("replayed callbacks: " + ", ".join(
                        f"{p.body['output'][:40]} every {p.period_s:g}s" for p in payloads))
                # Warm every worker (Dash's first-request setup, connection pools) unmeasured.
                measure_stack(base, payloads, 4 * workers, 5, token, pg, redis_url, warmup=3)
                for n in args.viewers:
                    row = measure_stack(base, payloads, n, args.seconds, token, pg, redis_url)
                    print(f"  {workers} workers, {n} viewers: p95 {row[3]:.0f} ms, "
                          f"{row[5]:.0f} db q/min", flush=True)
                    rows.append([workers, *row])
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(30)
        pg.conn.close()
    print()
    print_table(["workers", "viewers", "requests", "p50 ms", "p95 ms", "errors", "db q/min",
                 "redis hits", "redis misses"], rows)
    by = {(r[0], r[1]): r for r in rows}
    lo, hi = args.viewers[0], args.viewers[-1]
    print()
    for w in args.workers:
        if by[(w, lo)][6]:
            print(f"{w} workers: db q/min at {hi} viewers vs {lo}: "
                  f"{by[(w, hi)][6] / by[(w, lo)][6]:.2f}x (target <= 1.2x)")
    w0, w1 = args.workers[0], args.workers[-1]
    if by[(w0, hi)][6]:
        print(f"{hi} viewers: db q/min with {w1} workers vs {w0}: "
              f"{by[(w1, hi)][6] / by[(w0, hi)][6]:.2f}x (target <= 1.2x)")
    print(f"errors: {sum(r[5] for r in rows)} (target 0); p95 at {hi} viewers: "
          + ", ".join(f"{by[(w, hi)][4]:.0f} ms ({w} workers)" for w in args.workers)
          + " (target < 150 ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--viewers", type=int, nargs="+", default=[1, 60, 120])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--page", default="/")
    ap.add_argument("--port", type=int, default=8071)
    ap.add_argument("--data-dir", default="bench/out/polling")
    ap.add_argument("--stack", action="store_true",
                    help="gunicorn + Redis + PostgreSQL instead of the embedded app")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 4], help="--stack: gunicorn workers")
    ap.add_argument("--threads", type=int, default=8, help="--stack: threads per worker")
    args = ap.parse_args()
    if args.stack:
        run_stack(args)
        return
    data_dir = (ROOT / args.data_dir).resolve()
    base = f"http://127.0.0.1:{args.port}"
    results: dict[str, list] = {}
    for label, cache_type in (("cached", "SimpleCache"), ("uncached", "NullCache")):
        proc = start_app(data_dir, args.port, cache_type)
        try:
            token = display_token(data_dir)
            periods = interval_periods(args.page)
            payloads = capture_payloads(base, args.page, token)
            for p in payloads:
                p.period_s = periods.get(p.name, 5.0)
            if label == "cached":
                print("replayed callbacks: " + ", ".join(
                    f"{p.body['output'][:40]} every {p.period_s:g}s" for p in payloads))
            results[label] = [measure(base, payloads, n, args.seconds, token)
                              for n in args.viewers]
        finally:
            proc.terminate()
            proc.wait(20)
    rows = []
    for i, n in enumerate(args.viewers):
        c, u = results["cached"][i], results["uncached"][i]
        rows.append([n, c[1], c[2], c[3], c[4], c[5], u[2], u[3], u[4], u[5], u[2] / c[2]])
    print()
    print_table(["viewers", "requests", "p50 ms", "p95 ms", "errors", "db q/min",
                 "uncached p50", "uncached p95", "uncached err", "uncached q/min",
                 "p50 ratio"], rows)
    base_q = results["cached"][0][5]
    if base_q:
        print(f"\ndb queries/min at {args.viewers[-1]} viewers vs {args.viewers[0]}: "
              f"{results['cached'][-1][5] / base_q:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
