"""Typed models of accounts and access records: users, tokens, revoked sessions, the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, utcnow


class User(Base):
    """A person who signs in: admin (users, tokens, cameras), staff (uploads) or leader (reads)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    # Shown wherever a person is named (who acknowledged, who presents, the audit log).
    full_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    unit: Mapped[str] = mapped_column(String(200), default="", server_default="")
    role: Mapped[code16]  # admin | staff | leader
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, never the password
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)


class AgencyToken(Base):
    """A bearer token of one agency: its API submissions (scope "submissions"), or the task
    tracking system's imports (scope "tasks", the Government Office's); only its hash is stored."""

    __tablename__ = "agency_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[code16] = mapped_column(ForeignKey("agency.code"), index=True)
    # What the token may do: one kind each, so a submissions token never imports tasks and the
    # tracking system's never submits an agency's figures.
    scope: Mapped[str] = mapped_column(String(16), default="submissions",
                                       server_default="submissions")
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")  # tracking's label
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class DisplayToken(Base):
    """A read-only token of a wall or bridge-point display; only its SHA-256 is stored."""

    __tablename__ = "display_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what security-relevant thing, when and from where; also the login throttle's store."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))  # user name, agency:CODE, display:ID, cli
    kind: Mapped[str] = mapped_column(String(24))  # login | login_failed | logout | token_used ...
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        # The throttle counts recent failures per account and per address.
        Index("ix_audit_kind_actor_time", "kind", "actor", "time"),
        Index("ix_audit_kind_address_time", "kind", "address", "time"),
    )


class RevokedSession(Base):
    """A signed session cookie ended on the server (logout): refused even if copied before.

    Bounded: a row is kept only until the cookie would have expired anyway (expires_at).
    """

    __tablename__ = "revoked_session"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
