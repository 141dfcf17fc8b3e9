"""Relay benchmark: CPU, frame age, snapshot latency and upstreams for 0/10/60 viewers vs a naive relay."""
from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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
    from streams.relay import mjpeg_part
    from streams.server import serve_waitress, serve_werkzeug
    from streams.sources import SourceError, open_source

    cams = load_cameras(None).by_id()
    app = Flask("naive")

    @app.get("/streams/<cam_id>.mjpg")
    def stream(cam_id: str) -> Response:
        url = cams[cam_id].source_url(sim_base)

        def frames() -> Iterator[bytes]:
            from streams.relay import encode_jpeg

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
class Viewer(threading.Thread):
    def __init__(self, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.ages: list[float] = []
        self.bytes = 0
        self.frames = 0

    def run(self) -> None:
        try:
            with requests.get(self.url, stream=True, timeout=10) as resp:
                for chunk in resp.iter_content(65536):
                    now = time.time()
                    self.bytes += len(chunk)
                    for match in STAMP.finditer(chunk):
                        self.frames += 1
                        self.ages.append(now - float(match.group(1)))
                    if self.stop.is_set():
                        return
        except requests.RequestException:
            return


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


def run_scenario(name: str, base: str, proc: psutil.Process, sim_base: str, cam_ids: list[str],
                 viewers: int, mode: str, seconds: float, snapshots: bool) -> dict[str, object]:
    stop = threading.Event()
    if mode == "mosaic":
        urls = [f"{base}/streams/mosaic.mjpg"] * viewers
    else:
        urls = [f"{base}/streams/{cam_ids[i % len(cam_ids)]}.mjpg" for i in range(viewers)]
    threads = [Viewer(u, stop) for u in urls]
    for t in threads:
        t.start()
    time.sleep(2.0)  # let connections settle before measuring (this is a bench, not a test)
    for t in threads:
        t.ages.clear()
        t.bytes = t.frames = 0
    snaps: list[float] = []
    probe = None
    if snapshots:
        probe = threading.Thread(target=snapshot_probe, args=(base, stop, snaps, cam_ids), daemon=True)
        probe.start()
    cpu0, wall0 = proc.cpu_times(), time.monotonic()
    conns: list[int] = []
    end = wall0 + seconds
    while time.monotonic() < end:
        stats = requests.get(f"{sim_base}/stats", timeout=5).json()
        conns.append(sum(s["connections"] for s in stats.values()))
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
    cpu1, wall1 = proc.cpu_times(), time.monotonic()
    stop.set()
    for t in threads:
        t.join(3)
    if probe:
        probe.join(3)
    elapsed = wall1 - wall0
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / elapsed * 100
    ages = [a for t in threads for a in t.ages]
    return {
        "name": name, "viewers": viewers, "mode": mode, "cpu": cpu,
        "age50": pct(ages, 0.5) * 1000, "age95": pct(ages, 0.95) * 1000,
        "snap50": pct(snaps, 0.5) * 1000, "snap95": pct(snaps, 0.95) * 1000,
        "upstreams": max(conns) if conns else 0,
        "mbps": sum(t.bytes for t in threads) / elapsed / 1e6,
        "fps": sum(t.frames for t in threads) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window per scenario")
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
    procs = [subprocess.Popen([PY, "-m", "streams", "simulate", "--port", str(sim_port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_http(f"{sim_base}/stats")
        sim_proc = psutil.Process(procs[0].pid)
        sim_cpu0, sim_t0 = sim_proc.cpu_times(), time.monotonic()
        time.sleep(3)
        sim_cpu1 = sim_proc.cpu_times()
        sim_idle = (sim_cpu1.user + sim_cpu1.system - sim_cpu0.user - sim_cpu0.system) / (time.monotonic() - sim_t0) * 100
        relay = subprocess.Popen([PY, "-m", "streams", "relay", "--port", str(relay_port), "--no-simulate",
                                  "--sim-base", sim_base, "--server", args.server], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        sim_cpu0, sim_t0 = sim_proc.cpu_times(), time.monotonic()
        rows = [run_scenario("relay", base, rproc, sim_base, cam_ids, 0, "single", args.seconds, True)]
        sim_cpu1 = sim_proc.cpu_times()
        sim_served = (sim_cpu1.user + sim_cpu1.system - sim_cpu0.user - sim_cpu0.system) / (time.monotonic() - sim_t0) * 100
        for viewers in (10, 60):
            rows.append(run_scenario("relay", base, rproc, sim_base, cam_ids, viewers, "single", args.seconds, True))
        for viewers in (10, 60):
            rows.append(run_scenario("relay", base, rproc, sim_base, cam_ids, viewers, "mosaic", args.seconds, True))
        relay.terminate()
        relay.wait(10)
        naive = subprocess.Popen([PY, str(Path(__file__).resolve()), "--serve-naive", str(naive_port),
                                  "--sim-base", sim_base, "--server", args.server], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(naive)
        nbase = f"http://127.0.0.1:{naive_port}"
        wait_http(f"{nbase}/streams/x.mjpg".replace("/streams/x.mjpg", "/"))
        nproc = psutil.Process(naive.pid)
        for viewers in (10, 60):
            rows.append(run_scenario("naive", nbase, nproc, sim_base, cam_ids, viewers, "single", args.seconds, False))
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    idle = rows[0]["cpu"] or 1e-9
    print(f"\nrelay bench ({args.server}): 32 cameras 640x360 @10 fps, {args.seconds:.0f} s per row; "
          "CPU in % of one core")
    print(f"simulator CPU: {sim_idle:.1f}% with no client, {sim_served:.1f}% serving the relay (32 upstreams)")
    head = (f"{'server':6} {'mode':6} {'viewers':>7} {'CPU %':>6} {'xidle':>6} {'vs naive':>8} {'age p50':>8} "
            f"{'age p95':>8} {'snap p50':>8} {'snap p95':>8} {'upstr':>5} {'MB/s':>6} {'frames/s':>8}")
    print(head)
    print("-" * len(head))
    naive_cpu = {r["viewers"]: r["cpu"] for r in rows if r["name"] == "naive"}
    for r in rows:
        vs = ""
        if r["name"] == "relay" and r["mode"] == "single" and r["viewers"] in naive_cpu:
            vs = f"{r['cpu'] / max(naive_cpu[r['viewers']], 1e-9):.2f}"
        print(f"{r['name']:6} {r['mode']:6} {r['viewers']:>7} {r['cpu']:>6.1f} {r['cpu'] / idle:>6.2f} {vs:>8} "
              f"{r['age50']:>8.1f} {r['age95']:>8.1f} {r['snap50']:>8.1f} {r['snap95']:>8.1f} "
              f"{r['upstreams']:>5} {r['mbps']:>6.2f} {r['fps']:>8.1f}")
    print("age: relay ingest -> viewer receipt (ms); mosaic age counts from the mosaic build. "
          "snap: GET /streams/<id>.jpg (half with ?w=320), ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
