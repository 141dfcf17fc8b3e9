"""The shared cache (flask-caching) and a single-flight memoize for data functions."""
from __future__ import annotations

import logging
import secrets
import threading
import time
import zlib
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context
from flask_caching import Cache

from core import shared
from settings import Settings

log = logging.getLogger(__name__)
cache = Cache()
P = ParamSpec("P")
R = TypeVar("R")

# Single flight inside a process: one thread per key recomputes. Keys hash onto a fixed array of
# striped locks, so the store is bounded by STRIPES whatever the keys (time buckets make new
# keys every minute); two keys sharing a stripe merely take turns.
STRIPES = 64
_stripes = tuple(threading.Lock() for _ in range(STRIPES))

# Single flight across processes (gunicorn workers sharing Redis): SET NX PX on a lock key.
LOCK_MS = 10_000  # a holder that dies frees the key after this long
WAIT_S = 1.0  # on a cold key, waiters poll the cache this long for the holder's value, then compute
POLL_S = 0.02
# A value is fresh for its TTL; after that it is kept KEEP_FACTOR x TTL (+ KEEP_EXTRA_S) longer as
# "stale": the one caller that wins the lock recomputes it while every other caller, in every
# worker, is answered at once with the stale value. Nobody waits behind a recompute, so a slow
# query under load neither queues viewers nor sends them to the database themselves.
KEEP_FACTOR = 2
KEEP_EXTRA_S = 5


def init_app(server: Flask, settings: Settings) -> None:
    """Attach the cache chosen by settings (SimpleCache by default, Redis when scaled out)."""
    config: dict[str, Any] = {"CACHE_TYPE": settings.cache_type,
                              "CACHE_DEFAULT_TIMEOUT": settings.cache_ttl}
    if settings.cache_type == "RedisCache":
        # One guarded client per process (timeouts, no retries, a breaker), created here, in the
        # worker, after gunicorn forked: flask-caching uses it as given.
        guarded = shared.SharedRedis(settings.redis_url)
        server.extensions[shared.EXTENSION_KEY] = guarded
        config["CACHE_REDIS_HOST"] = guarded.client
    elif settings.cache_type == "FileSystemCache":
        config["CACHE_DIR"] = str(settings.data_dir / "cache")
    cache.init_app(server, config=config)
    server.config["OPS_CACHE_TTL"] = settings.cache_ttl


def _stripe(key: str) -> threading.Lock:
    return _stripes[zlib.crc32(key.encode()) % STRIPES]


def _get(key: str) -> Any:
    redis = shared.current()
    if redis is not None:
        return redis.call(lambda _client: cache.get(key), default=None)
    try:
        return cache.get(key)
    except Exception:  # a cache outage must degrade to direct queries, never to an error
        log.warning("cache get failed for %s", key, exc_info=True)
        return None


def _set(key: str, value: Any, timeout: int) -> None:
    redis = shared.current()
    if redis is not None:
        redis.call(lambda _client: cache.set(key, value, timeout=timeout), default=None)
        return
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        log.warning("cache set failed for %s", key, exc_info=True)


def _delete(key: str) -> None:
    redis = shared.current()
    if redis is not None:
        redis.call(lambda _client: cache.delete(key), default=None)
        return
    try:
        cache.delete(key)
    except Exception:
        log.warning("cache delete failed for %s", key, exc_info=True)


def _entry(key: str) -> tuple[float, Any] | None:
    """(computed at, value) as stored by _compute, or None (a miss, or another layout)."""
    got = _get(key)
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], float):
        return got
    return None


