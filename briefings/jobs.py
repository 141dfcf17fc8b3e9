"""Running a briefing into its file: progress in its row, and one background build per process."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from briefings import store
from briefings.build import PagesError, make_briefing, parse_pages
from briefings.sources import Sources
from core.clock import local_now
from core.db import Database

log = logging.getLogger(__name__)
PROGRESS_STEP = 10  # per cent between progress writes: a 20-page build writes ~10 times


def run(database: Database, data_dir: Path, briefing_id: int, day: date,
        pages: list[str] | str | None, sources: Sources | None = None) -> bool:
    """Build a queued briefing into its PDF; True when done. Never raises: a failure is
    recorded on the row (the page and the API show it)."""
    written = [-PROGRESS_STEP]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent - written[0] >= PROGRESS_STEP and percent < 100:
            written[0] = percent
            store.set_progress(database, briefing_id, percent)

    try:
        store.set_progress(database, briefing_id, 0)
        made, data = make_briefing(database, day, pages, None, sources=sources,
                                   progress=progress)
        folder = store.directory(data_dir)
        name = store.file_name(day, briefing_id, local_now())
        partial = folder / (name + ".part")
        partial.write_bytes(data)
        partial.replace(folder / name)  # readers never see half a file
        store.finish(database, briefing_id, path=name, page_count=made.page_count,
                     size=made.size, pages=made.pages)
    except PagesError as exc:
        store.fail(database, briefing_id, str(exc))
        return False
    except Exception as exc:  # noqa: BLE001 - recorded on the row, logged with its traceback
        log.exception("briefing %s failed", briefing_id)
        store.fail(database, briefing_id, f"{exc.__class__.__name__}: {exc}"[:500])
        return False
    try:
        store.prune(database, data_dir)
    except Exception:  # noqa: BLE001 - retention runs again after the next briefing
        log.warning("briefing retention failed", exc_info=True)
    return True


class Busy(RuntimeError):
    """A briefing is already being built by this process."""


_running: threading.Thread | None = None  # at most one background build per process
_guard = threading.Lock()


def start(server: Any, day: date, pages: list[str] | str | None, requested_by: str,
          sources: Callable[[], Sources] | None = None) -> int:
    """Queue a briefing and build it on its own thread (in an app context of `server`, so
    the queries share the screens' cache); its id. Raises Busy while another one builds."""
    global _running
    database: Database = server.extensions["ops_db"]
    data_dir = Path(server.config["OPS_SETTINGS"].data_dir)
    with _guard:
        if _running is not None and _running.is_alive():
            raise Busy("a briefing is being made; try again when it is done")
        chosen = pages if isinstance(pages, list) else parse_pages(pages)  # PagesError: say so
        briefing_id = store.create(database, day, chosen, trigger="manual",
                                   requested_by=requested_by)

        def work() -> None:
            with server.app_context():
                run(database, data_dir, briefing_id, day, chosen,
                    sources() if sources else None)

        _running = threading.Thread(target=work, name=f"briefing-{briefing_id}", daemon=True)
        _running.start()
    return briefing_id


def wait_idle(timeout: float) -> bool:
    """For tests and shutdown: wait for the background build to end; True when idle."""
    thread = _running
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True
