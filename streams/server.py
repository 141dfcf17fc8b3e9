"""The relay's HTTP server: werkzeug's threaded server whose /streams viewers leave their thread at once.

A viewer's socket is handed over (streams.handover) to the relay's StreamHub after its request
is answered, so a connection thread lives only as long as one request: pages, status and
snapshots never wait behind video, whatever the number of viewers.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .handover import HANDOVER_KEY

SEND_BUFFER = 1 << 20  # responses written here (snapshots, a mosaic JPEG) leave in one send
REQUEST_TIMEOUT_S = 30  # a connection that sends nothing for this long is closed (slow headers)


class _GatherWriter:
    """Collects every write of a response step and sends them with ONE sendmsg (writev) on flush.

    werkzeug writes each streamed part as four pieces (chunk size, CRLF, data, CRLF) and then
    flushes: unbuffered, that is four syscalls per frame per viewer; buffered, a copy of the
    frame per viewer. Gathering sends the shared frame bytes in place, in one syscall.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._parts: list[bytes | memoryview] = []
        self.closed = False
        self.detached = False  # the socket was handed over: the server writes nothing more

    def write(self, data: bytes) -> int:
        if data and not self.detached:
            self._parts.append(data)
        return len(data)

    def flush(self) -> None:
        parts, self._parts = self._parts, []
        while parts:
            sent = self._sock.sendmsg(parts[:IOV_MAX])
            while parts and sent >= len(parts[0]):
                sent -= len(parts[0])
                parts.pop(0)
            if sent:  # a partial send ended inside this piece
                parts[0] = memoryview(parts[0])[sent:]

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush()
            finally:
                self.closed = True


IOV_MAX = 64


class StreamingRequestHandler(WSGIRequestHandler):
    """werkzeug handler that can give its socket away (streams.handover) and gathers writes.

    After a hand-over the handler writes nothing, and the server closes only its own descriptor
    (no shutdown), so the connection lives on in the hub.
    """

    timeout = REQUEST_TIMEOUT_S

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if isinstance(self.connection, socket.socket) and not hasattr(self.connection, "getpeercert"):
            environ[HANDOVER_KEY] = self._hand_over  # plain TCP only: TLS stays on the WSGI path
        return environ

    def _hand_over(self) -> socket.socket | None:
        try:
            mine = self.connection.dup()
        except OSError:
            return None
        self.wfile.detached = True
        self.close_connection = True
        self.server.detached.add(self.connection)
        return mine

    def setup(self) -> None:
        super().setup()
        self.wfile = _GatherWriter(self.connection)
        with contextlib.suppress(OSError):  # platform limits: keep the default buffer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


class StreamingServer(ThreadedWSGIServer):
    """werkzeug's threaded server; sockets handed over are closed without a shutdown."""

    daemon_threads = True

    def __init__(self, host: str, port: int, app: Any) -> None:
        super().__init__(host, port, app, handler=StreamingRequestHandler)
        self.detached: weakref.WeakSet[socket.socket] = weakref.WeakSet()  # only until closed below

    def shutdown_request(self, request: Any) -> None:
        if request in self.detached:
            self.detached.discard(request)
            request.close()  # closes our descriptor only: the hub's duplicate keeps the connection
            return
        super().shutdown_request(request)


def _make(host: str, port: int, app: Any) -> Any:
    return StreamingServer(host, port, app)


class BackgroundServer:
    """A werkzeug threaded server (one thread per connection) on its own thread; port 0 = ephemeral."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _make(host, port, app)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="streams-http", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_waitress(app: Any, host: str, port: int, threads: int = 16) -> None:
    """Blocking waitress server; /streams viewers are handed to the hub (streams.handover), so
    its threads serve only requests, never open streams."""
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, channel_timeout=30, connection_limit=2000,
          ident="ops-relay")


def serve_werkzeug(app: Any, host: str, port: int) -> None:
    """Blocking werkzeug threaded server: writes straight to the socket from the viewer's thread."""
    _make(host, port, app).serve_forever()
