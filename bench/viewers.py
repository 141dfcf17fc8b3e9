"""Do video viewers starve pages? /healthz and /login latency under waitress with N MJPEG viewers.

The app runs as its own process under waitress with few threads (default 8), relay and simulated
cameras in-process, as `python app.py` runs it. For each mode it measures /healthz and /login
with no viewers, then with --viewers camera streams plus the mosaic open (kept flowing by one
reader thread), and prints median/p95 with the ratio to no viewers in the same run.

Modes: `hub` (today: viewer sockets handed to the relay's hub thread) and `thread` (the old
way, forced by hiding waitress's hand-over from the app: every viewer holds a waitress thread).

    .venv/bin/python bench/viewers.py                  # 8 threads, 100 viewers + mosaic, both modes
    .venv/bin/python bench/viewers.py --modes hub --viewers 300 --requests 60
"""
from __future__ import annotations

import argparse
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import p95, print_table, statistics  # noqa: E402

TIMEOUT_S = 5.0  # a request slower than this counts as an error (and as 5000 ms)

LAUNCH = """
import sys
from settings import get_settings
from tests.apps import build_app  # the database prepared and background work started, as app.py does

mode, threads = sys.argv[1], int(sys.argv[2])
settings = get_settings()
wsgi = build_app(settings, background=True).server
if mode == "thread":  # hide waitress's channel: the relay cannot take the socket, a thread serves it
    inner = wsgi
    def wsgi(environ, start_response):
        environ.pop("waitress.client_disconnected", None)
        return inner(environ, start_response)
from waitress import serve
print("serving", flush=True)
serve(wsgi, host="127.0.0.1", port=settings.port, threads=threads, connection_limit=2000,
      channel_timeout=120, ident="bench")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(mode: str, threads: int, cameras: int, data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    """The app in its own process; returns (process, base url, admin password)."""
    from streams.config import load_cameras

    bundled = load_cameras(None)
    cams_file = data_dir / "cameras.yaml"
    cams = [c.model_dump(mode="json") for c in bundled.cameras[:cameras]]
    for cam, original in zip(cams, bundled.cameras[:cameras], strict=True):
        cam["source"] = original.source.get_secret_value()
    cams_file.write_text(yaml.safe_dump({"relay": bundled.relay.model_dump(mode="json"), "cameras": cams}),
                         encoding="utf-8")
    port = free_port()
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir / "var"), "OPS_SEED_YEARS": "1", "OPS_PORT": str(port),
           "OPS_CAMERAS_FILE": str(cams_file), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, mode, str(threads)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    password = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"password:\s+(\S+)", line)
        if found:
            password = found.group(1)
        if line.startswith("serving"):
            break
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url, password
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the app did not come up")


def sign_in(url: str, password: str) -> str:
    session = requests.Session()
    page = session.get(url + "/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = session.post(url + "/login", data={"csrf_token": csrf, "username": "admin", "password": password},
                        allow_redirects=False, timeout=10)
    if resp.status_code != 303:
        raise SystemExit(f"sign-in failed: {resp.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


class Viewers:
    """Raw MJPEG viewers, all read by one thread so they keep flowing (and cost the app its frames)."""

    def __init__(self, url: str, cookies: str, paths: list[str]) -> None:
        self.selector = selectors.DefaultSelector()
        self.bytes = 0
        self.frames = 0  # multipart boundaries seen (one per picture; a boundary split by a read is missed)
        self.started = time.monotonic()
        self.got: dict[int, int] = {}  # bytes per socket (fd), for how many viewers are served
        self.stop = threading.Event()
        port = int(url.rsplit(":", 1)[1])
        self.socks = []
        for path in paths:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n\r\n".encode())
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.socks.append(sock)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.stop.is_set():
            for key, _ in self.selector.select(0.2):
                try:
                    data = key.fileobj.recv(1 << 20)
                except (BlockingIOError, OSError):
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                self.bytes += len(data)
                self.frames += data.count(b"--opsframe")
                self.got[key.fd] = self.got.get(key.fd, 0) + len(data)

    def summary(self) -> str:
        """'<viewers receiving>/<opened>, <pictures/s per viewer fed>, <MiB/s>'."""
        seconds = max(time.monotonic() - self.started, 1e-3)
        served = sum(1 for n in self.got.values() if n > 64 * 1024)
        fps = self.frames / seconds / max(served, 1)
        return f"{served}/{len(self.socks)}, {fps:.1f} fps, {self.bytes / 2**20 / seconds:.1f} MiB/s"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for sock in self.socks:
            sock.close()


def measure(url: str, path: str, n: int, give_up: int = 5) -> tuple[list[float], int]:
    """n timed GETs; after `give_up` failures the rest are counted as failed without waiting."""
    times, errors = [], 0
    for _ in range(n):
        if errors >= give_up:
            times.append(TIMEOUT_S * 1000)
            errors += 1
            continue
        started = time.perf_counter()
        try:
            ok = requests.get(url + path, timeout=TIMEOUT_S).status_code == 200
        except requests.RequestException:
            ok = False
        times.append((time.perf_counter() - started) * 1000 if ok else TIMEOUT_S * 1000)
        errors += not ok
        time.sleep(0.02)
    return times, errors


def run(mode: str, args: argparse.Namespace, rows: list[list[object]]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-viewers-") as tmp:
        proc, url, password = start_app(mode, args.threads, args.cameras, Path(tmp))
        try:
            cookies = sign_in(url, password)
            time.sleep(3)  # cameras connect
            base: dict[str, float] = {}
            for label, n_viewers in (("none", 0), (f"{args.viewers} + mosaic", args.viewers)):
                viewers = None
                if n_viewers:
                    ids = [f"/streams/{r['id']}.mjpg" for r in requests.get(
                        url + "/streams/status", headers={"Cookie": cookies}, timeout=10).json()]
                    paths = [ids[i % len(ids)] for i in range(n_viewers)] + ["/streams/mosaic.mjpg"]
                    viewers = Viewers(url, cookies, paths)
                    time.sleep(2)
                for path in ("/healthz", "/login"):
                    times, errors = measure(url, path, args.requests)
                    median, high = statistics.median(times), p95(times)
                    base.setdefault(path, high)
                    rows.append([mode, args.threads, label, path, median, high, errors,
                                 f"{high / base[path]:.1f}x",
                                 viewers.summary() if viewers else "-"])
                if viewers:
                    viewers.close()
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="hub,thread", help="hub, thread or both (comma-separated)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--viewers", type=int, default=100, help="camera streams (plus one mosaic)")
    parser.add_argument("--cameras", type=int, default=32, help="simulated cameras (of the bundled 32)")
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint and phase")
    args = parser.parse_args()
    rows: list[list[object]] = []
    for mode in args.modes.split(","):
        run(mode.strip(), args, rows)
    print_table(["mode", "threads", "viewers", "endpoint", "median ms", "p95 ms", "errors",
                 "p95 vs none", "viewers fed, fps each, total"], rows)


if __name__ == "__main__":
    main()
