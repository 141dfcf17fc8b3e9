"""Deploys and restarts under load: does anything get lost? The README's production shape
(gunicorn with 4 workers, private PostgreSQL and Redis, the relay service with the camera
simulator) under N wall viewers replaying the overview's callbacks and a stream of agency
ingests, through a deploy (`python -m data migrate`, then SIGHUP to gunicorn), a relay restart,
a Redis restart and a PostgreSQL restart. One table row per event.

    python bench/deploy.py [--viewers 120] [--phase 20] [--cameras 4]

Columns: requests, 5xx (callbacks and ingests), connections the web workers refused, other
failures (reset, or no answer within 30 s), stale answers (a "stale since" badge: the database was out), ingests refused with
503 (nothing stored, the client sends again), submissions acknowledged (200) and found in the
database at the end (must be equal), relay status probes that found no live camera, the
slowest answer, and the time to heal: from the event to the first good
answer after the last bad one (0 when nothing went wrong).
"""
from __future__ import annotations

import argparse
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _stack  # noqa: E402
from bench._table import print_table  # noqa: E402

TIMEOUT_S = 30.0  # a browser waits longer; past this a request counts as timed out


@dataclass
class Log:
    """Every answer of the run: (monotonic time, what asked, outcome); bounded by the run's length."""

    rows: list[tuple[float, str, str]] = field(default_factory=list)
    acked: list[tuple[float, int]] = field(default_factory=list)
    waits: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds to answer)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sent: float, kind: str, outcome: str, ack: int | None = None) -> None:
        """An answer, filed under the moment its request was sent (a request that waited
        through an event belongs to that event)."""
        with self.lock:
            self.rows.append((sent, kind, outcome))
            self.waits.append((sent, time.monotonic() - sent))
            if ack is not None:
                self.acked.append((sent, ack))


def outcome_of(exc: requests.RequestException) -> str:
    text = str(exc)
    return "refused" if "Connection refused" in text or "Errno 111" in text else "failed"


