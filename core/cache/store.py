"""The cache backend (flask-caching), reached only through calls that degrade instead of failing."""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from flask_caching import Cache

from core import shared
from core.cache.keys import PREFIX
from settings import Settings

log = logging.getLogger(__name__)
cache = Cache()
T = TypeVar("T")

# Backends every worker of a deployment reads: a value computed or a last good value kept by one
# worker is there for the others. SimpleCache lives in one process.
SHARED_TYPES = frozenset({"RedisCache", "FileSystemCache"})
LOCK_MS = 10_000  # a single-flight lock whose holder died frees itself after this long


def init_app(server: Flask, settings: Settings) -> None:
    """Attach the cache chosen by settings (SimpleCache by default, Redis when scaled out)."""
    config: dict[str, Any] = {"CACHE_TYPE": settings.cache_type,
                              "CACHE_DEFAULT_TIMEOUT": settings.cache_ttl,
                              "CACHE_KEY_PREFIX": PREFIX}
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
    server.config["OPS_CACHE_SHARED"] = settings.cache_type in SHARED_TYPES


def is_shared() -> bool:
    """Whether the running app's cache is read by every worker (outside an app: no cache)."""
    return has_app_context() and bool(current_app.config.get("OPS_CACHE_SHARED"))


def _guarded(what: str, op: Callable[[], T], default: T) -> T:
    """op() on the backend, or `default` outside an app or while the cache fails: a cache outage
    must degrade to direct queries, never to an error (Redis through its breaker, see shared)."""
    if not has_app_context():
        return default
    redis = shared.current()
    if redis is not None:
        return redis.call(lambda _client: op(), default=default)
    try:
        return op()
    except Exception:
        log.warning("cache %s failed", what, exc_info=True)
        return default


def get(key: str) -> Any:
    return _guarded("get", lambda: cache.get(key), None)


def get_many(keys: list[str]) -> list[Any]:
    """Several keys in one call (one MGET on Redis)."""
    if not keys:
        return []
    got = _guarded("get_many", lambda: cache.get_many(*keys), None)
    return list(got) if got is not None else [None] * len(keys)


def set(key: str, value: Any, timeout: int) -> None:  # noqa: A001 (the backend's own verb)
    _guarded("set", lambda: cache.set(key, value, timeout=timeout), None)


def delete(key: str) -> None:
    _guarded("delete", lambda: cache.delete(key), None)


def lock(key: str) -> str | None | shared.Down:
    """Take a cross-process lock: our token, None (another process holds it) or DOWN (no Redis,
    or Redis failing: the caller goes ahead alone)."""
    redis = shared.current()
    if redis is None:
        return shared.DOWN
    token = secrets.token_hex(8)
    got = redis.call(lambda r: r.set(key, token, nx=True, px=LOCK_MS))
    if got is shared.DOWN:
        return shared.DOWN
    return token if got else None


# Delete the lock only if it is still ours (it may have expired and been taken by another).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def unlock(key: str, token: str) -> None:
    redis = shared.current()
    if redis is not None:
        redis.call(lambda r: r.eval(_RELEASE, 1, key, token), default=None)


def locked(key: str) -> bool:
    """Whether another process still holds the lock (False without Redis or while it fails)."""
    redis = shared.current()
    return redis is not None and redis.call(lambda r: bool(r.exists(key)), default=False) is True


def claim_once(key: str, seconds: int) -> bool | shared.Down:
    """Mark `key` taken across processes for `seconds`: True for the first caller, False for
    every later one, DOWN without Redis (the caller's own process-local check stands alone)."""
    redis = shared.current()
    if redis is None:
        return shared.DOWN
    got = redis.call(lambda r: r.set(key, "1", nx=True, ex=max(1, seconds)))
    return got if got is shared.DOWN else bool(got)


def redis_up() -> bool:
    redis = shared.current()
    return redis is not None and redis.up
