"""A /submit preview stores once: two workers sharing Redis accept one confirmation of it."""
from __future__ import annotations

import secrets

from flask import Flask

from core import cache
from settings import from_env
from web.previewtoken import UsedTokens


def _worker(**config: str) -> Flask:
    server = Flask("worker")
    cache.init_app(server, from_env({}, **config))
    return server


def test_two_workers_sharing_redis_take_a_preview_once(redis_url: str) -> None:
    workers = [_worker(cache_type="RedisCache", redis_url=redis_url) for _ in range(2)]
    used = [UsedTokens(), UsedTokens()]  # each worker process has its own
    nonce = secrets.token_hex(12)
    with workers[0].app_context():
        assert used[0].claim(nonce) is True
        assert used[0].claim(nonce) is False  # a double click on the same worker
    with workers[1].app_context():
        assert used[1].claim(nonce) is False  # the same click landing on another worker
        assert used[1].claim(secrets.token_hex(12)) is True  # another preview is not held up


def test_one_process_without_redis_still_takes_a_preview_once() -> None:
    worker, used, nonce = _worker(cache_type="SimpleCache"), UsedTokens(), secrets.token_hex(12)
    with worker.app_context():
        assert used.claim(nonce) is True
        assert used.claim(nonce) is False
