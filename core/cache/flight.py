"""memoized: a function's value in the cache, recomputed by one caller at a time (single flight)."""
from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from functools import update_wrapper
from typing import Any, Generic, ParamSpec, TypeVar

from flask import current_app, has_app_context

from core import shared
from core.cache import store
from core.cache.keys import CallShape, Keys

P = ParamSpec("P")
R = TypeVar("R")

# Single flight inside a process: one thread per key recomputes. Keys hash onto a fixed array of
# striped locks, so the store is bounded by STRIPES whatever the keys (time buckets make new
# keys every minute); two keys sharing a stripe merely take turns.
STRIPES = 64
_stripes = tuple(threading.Lock() for _ in range(STRIPES))
# Single flight across processes (workers sharing Redis): a lock key, see store.lock.
WAIT_S = 1.0  # on a cold key, waiters poll the cache this long for the holder's value, then compute
POLL_S = 0.02
# A value is fresh for its TTL; after that it is kept KEEP_FACTOR x TTL (+ KEEP_EXTRA_S) longer as
# "stale": the one caller that wins the lock recomputes it while every other caller, in every
# worker, is answered at once with the stale value. Nobody waits behind a recompute, so a slow
# query under load neither queues viewers nor sends them to the database themselves.
KEEP_FACTOR = 2
KEEP_EXTRA_S = 5
DEFAULT_TTL = 5  # outside create_app's config (tests building a bare Flask app)


def _stripe(key: str) -> threading.Lock:
    return _stripes[zlib.crc32(key.encode()) % STRIPES]


def entry_of(got: Any) -> tuple[float, Any] | None:
    """(computed at, value) as stored by a compute, or None (a miss, or another layout)."""
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], float):
        return got
    return None


def _fresh(entry: tuple[float, Any], ttl: int) -> bool:
    """Computed in the current TTL window. Windows are aligned to the clock (not to the last
    compute), so one viewer polling once a TTL and a hundred at random moments cause the same
    one recompute per window: database queries per minute do not depend on who polls when."""
    return int(entry[0] // ttl) == int(time.time() // ttl)


class Memoized(Generic[P, R]):
    """A function memoized on its plain arguments (see memoized); call it like the function."""

    def __init__(self, fn: Callable[P, R], ttl: int | None, time_args: tuple[str, ...]) -> None:
        update_wrapper(self, fn)
        self.uncached = fn
        self.ttl = ttl
        self.time_args = time_args
        self.shape = CallShape(fn, time_args)

    def keys(self, *args: Any, **kwargs: Any) -> Keys:
        return self.shape.keys(args, kwargs)

    def forget(self, *args: Any, **kwargs: Any) -> None:
        """Drop the cached value (for every worker sharing the cache): the next call recomputes."""
        store.delete(self.shape.keys(args, kwargs).value)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if not has_app_context():
            return self.uncached(*args, **kwargs)
        keys = self.shape.keys(args, kwargs)
        return self.answer(keys, args, kwargs, store.get(keys.value))

    def answer(self, keys: Keys, args: Any, kwargs: Any, got: Any) -> R:
        """The value for `keys`, given what the cache held for it (read by the caller, alone or
        with other keys in one call; see fetch_many)."""
        span = self.ttl or current_app.config.get("OPS_CACHE_TTL", DEFAULT_TTL)
        entry = entry_of(got)
        if entry is not None:
            if _fresh(entry, span):
                return entry[1]
            return self._refresh(keys, span, args, kwargs, entry)
        with _stripe(keys.value):
            entry = entry_of(store.get(keys.value))  # a thread of ours may have just computed it
            if entry is not None:
                return entry[1]
            return self._flight(keys, span, args, kwargs)

    def _compute(self, keys: Keys, ttl: int, args: Any, kwargs: Any) -> R:
        value = self.uncached(*args, **kwargs)
        # Wall-clock time: workers on one machine (or NTP-synchronised ones) agree on freshness.
        store.set(keys.value, (time.time(), value), ttl * (1 + KEEP_FACTOR) + KEEP_EXTRA_S)
        return value

    def _refresh(self, keys: Keys, ttl: int, args: Any, kwargs: Any,
                 stale: tuple[float, Any]) -> R:
        """A stale value: the lock's winner recomputes; everyone else gets the stale value now."""
        stripe = _stripe(keys.value)
        if not stripe.acquire(blocking=False):
            return stale[1]  # a thread of this process is at it (or at a key sharing the stripe)
        try:
            token = store.lock(keys.lock)
            if token is shared.DOWN:
                return self._compute(keys, ttl, args, kwargs)
            if token is None:
                return stale[1]  # another worker is at it
            try:
                entry = entry_of(store.get(keys.value))  # refreshed just before we took the lock?
                if entry is not None and _fresh(entry, ttl):
                    return entry[1]
                return self._compute(keys, ttl, args, kwargs)
            finally:
                store.unlock(keys.lock, token)  # type: ignore[arg-type]
        finally:
            stripe.release()

    def _flight(self, keys: Keys, ttl: int, args: Any, kwargs: Any) -> R:
        """A cold key: compute once across every process sharing Redis (this process's stripe is
        held); the others poll for the value for up to WAIT_S."""
        token = store.lock(keys.lock)
        if token is shared.DOWN:
            return self._compute(keys, ttl, args, kwargs)
        if token is not None:
            try:
                entry = entry_of(store.get(keys.value))  # another process may have just finished
                return entry[1] if entry is not None else self._compute(keys, ttl, args, kwargs)
            finally:
                store.unlock(keys.lock, token)  # type: ignore[arg-type]
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and store.redis_up():
            time.sleep(POLL_S)
            entry = entry_of(store.get(keys.value))
            if entry is not None:
                return entry[1]
        return self._compute(keys, ttl, args, kwargs)  # the holder is slow or gone: stop waiting


def memoized(fn: Callable[P, R] | None = None, *, ttl: int | None = None,
             time_args: tuple[str, ...] = ()) -> Any:
    """Memoize a data function on its plain arguments: `@memoized` or `@memoized(ttl=60)`.

    The TTL is the app's cache TTL unless given; it should match the polling interval of the
    screens that read the function, so one viewer and a hundred cause the same recomputations.
    Only one caller recomputes an expired key: one thread per process (striped locks) and, with
    Redis, one process of all the workers (a Redis lock), so database queries per minute grow
    neither with viewers nor with workers; the others are answered with the value it replaces
    (see KEEP_FACTOR) or, for a key nobody has computed yet, wait for it briefly. time_args names
    the parameters that carry a bucketed "now": the last good value (fetch) spans their buckets.
    """
    if fn is None:
        return lambda f: Memoized(f, ttl, time_args)
    return Memoized(fn, ttl, time_args)
