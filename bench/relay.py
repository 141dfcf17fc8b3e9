"""Relay benchmark: CPU, frame age, snapshot latency and upstreams for 0/10/60 viewers vs a naive relay."""
from __future__ import annotations

import argparse
import os
import re
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import print_table  # noqa: E402

PY = sys.executable
STAMP = re.compile(rb"X-Timestamp: ([0-9.]+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"service did not come up: {url}")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


# -- the naive baseline: every viewer opens its own capture ------------------------------------------
def serve_naive(port: int, sim_base: str, server: str) -> None:
    from flask import Flask, Response

    from streams.config import load_cameras
    from streams.multipart import mjpeg_part
    from streams.server import serve_waitress, serve_werkzeug
    from streams.sources import SourceError, open_source

    cams = load_cameras(None).by_id()
    app = Flask("naive")

    @app.get("/streams/<cam_id>.mjpg")
    def stream(cam_id: str) -> Response:
        url = cams[cam_id].source_url(sim_base)

        def frames() -> Iterator[bytes]:
            from streams.imaging import encode_jpeg

            source = open_source(url, "auto", 3, 3)
            try:
                source.open()
                for raw in source.frames():
                    jpeg = raw.jpeg if raw.jpeg is not None else encode_jpeg(raw.image, 75)
                    yield mjpeg_part(jpeg, time.time())
            except SourceError:
                return
            finally:
                source.close()

        return Response(frames(), mimetype="multipart/x-mixed-replace; boundary=opsframe")

    if server == "werkzeug":
        serve_werkzeug(app, "127.0.0.1", port)
    else:
        serve_waitress(app, "127.0.0.1", port, threads=200)


# -- viewers and probes ------------------------------------------------------------------------------
class Viewers(threading.Thread):
    """Every viewer of a scenario on one thread: raw sockets, a selector and no HTTP library.

    On a 2-core machine a heavy client (one thread and a full HTTP stack per viewer) steals CPU
    from the relay it measures and multiplies its context switches; this one costs little.
    """

    def __init__(self, urls: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.urls, self.stop = urls, stop
        self.ages: list[float] = []
        self.bytes = 0
        self.frames = 0

    def reset(self) -> None:
        self.ages, self.bytes, self.frames = [], 0, 0

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        for url in self.urls:
            parts = urlsplit(url)
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, data=[b""])  # data: the tail of the last read
        try:
            while not self.stop.is_set() and selector.get_map():
                for key, _ in selector.select(timeout=0.5):
                    try:
                        chunk = key.fileobj.recv(262144)  # type: ignore[union-attr]
                    except BlockingIOError:
                        continue
                    except OSError:
                        chunk = b""
                    if not chunk:
                        selector.unregister(key.fileobj)
                        key.fileobj.close()  # type: ignore[union-attr]
                        continue
                    now = time.time()
                    self.bytes += len(chunk)
                    tail = key.data[0]
                    window = tail + chunk
                    # A stamp split across two reads is found once: count matches that end in the new bytes.
                    for match in STAMP.finditer(window):
                        if match.end() > len(tail):
                            self.frames += 1
                            self.ages.append(now - float(match.group(1)))
                    key.data[0] = window[-40:]
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            selector.close()


def snapshot_probe(base: str, stop: threading.Event, out: list[float], cam_ids: list[str]) -> None:
    session = requests.Session()
    i = 0
    while not stop.is_set():
        cam = cam_ids[i % len(cam_ids)]
        suffix = "?w=320" if i % 2 else ""
        started = time.perf_counter()
        _ = session.get(f"{base}/streams/{cam}.jpg{suffix}", timeout=5).content
        out.append(time.perf_counter() - started)
        i += 1
        stop.wait(0.1)


def run_scenario(base: str, proc: psutil.Process, sim_base: str, cam_ids: list[str], viewers: int, mode: str,
                 seconds: float, snapshots: bool) -> dict[str, Any]:
    """One measurement window: CPU of `proc`, frame ages, snapshot latency, upstreams, bytes."""
    stop = threading.Event()
    if mode == "mosaic":
        urls = [f"{base}/streams/mosaic.mjpg"] * viewers
    else:
        urls = [f"{base}/streams/{cam_ids[i % len(cam_ids)]}.mjpg" for i in range(viewers)]
    viewers_thread = Viewers(urls, stop)
    viewers_thread.start()
    time.sleep(2.0)  # let connections settle before measuring (this is a bench, not a test)
    viewers_thread.reset()
    me = psutil.Process()
    snaps: list[float] = []
    probe = None
    if snapshots:
        probe = threading.Thread(target=snapshot_probe, args=(base, stop, snaps, cam_ids), daemon=True)
        probe.start()
    cpu0, me0, wall0 = proc.cpu_times(), me.cpu_times(), time.monotonic()
    conns: list[int] = []
    end = wall0 + seconds
    while time.monotonic() < end:
        stats = requests.get(f"{sim_base}/stats", timeout=5).json()
        conns.append(sum(s["connections"] for s in stats.values()))
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
    cpu1, me1, wall1 = proc.cpu_times(), me.cpu_times(), time.monotonic()
    stop.set()
    viewers_thread.join(3)
    if probe:
        probe.join(3)
    elapsed = wall1 - wall0
    return {
        "cpu": (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / elapsed * 100,
        "client": (me1.user + me1.system - me0.user - me0.system) / elapsed * 100,
        "ages": viewers_thread.ages, "snaps": snaps,
        "upstreams": max(conns) if conns else 0,
        "mbps": viewers_thread.bytes / elapsed / 1e6,
        "fps": viewers_thread.frames / elapsed,
    }


Scenario = tuple[str, str, int]  # (server, mode, viewers)
RELAY_SCENARIOS: list[Scenario] = [("relay", "single", 0), ("relay", "single", 10), ("relay", "single", 60),
                                   ("relay", "mosaic", 10), ("relay", "mosaic", 60)]
NAIVE_SCENARIOS: list[Scenario] = [("naive", "single", 10), ("naive", "single", 60)]


def run_rounds(scenarios: list[Scenario], rounds: int, measure: Callable[[Scenario], dict[str, Any]],
               results: dict[Scenario, list[dict[str, Any]]]) -> None:
    """Every scenario once per round, the order rotated each round so drift and warm-up spread evenly."""
    for n in range(rounds):
        shift = n % len(scenarios)
        for scenario in scenarios[shift:] + scenarios[:shift]:
            results.setdefault(scenario, []).append(measure(scenario))


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_percent(proc: psutil.Process, seconds: float) -> float:
    before, t0 = proc.cpu_times(), time.monotonic()
    time.sleep(seconds)
    after = proc.cpu_times()
    return (after.user + after.system - before.user - before.system) / (time.monotonic() - t0) * 100


def main() -> int:
    if "--real" in sys.argv[1:]:  # 32 RTSP cameras at 1080p25: remux/MSE vs decode-and-JPEG (bench/relay_real.py)
        from bench.relay_real import main as real

        return real(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window per scenario")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario; the table shows medians")
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="werkzeug",
                        help="WSGI server for the relay and the naive baseline")
    parser.add_argument("--serve-naive", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sim-base", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_naive:
        serve_naive(args.serve_naive, args.sim_base, args.server)
        return 0

    from streams.config import load_cameras

    cam_ids = [c.id for c in load_cameras(None).cameras]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sim_port, relay_port, naive_port = free_port(), free_port(), free_port()
    sim_base = f"http://127.0.0.1:{sim_port}"
    results: dict[Scenario, list[dict[str, Any]]] = {}
    procs = [start([PY, "-m", "streams", "simulate", "--port", str(sim_port)], env)]
    try:
        wait_http(f"{sim_base}/stats")
        sim_proc = psutil.Process(procs[0].pid)
        sim_idle = cpu_percent(sim_proc, 3)
        relay = start([PY, "-m", "streams", "relay", "--port", str(relay_port), "--no-simulate",
                       "--sim-base", sim_base, "--server", args.server], env)
        procs.append(relay)
        base = f"http://127.0.0.1:{relay_port}"
        wait_http(f"{base}/streams/status")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = [s["state"] for s in requests.get(f"{base}/streams/status", timeout=5).json()]
            if states.count("LIVE") == len(states):
                break
            time.sleep(0.5)
        rproc = psutil.Process(relay.pid)
        time.sleep(5)  # warm-up: first renditions, decoder start-up and imports stay out of the figures
        sim_served = cpu_percent(sim_proc, 5)
        run_rounds(RELAY_SCENARIOS, args.rounds, lambda s: run_scenario(
            base, rproc, sim_base, cam_ids, s[2], s[1], args.seconds, True), results)
        relay.terminate()
        relay.wait(10)
        naive = start([PY, str(Path(__file__).resolve()), "--serve-naive", str(naive_port),
                       "--sim-base", sim_base, "--server", args.server], env)
        procs.append(naive)
        nbase = f"http://127.0.0.1:{naive_port}"
        wait_http(f"{nbase}/")
        nproc = psutil.Process(naive.pid)
        run_rounds(NAIVE_SCENARIOS, args.rounds, lambda s: run_scenario(
            nbase, nproc, sim_base, cam_ids, s[2], s[1], args.seconds, False), results)
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    report(results, args, sim_idle, sim_served)
    return 0


def report(results: dict[Scenario, list[dict[str, Any]]], args: argparse.Namespace, sim_idle: float,
           sim_served: float) -> None:
    cpu = {s: statistics.median(r["cpu"] for r in runs) for s, runs in results.items()}
    idle = cpu[("relay", "single", 0)] or 1e-9
    print(f"\nrelay bench ({args.server}): 32 cameras 640x360 @10 fps; {args.rounds} rounds of {args.seconds:.0f} s "
          "per row, order rotated each round; CPU in % of one core (median of rounds, min-max beside it)")
    print(f"simulator CPU: {sim_idle:.1f}% with no client, {sim_served:.1f}% serving the relay (32 upstreams)")
    rows = []
    for scenario, runs in results.items():
        server, mode, viewers = scenario
        cpus = [r["cpu"] for r in runs]
        ages = [a for r in runs for a in r["ages"]]
        snaps = [a for r in runs for a in r["snaps"]]
        naive = cpu.get(("naive", "single", viewers)) if server == "relay" and mode == "single" else None
        rows.append([server, mode, viewers, cpu[scenario], f"{min(cpus):.1f}-{max(cpus):.1f}", cpu[scenario] / idle,
                     f"{cpu[scenario] / naive:.2f}" if naive else "", pct(ages, 0.5) * 1000, pct(ages, 0.95) * 1000,
                     pct(snaps, 0.5) * 1000, pct(snaps, 0.95) * 1000, max(r["upstreams"] for r in runs),
                     statistics.median(r["mbps"] for r in runs), statistics.median(r["fps"] for r in runs),
                     statistics.median(r["client"] for r in runs)])
    print_table(["server", "mode", "viewers", "CPU %", "range", "x idle", "vs naive", "age p50", "age p95",
                 "snap p50", "snap p95", "upstreams", "MB/s", "frames/s", "client CPU %"], rows)
    print("age: relay ingest -> viewer receipt (ms); mosaic age counts from the mosaic build. "
          "snap: GET /streams/<id>.jpg (half with ?w=320), ms. client: this process (viewers + probes). Target: x idle <= 1.5 at 60 viewers.")


if __name__ == "__main__":
    sys.exit(main())
