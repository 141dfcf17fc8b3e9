"""The shared cache (flask-caching) and a single-flight memoize for data functions."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context
from flask_caching import Cache

from settings import Settings

log = logging.getLogger(__name__)
cache = Cache()
P = ParamSpec("P")
R = TypeVar("R")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def init_app(server: Flask, settings: Settings) -> None:
    """Attach the cache chosen by settings (SimpleCache by default, Redis when scaled out)."""
    config: dict[str, Any] = {"CACHE_TYPE": settings.cache_type,
                              "CACHE_DEFAULT_TIMEOUT": settings.cache_ttl}
    if settings.cache_type == "RedisCache":
        config["CACHE_REDIS_URL"] = settings.redis_url
    elif settings.cache_type == "FileSystemCache":
        config["CACHE_DIR"] = str(settings.data_dir / "cache")
    cache.init_app(server, config=config)
    server.config["OPS_CACHE_TTL"] = settings.cache_ttl


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # a cache outage must degrade to direct queries, never to an error
        log.warning("cache get failed for %s", key, exc_info=True)
        return None


def _set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        log.warning("cache set failed for %s", key, exc_info=True)


def memoized(fn: Callable[P, R] | None = None, *, ttl: int | None = None) -> Any:
    """Memoize a data function on its plain arguments: `@memoized` or `@memoized(ttl=60)`.

    The TTL is the app's cache TTL unless given; it should match the polling interval of the
    screens that read the function, so one viewer and a hundred cause the same recomputations.
    Only one caller per process recomputes an expired key (single flight), so the number of
    database queries does not grow with the number of viewers polling at once.
    """
    if fn is None:
        return lambda f: memoized(f, ttl=ttl)
    prefix = f"ops:{fn.__module__}.{fn.__qualname__}"

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not has_app_context():
            return fn(*args, **kwargs)
        key = f"{prefix}:{args!r}:{sorted(kwargs.items())!r}"
        hit = _get(key)
        if hit is not None:
            return hit
        with _lock(key):
            hit = _get(key)
            if hit is not None:
                return hit
            value = fn(*args, **kwargs)
            _set(key, value, ttl or current_app.config.get("OPS_CACHE_TTL", 5))
            return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper
