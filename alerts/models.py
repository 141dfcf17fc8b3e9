"""Typed models of alerts: the instances, their history, the mail outbox and the evaluator lease."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, utcnow

STATES = ("open", "acknowledged", "resolved")
SEVERITIES = ("critical", "warning")


class Alert(Base):
    """One occurrence of a condition (kind + subject + period), from opening to resolution.

    `key` names the condition; `active_key` holds the same text while the alert is open or
    acknowledged and NULL once resolved, so the unique index allows one live alert per
    condition while history keeps every earlier one (NULLs never collide).
    """

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    active_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    kind: Mapped[code16]  # threshold | late | camera | display | feed
    subject: Mapped[str] = mapped_column(String(80))  # IIP:VN, BCT, hoa-binh, BP07, power
    period: Mapped[str] = mapped_column(String(16), default="")  # 2026-11, or "" (no period)
    agency: Mapped[str] = mapped_column(String(16), default="")  # the agency concerned, if any
    title: Mapped[str] = mapped_column(String(300), default="")  # what was detected, in words
    severity: Mapped[code16]  # critical | warning
    state: Mapped[code16]  # open | acknowledged | resolved
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_comment: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))  # None: the condition cleared
    resolved_reason: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_count: Mapped[int] = mapped_column(Integer, default=1)  # re-opened within the flap window

    __table_args__ = (
        # The /alerts page lists one state (and kind) newest first, paging on the id: these
        # keep a page of 100 an index range over 100,000 old alerts, not a sort of them all.
        Index("ix_alert_state_id", "state", "id"),
        Index("ix_alert_kind_state_id", "kind", "state", "id"),
        Index("ix_alert_resolved_at", "resolved_at"),  # the flap window's look-back
    )


class AlertEvent(Base):
    """One step in an alert's history: opened, escalated, acknowledged, resolved, reopened."""

    __tablename__ = "alert_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    time: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[code16]
    actor: Mapped[str] = mapped_column(String(80), default="")  # a user name, or "" (evaluator)
    comment: Mapped[str] = mapped_column(Text, default="")


class AlertOutbox(Base):
    """One e-mail to send, about an alert or with the day's briefing; claimed with a token before
    sending so it goes once."""

    __tablename__ = "alert_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    dedupe: Mapped[str] = mapped_column(String(60), unique=True)  # alert:event:occurrence
    event: Mapped[code16]  # opened | escalated | briefing
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attachment: Mapped[str] = mapped_column(String(500), default="")  # a PDF's path, or ""
    state: Mapped[code16]  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_alert_outbox_state_next", "state", "next_attempt_at"),)


class AlertLease(Base):
    """Which evaluator may run now: a row renewed by its holder, taken over once it expires."""

    __tablename__ = "alert_lease"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
