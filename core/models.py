"""The declarative base every domain's models share, its column types, and the meta table."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import (
    String,
    Text,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.clock import utc_now_precise

# Column types declared once and reused, so every table spells a code the same way.
code16 = Annotated[str, mapped_column(String(16))]
code32 = Annotated[str, mapped_column(String(32))]
name = Annotated[str, mapped_column(String(200))]


def utcnow() -> datetime:
    """Naive UTC timestamp from the app's clock (the database stores UTC without zone)."""
    return utc_now_precise()


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Meta(Base):
    """Key/value facts about the database itself (seed parameters, build time)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


NUL_SHOWN_AS = "\\x00"  # how a NUL character that arrived in a text field is stored


def _no_nul(_mapper: object, _connection: object, target: Base) -> None:
    """PostgreSQL text cannot hold NUL (0x00): keep what arrived, visible as the escape \\x00.

    Submissions are arbitrary input (a JSON value of "\\u0000" is valid JSON), and the quarantine
    keeps the raw row and quotes it in the reason; SQLite would store it, PostgreSQL refuses.
    """
    for key, value in list(vars(target).items()):
        if isinstance(value, str) and "\x00" in value:
            setattr(target, key, value.replace("\x00", NUL_SHOWN_AS))


event.listen(Base, "before_insert", _no_nul, propagate=True)
event.listen(Base, "before_update", _no_nul, propagate=True)
