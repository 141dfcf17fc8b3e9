"""One 'worker' process for test_cache: threads polling memoized keys through a shared Redis.

Run as `python -m tests.core.flight_worker REDIS_URL SECONDS TTL`: it says `ready` (a Redis
list), waits for the test's `go` (a start time all processes share), then polls; every recompute
appends its start time to the Redis list `computes:<key>` so the test can count them.
"""
from __future__ import annotations

import sys
import threading
import time

import redis
from flask import Flask

from core import cache
from settings import from_env


def main(url: str, seconds: float, ttl: int) -> None:
    server = Flask("flight")
    cache.init_app(server, from_env({}, cache_type="RedisCache", redis_url=url, cache_ttl=ttl))
    counter = redis.Redis.from_url(url)

    @cache.memoized
    def slow(key: str) -> list[str]:
        counter.rpush(f"computes:{key}", repr(time.time()))
        time.sleep(0.05)  # a query that takes a moment, so callers really overlap
        return [key]

    failures: list[BaseException] = []

    def poll() -> None:
        try:
            with server.app_context():
                while time.time() < start_at + seconds:
                    for key in ("a", "b"):
                        assert slow(key) == [key]
                    time.sleep(0.005)
        except BaseException as exc:  # noqa: BLE001 (reported through the exit status)
            failures.append(exc)

    counter.rpush("ready", "1")
    while (go := counter.get("go")) is None:  # every process starts together, however slow
        time.sleep(0.01)                       # its imports were on a loaded machine
    start_at = float(go)
    time.sleep(max(0.0, start_at - time.time()))
    threads = [threading.Thread(target=poll) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"flight worker failed: {failures[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
