"""The one key scheme of the cache: values, single-flight locks, last good values, stale marks."""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Every key of the cache lives under this prefix in Redis (the backend adds it to its own keys;
# the locks, written on the raw client, carry it themselves), so cache.clear() drops the cache
# and nothing else sharing that Redis (login throttles, presenter state).
PREFIX = "ops:cache:"
SHAPES_MAX = 512  # call shapes of plain functions remembered (fetch of composite reads)


@dataclass(frozen=True)
class Keys:
    """The keys of one call. value and lock follow every argument; good and down leave out the
    time buckets, so a query keyed by the minute keeps one last good value, not one a minute."""

    value: str  # backend: (computed at, value)
    lock: str  # raw Redis, prefixed: the cross-process single-flight lock of `value`
    good: str  # backend and in-process: (data, fetched at), the last good value
    down: str  # backend: the shared "stale since" mark while the database fails


class CallShape:
    """How calls of one function map to keys: its arguments bound to its signature (defaults
    filled in, so series("X") and series("X", "VN", "", "") share a key), minus the time ones."""

    def __init__(self, fn: Callable[..., Any], time_args: tuple[str, ...] = ()) -> None:
        self.name = f"{fn.__module__}.{fn.__qualname__}"
        self.signature = inspect.signature(fn)
        unknown = set(time_args) - set(self.signature.parameters)
        if unknown:
            raise TypeError(f"{self.name} has no parameter {sorted(unknown)}")
        self.steady = tuple(i for i, p in enumerate(self.signature.parameters)
                            if p not in time_args)

    def keys(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Keys:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = tuple(bound.arguments.values())
        call = f"{self.name}{values!r}"
        steady = f"{self.name}{tuple(values[i] for i in self.steady)!r}"
        return Keys(value=f"v:{call}", lock=f"{PREFIX}lock:{call}", good=f"good:{steady}",
                    down=f"down:{steady}")


def answer_keys(digest: str) -> tuple[str, str]:
    """A rendered callback answer (web.rendercache): its value key and its single-flight lock."""
    return f"r:{digest}", f"{PREFIX}lock:r:{digest}"


def once_key(what: str) -> str:
    """A mark that something happened once across processes (raw Redis, prefixed)."""
    return f"{PREFIX}once:{what}"


@lru_cache(maxsize=SHAPES_MAX)
def shape_of(fn: Callable[..., Any]) -> CallShape:
    """The shape of a function read through fetch() without being memoized itself."""
    shape = getattr(fn, "shape", None)
    return shape if isinstance(shape, CallShape) else CallShape(fn)
