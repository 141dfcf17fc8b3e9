"""Take a viewer's socket away from the WSGI server that read its request, so no thread waits on it.

Two servers can give one up:
- streams.server (werkzeug, the relay service and the tests): its handler puts a hand-over
  callable in the environ;
- waitress (`python app.py`): the channel serving the request is reached through the documented
  `waitress.client_disconnected` callable (a bound method of the channel); in waitress's own loop
  thread the channel is taken out of its socket map and the socket is duplicated for us. waitress
  then sees a disconnected client and forgets the request. Written against waitress 3.0 (pinned);
  tests/streams/test_viewers.py serves through real waitress, so a change there fails a test.
Any other server (gunicorn, a test client, TLS) gets None: the caller streams on the server's
thread instead, bounded by the viewer limit. In production nginx sends /streams to the relay.
"""
from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

HANDOVER_KEY = "ops.take_socket"  # set by streams.server's request handler
_WAITRESS_KEY = "waitress.client_disconnected"


def take_socket(environ: dict[str, Any]) -> socket.socket | None:
    """The client's socket, now ours (the server will neither write to nor close it), or None."""
    take: Callable[[], socket.socket | None] | None = environ.get(HANDOVER_KEY)
    if take is not None:
        return take()
    probe = environ.get(_WAITRESS_KEY)
    channel = getattr(probe, "__self__", None)
    if channel is not None:  # waitress speaks plain TCP only (TLS ends at a proxy in front)
        return _take_from_waitress(channel)
    return None


def _take_from_waitress(channel: Any, timeout: float = 5.0) -> socket.socket | None:
    server = getattr(channel, "server", None)
    trigger = getattr(server, "trigger", None)
    if trigger is None or not hasattr(channel, "del_channel"):
        return None
    taken: list[socket.socket] = []
    done = threading.Event()

    def detach() -> None:  # runs in waitress's loop thread: nothing else touches the map then
        try:
            if channel.connected and not channel.total_outbufs_len:
                mine = channel.socket.dup()
                channel.del_channel()
                channel.connected = False  # the task's write raises ClientDisconnected: it ends
                channel.socket.close()  # closes waitress's descriptor only: no shutdown, the connection lives on
                taken.append(mine)
        finally:
            done.set()

    trigger.pull_trigger(detach)
    if not done.wait(timeout) or not taken:
        return None
    return taken[0]


class _QuietHandover(logging.Filter):
    """waitress logs 'Client disconnected while serving <path>' for every socket handed over."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Client disconnected while serving /streams/"))


logging.getLogger("waitress").addFilter(_QuietHandover())
