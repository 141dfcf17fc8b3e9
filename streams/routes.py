"""Flask blueprints for /streams: the in-process relay, a proxy to an external relay, or 503."""
from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, jsonify, request

from . import signing
from .config import SLUG_RE
from .handover import take_socket
from .slots import NoLiveVideo, TooManyViewers

if TYPE_CHECKING:
    from .service import StreamService

MJPEG_TYPE = "multipart/x-mixed-replace; boundary=opsframe"
NO_STORE = {"Cache-Control": "no-store"}
_PROXY_PATH = re.compile(r"^(status|mosaic\.jpg|[a-z0-9-]{1,64}\.jpg)$")  # short answers only
_LIVE_PATH = re.compile(r"^(mosaic|[a-z0-9-]{1,64})\.(mjpg|mp4)$")


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


def _no_principal() -> str:
    return ""


def make_blueprint(service: StreamService, token: str = "",
                   principal_of: Callable[[], str] = _no_principal) -> Blueprint:
    """Routes served straight from the relay.

    With `token` (the standalone relay) every request carries either the token (the dashboard's
    own calls: status, snapshots for callbacks) or a grant signed with a key derived from it
    (streams.signing: browsers, through nginx), whose principal must not be revoked
    (service.revocations). Without it the dashboard's guard has checked the request already
    (in-process relay) and `principal_of()` names who asks, so their streams can be ended.
    """
    bp = Blueprint("streams", __name__, url_prefix="/streams")
    relay = service.relay
    granted = "ops.stream_principal"

    if token:
        expected = f"Bearer {token}".encode()
        key = signing.derive_key(token)
        relay.allow_cross_origin()

        @bp.after_request
        def _cors(resp: Response) -> Response:
            resp.headers["Access-Control-Allow-Origin"] = "*"  # see streams.multipart.CORS
            return resp

        @bp.before_request
        def _require_access() -> Response | None:
            given = request.headers.get("Authorization", "").encode()
            if hmac.compare_digest(given, expected):
                return None
            principal = signing.check(key, request.path, request.args)
            if principal is None:
                resp = _error(401, "relay token or a valid signed stream URL required")
                resp.headers["WWW-Authenticate"] = 'Bearer realm="camera relay"'
                return resp
            if service.revocations is not None and not service.revocations.allowed(principal):
                return _error(403, "access revoked")
            request.environ[granted] = principal
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

    def principal() -> str:
        return request.environ.get(granted) or principal_of()

    def live(cam_id: str | None, width: int | None) -> Response:
        """An endless MJPEG response: the socket goes to the relay's hub when the server gives it
        up (no thread waits on a viewer), else the body streams on the server's thread."""
        if request.method == "HEAD":  # headers only: nothing to stream, no viewer slot to hold
            return Response(status=200, mimetype=MJPEG_TYPE)
        try:
            body = relay.open_mjpeg(cam_id, width, principal(), partial(take_socket, request.environ))
        except TooManyViewers:
            return _error(503, "too many viewers")
        if body is None:
            return Response(b"", status=200)  # never sent: the server no longer owns the socket
        return Response(body, mimetype=MJPEG_TYPE, direct_passthrough=True)

    @bp.get("/mosaic.mjpg")
    def mosaic_mjpg() -> Response:
        return live(None, _width(clamp=True))  # ?w= checked before a viewer slot is taken

    @bp.get("/<cam_id>.jpg")
    def snapshot(cam_id: str) -> Response:
        jpeg, live_ = relay.snapshot(reader_id(cam_id), _width())
        return Response(jpeg, status=200 if live_ else 503, mimetype="image/jpeg")

    @bp.get("/<cam_id>.mjpg")
    def stream(cam_id: str) -> Response:
        return live(reader_id(cam_id), _width())

    @bp.route("/<cam_id>.mp4", methods=["GET", "HEAD"])
    def live_mp4(cam_id: str) -> Response:
        """The camera's own H.264 as fragmented MP4 for Media Source Extensions (streams/live.py).

        415 when the live stream cannot be remuxed for browsers (H.265, MJPEG), 503 while it has no
        picture yet: both name the MJPEG fallback, which the focus view's script then opens. The
        socket goes to the hub like an MJPEG viewer's: no thread waits on the viewer.
        """
        cam_id, fallback = reader_id(cam_id), f"/streams/{cam_id}.mjpg"
        try:
            mimetype = relay.mp4_feed(cam_id).mimetype
            if request.method == "HEAD":  # headers only: no viewer slot to hold
                return Response(status=200, content_type=mimetype)
            body = relay.open_mp4(cam_id, principal(), partial(take_socket, request.environ))
        except NoLiveVideo as exc:
            if exc.never:
                return _error(415, "this camera's live stream cannot be played through MSE", fallback=fallback)
            return _error(503, "no live picture yet", fallback=fallback)
        except TooManyViewers:
            return _error(503, "too many viewers")
        if body is None:
            return Response(b"", status=200)  # never sent: the server no longer owns the socket
        return Response(body, content_type=mimetype, direct_passthrough=True)

    @bp.errorhandler(404)
    def _not_found(_: Exception) -> Response:
        return _error(404, "not found")

    return bp


def make_disabled_blueprint(message: str = "cameras are disabled") -> Blueprint:
    """Cameras switched off (or refused here): every /streams URL answers 503 with `message`."""
    bp = Blueprint("streams", __name__, url_prefix="/streams")

    @bp.route("/", defaults={"path": ""})
    @bp.route("/<path:path>")
    def disabled(path: str) -> Response:
        return _error(503, message)

    return bp


def make_proxy_blueprint(relay_url: str, token: str = "", connect_timeout: float = 3.0,
                         read_timeout: float = 5.0) -> Blueprint:
    """Status and snapshots from the external relay, for a dashboard reached without nginx.

    Live video never passes through a web worker: an endless response would hold a worker
    thread per viewer (40 walls starved 4 gunicorn workers). Pages point live streams at the
    relay itself (web.streamaccess.stream_url: nginx's /streams, or OPS_RELAY_PUBLIC_URL);
    a live URL that reaches a worker gets a 404 saying so. Camera sources never reach this process.
    """
    import requests  # only needed in the proxy deployment

    base = relay_url.rstrip("/")
    bp = Blueprint("streams", __name__, url_prefix="/streams")
    session = requests.Session()
    session.headers.update(relay_headers(token))

    @bp.route("/<path:path>")
    def proxy(path: str) -> Response:
        if _LIVE_PATH.match(path):
            return _error(404, "live video is served by the camera relay, not the dashboard: send /streams "
                               "to the relay (nginx) or set OPS_RELAY_PUBLIC_URL")
        if not _PROXY_PATH.match(path):
            return _error(404, "not found")
        params = {"w": request.args["w"]} if "w" in request.args else None
        try:
            upstream = session.get(f"{base}/streams/{path}", params=params,
                                   timeout=(connect_timeout, read_timeout))
        except requests.RequestException:
            return _error(503, "camera relay unavailable")
        if upstream.status_code == 401:  # our token, not the user's session: never a login prompt
            return _error(502, "camera relay refused this dashboard's OPS_RELAY_TOKEN")
        return Response(upstream.content, status=upstream.status_code, headers=NO_STORE,
                        content_type=upstream.headers.get("Content-Type", "application/octet-stream"))

    return bp
