"""Agency API tokens: create (shown once), check, list and revoke; only SHA-256 hashes are stored."""
from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from data.clock import utc_now
from data.db import Database, transaction
from data.models import Agency, AgencyToken

PREFIX = "ops_"  # makes a leaked token easy to recognise in logs and secret scanners


class TokenError(ValueError):
    """A token operation that cannot be done (unknown agency, unknown token id)."""


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the secret, not even its hash."""

    id: int
    agency: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a presented token: the agency, or why it was refused."""

    agency: str | None
    reason: str = ""  # "" | missing | unknown | revoked

    @property
    def ok(self) -> bool:
        return self.agency is not None


def hash_token(token: str) -> str:
    """SHA-256 hex of a token; tokens are high-entropy, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(database: Database, agency: str) -> tuple[int, str]:
    """Create a token for an agency; returns (id, secret). The secret is not kept anywhere."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction(database.sessions) as session:
        if session.get(Agency, agency) is None:
            raise TokenError(f"unknown agency '{agency}'")
        row = AgencyToken(agency_code=agency, token_hash=hash_token(secret), created_at=utc_now())
        session.add(row)
        session.flush()
        return row.id, secret


def check(database: Database, token: str | None) -> TokenCheck:
    """Resolve a presented token to its agency; records last use. Revocation applies at once."""
    if not token:
        return TokenCheck(None, "missing")
    with transaction(database.sessions) as session:
        row = session.scalar(select(AgencyToken).where(AgencyToken.token_hash == hash_token(token)))
        if row is None:
            return TokenCheck(None, "unknown")
        if row.revoked_at is not None:
            return TokenCheck(None, "revoked")
        row.last_used_at = utc_now()
        return TokenCheck(row.agency_code)


def list_tokens(database: Database) -> list[TokenInfo]:
    """Every token, oldest first."""
    with database.sessions() as session:
        rows = session.scalars(select(AgencyToken).order_by(AgencyToken.id))
        return [TokenInfo(r.id, r.agency_code, r.created_at, r.last_used_at, r.revoked_at)
                for r in rows]


def revoke(database: Database, token_id: int) -> TokenInfo:
    """Revoke a token by id (idempotent: revoking twice keeps the first time)."""
    with transaction(database.sessions) as session:
        row = session.get(AgencyToken, token_id)
        if row is None:
            raise TokenError(f"no token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
        return TokenInfo(row.id, row.agency_code, row.created_at, row.last_used_at, row.revoked_at)


def _fmt(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "-"


def format_table(infos: list[TokenInfo]) -> str:
    """A plain-text table of tokens (times are UTC)."""
    lines = [f"{'ID':>4}  {'AGENCY':<10}  {'CREATED (UTC)':<19}  {'LAST USED':<19}  REVOKED"]
    for t in infos:
        lines.append(f"{t.id:>4}  {t.agency:<10}  {_fmt(t.created_at):<19}  "
                     f"{_fmt(t.last_used_at):<19}  {_fmt(t.revoked_at)}")
    return "\n".join(lines)


def cli(database: Database, args: argparse.Namespace) -> int:
    """`python -m data token create|list|revoke`; returns the exit code."""
    try:
        if args.token_command == "create":
            token_id, secret = create(database, args.agency)
            print(f"token {token_id} for {args.agency} (shown once, store it now):")
            print(secret)
            return 0
        if args.token_command == "list":
            print(format_table(list_tokens(database)))
            return 0
        if args.token_command == "revoke":
            info = revoke(database, args.id)
            print(f"token {info.id} of {info.agency} revoked at {_fmt(info.revoked_at)} UTC")
            return 0
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2
