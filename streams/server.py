"""Threaded WSGI servers for streaming responses: waitress for services, werkzeug for tests."""
from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import make_server


class BackgroundServer:
    """A werkzeug threaded server (one thread per connection) on its own thread; port 0 = ephemeral."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = make_server(host, port, app, threaded=True)
        self._server.daemon_threads = True  # an endless MJPEG response must not block exit
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
    server = make_server(host, port, app, threaded=True)
    server.daemon_threads = True
    server.serve_forever()
