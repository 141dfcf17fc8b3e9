"""Alert e-mail through a real SMTP server (aiosmtpd) started by the test: sent once, retried
with backoff while the server is away, never sent twice by two senders at once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from alerts import conditions, lifecycle, mailer, outbox, recipients
from alerts.conditions import Detected
from alerts.models import AlertOutbox
from core.db import Database, transaction
from tests.smtpserver import Inbox, free_port

T0 = datetime(2026, 12, 1, 3, 0, 0)
POLICY = lifecycle.Policy(severity=conditions.severities(""))


def raise_camera(database: Database, config: outbox.MailConfig, now: datetime = T0) -> None:
    found = Detected(conditions.cameras([{"id": "hoa-binh", "name": "Hòa Bình",
                                          "state": "OFFLINE"}], False), {"camera"})
    with transaction(database.sessions) as session:
        lifecycle.evaluate(session, found, now, POLICY,
                           lambda s, a, e: outbox.enqueue(s, a, e, config))


def rows(database: Database) -> list[AlertOutbox]:
    with database.sessions() as s:
        return list(s.scalars(select(AlertOutbox).order_by(AlertOutbox.id)))


def test_recipients_by_kind_agency_and_all() -> None:
    table = recipients.parse("camera=a@x.vn, b@x.vn; agency:bct=c@x.vn; *=a@x.vn")
    assert recipients.for_alert(table, "camera", "") == ["a@x.vn", "b@x.vn"]
    assert recipients.for_alert(table, "late", "BCT") == ["c@x.vn", "a@x.vn"]
    with pytest.raises(ValueError, match="not an e-mail"):
        recipients.parse("camera=nobody")
    with pytest.raises(ValueError, match="expected KIND"):
        recipients.parse("camera")


def test_nothing_queued_without_configuration(database: Database) -> None:
    raise_camera(database, outbox.MailConfig(False, recipients.parse("*=a@x.vn")))
    assert rows(database) == []
    assert mailer.deliver(database, "", "ops@x.vn", T0).sent == 0


def test_sent_once_through_a_real_server(database: Database, smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    raise_camera(database, outbox.MailConfig(True, recipients.parse("camera=duty@x.vn")))
    assert mailer.deliver(database, url, "ops@x.vn", T0).sent == 1
    assert mailer.deliver(database, url, "ops@x.vn", T0 + timedelta(minutes=1)).sent == 0
    [(to, message)] = inbox.messages
    assert to == ["duty@x.vn"] and "camera:hoa-binh" in message["Subject"]
    assert "Hòa Bình" in message.get_payload(decode=True).decode()
    [row] = rows(database)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, T0)


def test_retried_with_backoff_while_the_server_is_away(database: Database,
                                                       smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    away = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    raise_camera(database, outbox.MailConfig(True, recipients.parse("*=duty@x.vn")))
    assert mailer.deliver(database, away, "ops@x.vn", T0).retried == 1
    [row] = rows(database)
    assert row.state == "pending" and row.next_attempt_at == T0 + timedelta(seconds=30)
    assert mailer.deliver(database, url, "ops@x.vn", T0 + timedelta(seconds=29)).sent == 0
    assert mailer.deliver(database, url, "ops@x.vn", T0 + timedelta(seconds=30)).sent == 1
    assert len(inbox.messages) == 1
    assert mailer.backoff(2) == timedelta(minutes=1) and mailer.backoff(20) == timedelta(hours=1)


def test_two_senders_at_once_send_one_mail(database: Database, smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    raise_camera(database, outbox.MailConfig(True, recipients.parse("*=duty@x.vn")))
    start = threading.Barrier(4)
    results: list[mailer.Delivery] = []

    def sender() -> None:
        start.wait()
        results.append(mailer.deliver(database, url, "ops@x.vn", T0))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r.sent for r in results) == 1
    assert len(inbox.messages) == 1
