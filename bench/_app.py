"""Start `python app.py` as its own process for a benchmark and wait until /healthz answers."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parents[1]


def start_app(env: dict[str, str], port: int, timeout: float = 180,
              log: IO[bytes] | None = None) -> subprocess.Popen:
    """The app on `port` with `env`; its output to `log` (discarded without one).

    A bench stopped with SIGTERM (kill, timeout) exits through its `finally` blocks, so the app
    it started is stopped too instead of running on and loading the next measurement.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode} before answering /healthz")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("app did not start")
