"""Viewer slots and what opening a live viewer can refuse: a body that gives its slot back once."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Generator, Iterator

TakeSocket = Callable[[], socket.socket | None]  # streams.handover.take_socket, bound to a request


class TooManyViewers(Exception):
    """Every viewer slot (RelayOptions.max_viewers) is taken."""


class NoLiveVideo(Exception):
    """The camera's live stream cannot go out as fMP4: `never` (not H.264), else not yet (no picture)."""

    def __init__(self, never: bool) -> None:
        super().__init__("not playable through MSE" if never else "no live picture yet")
        self.never = never


class HeldSlot:
    """A streamed body holding one viewer slot: given back once, when the body ends or is closed.

    A WSGI server closes a response it never iterated (HEAD, a client gone before the body), so the
    slot is held from the moment the viewer is opened, with no window where another can take it.
    """

    def __init__(self, parts: Generator[bytes, None, None], release: Callable[[], None]) -> None:
        self._parts, self._release = parts, release
        self._held = True
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._parts
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            held, self._held = self._held, False
        if held:
            try:
                self._parts.close()  # runs the generator's own cleanup (viewer counts, principals)
            finally:
                self._release()


__all__ = ["HeldSlot", "NoLiveVideo", "TakeSocket", "TooManyViewers"]
