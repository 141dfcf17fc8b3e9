"""Soak: the app as its own process under a wall's load for a long time; does anything grow?

    python bench/soak.py [--minutes 30] [--viewers 60] [--mjpeg 100] [--speed 20]

Starts `python app.py` (live simulator at `speed`x: a tick every 3/speed s; simulated cameras and
the relay on), then at once: `viewers` simulated walls replaying the overview's interval
callbacks at their real periods, `mjpeg` MJPEG viewers on the cameras, one mosaic viewer, and an
anonymous /healthz probe every second (from a process of its own). Each minute it prints the
app's RSS, threads, open files, database size and the callback and /healthz p95; at the end it
checks the targets:
RSS growth over the second half < 5 %; threads and open files flat over the second half;
callback p95 in the last 5 minutes within 1.3x of the first 5; /healthz p95 < 100 ms in every
minute once the load is connected (from minute 2; minute 1 is printed).
(Runs shorter than 10 minutes compare their first and last minute.)
"""
from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _app  # noqa: E402
from bench._table import p95, print_table  # noqa: E402

LIVE_S, SLOW_S = 3.0, 60.0  # the overview's dcc.Interval periods (layouts/overview.py)


@dataclass
class Window:
    """Latencies and errors collected during one minute."""

    callback_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    errors: int = 0
    mjpeg_bytes: int = 0


