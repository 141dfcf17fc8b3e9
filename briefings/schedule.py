"""The daily briefing: made once a day at OPS_BRIEFING_AT for the whole deployment, or at start-up
when the process was down at that time. The unique claim of the day in the database decides
which process makes it; the others skip."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from alerts import outbox
from alerts.outbox import MailConfig
from briefings import jobs, store
from briefings.sources import Sources
from core.clock import local_now, utc_now
from core.db import Database, transaction

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60.0  # the loop looks again at least this often (OPS_NOW clocks can jump)


def parse_at(text: str) -> time:
    """'07:00' -> 07:00; a clear ValueError otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day HH:MM (e.g. 07:00)") from None


def due_day(now: datetime, at: time) -> date | None:
    """The day whose briefing is due at `now` (Viet Nam time): today once `at` has passed.
    A day missed entirely is not made afterwards: yesterday's meeting is over."""
    return now.date() if now.time() >= at else None


def seconds_to_next(now: datetime, at: time) -> float:
    """Seconds until the next scheduled time after `now`."""
    target = datetime.combine(now.date(), at)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def run_due(database: Database, data_dir: Path, at: time,
            sources: Sources | None = None, pages: str = "",
            mail: MailConfig | None = None) -> int | None:
    """Make today's briefing if it is due and no process has claimed it; its id if this call
    made (or tried to make) it, else None."""
    day = due_day(local_now(), at)
    if day is None:
        return None
    briefing_id = store.claim_daily(database, day)
    if briefing_id is None:
        return None
    log.info("making the briefing of %s (id %s)", day.isoformat(), briefing_id)
    if jobs.run(database, data_dir, briefing_id, day, pages or None, sources) and mail:
        _mail(database, data_dir, briefing_id, day, mail)
    return briefing_id


def _mail(database: Database, data_dir: Path, briefing_id: int, day: date,
          mail: MailConfig) -> None:
    """Queue the day's briefing in the alerts' outbox; the alert evaluator sends it."""
    made, path = store.get(database, briefing_id), store.file_of(database, data_dir, briefing_id)
    if made is None or path is None:
        return
    with transaction(database.sessions) as session:
        outbox.enqueue_briefing(session, briefing_id, day, path, made["page_count"], mail,
                                utc_now())


class Scheduler:
    """A daemon thread that runs run_due at start and then at each scheduled time."""

    def __init__(self, database: Database, data_dir: Path, at: time,
                 sources: Callable[[], Sources] | None = None,
                 wrap: Callable[[Callable[[], None]], None] | None = None,
                 pages: str = "", mail: MailConfig | None = None) -> None:
        self.database, self.data_dir, self.at = database, Path(data_dir), at
        self.pages = pages  # OPS_BRIEFING_PAGES; empty: the default set
        self.mail = mail  # mailed to OPS_ALERT_RECIPIENTS' `briefing=` when SMTP is set
        self.sources = sources
        self.wrap = wrap  # e.g. run inside the web app's context (the relay's camera states)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="briefing-schedule",
                                        daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _once(self) -> None:
        def work() -> None:
            run_due(self.database, self.data_dir, self.at,
                    self.sources() if self.sources else None, self.pages, self.mail)
        try:
            if self.wrap is not None:
                self.wrap(work)
            else:
                work()
        except Exception:  # noqa: BLE001 - the loop must survive a database outage
            log.warning("briefing schedule check failed", exc_info=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._once()
            wait = min(CHECK_EVERY_S, seconds_to_next(local_now(), self.at) + 1)
            self._stop.wait(max(1.0, wait))


def start_for_app(server: object) -> Scheduler:
    """The embedded app's scheduler: inside its app context, with the relay's camera states."""
    from briefings.sources import for_app

    settings = server.config["OPS_SETTINGS"]  # type: ignore[attr-defined]

    def in_app(work: Callable[[], None]) -> None:
        with server.app_context():  # type: ignore[attr-defined]
            work()

    return Scheduler(server.extensions["ops_db"], settings.data_dir,  # type: ignore[attr-defined]
                     parse_at(settings.briefing_at), sources=lambda: for_app(server),
                     wrap=in_app, pages=settings.briefing_pages,
                     mail=MailConfig.from_settings(settings.smtp_url,
                                                   settings.alert_recipients)).start()
