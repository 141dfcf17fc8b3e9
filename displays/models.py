"""Typed models of the display registry: displays and playlists."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, utcnow


class Display(Base):
    """A registered screen that is not a person: the wall or a bridge point (issue 11).

    Its link is a display token (DisplayToken); mode says what it shows: follow the presenter,
    run a playlist, or one fixed page (any drill-down URL).
    """

    __tablename__ = "display"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    place: Mapped[str] = mapped_column(String(20), default="")  # BP01..BP57 | wall | ""
    mode: Mapped[code16] = mapped_column(default="playlist")  # follow | playlist | page
    playlist: Mapped[str] = mapped_column(String(64), default="")  # empty: the default playlist
    page: Mapped[str] = mapped_column(String(500), default="")  # a path with its query
    token_id: Mapped[int] = mapped_column(ForeignKey("display_token.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Playlist(Base):
    """An ordered list of pages for displays, each with its own duration (items as JSON)."""

    __tablename__ = "playlist"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    items: Mapped[str] = mapped_column(Text)  # JSON list, validated by displays.registry
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
