"""Process roles: a web worker (gunicorn, `app:server`) serves pages and never captures video."""
from __future__ import annotations

import logging

from settings import Settings

log = logging.getLogger(__name__)
RELAY_NEEDED = ("cameras need the relay service under gunicorn: set OPS_RELAY_URL "
                "(python -m streams relay); web workers never capture")
_said = False  # the refusal is logged once per process (and by gunicorn's master when it knows)


def web_workers(settings: Settings) -> int:
    """How many web workers serve this app: deploy/gunicorn.conf.py says so (OPS_WEB_WORKERS);
    otherwise count this process and its siblings under the same gunicorn master."""
    if settings.web_workers:
        return settings.web_workers
    try:
        import psutil

        me = psutil.Process()
        parent, command = me.parent(), me.cmdline()
        if parent is None or "gunicorn" not in " ".join(parent.cmdline()):
            return 1
        return max(1, sum(1 for child in parent.children() if child.cmdline() == command))
    except Exception:  # noqa: BLE001 (a process table we cannot read: assume one)
        return 1


def relay_refusal(settings: Settings) -> str:
    """Why this process must not run the in-process camera relay ("" when it may).

    A web worker that starts readers would read every camera once per worker and hold a worker
    thread per viewer; the relay runs once, as its own service, and nginx sends /streams to it.
    """
    global _said
    if settings.role != "web" or not settings.cameras or settings.relay_url:
        return ""
    if not _said and not settings.web_workers:  # with OPS_WEB_WORKERS, gunicorn's master said it
        workers = web_workers(settings)
        log.warning("in-process camera relay refused: web worker%s; %s",
                    f", one of {workers}" if workers > 1 else "", RELAY_NEEDED)
        _said = True
    return RELAY_NEEDED
