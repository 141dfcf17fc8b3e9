"""The daily briefing reaches its readers by e-mail, the PDF attached, once: through the alerts'
outbox and a real SMTP server; nothing is queued without configuration."""
from __future__ import annotations

from datetime import time
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from alerts import mailer
from alerts.models import AlertOutbox
from alerts.outbox import MailConfig
from briefings import schedule
from core.clock import start_at, utc_now
from core.db import Database
from settings import Settings
from tests.smtpserver import Inbox


@pytest.fixture
def db_kind() -> str:
    return "seeded"


def outbox_rows(database: Database) -> list[AlertOutbox]:
    with database.sessions() as s:
        return list(s.scalars(select(AlertOutbox).order_by(AlertOutbox.id)))


def test_the_daily_briefing_is_mailed_once_with_its_pdf(settings: Settings, database: Database,
                                                        smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    mail = MailConfig.from_settings(url, "briefing=lanhdao@vpcp.example;camera=ops@x.example")
    start_at("2026-12-07T09:30:00+07:00")
    try:
        made = schedule.run_due(database, settings.data_dir, time(7, 0), None, "overview", mail)
        assert made is not None
        assert schedule.run_due(database, settings.data_dir, time(7, 0), None, "overview",
                                mail) is None  # made, and queued, once a day
        [row] = outbox_rows(database)
        assert (row.event, row.alert_id, row.recipients) == ("briefing", None,
                                                            "lanhdao@vpcp.example")
        sent = mailer.deliver(database, url, "ops-centre@localhost", utc_now())
        again = mailer.deliver(database, url, "ops-centre@localhost", utc_now())
    finally:
        start_at(None)
    assert (sent.sent, again.sent) == (1, 0)
    [(to, message)] = inbox.messages
    assert to == ["lanhdao@vpcp.example"]
    assert str(make_header(decode_header(message["Subject"]))) == "[Bản tin / Briefing] 07/12/2026"
    [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_nothing_is_queued_without_mail_configured(settings: Settings,
                                                   database: Database) -> None:
    start_at("2026-12-07T09:30:00+07:00")
    try:
        assert schedule.run_due(database, settings.data_dir, time(7, 0), None, "overview",
                                MailConfig.from_settings("", "briefing=a@b.example")) is not None
    finally:
        start_at(None)
    assert outbox_rows(database) == []
