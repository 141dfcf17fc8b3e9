"""The Ops Centre dashboard: create_app(settings) builds it; `python app.py` serves it."""
from __future__ import annotations

import atexit
import gc
import logging
import threading
from pathlib import Path

import dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
import layouts
import streams
from core import cache
from core.db import EXTENSION_KEY, Database
from data import prepare
from settings import Settings, SettingsError, exit_on_bad_settings, get_settings, load_or_exit
from web import (
    access,
    admin,
    api,
    api_alerts,
    api_briefings,
    api_dams,
    api_tasks,
    dashsetup,
    displays,
    errors,
    geodata,
    health,
    rendercache,
    roles,
    security,
    streamaccess,
)
from web.heldpolls import quiet_expected_disconnects

HERE = Path(__file__).resolve().parent
log = logging.getLogger("ops")


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build one Dash app (and its Flask server) for the given settings.

    Builds only: no seeding, no migrations, no threads. The database is prepared by
    prepare_database() (or the CLI) and background work started by start_background(), both
    from main() alone, so gunicorn workers (`app:server`) stay stateless.
    """
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the generated secret key lives here
    database = Database(settings.sqlalchemy_url)

    server = Flask(__name__, template_folder=str(HERE / "web" / "templates"))
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

    api_dams.init_app(server)  # before api: its catch-all 404 under /api/v1
    api.init_app(server)
    api_briefings.init_app(server)  # /api/v1/briefings: list, progress, PDF, make one
    api_alerts.init_app(server)  # /api/v1/alerts: list, acknowledge, resolve
    api_tasks.init_app(server)  # /api/v1/tasks: task tracking (summary, list, import)
    admin.init_app(server)  # /admin: accounts, tokens, audit log (admin role, CSRF)
    health.init_app(server)
    geodata.init_app(server)  # /geo/provinces34.geojson: the maps' outlines, fetched once
    streamaccess.init_app(server, settings)  # stream URLs for pages, revocations for the relay
    errors.init_app(server)
    displays.init_app(app, settings)  # screens' live poll, answered ahead of the guard (memory only)
    access.init_app(app, settings)  # deny by default: sessions, tokens, roles, login throttle
    rendercache.init_app(app, settings)  # after the guard: wall answers rendered once a window
    security.init_app(app)  # CSP and the other security headers on every response
    streams.attach(server, settings, refuse=roles.relay_refusal(settings))  # built, not started
    dashsetup.finish(app)  # complete before it serves: threads' first requests find no half set-up
    return app


def prepare_database(settings: Settings) -> dict[str, int]:
    """Schema, reference data, simulated history and the first admin, unless already there.

    The embedded default's first start; in production the CLI does this (`python -m data init`)
    and web workers never do. Returns the row counts.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url)
    try:
        counts = prepare.init_database(database, years=settings.seed_years, seed=settings.seed,
                                    progress=True)
        if not settings.database_url:
            access.bootstrap_admin(database)  # prints a one-time password on the very first start
        return counts
    finally:
        database.dispose()


def start_background(app: dash.Dash) -> None:
    """Start what `python app.py` runs beside the pages: the live feed simulator, the daily
    briefing, the alert evaluator and the camera relay (with the simulated cameras), as the
    settings enable them; each stops cleanly at exit."""
    server = app.server
    settings: Settings = server.config["OPS_SETTINGS"]
    if settings.simulate and "ops_feeds" not in server.extensions:
        from feeds import simulator

        feed_sim = simulator.start(server.extensions[EXTENSION_KEY], interval=settings.feed_interval)
        server.extensions["ops_feeds"] = feed_sim
        atexit.register(feed_sim.stop)
    if "ops_briefings" not in server.extensions:  # the daily briefing PDF (one per deployment)
        from briefings import schedule

        server.extensions["ops_briefings"] = schedule.start_for_app(server)
        atexit.register(server.extensions["ops_briefings"].stop)
    service = server.extensions.get("ops_streams")
    if service is not None and not getattr(service, "_started", False):
        service.start()
        atexit.register(service.stop)
    if settings.alert_evaluator and "ops_alerts" not in server.extensions:
        # The deployment's one alert evaluator (a lease keeps a second one idle).
        from alerts.evaluator import Evaluator

        evaluator = Evaluator(server, server.extensions[EXTENSION_KEY], settings)
        server.extensions["ops_alerts"] = evaluator
        evaluator.start()
        atexit.register(evaluator.stop)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_or_exit()
    prepare_database(settings)
    app = create_app(settings)
    start_background(app)
    from waitress import serve

    # What is built by now (modules, layouts, the catalogue) lives as long as the process: keep it
    # out of the collector's full passes, which stop every thread. Under bench/soak.py a full
    # pass went from ~125 ms (216k objects) to 12-45 ms (17k).
    gc.freeze()
    url = f"http://{settings.host}:{settings.port}/"
    print(f"Ops Centre dashboard on {url} (data in {settings.data_dir}/)", flush=True)
    # Video viewers hand their sockets to the relay's hub (streams/handover.py) and hold no
    # thread, so these threads only serve pages, callbacks and the API.
    quiet_expected_disconnects()
    serve(app.server, host=settings.host, port=settings.port, **waitress_options(settings))


def waitress_options(settings: Settings) -> dict[str, object]:
    """How `python app.py` runs waitress.

    Waitress clears X-Forwarded-* from peers it does not trust, before the app sees them; with
    OPS_TRUSTED_PROXIES set, the headers are left for ProxyFix (create_app), the one place that
    believes exactly that many hops, as it does under gunicorn.
    """
    return {"threads": 16, "connection_limit": 1000, "channel_timeout": 120,
            "ident": "ops-centre", "clear_untrusted_proxy_headers": not settings.trusted_proxies}


_server: Flask | None = None
_server_lock = threading.Lock()


def __getattr__(name: str) -> object:
    """`server` for gunicorn (`app:server`), built on first access, not at import.

    Whatever serves it is a web worker: it builds the app and starts nothing (role "web").
    Bad settings are one line on stderr and exit 2, which gunicorn reports as a failed boot.
    """
    global _server
    if name == "server":
        with _server_lock:
            if _server is None:
                try:
                    settings = get_settings()
                except SettingsError as exc:
                    exit_on_bad_settings(exc)
                _server = create_app(settings.with_(role="web")).server
        return _server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
