"""Notifications queued in the alert's own transaction: one outbox row per alert event (and one
per daily briefing, its PDF attached).

Rows are written only when mail is configured (OPS_SMTP_URL and recipients for the alert);
`dedupe` (alert, event, occurrence) is unique, so an event is queued once whoever evaluates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from alerts import recipients
from alerts.models import Alert, AlertOutbox
from core.clock import utc_to_local

SUBJECTS = {"opened": "[Cảnh báo / Alert]", "escalated": "[LEO THANG / ESCALATED]"}


@dataclass(frozen=True)
class MailConfig:
    """Whether mail goes out at all, and to whom per kind and agency."""

    enabled: bool = False
    table: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, smtp_url: str, recipients_text: str) -> MailConfig:
        return cls(bool(smtp_url), recipients.parse(recipients_text))


def compose(alert: Alert, event: str) -> tuple[str, str]:
    """(subject, plain-text body), Vietnamese first then English."""
    opened = utc_to_local(alert.opened_at).strftime("%H:%M %d/%m/%Y")
    subject = f"{SUBJECTS.get(event, '[Alert]')} {alert.severity.upper()} {alert.key}"
    body = (f"Cảnh báo: {alert.key}\nMức độ: {alert.severity}\nNội dung: {alert.title}\n"
            f"Mở lúc: {opened} (giờ Việt Nam)\n"
            + ("Chưa ai tiếp nhận sau thời hạn: cảnh báo được leo thang.\n"
               if event == "escalated" else "")
            + f"\nAlert: {alert.key}\nSeverity: {alert.severity}\nDetail: {alert.title}\n"
            f"Opened: {opened} (Viet Nam time)\n"
            + ("Nobody acknowledged it in time: escalated.\n" if event == "escalated" else "")
            + f"\n/alerts?alert={alert.id}\n")
    return subject[:300], body


def enqueue(session: Session, alert: Alert, event: str, config: MailConfig) -> AlertOutbox | None:
    """Queue the e-mail about this event of this alert (None: mail off or nobody to tell)."""
    if not config.enabled:
        return None
    to = recipients.for_alert(config.table, alert.kind, alert.agency)
    if not to:
        return None
    subject, body = compose(alert, event)
    row = AlertOutbox(alert_id=alert.id, dedupe=f"{alert.id}:{event}:{alert.opened_count}",
                      event=event, recipients=",".join(to), subject=subject, body=body,
                      state="pending", attempts=0, next_attempt_at=alert.last_seen_at,
                      last_error="", created_at=alert.last_seen_at)
    session.add(row)
    return row


def enqueue_briefing(session: Session, briefing_id: int, day: date, path: Path, pages: int,
                     config: MailConfig, now: datetime) -> AlertOutbox | None:
    """Queue the day's briefing to its readers (OPS_ALERT_RECIPIENTS `briefing=...` and `*`),
    the PDF attached when it is sent; once per briefing whoever makes it."""
    if not config.enabled:
        return None
    to = recipients.for_alert(config.table, "briefing", "")
    if not to:
        return None
    shown = day.strftime("%d/%m/%Y")
    body = (f"Bản tin phục vụ họp lãnh đạo ngày {shown} ({pages} trang), tệp PDF đính kèm.\n\n"
            f"The briefing for the leaders' meeting of {shown} ({pages} pages) is attached.\n\n"
            f"/api/v1/briefings/{briefing_id}.pdf\n")
    row = AlertOutbox(alert_id=None, dedupe=f"briefing:{briefing_id}", event="briefing",
                      recipients=",".join(to), subject=f"[Bản tin / Briefing] {shown}",
                      body=body, attachment=str(path), state="pending", attempts=0,
                      next_attempt_at=now, last_error="", created_at=now)
    session.add(row)
    return row

