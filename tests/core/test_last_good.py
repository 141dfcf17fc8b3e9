"""fetch's last good values: one per query (not per time bucket), bounded, shared through Redis
so every worker shows the same stale value and "stale since", and written only when they change."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask
from sqlalchemy.exc import OperationalError

from core import cache
from core.cache import lastgood
from settings import from_env


@pytest.fixture
def store() -> Iterator[None]:
    saved = dict(lastgood._good), dict(lastgood._down)  # noqa: SLF001
    lastgood._good.clear()  # noqa: SLF001
    lastgood._down.clear()  # noqa: SLF001
    yield
    lastgood._good.clear()  # noqa: SLF001
    lastgood._good.update(saved[0])  # noqa: SLF001
    lastgood._down.clear()  # noqa: SLF001
    lastgood._down.update(saved[1])  # noqa: SLF001


class Database:
    """A stand-in for the database's availability: a query raises as SQLAlchemy does when down."""

    up = True

    def read(self, value: object) -> object:
        if not self.up:
            raise OperationalError("SELECT", {}, Exception("database is gone"))
        return value


def test_minute_buckets_keep_one_entry(store: None) -> None:
    @cache.memoized(time_args=("since",))
    def live_history(code: str, since: str) -> list[list[object]]:
        return [[since, 1.0]]

    for minute in range(600):  # ten hours of the overview's power history, a key a minute
        since = f"2026-11-30T{minute // 60:02d}:{minute % 60:02d}:00"
        assert cache.fetch(live_history, "POWER", since).data == [[since, 1.0]]
    assert list(lastgood._good) == [live_history.keys("POWER", "x").good]  # noqa: SLF001
    assert live_history.keys("POWER", "x").good.endswith("live_history('POWER',)")
    cache.fetch(live_history, "WATER", "2026-11-30T10:00:00")
    assert len(lastgood._good) == 2  # noqa: SLF001


def test_store_is_bounded_and_keeps_the_recent(store: None) -> None:
    db = Database()

    def series(code: str) -> object:
        return db.read([code])

    for n in range(cache.LAST_GOOD_MAX + 100):
        cache.fetch(series, f"IND{n}")
    assert len(lastgood._good) == cache.LAST_GOOD_MAX  # noqa: SLF001
    db.up = False
    assert cache.fetch(series, "IND0").data is None  # the oldest were dropped
    stale = cache.fetch(series, f"IND{cache.LAST_GOOD_MAX + 99}")
    assert stale.data == [f"IND{cache.LAST_GOOD_MAX + 99}"] and stale.stale_since
    assert len(lastgood._down) <= cache.LAST_GOOD_MAX  # noqa: SLF001


def test_last_good_and_stale_since_shared_through_redis(store: None, redis_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    admin = redis.Redis.from_url(redis_url)
    admin.flushdb()
    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="RedisCache", redis_url=redis_url))
    db = Database()

    @cache.memoized
    def kpi_facts() -> object:
        return db.read([1, 2, 3])

    with server.app_context():
        good = cache.fetch(kpi_facts)
        kpi_facts.forget()
        db.up = False
        first = cache.fetch(kpi_facts)  # this worker knows the value itself
        assert first.data == [1, 2, 3] and first.fetched_at == good.fetched_at
        lastgood._good.clear()  # noqa: SLF001 (now it is a worker that never read it)
        lastgood._down.clear()  # noqa: SLF001
        later = lastgood.local_now() + timedelta(minutes=1)
        monkeypatch.setattr(lastgood, "local_now", lambda: later)
        other = cache.fetch(kpi_facts)
        assert other.data == [1, 2, 3] and other.fetched_at == good.fetched_at
        assert other.stale_since == first.stale_since  # the same badge on every worker
        db.up = True
        kpi_facts.forget()
        assert cache.fetch(kpi_facts).stale_since is None  # healed
        keys = kpi_facts.keys()
        assert not admin.exists(cache.PREFIX + keys.down)
        # One key scheme: values, locks, last good values and marks all live under the prefix.
        assert all(k.startswith(cache.PREFIX.encode()) for k in admin.keys("*"))


def test_a_steady_value_is_shared_once(store: None, redis_url: str) -> None:
    """Reading an unchanged value writes nothing to the cache; a changed one is shared again
    (no sooner than SHARE_EVERY_S after the last copy)."""
    admin = redis.Redis.from_url(redis_url)
    admin.flushdb()
    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="RedisCache", redis_url=redis_url))
    values = [[1]]

    def totals() -> list[int]:
        return values[0]

    with server.app_context():
        cache.fetch(totals)
        good_key = cache.PREFIX + lastgood.shape_of(totals).keys((), {}).good
        assert admin.exists(good_key)
        admin.delete(good_key)
        for _ in range(20):
            cache.fetch(totals)
        assert not admin.exists(good_key)  # unchanged: not written again
        values[0] = [2]
        entry = lastgood._good[lastgood.shape_of(totals).keys((), {}).good]  # noqa: SLF001
        lastgood._good[lastgood.shape_of(totals).keys((), {}).good] = entry._replace(  # noqa: SLF001
            shared_at=entry.shared_at - lastgood.SHARE_EVERY_S)
        cache.fetch(totals)
        assert admin.exists(good_key)
