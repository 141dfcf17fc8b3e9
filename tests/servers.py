"""Real servers for the tests: private PostgreSQL and Redis instances on free loopback ports, and
the app under waitress in a thread.

Each test session starts its own throwaway servers from the Debian packages' binaries (so no test
touches a system service and two runs never collide), and stops them at the end. A missing binary
fails loudly with the package to install; it never skips.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.helpers import wait_for


class ServerMissing(RuntimeError):
    """A server binary the tests need is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float, proc: subprocess.Popen[bytes], what: str) -> None:
    def listening() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True

    wait_for(listening, timeout, f"{what} listening on {port}", ignore=(OSError,))


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]  # the newest installed major version
    path = shutil.which(name)
    if path:
        return path
    raise ServerMissing(f"PostgreSQL's {name} not found: apt-get install postgresql")


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: under root (CI), run it as the package's user."""
    if os.geteuid() != 0:
        return []
    # An sbin tool: found by path too, since a minimal PATH (cron, CI) may leave sbin out.
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if Path(p).exists()), "runuser")
    return [runuser, "-u", "postgres", "--"]


class PostgresServer:
    """A private PostgreSQL cluster on a free loopback port, which a test may stop and restart.

    The data directory and port survive stop(), so start() brings the same databases back, as
    a restarted production server would. close() stops it and removes everything.
    """

    def __init__(self) -> None:
        self._postgres = _postgres_bin("postgres")
        self._runner = _as_postgres_user()
        self.root = Path(tempfile.mkdtemp(prefix="ops-pg-"))
        if self._runner:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        subprocess.run([*self._runner, _postgres_bin("initdb"), "-D", str(self.data), "-U", "ops",
                        "--auth=trust", "--encoding=UTF8", "--no-sync"],
                       check=True, capture_output=True)
        self.port = free_port()
        self.url = f"postgresql+psycopg://ops@127.0.0.1:{self.port}/ops"
        self._proc: subprocess.Popen[bytes] | None = None
        self._created = False

    def start(self) -> str:
        """Run the server until it accepts sessions; the first start creates the `ops` database."""
        self._proc = subprocess.Popen(
            [*self._runner, self._postgres, "-D", str(self.data), "-p", str(self.port),
             "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=300"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, 30, self._proc, "postgres")
        import psycopg

        def accepting() -> bool:  # the port opens a moment before the server accepts sessions
            with psycopg.connect(f"postgresql://ops@127.0.0.1:{self.port}/postgres",
                                 autocommit=True) as conn:
                if not self._created:
                    conn.execute("CREATE DATABASE ops")
                    self._created = True
            return True

        wait_for(accepting, 30, "postgres accepting sessions", interval=0.1,
                 ignore=(psycopg.OperationalError,))
        return self.url

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster): sessions are cut, as in a restart."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:  # under root the child is runuser: signal the postmaster itself
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGINT)
        except (OSError, ValueError, IndexError):
            proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A private PostgreSQL cluster; yields the SQLAlchemy URL of its `ops` database."""
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.close()


class RedisServer:
    """A private Redis without persistence on a fixed free port, which a test may stop and
    start again there (empty, as a restarted cache-only Redis comes back)."""

    def __init__(self, port: int | None = None) -> None:
        self._binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self._binary).exists():
            raise ServerMissing("redis-server not found: apt-get install redis-server")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.root = Path(tempfile.mkdtemp(prefix="ops-redis-"))
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self._proc = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, 15, self._proc, "redis-server")
        return self.url

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A private Redis without persistence; yields its URL. Give `port` to restart one there."""
    with RedisServer(port) as server:
        yield server.url


class WaitressThread:
    """A WSGI app under waitress (as `python app.py` serves it) on a free loopback port, in a
    thread; stopped from inside its own loop, so the loop never polls a socket already closed.
    It answers to werkzeug's server's two names (server_port, shutdown), so tests take either."""

    def __init__(self, wsgi: Any, **options: Any) -> None:
        from waitress.server import create_server

        self.server = create_server(wsgi, host="127.0.0.1", port=0, **options)
        self.server_port = int(self.server.effective_port)
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)
        self.thread.start()

    def shutdown(self) -> None:
        from waitress import wasyncore

        # The trigger runs the thunk in the loop's thread: every socket closed, the map empty,
        # the loop returns; then the worker threads finish what they hold. (A single-socket
        # server keeps its socket map as `_map`; waitress has no public name for it.)
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(10)
        self.server.task_dispatcher.shutdown()
