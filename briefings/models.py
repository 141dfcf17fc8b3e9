"""Typed model of the briefings made: one row per PDF, and the daily run's claim on its date."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, utcnow


class Briefing(Base):
    """A briefing PDF: queued, running (with progress), done (its file) or failed (why).

    daily_key is set only on the scheduled run ('daily:2026-12-06'); being unique, it is the
    claim that lets one process of the whole deployment make that day's briefing.
    """

    __tablename__ = "briefing"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # the meeting date on the cover
    trigger: Mapped[code16] = mapped_column(default="manual")  # manual | scheduled | cli
    daily_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    pages: Mapped[str] = mapped_column(Text, default="")  # comma list, as --pages takes it
    status: Mapped[code16] = mapped_column(default="queued")  # queued|running|done|failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # per cent
    worker: Mapped[str] = mapped_column(String(100), default="")  # host:pid that builds it
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    made_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC, when the PDF was written
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)  # bytes
    path: Mapped[str] = mapped_column(String(200), default="")  # file name under the store dir
    error: Mapped[str] = mapped_column(Text, default="")
