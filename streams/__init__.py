"""The dam-camera relay: `init_app(server, settings)` attaches /streams to a Flask server."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import flask

    from .service import StreamService


def init_app(server: flask.Flask, settings: Any) -> StreamService | None:
    """Register /streams on `server` as the settings say; returns the running service (or None).

    - settings.cameras false: a blueprint answering 503, returns None;
    - settings.relay_url set: status and snapshots proxied from the external relay
      (`python -m streams relay`); live video never passes through here: pages get URLs of the
      relay itself (web.streamaccess.stream_url). Returns None;
    - otherwise: the in-process relay (plus the simulator when settings.simulate), started, its
      open streams ended when their principal is revoked (server.extensions["ops_stream_check"],
      set by web.streamaccess); call `.stop()` on the returned service at shutdown.
    Heavy imports (OpenCV) happen here, never at import time.
    """
    from .routes import make_disabled_blueprint, make_proxy_blueprint

    if not settings.cameras:
        server.register_blueprint(make_disabled_blueprint())
        return None
    if settings.relay_url:
        server.register_blueprint(make_proxy_blueprint(settings.relay_url, settings.relay_token))
        return None
    from .config import load_cameras
    from .routes import make_blueprint
    from .service import StreamService

    service = StreamService(load_cameras(settings.cameras_file or None), simulate=settings.simulate)
    server.register_blueprint(make_blueprint(service, principal_of=_request_principal))
    check = server.extensions.get("ops_stream_check")  # web.streamaccess: revocations, from the database
    if check is not None:
        service.watch_revocations(check)
    service.start()
    server.extensions["ops_streams"] = service
    return service


def _request_principal() -> str:
    """Who asks, as the dashboard's guard found it (g.ops_principal), for ending revoked streams."""
    from flask import g

    from .signing import principal_key

    return principal_key(g.get("ops_principal"))


__all__ = ["init_app"]
