"""Sends the outbox by SMTP: each row claimed atomically before sending, so it goes at most once.

A claim is `UPDATE ... SET state='sending', claim_token=T WHERE id=? AND state='pending'`: of
two senders (workers, evaluators started by mistake) only one gets the row. A failed send goes
back to pending with a backoff (30 s, 1, 2, 4 ... min, capped at an hour) until MAX_ATTEMPTS;
a row left 'sending' by a process that died is never retried (it may have been delivered)
but marked failed after CLAIM_EXPIRY, so an operator sees it.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update

from alerts.models import AlertOutbox
from core.db import Database, transaction

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BATCH = 20
CLAIM_EXPIRY = timedelta(minutes=10)
SMTP_TIMEOUT = 10.0


@dataclass
class Delivery:
    """What one pass did: sent, failed for now (retried later), failed for good."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def send_message(smtp_url: str, mail_from: str, to: list[str], subject: str, body: str,
                 attachment: str = "") -> None:
    """One message through the server of smtp://[user:pass@]host:port (smtps:// for TLS), with
    a PDF attached when `attachment` names one (read now: an OSError is retried like a refusal)."""
    parts = urlsplit(smtp_url)
    host, port = parts.hostname or "localhost", parts.port
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mail_from, ", ".join(to), subject
    message.set_content(body)
    if attachment:
        pdf = Path(attachment)
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                               filename=pdf.name)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with cls(host, port or (465 if parts.scheme == "smtps" else 25), timeout=SMTP_TIMEOUT) as smtp:
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def _claim(database: Database, row_id: int, token: str, now: datetime) -> bool:
    with transaction(database.sessions) as session:
        done = session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == row_id, AlertOutbox.state == "pending",
                   AlertOutbox.next_attempt_at <= now)
            .values(state="sending", claim_token=token, claimed_at=now,
                    attempts=AlertOutbox.attempts + 1))
        return done.rowcount == 1


def _settle(database: Database, row_id: int, token: str, now: datetime, error: str | None) -> str:
    with transaction(database.sessions) as session:
        row = session.scalar(select(AlertOutbox).where(AlertOutbox.id == row_id,
                                                       AlertOutbox.claim_token == token))
        if row is None:
            return "lost"
        if error is None:
            row.state, row.sent_at, row.last_error = "sent", now, ""
            return "sent"
        row.last_error = error[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            return "failed"
        row.state, row.claim_token, row.next_attempt_at = "pending", None, now + backoff(row.attempts)
        return "retried"


def deliver(database: Database, smtp_url: str, mail_from: str, now: datetime) -> Delivery:
    """Send what is due. No configuration, no mail: returns at once when smtp_url is empty."""
    out = Delivery()
    if not smtp_url:
        return out
    with transaction(database.sessions) as session:
        session.execute(update(AlertOutbox)
                        .where(AlertOutbox.state == "sending",
                               AlertOutbox.claimed_at < now - CLAIM_EXPIRY)
                        .values(state="failed", last_error="sender stopped while sending; "
                                "not retried (it may have been delivered)"))
        due = list(session.execute(
            select(AlertOutbox.id, AlertOutbox.recipients, AlertOutbox.subject, AlertOutbox.body,
                   AlertOutbox.attachment)
            .where(AlertOutbox.state == "pending", AlertOutbox.next_attempt_at <= now)
            .order_by(AlertOutbox.id).limit(BATCH)))
    for row_id, to, subject, body, attachment in due:
        token = secrets.token_hex(16)
        if not _claim(database, row_id, token, now):
            continue  # another sender has it
        error = None
        try:  # no transaction is open while the SMTP server answers
            send_message(smtp_url, mail_from, to.split(","), subject, body, attachment)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{exc.__class__.__name__}: {exc}"
            log.warning("alert mail %s not sent: %s", row_id, error)
        result = _settle(database, row_id, token, now, error)
        if result == "sent":
            out.sent += 1
        elif result == "retried":
            out.retried += 1
        elif result == "failed":
            out.failed += 1
    return out
