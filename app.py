"""The Ops Centre dashboard: create_app(settings) builds it; `python app.py` serves it."""
from __future__ import annotations

import atexit
import logging
from pathlib import Path

import dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
import layouts
import streams
from data import api, cache, seed
from data.db import EXTENSION_KEY, Database
from settings import Settings, get_settings
from web import auth, displays, errors, health, security

HERE = Path(__file__).resolve().parent
log = logging.getLogger("ops")


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build one Dash app (and its Flask server) for the given settings."""
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    database = Database(settings.sqlalchemy_url)
    seed.init_database(database, years=settings.seed_years, seed=settings.seed, progress=True)

    server = Flask(__name__)
    if settings.trusted_proxies:
        # Behind nginx the peer is the proxy: without this, throttling and the audit log would
        # see one address for everybody. Only as many hops as configured are believed, so a
        # client cannot spoof its address by sending X-Forwarded-For itself.
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    server.config.update(OPS_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_upload_bytes)
    server.extensions[EXTENSION_KEY] = database
    cache.init_app(server, settings)

    app = dash.Dash(
        __name__, server=server, use_pages=True, pages_folder="",
        assets_folder=str(HERE / "assets"), title="Trung tâm thông tin, chỉ đạo, điều hành",
        suppress_callback_exceptions=True, update_title=None, on_error=errors.callback_error,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    layouts.register_pages()
    app.layout = layouts.shell.app_shell
    callbacks.register(app)

    api.init_app(server)
    health.init_app(server)
    errors.init_app(server)
    displays.init_app(app, settings)  # screens' live poll, answered ahead of the guard (memory only)
    auth.init_app(app, settings)  # deny by default: sessions, tokens, roles, login throttle
    security.init_app(app)  # CSP and the other security headers on every response
    _start_background(app, settings, database)
    return app


def _start_background(app: dash.Dash, settings: Settings, database: Database) -> None:
    """Live feed simulator and camera relay; both stop cleanly at exit."""
    server = app.server
    if settings.simulate:
        from data import feeds

        simulator = feeds.start(database, interval=settings.feed_interval)
        server.extensions["ops_feeds"] = simulator
        atexit.register(simulator.stop)
    service = streams.init_app(server, settings)  # registers itself as extensions["ops_streams"]
    if service is not None:
        atexit.register(service.stop)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    app = create_app(settings)
    from waitress import serve

    url = f"http://{settings.host}:{settings.port}/"
    print(f"Ops Centre dashboard on {url} (data in {settings.data_dir}/)", flush=True)
    # Many threads: every wall, browser and bridge point holds a connection open for video.
    serve(app.server, host=settings.host, port=settings.port, threads=64,
          connection_limit=1000, channel_timeout=120, ident="ops-centre")


_server: Flask | None = None


def __getattr__(name: str) -> object:
    """`server` for gunicorn (`app:server`), built on first access, not at import."""
    global _server
    if name == "server":
        if _server is None:
            _server = create_app().server
        return _server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
