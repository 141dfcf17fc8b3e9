"""Redis shared by every worker, guarded so that an outage or a hang costs at most a short timeout.

Every call goes through `SharedRedis.call()`: a socket timeout of TIMEOUT_S on connect and read,
no client-side retries, and a breaker: after a failure Redis is skipped for RETRY_S, so callers
fall back (direct queries, the in-process store) within a second instead of queueing behind a
hung server. An outage is logged once when it starts and once when it ends, never per call.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")

TIMEOUT_S = 0.5  # connect and read timeout of every Redis call
RETRY_S = 1.0  # after a failure, skip Redis this long before one caller probes it again
MAX_CONNECTIONS = 64  # per process: a bound on sockets; waiting for one is also bounded by TIMEOUT_S
EXTENSION_KEY = "ops_redis"


class Down:
    """The value call() returns when Redis was not reached (tell it apart from None)."""

    def __repr__(self) -> str:
        return "DOWN"


DOWN = Down()


class SharedRedis:
    """One process's guarded Redis client (its pool is bounded, see MAX_CONNECTIONS)."""

    def __init__(self, url: str, timeout: float = TIMEOUT_S, retry_after: float = RETRY_S) -> None:
        self.url = url
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=timeout, socket_timeout=timeout,
            socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0), health_check_interval=0,
        )
        self.client = redis.Redis(connection_pool=pool)
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._down_since: float | None = None  # monotonic start of the current outage
        self._probe_at = 0.0  # monotonic time before which calls skip Redis
        self.outages = 0  # outages seen by this process (tests, /healthz)

    @property
    def up(self) -> bool:
        return self._down_since is None

    def call(self, fn: Callable[[redis.Redis], T], default: Any = DOWN) -> T | Any:
        """fn(client), or `default` if Redis is down, hung or was just found so (no exception)."""
        if self._down_since is not None and time.monotonic() < self._probe_at:
            return default
        try:
            result = fn(self.client)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return default
        if self._down_since is not None:
            self._recovered()
        return result

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._probe_at = now + self.retry_after
            if self._down_since is None:
                self._down_since = now
                self.outages += 1
                log.warning("redis unavailable (%s: %s): direct queries until it is back",
                            type(exc).__name__, str(exc)[:120])

    def _recovered(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            lasted = time.monotonic() - self._down_since
            self._down_since = None
        log.warning("redis is back after %.1f s", lasted)

    def close(self) -> None:
        self.client.connection_pool.disconnect()


def current() -> SharedRedis | None:
    """The running app's shared Redis (None without RedisCache or outside an app)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    return current_app.extensions.get(EXTENSION_KEY)
