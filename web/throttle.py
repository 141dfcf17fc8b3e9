"""Where login failures are counted: Redis when configured (shared by every worker), else the audit log.

The policy (how many failures of what, web/auth.py) asks three questions of this store:
`failures(...)` in the window, `failed(...)` after a wrong password, `succeeded(...)` after a right
one. An account's count starts again after its last success. Every failure is also an audit
event (auth records it), so without Redis, or while Redis is down, the audit table answers.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from accounts import audit
from core import shared
from core.db import Database

PREFIX = "ops:throttle:"


def _key(actor: str | None, address: str | None) -> str:
    # Hashed: names and addresses are attacker-chosen strings; keys stay short and uniform.
    raw = f"{actor if actor is not None else '*'}\x00{address if address is not None else '*'}"
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _scopes(actor: str, address: str) -> list[str]:
    return [_key(actor, None), _key(None, address), _key(actor, address)]


def failures(database: Database, *, actor: str | None = None, address: str | None = None,
             window: timedelta) -> int:
    """Failed sign-ins in the window for an account, an address, or the pair (both given)."""
    redis = shared.current()
    if redis is not None:
        key, since = _key(actor, address), time.time() - window.total_seconds()
        count = redis.call(lambda r: r.zcount(key, since, "+inf"))
        if count is not shared.DOWN:
            return int(count)
    return audit.failures_since(database, actor=actor, address=address, window=window)


def failed(actor: str, address: str, *, window: timedelta) -> None:
    """Count one failure for the account, the address and the pair (the audit event is auth's)."""
    redis = shared.current()
    if redis is None:
        return
    now, horizon = time.time(), window.total_seconds()

    def add(r: object) -> None:
        pipe = r.pipeline()  # type: ignore[attr-defined]
        for key in _scopes(actor, address):
            # A sorted set of failure times: a sliding window, trimmed as it grows, and dropped
            # by Redis when nobody failed for a whole window (bounded by the window).
            pipe.zadd(key, {f"{now:.6f}:{secrets.token_hex(4)}": now})
            pipe.zremrangebyscore(key, "-inf", now - horizon)
            pipe.expire(key, int(horizon) + 1)
        pipe.execute()

    redis.call(add, default=None)


def succeeded(actor: str, address: str) -> None:
    """A right password: the account's count (and the pair's) starts again."""
    redis = shared.current()
    if redis is not None:
        redis.call(lambda r: r.delete(_key(actor, None), _key(actor, address)), default=None)
