"""The cache on real Redis: single flight across processes, and an outage or hang that degrades
to direct queries within a second, logged once, healing by itself."""
from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from core import cache, shared
from core.cache import flight
from settings import from_env
from tests.helpers import wait_for
from tests.servers import redis_server

pytestmark = pytest.mark.serial  # times cache waits

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_redis() -> Iterator[str]:
    """A Redis of this test's own: it gets paused and stopped."""
    with redis_server() as url:
        yield url


def _app(url: str, ttl: int = 60) -> Flask:
    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="RedisCache", redis_url=url, cache_ttl=ttl))
    return server


def test_one_recompute_per_key_per_ttl_across_four_processes(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    ttl, seconds = 1, 4.0
    procs = [subprocess.Popen([sys.executable, "-m", "tests.core.flight_worker", redis_url,
                               repr(seconds), str(ttl)], cwd=ROOT)
             for _ in range(4)]
    wait_for(lambda: client.llen("ready") == 4, 60, "four workers ready")
    client.set("go", repr(time.time() + 0.2))
    for proc in procs:
        assert proc.wait(60) == 0
    for key in ("a", "b"):
        starts = sorted(float(x) for x in client.lrange(f"computes:{key}", 0, -1))
        # 4 processes x 6 threads polling for 4 s with a 1 s TTL: one compute per TTL window.
        windows = [int(t // ttl) for t in starts]
        assert len(windows) == len(set(windows)), starts
        assert seconds / ttl - 1 <= len(starts) <= seconds / ttl + 1, starts


def test_lock_stripes_are_a_fixed_bound() -> None:
    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="SimpleCache"))
    calls = []

    @cache.memoized
    def bucketed(minute: int) -> int:
        calls.append(minute)
        return minute

    with server.app_context():
        for minute in range(5000):  # a new time bucket every minute, for three days
            assert bucketed(minute) == minute
    assert len(calls) == 5000 and len(flight._stripes) == cache.STRIPES  # noqa: SLF001
    assert not hasattr(flight, "_locks")


def test_redis_hung_then_down_degrades_within_a_second_and_logs_once(
        private_redis: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="core.shared")
    server = _app(private_redis)
    computed = []

    @cache.memoized
    def query(n: int) -> list[int]:
        computed.append(n)
        return [n]

    admin = redis.Redis.from_url(private_redis)
    with server.app_context():
        assert query(1) == [1] and query(1) == [1] and computed == [1]  # cached in Redis
        admin.execute_command("CLIENT", "PAUSE", "3000", "ALL")  # hung: nothing answers
        started = time.monotonic()
        answers = [query(1) for _ in range(30)]
        took = time.monotonic() - started
        assert answers == [[1]] * 30
        assert took < 1.5, took  # one 0.5 s timeout, then straight to the database
        assert len(computed) == 31
        downs = [r for r in caplog.records if "redis unavailable" in r.getMessage()]
        assert len(downs) == 1 and not any(r.exc_info for r in caplog.records)

        guarded = server.extensions[shared.EXTENSION_KEY]
        wait_for(lambda: redis.Redis.from_url(private_redis, socket_timeout=5).ping(), 10, "redis back")
        time.sleep(shared.RETRY_S)
        assert query(2) == [2]
        wait_for(lambda: guarded.up, 10, "the guard to see redis up")
        assert [r.getMessage() for r in caplog.records if "is back" in r.getMessage()]
        assert query(2) == [2] and computed.count(2) == 1  # cached again

    port = int(private_redis.rsplit(":", 1)[1].split("/")[0])
    admin.shutdown(nosave=True)  # Redis stopped: refused connections
    with server.app_context():
        caplog.clear()
        started = time.monotonic()
        assert [query(3) for _ in range(50)] == [[3]] * 50
        assert time.monotonic() - started < 1.0
        assert len([r for r in caplog.records if "redis unavailable" in r.getMessage()]) == 1
        with redis_server(port=port):  # back on the same address: heals without a restart
            wait_for(lambda: query(4) == [4] and guarded.up, 10, "redis used again")
        assert guarded.outages == 2


def test_stale_value_answers_at_once_while_one_caller_refreshes() -> None:
    import threading

    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="SimpleCache", cache_ttl=5))
    release, entered = threading.Event(), threading.Event()
    calls = []

    @cache.memoized
    def slow() -> list[str]:
        calls.append(1)
        entered.set()
        assert release.wait(10)
        return ["new"]

    key = slow.keys().value
    with server.app_context():
        cache.cache.set(key, (time.time() - 6, ["old"]), timeout=60)  # a past 5 s window: stale

        def refresher() -> None:
            with server.app_context():
                assert slow() == ["new"]

        worker = threading.Thread(target=refresher)
        worker.start()
        assert entered.wait(10)  # the refresh is running (and stuck until released)
        started = time.monotonic()
        assert [slow() for _ in range(20)] == [["old"]] * 20  # nobody waits, nobody recomputes
        assert time.monotonic() - started < 0.5 and len(calls) == 1
        release.set()
        worker.join(10)
        assert slow() == ["new"] and len(calls) == 1
