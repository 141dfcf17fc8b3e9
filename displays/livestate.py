"""Presenter and display live state: in memory for one process, in Redis when workers share it.

Nothing here touches the database: following the presenter and the displays' heartbeats cost
no query whatever the number of screens. With Redis configured (OPS_CACHE_TYPE=RedisCache, the
URL from OPS_REDIS_URL) every worker sees the same presenter and heartbeats; every Redis call has
a half-second timeout, and while Redis is down or hung this process falls back to its own memory
for FALLBACK_SECONDS at a time (one worker then serves the state it has; nothing errors).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

log = logging.getLogger(__name__)

PRESENTER_TIMEOUT = 15.0  # seconds without a presenter heartbeat: followers go back
REDIS_TIMEOUT = 0.5  # seconds per Redis call (connect and read)
FALLBACK_SECONDS = 5.0  # after a Redis failure, memory only for this long, then try again
PREFIX = "ops:live:"
PRESENTER = PREFIX + "presenter"
SEQ = PREFIX + "seq"
BEATS = PREFIX + "beats"


class Backend(Protocol):
    """The few operations the live state needs; values are JSON text."""

    def get(self, key: str) -> str | None: ...
    def swap(self, key: str, expect: str | None, value: str | None, ttl: float) -> bool: ...
    def incr(self, key: str) -> int: ...
    def hset(self, table: str, name: str, value: str) -> None: ...
    def hgetall(self, table: str) -> dict[str, str]: ...
    def hget(self, table: str, name: str) -> str | None: ...
    def hdel(self, table: str, name: str) -> None: ...


class MemoryBackend:
    """One process's state. Bounded: MAX_KEYS plain keys, MAX_FIELDS fields per table (oldest
    written goes first; there are 58 displays, so the bound is only a guard)."""

    MAX_KEYS = 64
    MAX_FIELDS = 2000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: OrderedDict[str, tuple[float, str]] = OrderedDict()  # key -> (expires, value)
        self._tables: dict[str, OrderedDict[str, str]] = {}
        self._counters: dict[str, int] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            hit = self._keys.get(key)
            if hit is None or hit[0] < time.monotonic():
                return None
            return hit[1]

    def swap(self, key: str, expect: str | None, value: str | None, ttl: float) -> bool:
        """Set (or delete, value None) only if the current value is `expect`."""
        with self._lock:
            hit = self._keys.get(key)
            current = hit[1] if hit is not None and hit[0] >= time.monotonic() else None
            if current != expect:
                return False
            self._keys.pop(key, None)
            if value is not None:
                self._keys[key] = (time.monotonic() + ttl, value)
                while len(self._keys) > self.MAX_KEYS:
                    self._keys.popitem(last=False)
            return True

    def incr(self, key: str) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def hset(self, table: str, name: str, value: str) -> None:
        with self._lock:
            items = self._tables.setdefault(table, OrderedDict())
            items.pop(name, None)
            items[name] = value
            while len(items) > self.MAX_FIELDS:
                items.popitem(last=False)

    def hgetall(self, table: str) -> dict[str, str]:
        with self._lock:
            return dict(self._tables.get(table, {}))

    def hget(self, table: str, name: str) -> str | None:
        with self._lock:
            return self._tables.get(table, {}).get(name)

    def hdel(self, table: str, name: str) -> None:
        with self._lock:
            self._tables.get(table, OrderedDict()).pop(name, None)


class RedisBackend:
    """Redis shared by every worker, with timeouts and a memory fallback during outages."""

    def __init__(self, url: str) -> None:
        import redis

        self._errors = (redis.RedisError, OSError)
        self._watch_error = redis.WatchError
        self._client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT,
                                            socket_connect_timeout=REDIS_TIMEOUT,
                                            decode_responses=True)
        self._fallback = MemoryBackend()
        self._down_until = 0.0

    def _call(self, name: str, *args: Any) -> Any:
        if time.monotonic() < self._down_until:
            return getattr(self._fallback, name)(*args)
        try:
            return getattr(self, "_r_" + name)(*args)
        except self._errors as exc:
            if self._down_until == 0.0:
                log.warning("live state: Redis unavailable (%s); this process uses its own "
                            "memory for %.0f s at a time until Redis answers", exc,
                            FALLBACK_SECONDS)
            self._down_until = time.monotonic() + FALLBACK_SECONDS
            return getattr(self._fallback, name)(*args)

    def get(self, key: str) -> str | None:
        return self._call("get", key)

    def swap(self, key: str, expect: str | None, value: str | None, ttl: float) -> bool:
        return bool(self._call("swap", key, expect, value, ttl))

    def incr(self, key: str) -> int:
        return int(self._call("incr", key))

    def hset(self, table: str, name: str, value: str) -> None:
        self._call("hset", table, name, value)

    def hgetall(self, table: str) -> dict[str, str]:
        return self._call("hgetall", table)

    def hget(self, table: str, name: str) -> str | None:
        return self._call("hget", table, name)

    def hdel(self, table: str, name: str) -> None:
        self._call("hdel", table, name)

    # The Redis side of each operation (raise on failure; _call falls back).
    def _r_get(self, key: str) -> str | None:
        return self._client.get(key)

    def _r_swap(self, key: str, expect: str | None, value: str | None, ttl: float) -> bool:
        with self._client.pipeline() as pipe:
            try:
                pipe.watch(key)
                if pipe.get(key) != expect:
                    pipe.unwatch()
                    return False
                pipe.multi()
                if value is None:
                    pipe.delete(key)
                else:
                    pipe.set(key, value, px=int(ttl * 1000))
                pipe.execute()
                return True
            except self._watch_error:
                return False  # someone else changed it meanwhile: the caller re-reads

    def _r_incr(self, key: str) -> int:
        return int(self._client.incr(key))

    def _r_hset(self, table: str, name: str, value: str) -> None:
        self._client.hset(table, name, value)

    def _r_hgetall(self, table: str) -> dict[str, str]:
        return self._client.hgetall(table)

    def _r_hget(self, table: str, name: str) -> str | None:
        return self._client.hget(table, name)

    def _r_hdel(self, table: str, name: str) -> None:
        self._client.hdel(table, name)


class LiveState:
    """The presenter (one at a time, explicit takeover, 15 s heartbeat) and display heartbeats."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    # --- presenter ---
    def presenter(self) -> dict[str, Any] | None:
        """The current presenter, or None when nobody presents (or they went silent)."""
        raw = self.backend.get(PRESENTER)
        found = _load(raw)
        if found is None or time.time() - float(found.get("beat", 0)) > PRESENTER_TIMEOUT:
            return None
        return found

    def _write(self, raw: str | None, record: dict[str, Any] | None) -> bool:
        value = json.dumps(record, separators=(",", ":")) if record is not None else None
        return self.backend.swap(PRESENTER, raw, value, PRESENTER_TIMEOUT)

    def start(self, user: str, name: str, path: str, search: str, *,
              takeover: bool = False) -> tuple[bool, dict[str, Any] | None]:
        """Start presenting. Refused (False, current) while someone else presents, unless
        takeover; the one taken over from sees it on their next status poll."""
        for _ in range(5):
            raw = self.backend.get(PRESENTER)
            current = self.presenter()
            if current is not None and current["user"] != user and not takeover:
                return False, current
            now = time.time()
            record = {"user": user, "name": name, "seq": self.backend.incr(SEQ), "path": path,
                      "search": search, "since": now, "changed_at": now, "beat": now,
                      "took_from": current["name"] if current and current["user"] != user else ""}
            if self._write(raw, record):
                return True, record
        return False, self.presenter()

    def publish(self, user: str, path: str, search: str,
                scroll: float | None = None) -> dict[str, Any] | None:
        """The presenter's page or query changed: a new sequence number for the followers.
        `scroll`: where the presenter's screen starts, as a fraction of the page's content
        (0 the top); followers apply it without reloading (no new sequence number)."""
        for _ in range(5):
            raw = self.backend.get(PRESENTER)
            current = self.presenter()
            if current is None or current["user"] != user:
                return None
            now = time.time()
            record = dict(current, beat=now)
            if (current["path"], current["search"]) != (path, search):
                record.update(seq=self.backend.incr(SEQ), path=path, search=search,
                              changed_at=now, scroll=0.0)
            if scroll is not None:
                record["scroll"] = round(min(max(float(scroll), 0.0), 1.0), 4)
            if self._write(raw, record):
                return record
        return None

    def beat(self, user: str) -> dict[str, Any] | None:
        """The presenter's heartbeat (its page is still open)."""
        current = self.presenter()
        if current is None or current["user"] != user:
            return None
        return self.publish(user, current["path"], current["search"], current.get("scroll"))

    def stop(self, user: str) -> bool:
        for _ in range(5):
            raw = self.backend.get(PRESENTER)
            current = _load(raw)
            if current is None or current["user"] != user:
                return False
            if self._write(raw, None):
                return True
        return False

    # --- displays ---
    def display_beat(self, name: str, info: dict[str, Any]) -> None:
        self.backend.hset(BEATS, name, json.dumps(info, separators=(",", ":")))

    def display_beats(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, raw in self.backend.hgetall(BEATS).items():
            found = _load(raw)
            if found is not None:
                out[name] = found
        return out

    def display_beat_of(self, name: str) -> dict[str, Any] | None:
        return _load(self.backend.hget(BEATS, name))

    def forget_display(self, name: str) -> None:
        self.backend.hdel(BEATS, name)


def _load(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def for_settings(settings: Any) -> LiveState:
    """Redis when the app shares its cache through Redis (several workers), else memory."""
    if getattr(settings, "cache_type", "") == "RedisCache" and getattr(settings, "redis_url", ""):
        return LiveState(RedisBackend(settings.redis_url))
    return LiveState(MemoryBackend())
