"""Database outages in long-running loops: one log line when they begin and end, backoff between."""
from __future__ import annotations

import logging
import time

from sqlalchemy.exc import InterfaceError, OperationalError

# Connection refused, cut or reset: the database is away, not the data wrong. Data errors
# (IntegrityError and the like) are not here: retrying them would loop on a bug.
TRANSIENT = (OperationalError, InterfaceError)
FIRST_DELAY = 0.5  # seconds before the first retry; doubles on every failure ...
MAX_DELAY = 15.0  # ... up to this, so a long outage costs one attempt every 15 s


class Outage:
    """Tracks one outage at a time for a named loop (e.g. the feed simulator)."""

    def __init__(self, what: str, log: logging.Logger, first_delay: float = FIRST_DELAY,
                 max_delay: float = MAX_DELAY) -> None:
        self.what = what
        self.log = log
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.down_since: float | None = None
        self.delay = first_delay
        self.outages = 0  # begun since start

    def failed(self, exc: BaseException) -> float:
        """Note a failure; returns how long to wait before the next attempt."""
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.delay = self.first_delay
            self.outages += 1
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
            self.log.warning("%s: database unavailable (%s); retrying with backoff up to %.0f s",
                             self.what, reason, self.max_delay)
        else:
            self.delay = min(self.delay * 2, self.max_delay)
        return self.delay

    def recovered(self) -> None:
        """Note a success; ends the outage (and says so) if there was one."""
        if self.down_since is not None:
            self.log.warning("%s: database back after %.1f s", self.what,
                             time.monotonic() - self.down_since)
            self.down_since = None
