"""The dam-camera relay: `init_app(server, settings)` attaches /streams to a Flask server."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import flask

    from .service import StreamService


def init_app(server: flask.Flask, settings: Any) -> StreamService | None:
    """Register /streams on `server` as the settings say; returns the running service (or None).

    - settings.cameras false: a blueprint answering 503, returns None;
    - settings.relay_url set: a proxy to the external relay (`python -m streams relay`), returns None;
    - otherwise: the in-process relay (plus the simulator when settings.simulate), started; call
      `.stop()` on the returned service at shutdown.
    Heavy imports (OpenCV) happen here, never at import time.
    """
    from .routes import make_disabled_blueprint, make_proxy_blueprint

    if not settings.cameras:
        server.register_blueprint(make_disabled_blueprint())
        return None
    if settings.relay_url:
        server.register_blueprint(make_proxy_blueprint(settings.relay_url, settings.relay_token))
        return None
    from pathlib import Path

    from .config import load_cameras
    from .routes import make_blueprint
    from .service import StreamService

    # Simulated cameras' encoded loops are kept under the data directory (encoded once, first start).
    service = StreamService(load_cameras(settings.cameras_file or None), simulate=settings.simulate,
                            sim_cache=Path(settings.data_dir) / "sim-cache")
    server.register_blueprint(make_blueprint(service))
    service.start()
    server.extensions["ops_streams"] = service
    return service


__all__ = ["init_app"]
