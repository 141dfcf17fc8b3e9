"""The README's production shape for a benchmark: private PostgreSQL and Redis that can be
restarted, gunicorn (deploy/gunicorn.conf.py), the relay service and the camera simulator, each
its own process started as deploy/Procfile starts it."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120, **kwargs: object) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the process for {url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2, **kwargs).status_code == 200:  # type: ignore[arg-type]
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def cameras_file(folder: Path, count: int) -> str:
    """The first `count` bundled cameras at the browser tests' small sizes (cheap to encode)."""
    from streams.config import BUNDLED_CAMERAS
    from tests.browser.conftest import SMALL_SIM

    doc = yaml.safe_load(BUNDLED_CAMERAS.read_text(encoding="utf-8"))
    doc["simulator"] = SMALL_SIM
    doc["cameras"] = doc["cameras"][:count]
    path = folder / "cameras.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path)


def environment(database_url: str, redis_url: str, folder: Path, ports: dict[str, int],
                cameras: str, workers: int) -> dict[str, str]:
    """What deploy/ops.env holds, for these servers and ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(
        OPS_DATABASE_URL=database_url, OPS_CACHE_TYPE="RedisCache", OPS_REDIS_URL=redis_url,
        OPS_SECRET_KEY=secrets.token_urlsafe(48), OPS_RELAY_TOKEN=secrets.token_urlsafe(48),
        OPS_RELAY_URL=f"http://127.0.0.1:{ports['relay']}",
        OPS_DASHBOARD_URL=f"http://127.0.0.1:{ports['web']}", OPS_DATA_DIR=str(folder),
        OPS_BIND=f"127.0.0.1:{ports['web']}", OPS_WEB_WORKERS=str(workers), OPS_WEB_THREADS="8",
        OPS_CAMERAS_FILE=cameras, OPS_SIMULATE="0", PYTHONUNBUFFERED="1",
    )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"{args}: {done.stdout[-1000:]}{done.stderr[-1000:]}")
    return done.stdout


def start_gunicorn(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                             "app:server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_http(f"http://{env['OPS_BIND']}/healthz", proc)
    return proc


def start_simulator(env: dict[str, str], ports: dict[str, int], log: IO[bytes]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "simulate", "--cameras", env["OPS_CAMERAS_FILE"],
         "--port", str(ports["sim"]), "--rtsp-port", str(ports["rtsp"]),
         "--sim-cache", str(Path(env["OPS_DATA_DIR"]) / "sim-cache")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{ports['sim']}/stats", proc, timeout=300)
    return proc


def start_relay(env: dict[str, str], ports: dict[str, int], log: IO[bytes]) -> subprocess.Popen:
    """The Procfile's relay line (waitress, --no-simulate, the simulator's sources)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "relay", "--cameras", env["OPS_CAMERAS_FILE"],
         "--port", str(ports["relay"]), "--server", "waitress", "--no-simulate",
         "--sim-base", f"http://127.0.0.1:{ports['sim']}",
         "--sim-rtsp", f"rtsp://127.0.0.1:{ports['rtsp']}",
         "--dashboard-url", env["OPS_DASHBOARD_URL"]],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{ports['relay']}/streams/status", proc,
              headers={"Authorization": f"Bearer {env['OPS_RELAY_TOKEN']}"})
    return proc


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
