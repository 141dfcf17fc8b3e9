"""Threaded WSGI servers for streaming responses: waitress for services, werkzeug for tests."""
from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

SEND_BUFFER = 1 << 20  # a whole mosaic frame fits: one send per part, few wakeups per viewer


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

    def write(self, data: bytes) -> int:
        if data:
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
    """werkzeug handler tuned for endless MJPEG responses.

    It offers the raw socket to /streams/*.mjpg (see Relay.serve_socket: one fan-out thread per
    stream writes to every viewer), gathers each response step into one send, enlarges the
    send buffer so a whole mosaic frame goes out at once.
    """

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if not isinstance(self.connection, socket.socket) or hasattr(self.connection, "getpeercert"):
            return environ  # TLS or a wrapped socket: stay on the WSGI write path
        environ["ops.stream_socket"] = self.connection  # streams.routes.STREAM_SOCKET
        return environ

    def setup(self) -> None:
        super().setup()
        self.wfile = _GatherWriter(self.connection)
        with contextlib.suppress(OSError):  # platform limits: keep the default buffer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


def _make(host: str, port: int, app: Any) -> Any:
    server = make_server(host, port, app, threaded=True, request_handler=StreamingRequestHandler)
    server.daemon_threads = True  # an endless MJPEG response must not block exit
    return server


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


def serve_waitress(app: Any, host: str, port: int, threads: int = 200) -> None:
    """Blocking waitress server: each MJPEG viewer holds one worker thread, so allow plenty."""
    from waitress import serve

    # outbuf_overflow high: a slow viewer's buffered frames spill to memory, not to temp files.
    serve(app, host=host, port=port, threads=threads, channel_timeout=30, connection_limit=2000,
          outbuf_overflow=8 * 1024 * 1024, ident="ops-relay")


def serve_werkzeug(app: Any, host: str, port: int) -> None:
    """Blocking werkzeug threaded server: writes straight to the socket from the viewer's thread."""
    _make(host, port, app).serve_forever()
