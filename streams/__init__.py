"""The dam-camera relay: `init_app(server, settings)` attaches /streams to a Flask server."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import flask

    from .service import StreamService


def attach(server: flask.Flask, settings: Any, refuse: str = "") -> StreamService | None:
    """Register /streams on `server` as the settings say; returns the in-process service, NOT started.

    - settings.cameras false: a blueprint answering 503, returns None;
    - refuse (a reason): a blueprint answering 503 with that reason (a web worker that must not
      capture: the relay is its own service), returns None;
    - settings.relay_url set: a proxy to the external relay (`python -m streams relay`), returns None;
    - otherwise: the in-process relay (sim:// cameras from the built-in camera simulator when
      settings.sim_cameras, else OFFLINE with the reason); its open streams end when their
      principal is revoked (server.extensions["ops_stream_check"], set by web.streamaccess).
      `.start()` it, `.stop()` it at shutdown. Live video never passes through a proxy: pages get
      URLs of the relay itself (web.streamaccess.stream_url).
    Heavy imports (OpenCV) happen here, never at import time.
    """
    from .routes import make_disabled_blueprint, make_proxy_blueprint

    if not settings.cameras:
        server.register_blueprint(make_disabled_blueprint())
        return None
    if refuse:
        server.register_blueprint(make_disabled_blueprint(refuse))
        return None
    if settings.relay_url:
        server.register_blueprint(make_proxy_blueprint(settings.relay_url, settings.relay_token))
        return None
    from pathlib import Path

    from .config import load_cameras
    from .routes import make_blueprint
    from .service import StreamService

    # Simulated cameras' encoded loops are kept under the data directory (encoded once, first start).
    simulate = getattr(settings, "sim_cameras", settings.simulate)
    service = StreamService(load_cameras(settings.cameras_file or None), simulate=simulate,
                            sim_cache=Path(settings.data_dir) / "sim-cache")
    server.register_blueprint(make_blueprint(service, principal_of=_request_principal))
    check = server.extensions.get("ops_stream_check")  # web.streamaccess: revocations, from the database
    if check is not None:
        service.watch_revocations(check)
    server.extensions["ops_streams"] = service
    return service


def init_app(server: flask.Flask, settings: Any) -> StreamService | None:
    """attach() and start the in-process service at once (the standalone relay and tests)."""
    service = attach(server, settings)
    if service is not None:
        service.start()
    return service


def _request_principal() -> str:
    """Who asks, as the dashboard's guard found it (g.ops_principal), for ending revoked streams."""
    from flask import g

    from .signing import principal_key

    return principal_key(g.get("ops_principal"))


__all__ = ["attach", "init_app"]