class Recorder:
    """The current minute's window; the sampler swaps it out each minute."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window = Window()

    def add(self, kind: str, value: float) -> None:
        with self.lock:
            getattr(self.window, kind).append(value)

    def error(self) -> None:
        with self.lock:
            self.window.errors += 1

    def video(self, n: int) -> None:
        with self.lock:
            self.window.mjpeg_bytes += n

    def swap(self) -> Window:
        with self.lock:
            done, self.window = self.window, Window()
            return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data_dir: Path, port: int, speed: float) -> subprocess.Popen:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_PORT": str(port),
           "OPS_SIMULATE": "1", "OPS_CAMERAS": "1", "OPS_SEED_YEARS": "2",
           "OPS_FEED_INTERVAL": str(3.0 / speed)}
    log = open(data_dir / "app.log", "wb")  # noqa: SIM115 - the app's log for the whole run
    return _app.start_app(env, port, timeout=600, log=log)


def display_link(data_dir: Path) -> str:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-m", "data", "token", "create", "--display", "soak"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return "/display/" + next(w for w in out.split() if "/display/" in w).rsplit("/display/", 1)[1]


def signed_in(base: str, link: str, rec: Recorder | None = None,
              stop: threading.Event | None = None) -> requests.Session | None:
    """A display session (as a wall screen opens its link) with its CSRF header set; retried
    (each failure counted) until it works or the soak ends."""
    while stop is None or not stop.is_set():
        session = requests.Session()
        try:
            session.get(base + link, timeout=30)
            session.get(base + "/", timeout=30)
        except requests.RequestException:
            if rec is None or stop is None:
                raise
            rec.error()
            stop.wait(2)
            continue
        session.headers["X-CSRFToken"] = session.cookies.get("_csrf_token", "")
        return session
    return None


def overview_calls(base: str, session: requests.Session) -> list[tuple[float, dict]]:
    """(period s, body) of every server callback the overview's two intervals drive."""
    deps = session.get(base + "/_dash-dependencies", timeout=30).json()
    calls = []
    for dep in deps:
        ids = [i["id"] for i in dep["inputs"]]
        if dep.get("clientside_function") or not {"overview-live-tick",
                                                  "overview-slow-tick"} & set(ids):
            continue
        output = dep["output"]
        parts = output.strip(".").split("...") if output.startswith("..") else [output]
        outs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]}
                for p in parts]
        inputs = [{"id": i["id"], "property": i["property"],
                   "value": "vi" if i["id"] == "lang" else 1} for i in dep["inputs"]]
        body = {"output": output, "outputs": outs if output.startswith("..") else outs[0],
                "inputs": inputs, "state": [],
                "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
        calls.append((LIVE_S if "overview-live-tick" in ids else SLOW_S, body))
    return calls


def wall_viewer(base: str, link: str, rec: Recorder, stop: threading.Event, offset: float) -> None:
    calls: list[tuple[float, dict]] = []
    session = None
    while not calls and not stop.is_set():
        session = signed_in(base, link, rec, stop)
        try:
            calls = overview_calls(base, session) if session is not None else []
        except (requests.RequestException, ValueError):
            rec.error()
            stop.wait(2)
    if session is None:
        return
    due = [time.monotonic() + offset] * len(calls)
    tick = itertools.count(2)
    while not stop.is_set():
        now = time.monotonic()
        for i, (period, body) in enumerate(calls):
            if now < due[i]:
                continue
            due[i] = now + period
            n = next(tick)
            for item in body["inputs"]:
                if item["property"] == "n_intervals":
                    item["value"] = n
            started = time.perf_counter()
            try:
                r = session.post(base + "/_dash-update-component", json=body, timeout=30)
                ok = r.status_code in (200, 204)
            except requests.RequestException:
                ok = False
            rec.add("callback_ms", (time.perf_counter() - started) * 1000)
            if not ok:
                rec.error()
        stop.wait(max(0.05, min(due) - time.monotonic()))


def video_viewer(base: str, link: str, path: str, rec: Recorder, stop: threading.Event) -> None:
    session = signed_in(base, link, rec, stop)
    while session is not None and not stop.is_set():
        try:
            with session.get(base + path, stream=True, timeout=30) as r:
                if r.status_code != 200:
                    rec.error()
                    stop.wait(2)
                    continue
                for chunk in r.iter_content(65536):
                    rec.video(len(chunk))
                    if stop.is_set():
                        break
        except requests.RequestException:
            rec.error()
            stop.wait(1)


def health_probe(base: str, out: multiprocessing.Queue, stop: Any) -> None:
    """GET /healthz once a second, in a process of its own: the load generator's 160 threads share
    one interpreter lock, and a probe among them would time its own wait for it, not the server
    (as a monitor outside the load would see it)."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            ok = requests.get(base + "/healthz", timeout=10).status_code == 200
        except requests.RequestException:
            ok = False
        out.put(((time.perf_counter() - started) * 1000, ok))
        stop.wait(1.0)


def collect_probe(results: multiprocessing.Queue, rec: Recorder, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            ms, ok = results.get(timeout=0.5)
        except queue.Empty:
            continue
        rec.add("health_ms", ms)
        if not ok:
            rec.error()


def db_size(data_dir: Path) -> float:
    return sum(p.stat().st_size for p in data_dir.glob("ops.sqlite*")) / 2**20


def sample(proc: psutil.Process) -> tuple[float, int, int]:
    with proc.oneshot():
        return proc.memory_info().rss / 2**20, proc.num_threads(), proc.num_fds()


def growth(values: list[float]) -> float:
    """Relative change over the second half: (last - value at the midpoint) / midpoint."""
    mid = values[len(values) // 2]
    return (values[-1] - mid) / mid if mid else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--viewers", type=int, default=60)
    ap.add_argument("--mjpeg", type=int, default=100)
    ap.add_argument("--speed", type=float, default=20.0, help="live simulator speed-up")
    ap.add_argument("--width", type=int, default=320, help="?w= of the MJPEG viewers")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ops-soak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"starting the app on {base} (data in {data_dir}) ...", flush=True)
    app = start_app(data_dir, port, args.speed)
    proc = psutil.Process(app.pid)
    rec, stop = Recorder(), threading.Event()
    threads: list[threading.Thread] = []
    probe = None
    try:
        link = display_link(data_dir)
        status = signed_in(base, link).get(  # type: ignore[union-attr]
            base + "/streams/status", timeout=30).json()
        cams = [c["id"] for c in (status if isinstance(status, list) else status["cameras"])]
        for i in range(args.viewers):
            threads.append(threading.Thread(target=wall_viewer, daemon=True, args=(
                base, link, rec, stop, LIVE_S * i / max(1, args.viewers))))
        for i in range(args.mjpeg):
            path = f"/streams/{cams[i % len(cams)]}.mjpg?w={args.width}"
            threads.append(threading.Thread(target=video_viewer, daemon=True,
                                            args=(base, link, path, rec, stop)))
        threads.append(threading.Thread(target=video_viewer, daemon=True, args=(
            base, link, "/streams/mosaic.mjpg?w=1280", rec, stop)))
        spawn = multiprocessing.get_context("spawn")  # not fork: this process has threads
        probe_results, probe_stop = spawn.Queue(), spawn.Event()
        probe = spawn.Process(target=health_probe, args=(base, probe_results, probe_stop),
                              daemon=True)
        probe.start()
        threads.append(threading.Thread(target=collect_probe, daemon=True,
                                        args=(probe_results, rec, stop)))
        for t in threads:
            t.start()
            time.sleep(0.02)  # stagger the connections a little, as screens switch on
        print(f"load: {args.viewers} walls, {args.mjpeg} MJPEG viewers, 1 mosaic, /healthz 1/s",
              flush=True)
        rows: list[list[object]] = []
        headers = ["min", "RSS MiB", "threads", "open files", "DB MiB", "callbacks",
                   "cb p95 ms", "healthz p95 ms", "errors", "video MB/s"]
        print("  ".join(headers), flush=True)
        start = time.monotonic()
        for minute in range(1, args.minutes + 1):
            stop.wait(max(0.0, start + 60 * minute - time.monotonic()))
            if app.poll() is not None:
                raise RuntimeError("the app exited during the soak")
            w = rec.swap()
            rss, nthreads, fds = sample(proc)
            row = [minute, rss, nthreads, fds, db_size(data_dir), len(w.callback_ms),
                   p95(w.callback_ms) if w.callback_ms else float("nan"),
                   p95(w.health_ms) if w.health_ms else float("nan"), w.errors,
                   w.mjpeg_bytes / 60 / 1e6]
            rows.append(row)
            print("  ".join(f"{c:.1f}" if isinstance(c, float) else str(c) for c in row),
                  flush=True)
    finally:
        stop.set()
        if probe is not None:
            probe_stop.set()
            probe.join(5)
        app.terminate()
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
    print()
    print_table(["min", "RSS MiB", "threads", "open files", "DB MiB", "callbacks", "cb p95 ms",
                 "healthz p95 ms", "errors", "video MB/s"], rows)
    return verdict(rows)


def verdict(rows: list[list[object]]) -> int:
    """Print each target with its measured value; exit status 1 if any is missed."""
    half = rows[len(rows) // 2:]
    rss = [float(r[1]) for r in rows]
    threads = [int(r[2]) for r in half]
    fds = [int(r[3]) for r in half]
    window = 5 if len(rows) >= 10 else 1
    first = statistics.median([float(r[6]) for r in rows[:window]])
    last = statistics.median([float(r[6]) for r in rows[-window:]])
    # The first minute holds the start: 161 clients sign in within 3 s and every wall's first page
    # load fires all its callbacks at once (~360 callbacks of ~8 ms CPU on one interpreter), so
    # /healthz queues behind them for a few seconds. It is printed; the target is held once the
    # load is connected ("with 100 video viewers connected"), from the second minute on.
    steady = rows[1:] if len(rows) > 1 else rows
    health = max(float(r[7]) for r in steady)
    checks = [
        ("RSS growth over the second half", f"{growth(rss):+.1%}", growth(rss) < 0.05),
        ("threads over the second half (min..max)", f"{min(threads)}..{max(threads)}",
         max(threads) - min(threads) <= max(2, 0.05 * max(threads))),
        ("open files over the second half (min..max)", f"{min(fds)}..{max(fds)}",
         max(fds) - min(fds) <= max(4, 0.05 * max(fds))),
        (f"callback p95, last {window} min / first {window} min", f"{last / first:.2f}x",
         last <= 1.3 * first),
        (f"/healthz p95, worst minute{' from minute 2' if len(rows) > 1 else ''}",
         f"{health:.0f} ms", health < 100),
    ]
    print()
    print_table(["target", "measured", "met"], [[n, m, "yes" if ok else "NO"]
                                                  for n, m, ok in checks])
    if len(rows) > 1:
        print(f"(minute 1, while the load connects: /healthz p95 {float(rows[0][7]):.0f} ms)")
    return 0 if all(ok for *_x, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
