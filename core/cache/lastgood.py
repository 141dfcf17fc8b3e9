"""fetch: a read through the cache that, when the database fails, answers with the last good value."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import g, has_app_context
from sqlalchemy.exc import SQLAlchemyError

from core.cache import store
from core.cache.flight import Memoized
from core.cache.keys import Keys, shape_of
from core.clock import local_now

log = logging.getLogger(__name__)

# One last good value per query shape (the query and its arguments other than a bucketed "now"),
# in this process: at most LAST_GOOD_MAX, least recently used dropped first (the screens use
# about 40 shapes; drill-downs add one per indicator, region and range viewed).
LAST_GOOD_MAX = 256
# Shared with the other workers through the cache (when it is shared, see store.SHARED_TYPES):
# a value is copied when it changed, at most every SHARE_EVERY_S, and an unchanged one again
# after SHARE_REFRESH_S, so a steady screen reads the cache and writes nothing.
SHARE_EVERY_S = 10.0
SHARE_REFRESH_S = 3600.0
SHARED_GOOD_TTL_S = 24 * 3600  # a value older than a day is not worth showing as "last good"
DOWN_MARK_TTL_S = 30  # the shared "stale since" mark outlives the last failure by this long


@dataclass
class Fetched:
    """A query result with its freshness: stale_since is set while the database is down."""

    data: Any
    fetched_at: str
    stale_since: str | None = None
    error: str | None = None


class _Good(NamedTuple):
    data: Any
    fetched_at: str
    shared_at: float  # monotonic time of the last copy to the shared cache (-inf: never)
    in_sync: bool  # the shared copy holds this data


_good: OrderedDict[str, _Good] = OrderedDict()
_down: OrderedDict[str, str] = OrderedDict()  # good key -> stale since; same bound
_guard = threading.Lock()  # held for in-process bookkeeping only, never across a cache call


def _put(table: OrderedDict[str, Any], key: str, value: Any) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > LAST_GOOD_MAX:
        table.popitem(last=False)


def _now() -> str:
    return local_now().isoformat(timespec="seconds")


def _remember(keys: Keys, data: Any, now: str) -> None:
    """Keep a good value here and, when it changed (or the shared copy ages), for the others."""
    shared = store.is_shared()
    moment = time.monotonic()
    with _guard:
        before = _good.get(keys.good)
        was_down = _down.pop(keys.good, None) is not None
        shared_at = before.shared_at if before else float("-inf")
        in_sync = bool(before and before.in_sync and before.data == data)
        due = shared and (moment - shared_at >= SHARE_REFRESH_S
                          or (not in_sync and moment - shared_at >= SHARE_EVERY_S))
        _put(_good, keys.good, _Good(data, now, moment if due else shared_at, in_sync or due))
    if due:
        store.set(keys.good, (data, now), SHARED_GOOD_TTL_S)
    if was_down and shared:
        store.delete(keys.down)


def _recall(keys: Keys, now: str) -> tuple[tuple[Any, str] | None, str]:
    """(last good (data, fetched_at) or None, stale since) while the database fails."""
    with _guard:
        since = _down.get(keys.good) or now
        _put(_down, keys.good, since)
        local = _good.get(keys.good)
    good = (local.data, local.fetched_at) if local else None
    if not store.is_shared():
        return good, since
    mark, other = store.get_many([keys.down, keys.good])
    if isinstance(mark, str):
        since = min(mark, since)  # every worker shows the same, first, "stale since"
        with _guard:
            _put(_down, keys.good, since)
    store.set(keys.down, since, DOWN_MARK_TTL_S)  # kept while failures go on
    if isinstance(other, tuple) and len(other) == 2 and (good is None or other[1] > good[1]):
        good = (other[0], other[1])
    return good, since


def _note_stale() -> None:
    if has_app_context():
        g.ops_served_stale = True


def served_stale() -> bool:
    """Whether a read in this app context (a request) was answered with a last good value: an
    answer built from it shows a stale badge and must not be kept as a fresh one."""
    return has_app_context() and bool(g.get("ops_served_stale"))


def _fetch(fn: Callable[..., Any], args: tuple[Any, ...], read: Callable[[Keys], Any]) -> Fetched:
    keys = shape_of(fn).keys(args, {}) if not isinstance(fn, Memoized) else fn.keys(*args)
    now = _now()
    try:
        data = read(keys)
    except SQLAlchemyError as exc:
        log.warning("query %s failed: %s", keys.good, exc.__class__.__name__)
        _note_stale()
        good, since = _recall(keys, now)
        if good is None:
            return Fetched(data=None, fetched_at=now, stale_since=since,
                           error="database unavailable")
        return Fetched(data=good[0], fetched_at=good[1], stale_since=since,
                       error="database unavailable")
    _remember(keys, data, now)
    return Fetched(data=data, fetched_at=now)


def fetch(fn: Callable[..., Any], *args: Any) -> Fetched:
    """Call a query (memoized or a composite of memoized ones); on a database error return its
    last good result marked stale."""
    return _fetch(fn, args, lambda _keys: fn(*args))


def fetch_many(*calls: tuple[Any, ...]) -> list[Fetched]:
    """fetch() of several queries, `(fn, *args)` each, whose cached values are read in one call
    to the cache (one round trip to Redis) instead of one each."""
    memo = [(i, c[0].keys(*c[1:])) for i, c in enumerate(calls) if isinstance(c[0], Memoized)]
    held = dict(zip((i for i, _ in memo), store.get_many([k.value for _, k in memo]),
                    strict=True)) if has_app_context() else {}
    out = []
    for i, (fn, *args) in enumerate(calls):
        if i in held:
            out.append(_fetch(fn, tuple(args),
                              lambda keys, fn=fn, args=args, got=held[i]:
                              fn.answer(keys, tuple(args), {}, got)))
        else:
            out.append(fetch(fn, *args))
    return out
