"""Revocation: the relay learns which principals lost access and ends their open streams within seconds.

A `check(principals) -> revoked subset` answers from the database (in-process relay,
web.streamaccess.revoked) or from the dashboard over HTTP (`DashboardCheck`, the standalone
relay: POST <dashboard>/relay/access with OPS_RELAY_TOKEN). `Revocations` asks it every
`period` seconds about the principals with an open stream and closes the revoked ones' streams;
new streams ask about their own principal first. When the check cannot answer (dashboard or
database down) streams go on (an operations wall keeps its video) and one line is logged per
outage; revoking while the dashboard is down takes effect when it answers again.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

Check = Callable[[set[str]], set[str]]


class Streams(Protocol):
    """What holds open streams (the Relay; a StreamHub alone also fits)."""

    def principals(self) -> set[str]: ...

    def close_principals(self, principals: set[str]) -> int: ...

PERIOD_S = 1.0  # how often open streams are checked: a revoked display is cut within ~2 periods
ALLOWED_MEMORY_S = 2.0  # a positive answer for a new stream is reused this long
REVOKED_MEMORY_S = 60.0  # a revocation is reused this long (an account may be enabled again)
MAX_REMEMBERED = 4096  # principals remembered (positive or revoked); oldest forgotten first


class DashboardCheck:
    """Asks the dashboard (any web worker) which principals are revoked."""

    def __init__(self, dashboard_url: str, token: str, timeout: float = 2.0) -> None:
        import requests  # only the standalone relay needs it

        self.url = dashboard_url.rstrip("/") + "/relay/access"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token.strip()}"

    def __call__(self, principals: set[str]) -> set[str]:
        resp = self.session.post(self.url, json={"principals": sorted(principals)}, timeout=self.timeout)
        resp.raise_for_status()
        revoked = resp.json().get("revoked")
        if not isinstance(revoked, list):
            raise ValueError("dashboard answered without a 'revoked' list")
        return {p for p in revoked if isinstance(p, str)} & principals


class Revocations:
    """Keeps open streams honest; see the module docstring."""

    def __init__(self, streams: Streams, check: Check, period: float = PERIOD_S) -> None:
        self.streams, self.check, self.period = streams, check, period
        self._lock = threading.Lock()
        self._revoked: dict[str, float] = {}  # principal -> when learned; MAX_REMEMBERED entries
        self._allowed: dict[str, float] = {}  # principal -> when confirmed; MAX_REMEMBERED entries
        self._failing = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-revocations", daemon=True)

    def start(self) -> Revocations:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def allowed(self, principal: str) -> bool:
        """May `principal` open a new stream? (The signature was checked already.)"""
        if not principal:
            return True
        now = time.monotonic()
        with self._lock:
            if now - self._revoked.get(principal, -1e9) < REVOKED_MEMORY_S:
                return False
            if now - self._allowed.get(principal, -1e9) < ALLOWED_MEMORY_S:
                return True
        revoked = self._ask({principal})
        if revoked is None:
            return True  # cannot tell: the signed grant stands (see the module docstring)
        with self._lock:
            _remember(self._allowed, principal, now)
        return principal not in revoked

    def _ask(self, principals: set[str]) -> set[str] | None:
        try:
            revoked = self.check(principals)
        except Exception as exc:  # noqa: BLE001 (any failure: keep streaming, log once per outage)
            if not self._failing:
                log.warning("cannot check stream access (%s); open streams continue", type(exc).__name__)
                self._failing = True
            return None
        if self._failing:
            log.info("stream access checks answer again")
            self._failing = False
        now = time.monotonic()
        with self._lock:
            for principal in revoked:
                _remember(self._revoked, principal, now)
                self._allowed.pop(principal, None)
        return revoked

    def sweep(self) -> int:
        """One check of every principal with an open stream; returns how many streams were ended."""
        principals = self.streams.principals()
        if not principals:
            return 0
        revoked = self._ask(principals)
        return self.streams.close_principals(revoked) if revoked else 0

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.sweep()


def _remember(store: dict[str, float], key: str, when: float) -> None:
    store.pop(key, None)
    store[key] = when
    while len(store) > MAX_REMEMBERED:
        store.pop(next(iter(store)))
