"""gunicorn settings for the dashboard's web workers: `gunicorn -c deploy/gunicorn.conf.py app:server`.

Workers are stateless: they build the app after fork (no preload, so each has its own database
engine and Redis pool), never seed, simulate or capture. Everything here can be set from the
environment, as the systemd unit and the Procfile do.
"""
from __future__ import annotations

import logging
import multiprocessing
import os

bind = os.environ.get("OPS_BIND", "127.0.0.1:8050")
workers = int(os.environ.get("OPS_WEB_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 8))
# Threads per worker: callbacks wait on the database and Redis, not the CPU, and every screen
# polls every few seconds; video never reaches these workers (nginx sends /streams to the relay).
threads = int(os.environ.get("OPS_WEB_THREADS", "8"))
worker_class = "gthread"
# Longer than the 3 s poll of every screen, so browsers (and nginx's upstream pool) reuse their
# connections instead of racing a close; nginx's own upstream keepalive_timeout is shorter (60 s).
keepalive = 75
timeout = 30  # a worker silent this long is restarted (a callback takes milliseconds)
graceful_timeout = 20
preload_app = False
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"  # stdout: journald or honcho collects it
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "ops-web"

# The app reads these: it is a web worker (role "web"), one of `workers`.
os.environ["OPS_ROLE"] = "web"


def on_starting(server) -> None:  # type: ignore[no-untyped-def]
    """In the master, before forking: check the settings once (a bad one is one line and exit 2,
    not a failed boot per worker), tell the workers how many they are, and say once (here, not
    in every worker) when the in-process relay is refused for want of OPS_RELAY_URL."""
    os.environ["OPS_WEB_WORKERS"] = str(server.cfg.workers)
    from settings import SettingsError, exit_on_bad_settings, from_env  # the app's own rules

    try:
        from_env()
    except SettingsError as exc:
        exit_on_bad_settings(exc)
    cameras = os.environ.get("OPS_CAMERAS", "1").strip().lower() not in {"0", "false", "no", "off"}
    if cameras and not os.environ.get("OPS_RELAY_URL"):
        logging.getLogger("gunicorn.error").warning(
            "in-process camera relay refused in all %d web workers: cameras need the relay "
            "service; set OPS_RELAY_URL (python -m streams relay)", server.cfg.workers)


def post_worker_init(worker) -> None:  # type: ignore[no-untyped-def]
    """The worker has built the app: keep its long-lived objects (modules, layouts, catalogue)
    out of the collector's full passes, which stop every thread of the worker (as app.py does)."""
    import gc

    gc.freeze()