def viewer(base: str, payloads: list, token: str, log: Log, stop: threading.Event) -> None:
    """One wall screen: the overview's interval callbacks at their own periods."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    due = {i: time.monotonic() + random.uniform(0, p.period_s) for i, p in enumerate(payloads)}
    while not stop.is_set():
        i, at = min(due.items(), key=lambda kv: kv[1])
        if stop.wait(max(0.0, at - time.monotonic())):
            return
        payload = payloads[i]
        sent = time.monotonic()
        try:
            r = session.post(base + "/_dash-update-component" + payload.query, json=payload.body,
                             timeout=TIMEOUT_S)
            outcome = ("5xx" if r.status_code >= 500 else "4xx" if r.status_code >= 400
                       else "stale" if "badge-stale" in r.text else "ok")
        except requests.RequestException as exc:
            outcome = outcome_of(exc)
        log.add(sent, "callback", outcome)
        due[i] = at + payload.period_s


def ingester(base: str, token: str, code: str, n: int, log: Log, stop: threading.Event) -> None:
    """An agency's system sending a new value every ~0.2 s, and again after a refusal."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    sent = 0
    while not stop.wait(0.2):
        sent += 1
        value = 100 + sent % 500 + n / 10
        body = f"indicator,region,period,value\n{code},VN,2025-{sent % 12 + 1:02d},{value:.1f}\n"
        at = time.monotonic()
        try:
            r = requests.post(base + "/api/v1/submissions", data=body.encode(), headers=headers,
                              timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            log.add(at, "ingest", outcome_of(exc))
            continue
        if r.status_code == 200:
            log.add(at, "ingest", "ok", r.json()["submission_id"])
        else:
            log.add(at, "ingest", "503" if r.status_code == 503 else str(r.status_code))


def relay_probe(url: str, token: str, log: Log, stop: threading.Event) -> None:
    """The relay's status as the workers ask it: good once a camera is LIVE again."""
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.wait(0.25):
        at = time.monotonic()
        try:
            r = requests.get(url + "/streams/status", headers=headers, timeout=3)
            body = r.json() if r.status_code == 200 else {}
            cams = body["cameras"] if isinstance(body, dict) else body
            live = any(c.get("state") == "LIVE" for c in cams)
            log.add(at, "relay", "ok" if live else "down" if r.status_code < 500 else "5xx")
        except requests.RequestException as exc:
            log.add(at, "relay", outcome_of(exc))


def heal_seconds(rows: list[tuple[float, str, str]], event_at: float) -> float:
    """From the event to the first good answer after the last bad one, the slowest kind."""
    worst = 0.0
    for kind in {k for _t, k, _o in rows}:
        mine = [(t, o) for t, k, o in rows if k == kind and t >= event_at]
        bad = [t for t, o in mine if o != "ok"]
        if not bad:
            continue
        good = [t for t, o in mine if o == "ok" and t > bad[-1]]
        worst = max(worst, (good[0] if good else float("inf")) - event_at)
    return worst


def run(args: argparse.Namespace) -> None:
    from bench.polling import capture_payloads, interval_periods
    from tests.servers import PostgresServer, RedisServer, free_port

    folder = (ROOT / "bench" / "out" / "deploy").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    ports = {k: free_port() for k in ("web", "relay", "sim", "rtsp")}
    pg, redis = PostgresServer(), RedisServer()
    procs: dict[str, object] = {}
    log_file = (folder / "stack.log").open("wb")
    try:
        database_url = pg.start()
        redis.start()
        env = _stack.environment(database_url, redis.url, folder, ports,
                                 _stack.cameras_file(folder, args.cameras), args.workers)
        print("set-up as the README says: migrate, init --years 1", flush=True)
        _stack.cli(env, "data", "migrate")
        _stack.cli(env, "data", "init", "--years", "1")
        display = _stack.cli(env, "data", "token", "create", "--display", "bench-wall")
        display = next(w for w in display.split() if "/display/" in w).rsplit("/display/", 1)[1]
        agency = re.findall(r"\S{30,}", _stack.cli(env, "data", "token", "create", "--agency",
                                                     "BTC"))[-1]
        import sqlalchemy as sa

        engine = sa.create_engine(database_url, pool_pre_ping=True)
        with engine.connect() as conn:
            code = conn.execute(sa.text(
                "SELECT code FROM indicator WHERE agency_code = 'BTC' AND frequency = 'monthly'"
                " ORDER BY code LIMIT 1")).scalar_one()
        procs["cameras"] = _stack.start_simulator(env, ports, log_file)
        procs["relay"] = _stack.start_relay(env, ports, log_file)
        procs["web"] = gunicorn = _stack.start_gunicorn(env, log_file)
        base, relay_url = f"http://{env['OPS_BIND']}", env["OPS_RELAY_URL"]
        periods = interval_periods("/")
        payloads = capture_payloads(base, "/", display)
        for p in payloads:
            p.period_s = periods.get(p.name, 5.0)
        print("replayed callbacks: " + ", ".join(
            f"{p.body['output'][:32]} every {p.period_s:g}s" for p in payloads), flush=True)

        # Each event returns the moment it struck (the heal is timed from there).
        def restart_relay() -> float:
            at = time.monotonic()
            _stack.stop(procs["relay"])  # type: ignore[arg-type]
            procs["relay"] = _stack.start_relay(env, ports, log_file)
            return at

        def restart(server: PostgresServer | RedisServer) -> Callable[[], float]:
            def go() -> float:
                at = time.monotonic()
                server.stop()
                time.sleep(args.outage)
                server.start()
                return at
            return go

        def deploy() -> float:
            _stack.cli(env, "data", "migrate")  # (changes nothing while the schema is current)
            at = time.monotonic()
            gunicorn.send_signal(signal.SIGHUP)
            return at

        events: list[tuple[str, Callable[[], float] | None]] = [
            ("steady (no event)", None), ("deploy: migrate + SIGHUP", deploy),
            ("relay restart", restart_relay), ("Redis restart", restart(redis)),
            ("PostgreSQL restart", restart(pg)), ("after (no event)", None)]
        log, stop = Log(), threading.Event()
        threads = [threading.Thread(target=viewer, args=(base, payloads, display, log, stop))
                   for _ in range(args.viewers)]
        threads += [threading.Thread(target=ingester, args=(base, agency, code, n, log, stop))
                    for n in range(args.ingesters)]
        threads.append(threading.Thread(target=relay_probe,
                                        args=(relay_url, env["OPS_RELAY_TOKEN"], log, stop)))
        for t in threads:
            t.start()
        time.sleep(min(10.0, args.phase))  # warm-up, not counted
        spans = []
        for name, action in events:
            # A quarter of the phase before the event, the whole phase after it is done.
            start = time.monotonic()
            time.sleep(args.phase / 4)
            event_at = time.monotonic()
            if action is not None:
                print(f"{name} ...", flush=True)
                event_at = action()
            time.sleep(args.phase)
            spans.append((name, start, event_at, time.monotonic()))
        stop.set()
        for t in threads:
            t.join(30)
        with engine.connect() as conn:
            found = set(conn.execute(sa.text("SELECT id FROM submission WHERE id = ANY(:ids)"),
                                     {"ids": [i for _t, i in log.acked]}).scalars())
        engine.dispose()
        rows = []
        for name, start, event_at, end in spans:
            mine = [r for r in log.rows if start <= r[0] < end]
            web = Counter(o for _t, k, o in mine if k in ("callback", "ingest"))
            acked = [i for t, i in log.acked if start <= t < end]
            relay = Counter(o for _t, k, o in mine if k == "relay")
            slowest = max((w for t, w in log.waits if start <= t < end), default=0.0)
            other = Counter(o for _t, k, o in mine if k != "relay"
                            and o not in ("ok", "stale", "5xx", "refused", "failed", "503"))
            if other:
                print(f"  {name}: other answers {dict(other)}")
            rows.append([name, len(mine), web["5xx"], web["refused"], web["failed"], web["stale"],
                         web["503"], len(acked), sum(i in found for i in acked),
                         sum(relay.values()) - relay["ok"], slowest,
                         heal_seconds(mine, event_at)])
    finally:
        for proc in reversed(list(procs.values())):
            _stack.stop(proc, signal.SIGINT if proc is procs.get("web") else signal.SIGTERM)  # type: ignore[arg-type]
        redis.close()
        pg.close()
        log_file.close()
    print()
    print(f"{args.viewers} wall viewers, {args.ingesters} ingesters, {args.workers} gunicorn workers,"
          f" {args.cameras} cameras; {args.phase / 4:g} s before each event and {args.phase:g} s after it;"
          f" outages {args.outage:g} s")
    print_table(["event", "requests", "5xx", "refused", "reset/timeout", "stale", "ingest 503",
                 "acked", "in db", "relay probes bad", "slowest s", "heal s"], rows)
    lost = sum(r[7] - r[8] for r in rows)
    print(f"\nsubmissions acknowledged but missing: {lost} (target 0); 5xx: "
          f"{sum(r[2] for r in rows)}; connections refused by the web workers: "
          f"{sum(r[3] for r in rows)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--viewers", type=int, default=120)
    ap.add_argument("--ingesters", type=int, default=2)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--cameras", type=int, default=4, help="the first N bundled cameras")
    ap.add_argument("--phase", type=float, default=20.0, help="seconds per event")
    ap.add_argument("--outage", type=float, default=2.0, help="seconds Redis or PostgreSQL stay down")
    run(ap.parse_args())


if __name__ == "__main__":
    main()
