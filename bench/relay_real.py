"""`bench/relay.py --real`: 32 RTSP cameras at real resolution, MSE focus views vs today's decode-and-JPEG path.

One simulator process serves 32 cameras (1080p25 H.264 main, 640x360 sub, over RTSP/TCP). The
relay runs in its own process, twice, under the same load: 10 camera walls on the mosaic and 4
focus views with 15 viewers each.
- remux: focus views get the camera's own H.264 as fMP4 (MSE), the mosaic decodes sub-stream keyframes;
- baseline (today's path): every 1080p frame decoded with cv2, focus views as full-size MJPEG.
Relay CPU comes from psutil over the window; picture age from the capture time the simulator
writes into each frame (an SEI read by the viewer from the fMP4) or, for MJPEG, the part's
X-Timestamp (the relay's arrival time: the baseline's own decode queue is not counted).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import print_table  # noqa: E402
from streams import fmp4  # noqa: E402
from streams.config import BUNDLED_CAMERAS  # noqa: E402
from streams.rtp import sei_stamp  # noqa: E402

PY = sys.executable
STAMP = re.compile(rb"X-Timestamp: ([0-9.]+)\r\n")
FOCUS = ["hoa-binh", "son-la", "lai-chau", "tri-an"]
WALLS, PER_FOCUS = 10, 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cameras_file(folder: Path, mode: str) -> Path:
    """All 32 bundled cameras as RTSP cameras; remux: main+sub streams; baseline: main decoded by cv2."""
    data = yaml.safe_load(BUNDLED_CAMERAS.read_text(encoding="utf-8"))
    for cam in data["cameras"]:
        cam.pop("source", None)
        cam.pop("streams", None)
        cid = cam["id"]
        if mode == "remux":
            cam["streams"] = [{"name": "main", "source": f"sim://{cid}/main"},
                              {"name": "sub", "source": f"sim://{cid}/sub"}]
        else:
            cam["source"] = f"sim://{cid}/main"
            cam["options"] = {**cam.get("options", {}), "reader": "ffmpeg"}
    data["relay"]["max_viewers"] = 2000
    file = folder / f"cameras-{mode}.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return file


class Viewer:
    """One HTTP stream read on the shared selector: de-chunks, then measures what it sees."""

    def __init__(self, kind: str, path: str, port: int, probe: bool = False) -> None:
        self.kind, self.probe = kind, probe  # kind: mse | mjpeg
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        self.opened = time.monotonic()
        self.raw = b""
        self.head_done = False
        self.body = b""  # de-chunked, not yet consumed
        self.chunk_left = 0
        self.have_init = False
        self.first: float | None = None
        self.bytes = 0
        self.ages: list[float] = []
        self.closed = False

    def feed(self, data: bytes, now: float, wall: float) -> None:
        self.bytes += len(data)
        self.raw += data
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head_done, self.raw = True, self.raw[end + 4 :]
        self._dechunk()
        if self.kind == "mse":
            boxes, used = fmp4.top_boxes(self.body)
            self.body = self.body[used:]
            for kind, box in boxes:
                if kind == b"moov":
                    self.have_init = True
                elif kind == b"mdat" and self.have_init:
                    if self.first is None:
                        self.first = now - self.opened
                    stamp = sei_stamp(box[:300])
                    if stamp:
                        self.ages.append(wall - stamp)
        else:
            if self.first is None and b"\xff\xd9" in self.body:  # a whole JPEG (its end marker) arrived
                self.first = now - self.opened
            for match in STAMP.finditer(self.body):
                self.ages.append(wall - float(match.group(1)))
            self.body = self.body[-64:]  # a header split across reads is found next time

    def _dechunk(self) -> None:
        raw, out = self.raw, []
        while raw:
            if self.chunk_left > 0:
                take = min(self.chunk_left, len(raw))
                out.append(raw[:take])
                raw, self.chunk_left = raw[take:], self.chunk_left - take
                if self.chunk_left == 0:
                    self.chunk_left = -2  # the CRLF after the data
                continue
            if self.chunk_left < 0:
                if len(raw) < 2:
                    break
                raw, self.chunk_left = raw[2:], 0
                continue
            line_end = raw.find(b"\r\n")
            if line_end < 0:
                break
            self.chunk_left = int(raw[:line_end].split(b";")[0] or b"0", 16)
            raw = raw[line_end + 2 :]
            if self.chunk_left == 0:
                self.closed = True
                break
        self.raw = raw
        self.body += b"".join(out)


class Load:
    """All viewers on one selector thread, so the client costs little CPU; probes open new viewers."""

    def __init__(self, port: int, mode: str) -> None:
        self.port, self.mode = port, mode
        self.sel = selectors.DefaultSelector()
        self.viewers: list[Viewer] = []
        self.probes: list[Viewer] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="bench-clients", daemon=True)
        self.lock = threading.Lock()

    def focus_path(self, cam: str) -> str:
        return f"/streams/{cam}.mp4" if self.mode == "remux" else f"/streams/{cam}.mjpg"

    def add(self, viewer: Viewer) -> None:
        with self.lock:
            self.sel.register(viewer.sock, selectors.EVENT_READ, viewer)

    def start(self) -> Load:
        for _ in range(WALLS):
            self.viewers.append(Viewer("mjpeg", "/streams/mosaic.mjpg?w=1920", self.port))
        for cam in FOCUS:
            for _ in range(PER_FOCUS):
                kind = "mse" if self.mode == "remux" else "mjpeg"
                self.viewers.append(Viewer(kind, self.focus_path(cam), self.port))
        for viewer in self.viewers:
            self.add(viewer)
        self.thread.start()
        return self

    def probe(self) -> None:
        """A new viewer of a focus camera: time to its first picture, then it leaves."""
        cam = random.choice(FOCUS)
        viewer = Viewer("mse" if self.mode == "remux" else "mjpeg", self.focus_path(cam), self.port, probe=True)
        self.probes.append(viewer)
        self.add(viewer)

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                events = self.sel.select(timeout=0.2) if self.sel.get_map() else []
            now, wall = time.monotonic(), time.time()
            for key, _ in events:
                viewer: Viewer = key.data
                try:
                    data = viewer.sock.recv(1 << 20)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data:
                    viewer.feed(data, now, wall)
                if not data or (viewer.probe and viewer.first is not None):
                    with self.lock:
                        self.sel.unregister(viewer.sock)
                    viewer.sock.close()
                    viewer.closed = True
            if not events:
                time.sleep(0.001)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for viewer in self.viewers + self.probes:
            if not viewer.closed:
                viewer.sock.close()

    def reset(self) -> None:
        for viewer in self.viewers:
            viewer.ages.clear()
            viewer.bytes = 0


def wait_status(url: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = requests.get(url, timeout=3).json()
            live = [s for s in status if s["state"] == "LIVE"]
            if len(live) >= count and (not status[0].get("streams") or all(
                    s["live"] == "mse" for s in status if s["id"] in FOCUS) or status[0]["live"] == "mjpeg"):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"relay did not bring the cameras live: {url}")


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def run_mode(mode: str, folder: Path, sim_base: str, sim_rtsp: str, seconds: float) -> dict[str, Any]:
    port = free_port()
    cams = cameras_file(folder, mode)
    relay = subprocess.Popen([PY, "-m", "streams", "relay", "--cameras", str(cams), "--port", str(port),
                              "--no-simulate", "--sim-base", sim_base, "--sim-rtsp", sim_rtsp],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_status(f"http://127.0.0.1:{port}/streams/status", 32, 120)
        load = Load(port, mode).start()
        time.sleep(5)  # viewers settled, fan-outs running
        load.reset()
        proc = psutil.Process(relay.pid)
        cpu0, t0 = cpu_seconds(proc), time.monotonic()
        next_probe = t0
        while time.monotonic() - t0 < seconds:
            if time.monotonic() >= next_probe:
                load.probe()
                next_probe += 1.0
            time.sleep(0.05)
        cpu = (cpu_seconds(proc) - cpu0) / (time.monotonic() - t0)
        elapsed = time.monotonic() - t0
        status = requests.get(f"http://127.0.0.1:{port}/streams/status", timeout=10).json()
        read_fps = sum(s["fps"] for s in status)  # main-stream frames the relay handled per second
        load.close()
        mosaic = [a for v in load.viewers[:WALLS] for a in v.ages]
        live = [a for v in load.viewers[WALLS:] for a in v.ages]
        firsts = [v.first for v in load.probes if v.first is not None]
        got = sum(1 for v in load.viewers[WALLS:] if v.ages)
        return {
            "mode": mode, "cpu": cpu, "per_cam": cpu / 32 * 1000, "first": firsts, "probes": len(load.probes),
            "live": live, "mosaic": mosaic, "live_viewers": got,
            "mbps": sum(v.bytes for v in load.viewers) * 8 / elapsed / 1e6,
            "mb": sum(v.bytes for v in load.viewers + load.probes) / 1e6,
            "fps": len(live) / elapsed / max(1, len(load.viewers) - WALLS),
            "read_fps": read_fps,
            # CPU per camera frame handled, scaled to what 32 cameras at 25 fps need: comparable even when
            # a starved baseline falls behind (it then handles fewer frames for the CPU it gets).
            "needed": cpu / max(read_fps, 1e-9) * 32 * 25,
        }
    finally:
        relay.terminate()
        try:
            relay.wait(timeout=15)
        except subprocess.TimeoutExpired:
            relay.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", action="store_true", help="(this mode)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement window per mode")
    parser.add_argument("--modes", default="remux,baseline", help="which relays to run, in order")
    parser.add_argument("--sim-cache", default=str(ROOT / "var" / "sim-cache"), help="encoded loops (kept)")
    args = parser.parse_args(argv)
    folder = Path(args.sim_cache).parent / "bench-real"
    folder.mkdir(parents=True, exist_ok=True)
    sim_port, rtsp_port = free_port(), free_port()
    sim_cams = cameras_file(folder, "remux")
    print(f"simulator: 32 RTSP cameras (1080p25 H.264 main + 640x360 sub), loops cached in {args.sim_cache}")
    started = time.monotonic()
    sim = subprocess.Popen([PY, "-m", "streams", "simulate", "--cameras", str(sim_cams), "--port", str(sim_port),
                            "--rtsp-port", str(rtsp_port), "--sim-cache", args.sim_cache],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert sim.stdout is not None
        sim.stdout.readline()  # printed once the loops are ready and the servers listen
        print(f"simulator ready in {time.monotonic() - started:.1f} s (encoding only on the first run)")
        sim_proc = psutil.Process(sim.pid)
        results, sim_cpu = [], []
        for mode in args.modes.split(","):
            c0, t0 = cpu_seconds(sim_proc), time.monotonic()
            results.append(run_mode(mode, folder, f"http://127.0.0.1:{sim_port}", f"rtsp://127.0.0.1:{rtsp_port}",
                                    args.seconds))
            sim_cpu.append((cpu_seconds(sim_proc) - c0) / (time.monotonic() - t0))
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sim.kill()
    report(results, sim_cpu, args.seconds)
    return 0


def report(results: list[dict[str, Any]], sim_cpu: list[float], seconds: float) -> None:
    print(f"\n32 cameras; {WALLS} walls on the mosaic; {len(FOCUS)} focus views x {PER_FOCUS} viewers; "
          f"{seconds:.0f} s per mode; {os.cpu_count()} cores (shared)")
    headers = ["mode", "relay CPU (cores)", "CPU/camera (ms/s)", "first picture p50 (ms)", "p95 (ms)",
               "live age p50 (ms)", "p95 (ms)", "mosaic age p50 (ms)", "p95 (ms)", "focus fps/viewer",
               "out (Mbit/s)", "out (MB)", "main fps read", "cores for 32x25 fps", "simulator CPU"]
    rows = []
    for r, s in zip(results, sim_cpu, strict=True):
        rows.append([r["mode"], r["cpu"], r["per_cam"], pct(r["first"], 0.5) * 1000, pct(r["first"], 0.95) * 1000,
                     pct(r["live"], 0.5) * 1000, pct(r["live"], 0.95) * 1000, pct(r["mosaic"], 0.5) * 1000,
                     pct(r["mosaic"], 0.95) * 1000, r["fps"], r["mbps"], r["mb"], r["read_fps"], r["needed"], s])
    print_table(headers, rows)
    by = {r["mode"]: r for r in results}
    if "remux" in by and "baseline" in by:
        ratio = by["baseline"]["cpu"] / max(by["remux"]["cpu"], 1e-9)
        needed = by["baseline"]["needed"] / max(by["remux"]["needed"], 1e-9)
        print(f"\nrelay CPU, baseline / remux: {ratio:.1f}x as measured; {needed:.1f}x per camera frame handled")
    print("targets: relay < 1 core; first picture p95 < 1000 ms; live age p95 < 500 ms; mosaic age < 2000 ms")


if __name__ == "__main__":
    sys.exit(main())
