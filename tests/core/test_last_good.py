"""queries.fetch's last good values: one per query (not per time bucket), bounded, and shared
through Redis so every worker shows the same stale value and "stale since"."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask
from sqlalchemy.exc import OperationalError

from core import cache
from reporting import queries
from settings import from_env


@pytest.fixture
def store() -> Iterator[None]:
    saved = dict(queries._last_good), dict(queries._down_since)  # noqa: SLF001
    queries._last_good.clear()  # noqa: SLF001
    queries._down_since.clear()  # noqa: SLF001
    yield
    queries._last_good.clear()  # noqa: SLF001
    queries._last_good.update(saved[0])  # noqa: SLF001
    queries._down_since.clear()  # noqa: SLF001
    queries._down_since.update(saved[1])  # noqa: SLF001


def _down(*_args: object) -> None:
    raise OperationalError("SELECT", {}, Exception("database is gone"))


def test_minute_buckets_keep_one_entry(store: None) -> None:
    @cache.memoized(time_args=("since",))
    def live_history(code: str, since: str) -> list[list[object]]:
        return [[since, 1.0]]

    for minute in range(600):  # ten hours of the overview's power history, a key a minute
        since = f"2026-11-30T{minute // 60:02d}:{minute % 60:02d}:00"
        assert queries.fetch(live_history, "POWER", since).data == [[since, 1.0]]
    assert list(queries._last_good) == ["live_history:('POWER',)"]  # noqa: SLF001
    queries.fetch(live_history, "WATER", "2026-11-30T10:00:00")
    assert len(queries._last_good) == 2  # noqa: SLF001


def test_store_is_bounded_and_keeps_the_recent(store: None) -> None:
    def series(code: str) -> list[str]:
        return [code]

    for n in range(queries.LAST_GOOD_MAX + 100):
        queries.fetch(series, f"IND{n}")
    assert len(queries._last_good) == queries.LAST_GOOD_MAX  # noqa: SLF001
    assert "series:('IND0',)" not in queries._last_good  # noqa: SLF001
    _down.__name__ = "series"
    stale = queries.fetch(_down, f"IND{queries.LAST_GOOD_MAX + 99}")
    assert stale.data == [f"IND{queries.LAST_GOOD_MAX + 99}"] and stale.stale_since


def test_last_good_and_stale_since_shared_through_redis(store: None, redis_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    server = Flask("t")
    cache.init_app(server, from_env({}, cache_type="RedisCache", redis_url=redis_url))

    def kpi_facts() -> list[int]:
        return [1, 2, 3]

    _down.__name__ = "kpi_facts"
    with server.app_context():
        good = queries.fetch(kpi_facts)
        first = queries.fetch(_down)  # this worker knows the value itself
        assert first.data == [1, 2, 3] and first.fetched_at == good.fetched_at
        queries._last_good.clear()  # noqa: SLF001 (now it is a worker that never read it)
        queries._down_since.clear()  # noqa: SLF001
        later = queries.local_now() + timedelta(minutes=1)
        monkeypatch.setattr(queries, "local_now", lambda: later)
        other = queries.fetch(_down)
        assert other.data == [1, 2, 3] and other.fetched_at == good.fetched_at
        assert other.stale_since == first.stale_since  # the same badge on every worker
        assert queries.fetch(kpi_facts).stale_since is None  # healed
        assert not redis.Redis.from_url(redis_url).exists("ops:down:kpi_facts:()")
