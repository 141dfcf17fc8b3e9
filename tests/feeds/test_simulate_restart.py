"""`python -m data simulate` rides out a PostgreSQL restart: one log line each way, ticks resume."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.db import Database
from data import prepare
from feeds.simulator import FeedSimulator
from tests.helpers import wait_for
from tests.servers import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_SECONDS = 2.0  # how long the server stays down: several failed attempts fit in it


class _Lines:
    """Collects a pipe's lines in a thread so the test can wait for what it expects."""

    def __init__(self, pipe) -> None:  # type: ignore[no-untyped-def]
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe) -> None:  # type: ignore[no-untyped-def]
        for line in pipe:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def count(self, text: str) -> int:
        with self._changed:
            return sum(text in line for line in self.lines)

    def wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                assert left > 0, f"timed out waiting for {what}: {self.lines[-10:]}"
                self._changed.wait(min(left, 0.5))


def test_simulator_survives_a_postgresql_restart(tmp_path: Path) -> None:
    with PostgresServer() as server:
        database = Database(server.url)
        prepare.init_database(database, empty=True)
        database.dispose()
        env = {**os.environ, "OPS_DATABASE_URL": server.url, "OPS_DATA_DIR": str(tmp_path),
               "OPS_FEED_INTERVAL": "0.2"}
        proc = subprocess.Popen([sys.executable, "-m", "data", "simulate"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = _Lines(proc.stdout), _Lines(proc.stderr)
        try:
            out.wait(lambda: out.count("tick ") >= 3, 60, "the first ticks")
            server.stop()
            err.wait(lambda: err.count("database unavailable") >= 1, 30, "the outage noticed")
            time.sleep(OUTAGE_SECONDS)  # the restart's downtime, during which ticks keep failing
            ticks_before = out.count("tick ")
            server.start()
            out.wait(lambda: out.count("tick ") >= ticks_before + 3, 60, "ticks after restart")
            assert proc.poll() is None
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(15)
        assert err.count("database unavailable") == 1  # once per outage, not once per tick
        assert err.count("database back after") == 1
        assert err.count("Traceback") == 0
        assert proc.returncode == 0


def test_in_process_simulator_survives_a_postgresql_restart(
        caplog: pytest.LogCaptureFixture) -> None:
    with PostgresServer() as server:
        database = Database(server.url)
        prepare.init_database(database, empty=True)
        sim = FeedSimulator(database, interval=0.1, seed=1).start()
        try:
            wait_for(lambda: sim.ticks >= 3, 60, "the first ticks")
            server.stop()
            wait_for(lambda: sim.errors >= 1, 60, "the outage noticed")
            time.sleep(OUTAGE_SECONDS)  # the restart's downtime
            ticks_before = sim.ticks
            server.start()
            wait_for(lambda: sim.ticks >= ticks_before + 3, 60, "ticks after restart")
        finally:
            sim.stop()
            database.dispose()
    lines = [r.getMessage() for r in caplog.records if r.name == "feeds.simulator"]
    assert sum("database unavailable" in m for m in lines) == 1, lines
    assert sum("database back after" in m for m in lines) == 1, lines
    assert not any(r.exc_info for r in caplog.records if r.name == "feeds.simulator")


