"""The one evaluator of the deployment: conditions -> alerts -> outbox -> SMTP, every few seconds.

One at a time across every process: a lease row (alert_lease) renewed by its holder each pass
and taken over only once it has expired (3 periods), so a second evaluator started by mistake
waits. The lease is a plain UPDATE ... WHERE, the same on SQLite and PostgreSQL; the alert
table's unique active_key and the outbox's unique dedupe hold even if two ever overlapped.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from alerts import conditions, lifecycle, mailer, outbox, sources, store
from alerts.models import AlertLease
from core.clock import utc_now
from core.db import Database, transaction
from settings import Settings

log = logging.getLogger(__name__)
LEASE = "evaluator"


@dataclass
class Pass:
    """One evaluation: whether this evaluator held the lease, what changed, what was mailed."""

    held: bool
    outcome: lifecycle.Outcome | None = None
    delivery: mailer.Delivery | None = None


def take_lease(database: Database, holder: str, now: datetime, ttl: timedelta) -> bool:
    """True when `holder` holds the lease until now + ttl (renewed, taken over or new)."""
    with transaction(database.sessions) as session:
        got = session.execute(
            update(AlertLease)
            .where(AlertLease.name == LEASE,
                   (AlertLease.holder == holder) | (AlertLease.expires_at < now))
            .values(holder=holder, expires_at=now + ttl))
        if got.rowcount == 1:
            return True
    try:
        with transaction(database.sessions) as session:
            session.execute(insert(AlertLease).values(name=LEASE, holder=holder,
                                                      expires_at=now + ttl))
        return True
    except IntegrityError:  # the row exists: someone else holds it
        return False


def release_lease(database: Database, holder: str) -> None:
    with transaction(database.sessions) as session:
        session.execute(update(AlertLease).where(AlertLease.name == LEASE,
                                                 AlertLease.holder == holder)
                        .values(expires_at=datetime(1970, 1, 1)))


class Evaluator:
    """Evaluates inside a Flask app (the queries read the database and cache through it)."""

    def __init__(self, server: Flask, database: Database, settings: Settings,
                 holder: str | None = None) -> None:
        self.server, self.database, self.settings = server, database, settings
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.policy = lifecycle.Policy(severity=conditions.severities(settings.alert_severity))
        self.mail = outbox.MailConfig.from_settings(settings.smtp_url, settings.alert_recipients)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=3 * self.settings.alert_interval)

    def run_once(self, now: datetime | None = None,
                 detected: conditions.Detected | None = None) -> Pass:
        """One pass at `now` (the app's clock by default); `detected` skips reading the sources."""
        now = now or utc_now()
        if not take_lease(self.database, self.holder, now, self.ttl):
            return Pass(held=False)
        if detected is None:
            with self.server.app_context():
                detected = sources.gather(self.settings.alert_feed_stale)

        def notify(session: object, alert: object, event: str) -> None:
            outbox.enqueue(session, alert, event, self.mail)  # type: ignore[arg-type]

        with transaction(self.database.sessions) as session:
            outcome = lifecycle.evaluate(session, detected, now, self.policy, notify)
        if outcome.changed():
            with self.server.app_context():  # every wall's list, in every worker sharing it
                store.wall_alerts.forget()
        delivery = mailer.deliver(self.database, self.settings.smtp_url,
                                  self.settings.alert_mail_from, now)
        return Pass(held=True, outcome=outcome, delivery=delivery)

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.run_once()
                if result.outcome and result.outcome.changed():
                    log.info("alerts: %s", result.outcome.summary())
            except SQLAlchemyError as exc:  # the database is down: try again next period
                log.warning("alerts: evaluation failed: %s", exc.__class__.__name__)
            except Exception:  # noqa: BLE001 - the evaluator outlives one bad pass
                log.exception("alerts: evaluation failed")
            self._stop.wait(self.settings.alert_interval)
        with contextlib.suppress(SQLAlchemyError):
            release_lease(self.database, self.holder)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()  # started again after a stop
            self._thread = threading.Thread(target=self.run_forever, name="ops-alerts",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def standalone_server(settings: Settings, database: Database) -> Flask:
    """The Flask context of `python -m data alerts run`: database, cache, settings, live state."""
    from core import cache
    from core.db import EXTENSION_KEY
    from displays import livestate

    server = Flask("ops-alerts")
    server.config.update(OPS_SETTINGS=settings)
    server.extensions[EXTENSION_KEY] = database
    cache.init_app(server, settings)
    server.extensions[sources.LIVE_STATE_KEY] = livestate.for_settings(settings)
    return server
