"""Login throttling: the policy (`login_throttled`) and where failures are counted.

Failures are counted in Redis when configured (shared by every worker), else read from the audit
log: `failures(...)` in the window, `failed(...)` after a wrong password, `succeeded(...)` after
a right one. An account's count starts again after its last success. Every failure is also an
audit event (the login view records it), so without Redis, or while Redis is down, the audit
table answers.
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
PAIR_FAILURES = 5  # wrong passwords for one account from one address
ADDRESS_FAILURES = 20  # wrong passwords from one address, any accounts (spraying)
ACCOUNT_FAILURES = 50  # wrong passwords for one account from anywhere (distributed guessing)
WINDOW = timedelta(minutes=15)


def login_throttled(pair: int, address: int, account: int) -> bool:
    """The throttle policy, from failed sign-ins in the last WINDOW: `pair` for this account
    from this address, `address` from this address for any account, `account` for this account
    from anywhere (pair and account count only since the account's last success).

    An address that keeps failing is stopped (per account, and across accounts); a stranger's
    failures never stop the owner at another address. Under a distributed attack on one account
    (ACCOUNT_FAILURES), each address gets its first try only: the owner, whose address has no
    failures, still signs in, while every guessing address is held after one wrong password.
    """
    if pair >= PAIR_FAILURES or address >= ADDRESS_FAILURES:
        return True
    return account >= ACCOUNT_FAILURES and pair > 0


def throttled(database: Database, name: str, address: str) -> bool:
    """Whether a sign-in as `name` from `address` is held now."""
    return login_throttled(
        pair=failures(database, actor=name, address=address, window=WINDOW),
        address=failures(database, address=address, window=WINDOW),
        account=failures(database, actor=name, window=WINDOW))


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
    """Count one failure for the account, the address and the pair (the audit event is the view's)."""
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
