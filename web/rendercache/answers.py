"""Rendered answers: kept in this process (bounded) and in the shared cache, computed once a window."""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core import shared
from core.cache import answer_keys, store

# In this process: the LOCAL_MAX answers used last (6 wall callbacks x 2 languages need 12), none
# larger than MAX_BYTES. In flight: one Event per key being computed, at most one per request
# thread, removed when the computation ends.
LOCAL_MAX = 256
MAX_BYTES = 512 * 1024
# A viewer with nothing to show waits for the answer being computed (in this process or, while
# its lock lives, in another) up to WAIT_S, then computes it itself: a cold worker's first answer
# can take over a second, and a herd of viewers computing it at once would only make it slower.
WAIT_S = 5.0
POLL_S = 0.02
STALE_HOLD_S = 1  # an answer built from last good values (database down) is kept this long


class Answer(NamedTuple):
    """The bytes of one answer and until when (epoch seconds) they are fresh: the end of the
    clock window they were computed in, or sooner when they show last good values."""

    expires: float
    body: bytes

    def fresh(self, now: float) -> bool:
        return now < self.expires

    def usable(self, now: float, span: int) -> bool:
        """Served while the next window's answer is computed (as the memoized queries serve
        their value while one caller recomputes), for at most one window past its end."""
        return now < self.expires + span


@dataclass
class Claim:
    """This request computes the answer for everyone: store it with finish(), always."""

    key: str
    span: int
    window: int
    done: threading.Event
    token: str | None = None  # the cross-process lock, when taken
    finished: bool = field(default=False)


def _answer_of(got: Any) -> Answer | None:
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], bytes):
        return Answer(float(got[0]), got[1])
    return None


class Answers:
    """One app's answers: the LOCAL_MAX used last in this process, and the shared cache's."""

    def __init__(self) -> None:
        self._local: OrderedDict[str, Answer] = OrderedDict()
        self._inflight: dict[str, threading.Event] = {}
        self._guard = threading.Lock()  # bookkeeping only, never held across a cache call

    def _get(self, key: str) -> Answer | None:
        with self._guard:
            return self._local.get(key)

    def _put(self, key: str, answer: Answer) -> None:
        with self._guard:
            self._local[key] = answer
            self._local.move_to_end(key)
            while len(self._local) > LOCAL_MAX:
                self._local.popitem(last=False)

    def _release(self, key: str, done: threading.Event) -> None:
        with self._guard:
            if self._inflight.get(key) is done:
                del self._inflight[key]
        done.set()

    def clear(self) -> None:
        """Forget this process's answers (the shared ones expire with their window)."""
        with self._guard:
            self._local.clear()

    def lookup(self, key: str, span: int) -> bytes | Claim | None:
        """The answer's bytes; or a Claim: this request computes it and hands it to finish();
        or None: compute it without keeping it (whoever computes it is slow or gone)."""
        now = time.time()
        local = self._get(key)
        if local is not None and local.fresh(now):
            return local.body
        with self._guard:
            done = self._inflight.get(key)
            leader = done is None
            if done is None:
                done = self._inflight[key] = threading.Event()
        if not leader:
            if local is not None and local.usable(now, span):
                return local.body  # a thread of ours computes the new one
            done.wait(WAIT_S)
            again = self._get(key)
            return again.body if again is not None and again.fresh(time.time()) else None
        try:
            return self._lead(key, span, local, done)
        except BaseException:
            self._release(key, done)
            raise

    def _lead(self, key: str, span: int, local: Answer | None,
              done: threading.Event) -> bytes | Claim:
        """This process's one request for the key: the shared cache's answer, or the one it
        replaces (while another worker computes it), or a Claim to compute it."""
        window = int(time.time() // span)
        if not store.is_shared():
            return Claim(key, span, window, done)
        value_key, lock_key = answer_keys(key)
        got = _answer_of(store.get(value_key))
        if got is not None and got.fresh(time.time()):
            self._put(key, got)
            self._release(key, done)
            return got.body
        token = store.lock(lock_key)
        if token is shared.DOWN:
            return Claim(key, span, window, done)  # no Redis: each process computes its own
        if isinstance(token, str):
            return Claim(key, span, window, done, token)
        older = max((a for a in (local, got) if a is not None and a.usable(time.time(), span)),
                    key=lambda a: a.expires, default=None)
        if older is not None:
            self._release(key, done)
            return older.body
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and store.redis_up():
            time.sleep(POLL_S)
            got = _answer_of(store.get(value_key))
            if got is not None and got.fresh(time.time()):
                self._put(key, got)
                self._release(key, done)
                return got.body
            if not store.locked(lock_key):
                break  # the holder ended without an answer to keep (an error), or died
        return Claim(key, span, window, done)

    def finish(self, claim: Claim, body: bytes | None, stale: bool) -> None:
        """Keep the answer computed under `claim` (None: nothing to keep); let the others go."""
        if claim.finished:
            return
        claim.finished = True
        try:
            if body is not None and len(body) <= MAX_BYTES:
                now = time.time()
                expires = (claim.window + 1) * claim.span
                if stale:  # it shows last good values: ask the database again soon
                    expires = min(expires, now + STALE_HOLD_S)
                answer = Answer(float(expires), body)
                self._put(claim.key, answer)
                if store.is_shared():
                    # Kept one window past its end, for viewers served while the next is made.
                    keep = max(1, math.ceil(expires - now) + claim.span)
                    store.set(answer_keys(claim.key)[0], tuple(answer), keep)
        finally:
            if claim.token is not None:
                store.unlock(answer_keys(claim.key)[1], claim.token)
            self._release(claim.key, claim.done)
