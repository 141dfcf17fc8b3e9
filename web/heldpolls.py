"""Held polls of following screens: each answered the moment its answer changes, all on one thread.

A screen in follow mode polls `GET /displays/live?hold=<presenter seq it has>`. When the WSGI
server can hand the socket over (waitress under `python app.py`, streams.server; see
streams/handover.py) and nothing has changed for that screen, the request is parked here instead
of holding a server thread. One thread watches, every TICK_S, the presenter (memory, or one Redis
read per tick per process) and the registry snapshot (memory, see displays.registry.Snapshots) and
writes a parked screen its answer as soon as that answer differs from the one it has, or after
HOLD_S (the poll stays the screen's heartbeat). A screen that goes away is noticed by its socket
becoming readable and is dropped at once.

Why: a short poll every 0.4 s costs 2.5 requests a second per follower and up to 0.4 s of delay;
a held poll costs about one request per HOLD_S and answers within a tick. Under gunicorn
(no hand-over) the poll is answered at once and the screen polls again after FOLLOW_POLL_MS.
"""
from __future__ import annotations

import json
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

TICK_S = 0.05  # how often the state is compared: the delay a held poll adds to a change
HOLD_S = 4.0  # longest a poll is held; the next poll is the heartbeat (lost after 10 s)
IDLE_EXIT_S = 30.0  # the thread ends after this long with nothing parked (started again on demand)

LIVE_PATH = "/displays/live"


def _not_a_parked_poll(record: logging.LogRecord) -> bool:
    """False for waitress's note that a parked poll's client went: it is how a hand-over ends."""
    return not record.getMessage().startswith(f"Client disconnected while serving {LIVE_PATH}")


def quiet_expected_disconnects() -> None:
    """Keep waitress's log for news: 57 screens would otherwise log ~15 lines a second at INFO."""
    logging.getLogger("waitress").addFilter(_not_a_parked_poll)


Answer = Callable[[int], dict[str, Any]]  # display token id -> the JSON a poll would get now
StateKey = Callable[[], tuple]  # changes whenever any answer may have changed (cheap)


@dataclass
class Parked:
    sock: socket.socket
    token_id: int
    answer: dict[str, Any]  # what the screen would have been told when it was parked
    deadline: float
    checked: bool = False  # compared once with the state the thread has seen (a change may
    # have come between the request's answer and the parking)


class HeldPolls:
    """Parked follower polls of one app. Bounded: at most MAX parked (more are answered at once)."""

    MAX = 1024

    def __init__(self, app: Flask, answer: Answer, state_key: StateKey) -> None:
        self._app, self._answer, self._state_key = app, answer, state_key
        self._lock = threading.Lock()
        self._parked: dict[int, Parked] = {}  # by socket file number
        self._selector = selectors.DefaultSelector()
        self._thread: threading.Thread | None = None
        self.answered = 0  # held polls answered (tests and the bench read these)
        self.dropped = 0  # screens that went away while parked

    def __len__(self) -> int:
        return len(self._parked)

    def full(self) -> bool:
        return len(self._parked) >= self.MAX

    def park(self, sock: socket.socket, token_id: int, answer: dict[str, Any]) -> None:
        """Hold this socket (now ours) until its answer changes; answered at once when full."""
        parked = Parked(sock, token_id, answer, time.monotonic() + HOLD_S)
        with self._lock:
            if len(self._parked) < self.MAX:
                sock.setblocking(False)
                self._parked[sock.fileno()] = parked
                self._selector.register(sock, selectors.EVENT_READ, parked)
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="display-held-polls",
                                                    daemon=True)
                    self._thread.start()
                return
        self._send(parked, answer, again=False)  # full: a short poll, as under gunicorn

    def _release(self, parked: Parked) -> None:
        with self._lock:
            if self._parked.get(parked.sock.fileno()) is parked:
                del self._parked[parked.sock.fileno()]
                self._selector.unregister(parked.sock)
        parked.sock.close()

    def _send(self, parked: Parked, answer: dict[str, Any], again: bool = True) -> None:
        """Write the answer and close; with `again`, `poll: 0` has the screen poll (and be held)
        again at once."""
        body = json.dumps(answer | {"poll": 0} if again else answer, separators=(",", ":")).encode()
        head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        try:
            parked.sock.settimeout(0.5)  # a few hundred bytes: the kernel's buffer takes them
            parked.sock.sendall(head + body)
            self.answered += 1
        except OSError:
            self.dropped += 1
        self._release(parked)

    def _run(self) -> None:
        last_key: tuple | None = None
        idle_since = time.monotonic()
        while True:
            for key, _ in self._selector.select(timeout=TICK_S):
                # Readable while parked: the screen closed (or broke the protocol): drop it.
                self.dropped += 1
                self._release(key.data)
            now = time.monotonic()
            with self._lock:
                parked = list(self._parked.values())
                if not parked and now - idle_since > IDLE_EXIT_S:
                    self._thread = None
                    return
            if not parked:
                continue
            idle_since = now
            try:
                with self._app.app_context():
                    state = self._state_key()
                    changed = state != last_key
                    last_key = state
                    for item in parked:
                        if changed or not item.checked or item.deadline <= now:
                            item.checked = True
                            answer = self._answer(item.token_id)
                            if answer != item.answer or item.deadline <= now:
                                self._send(item, answer)
            except Exception:  # noqa: BLE001 (a failure must not strand the screens)
                log.exception("held display polls: state check failed; closing them (they poll again)")
                for item in parked:
                    self._release(item)
