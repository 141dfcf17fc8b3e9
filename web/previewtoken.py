"""The /submit preview's token: which bytes, agency and person a preview was made for, signed
with the app's secret key, and the nonces already spent (each preview stores at most once)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from typing import Any

from flask import current_app

from core import clock
from core.cache import store
from core.cache.keys import once_key

TOKEN_TTL_S = 3600  # a preview older than this must be made again


def _signature(sha256: str, agency: str, actor: str, nonce: str, at: int) -> str:
    key = str(current_app.secret_key or "").encode()
    text = f"submit|{sha256}|{agency}|{actor}|{nonce}|{at}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def issue(sha256: str, agency: str, actor: str) -> dict[str, Any]:
    nonce, at = secrets.token_hex(12), int(clock.epoch())
    return {"sha256": sha256, "agency": agency, "nonce": nonce, "at": at,
            "sig": _signature(sha256, agency, actor, nonce, at)}


def check(token: Any, actor: str) -> bool:
    """A token this app issued to this person, recently."""
    if not isinstance(token, dict):
        return False
    try:
        sha, agency, nonce = str(token["sha256"]), str(token["agency"]), str(token["nonce"])
        at, sig = int(token["at"]), str(token["sig"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return False
    fresh = 0 <= clock.epoch() - at <= TOKEN_TTL_S
    return fresh and hmac.compare_digest(sig.encode(),
                                         _signature(sha, agency, actor, nonce, at).encode())


class UsedTokens:
    """Nonces of the previews confirmed: by this process (at most MAX, the oldest forgotten
    first) and, with Redis, by any worker (a mark kept as long as a token lives), so two clicks
    landing on two workers store once; without Redis, later tries are found among the stored
    submissions (reporting.ingest.submitted_since)."""

    MAX = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, None] = OrderedDict()

    def claim(self, nonce: str) -> bool:
        """True the first time a nonce is claimed."""
        with self._lock:
            if nonce in self._items:
                return False
            self._items[nonce] = None
            while len(self._items) > self.MAX:
                self._items.popitem(last=False)
        # Outside the lock: a Redis round trip is I/O.
        return store.claim_once(once_key(f"submit:{nonce}"), TOKEN_TTL_S) is not False