def _fresh(entry: tuple[float, Any], ttl: int) -> bool:
    """Computed in the current TTL window. Windows are aligned to the clock (not to the last
    compute), so one viewer polling once a TTL and a hundred at random moments cause the same
    one recompute per window: database queries per minute do not depend on who polls when."""
    return int(entry[0] // ttl) == int(time.time() // ttl)


def _compute(fn: Callable[..., Any], key: str, ttl: int, args: Any, kwargs: Any) -> Any:
    value = fn(*args, **kwargs)
    # Wall-clock time: workers on one machine (or NTP-synchronised ones) agree on freshness.
    _set(key, (time.time(), value), ttl * (1 + KEEP_FACTOR) + KEEP_EXTRA_S)
    return value


def _lock(redis: shared.SharedRedis, key: str) -> str | None | shared.Down:
    """Take the key's cross-process lock: our token, None (another process holds it) or DOWN."""
    token = secrets.token_hex(8)
    got = redis.call(lambda r: r.set(f"{key}:lock", token, nx=True, px=LOCK_MS))
    if got is shared.DOWN:
        return shared.DOWN
    return token if got else None


def _unlock(redis: shared.SharedRedis, key: str, token: str) -> None:
    redis.call(lambda r: r.eval(_RELEASE, 1, f"{key}:lock", token), default=None)


# Delete the lock only if it is still ours (it may have expired and been taken by another).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def _refresh(fn: Callable[..., Any], key: str, ttl: int, args: Any, kwargs: Any,
             stale: tuple[float, Any]) -> Any:
    """A stale value: the lock's winner recomputes; everyone else gets the stale value now."""
    stripe = _stripe(key)
    if not stripe.acquire(blocking=False):
        return stale[1]  # a thread of this process is at it (or at a key sharing the stripe)
    try:
        redis = shared.current()
        token = _lock(redis, key) if redis is not None else shared.DOWN
        if token is shared.DOWN:
            return _compute(fn, key, ttl, args, kwargs)
        if token is None:
            return stale[1]  # another worker is at it
        try:
            entry = _entry(key)  # refreshed by another worker just before we took the lock?
            if entry is not None and _fresh(entry, ttl):
                return entry[1]
            return _compute(fn, key, ttl, args, kwargs)
        finally:
            _unlock(redis, key, token)  # type: ignore[arg-type]
    finally:
        stripe.release()


def _flight(fn: Callable[..., Any], key: str, ttl: int, args: Any, kwargs: Any) -> Any:
    """A cold key: compute once across every process sharing Redis (this process's stripe is
    held); the others poll for the value for up to WAIT_S."""
    redis = shared.current()
    token = _lock(redis, key) if redis is not None else shared.DOWN
    if token is shared.DOWN:
        return _compute(fn, key, ttl, args, kwargs)
    if token is not None:
        try:
            entry = _entry(key)  # another process may have finished just before we took the lock
            return entry[1] if entry is not None else _compute(fn, key, ttl, args, kwargs)
        finally:
            _unlock(redis, key, token)  # type: ignore[arg-type]
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and redis.up:  # type: ignore[union-attr]
        time.sleep(POLL_S)
        entry = _entry(key)
        if entry is not None:
            return entry[1]
    return _compute(fn, key, ttl, args, kwargs)  # the holder is slow or gone: do not wait longer


def memoized(fn: Callable[P, R] | None = None, *, ttl: int | None = None,
             time_args: tuple[str, ...] = ()) -> Any:
    """Memoize a data function on its plain arguments: `@memoized` or `@memoized(ttl=60)`.

    The TTL is the app's cache TTL unless given; it should match the polling interval of the
    screens that read the function, so one viewer and a hundred cause the same recomputations.
    Only one caller recomputes an expired key: one thread per process (striped locks) and, with
    Redis, one process of all the workers (a Redis lock), so database queries per minute grow
    neither with viewers nor with workers; the others are answered with the value it replaces
    (see KEEP_FACTOR) or, for a key nobody has computed yet, wait for it briefly. time_args names the parameters that carry a bucketed
    "now" (queries.fetch keeps one last good value across their buckets).
    """
    if fn is None:
        return lambda f: memoized(f, ttl=ttl, time_args=time_args)
    prefix = f"ops:{fn.__module__}.{fn.__qualname__}"

    def key_of(args: Any, kwargs: Any) -> str:
        return f"{prefix}:{args!r}:{sorted(kwargs.items())!r}"

    def forget(*args: Any, **kwargs: Any) -> None:
        """Drop the cached value (for every worker sharing the cache): the next call recomputes."""
        if has_app_context():
            _delete(key_of(args, kwargs))

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not has_app_context():
            return fn(*args, **kwargs)
        key = key_of(args, kwargs)
        span = ttl or current_app.config.get("OPS_CACHE_TTL", 5)
        entry = _entry(key)
        if entry is not None:
            if _fresh(entry, span):
                return entry[1]
            return _refresh(fn, key, span, args, kwargs, entry)
        with _stripe(key):
            entry = _entry(key)
            if entry is not None:
                return entry[1]
            return _flight(fn, key, span, args, kwargs)

    wrapper.uncached = fn  # type: ignore[attr-defined]
    wrapper.time_args = time_args  # type: ignore[attr-defined]
    wrapper.forget = forget  # type: ignore[attr-defined]
    return wrapper
