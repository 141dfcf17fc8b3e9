"""Flask blueprints for /streams: the in-process relay, a proxy to an external relay, or 503."""
from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, jsonify, request

from .config import SLUG_RE

if TYPE_CHECKING:
    from .service import StreamService

MJPEG_TYPE = "multipart/x-mixed-replace; boundary=opsframe"
NO_STORE = {"Cache-Control": "no-store"}
# Set in the WSGI environ by streams.server's request handler: the viewer's raw socket.
STREAM_SOCKET = "ops.stream_socket"
_PROXY_PATH = re.compile(r"^(status|mosaic\.(jpg|mjpg)|[a-z0-9-]{1,64}\.(jpg|mjpg|mp4))$")


def _error(status: int, message: str, **extra: str) -> Response:
    resp = jsonify({"error": message, **extra})
    resp.status_code = status
    resp.headers.update(NO_STORE)
    return resp


def _width(clamp: bool = False) -> int | None:
    """?w= as an int; with `clamp` (the mosaic) any positive width is accepted and capped at 4096."""
    raw = request.args.get("w")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 16 <= int(raw) <= (10**6 if clamp else 4096):
        abort(_error(400, "w must be an integer between 16 and 4096"))
    return min(int(raw), 4096)


def relay_headers(token: str) -> dict[str, str]:
    """What a dashboard sends to an external relay that requires OPS_RELAY_TOKEN."""
    token = token.strip()
    return {"Authorization": f"Bearer {token}"} if token else {}


def make_blueprint(service: StreamService, token: str = "") -> Blueprint:
    """Routes served straight from the relay; with `token`, every request must carry it (standalone relay)."""
    bp = Blueprint("streams", __name__, url_prefix="/streams")
    relay = service.relay

    if token:
        expected = f"Bearer {token}".encode()

        @bp.before_request
        def _require_token() -> Response | None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                resp = _error(401, "relay token required")
                resp.headers["WWW-Authenticate"] = 'Bearer realm="camera relay"'
                return resp
            return None

    def reader_id(cam_id: str) -> str:
        if not SLUG_RE.match(cam_id) or cam_id not in relay.readers:
            abort(_error(404, "unknown camera"))
        return cam_id

    @bp.after_request
    def _no_store(resp: Response) -> Response:
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @bp.get("/status")
    def status() -> Response:
        return jsonify(service.status())

    @bp.get("/mosaic.jpg")
    def mosaic_jpg() -> Response:
        return Response(relay.mosaic_for(_width(clamp=True)).current().jpeg, mimetype="image/jpeg")

    def direct(cam_id: str | None, width: int | None) -> Response | None:
        """Servers from streams.server hand over the socket: one fan-out thread feeds all viewers."""
        sock = request.environ.get(STREAM_SOCKET)
        if sock is None:
            return None
        relay.serve_socket(sock, cam_id, width)  # blocks until the viewer leaves; socket shut down
        return Response(b"", status=200)  # nothing reaches the client: the server's write just fails

    @bp.get("/mosaic.mjpg")
    def mosaic_mjpg() -> Response:
        width = _width(clamp=True)  # before counting the viewer: a refused request holds no slot
        if not relay.try_add_viewer():
            return _error(503, "too many viewers")
        done = direct(None, width)
        if done is not None:
            return done
        return Response(relay.mosaic_stream(width), mimetype=MJPEG_TYPE, direct_passthrough=True)

    @bp.get("/<cam_id>.jpg")
    def snapshot(cam_id: str) -> Response:
        jpeg, live = relay.snapshot(reader_id(cam_id), _width())
        return Response(jpeg, status=200 if live else 503, mimetype="image/jpeg")

    @bp.get("/<cam_id>.mjpg")
    def stream(cam_id: str) -> Response:
        cam_id, width = reader_id(cam_id), _width()
        if not relay.try_add_viewer():
            return _error(503, "too many viewers")
        done = direct(cam_id, width)
        if done is not None:
            return done
        return Response(relay.camera_stream(cam_id, width), mimetype=MJPEG_TYPE, direct_passthrough=True)

    @bp.get("/<cam_id>.mp4")
    def live_mp4(cam_id: str) -> Response:
        """The camera's own H.264 as fragmented MP4 for Media Source Extensions (streams/live.py).

        415 when the live stream cannot be remuxed for browsers (H.265, MJPEG), 503 while it has no
        picture yet: both name the MJPEG fallback, which the focus view's script then opens.
        """
        from . import live

        reader = relay.readers[reader_id(cam_id)]
        feed, fallback = reader.live, f"/streams/{cam_id}.mjpg"
        if feed is None:
            return _error(415, "this camera's live stream cannot be played through MSE", fallback=fallback)
        if not feed.ready() or reader.live_reader.state().value == "OFFLINE":
            return _error(503, "no live picture yet", fallback=fallback)
        if not relay.try_add_viewer():
            return _error(503, "too many viewers")
        sock = request.environ.get(STREAM_SOCKET)
        if sock is not None:
            try:
                live.serve_socket(feed, sock, relay.stopping)  # blocks until the viewer leaves
            finally:
                relay._drop_viewer()
            return Response(b"", status=200)

        def body() -> Iterator[bytes]:
            try:
                yield from live.stream_chunks(feed, relay.stopping)
            finally:
                relay._drop_viewer()

        return Response(body(), content_type=f'video/mp4; codecs="{feed.codec}"', direct_passthrough=True)

    @bp.errorhandler(404)
    def _not_found(_: Exception) -> Response:
        return _error(404, "not found")

    return bp


def make_disabled_blueprint() -> Blueprint:
    """Cameras switched off: every /streams URL answers 503, so pages can show 'cameras disabled'."""
    bp = Blueprint("streams", __name__, url_prefix="/streams")

    @bp.route("/", defaults={"path": ""})
    @bp.route("/<path:path>")
    def disabled(path: str) -> Response:
        return _error(503, "cameras are disabled")

    return bp


def make_proxy_blueprint(relay_url: str, token: str = "", connect_timeout: float = 3.0,
                         read_timeout: float = 15.0) -> Blueprint:
    """Forward /streams/... to the external relay service; camera sources never reach this process."""
    import requests  # only needed in the proxy deployment

    base = relay_url.rstrip("/")
    bp = Blueprint("streams", __name__, url_prefix="/streams")
    session = requests.Session()
    session.headers.update(relay_headers(token))

    @bp.route("/<path:path>")
    def proxy(path: str) -> Response:
        if not _PROXY_PATH.match(path):
            return _error(404, "not found")
        params = {"w": request.args["w"]} if "w" in request.args else None
        try:
            upstream = session.get(f"{base}/streams/{path}", params=params, stream=True,
                                   timeout=(connect_timeout, read_timeout))
        except requests.RequestException:
            return _error(503, "camera relay unavailable")
        if upstream.status_code == 401:  # our token, not the user's session: never a login prompt
            upstream.close()
            return _error(502, "camera relay refused this dashboard's OPS_RELAY_TOKEN")

        def body() -> Iterator[bytes]:
            try:
                yield from upstream.iter_content(chunk_size=None)
            except requests.RequestException:
                return  # relay went away mid-stream: end this viewer's stream
            finally:
                upstream.close()

        headers = {"Cache-Control": "no-store"}
        return Response(body(), status=upstream.status_code,
                        content_type=upstream.headers.get("Content-Type", "application/octet-stream"),
                        headers=headers, direct_passthrough=True)

    return bp
