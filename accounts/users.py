"""User accounts: add, list, disable, verify passwords (argon2id); the first-start admin."""
from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts import audit
from accounts.models import User
from core.clock import utc_now
from core.db import Database, transaction

ROLES = ("admin", "staff", "leader")
MIN_PASSWORD = 12
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# Module-level so tests can swap in cheaper parameters; the defaults are argon2-cffi's (RFC 9106
# low-memory profile: argon2id, t=3, m=64 MiB, p=4), about 0.15 s per hash on one core.
hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH: str | None = None


class UserError(ValueError):
    """A user operation that cannot be done (bad name or role, short password, unknown user)."""


@dataclass(frozen=True)
class UserInfo:
    """What may be shown about an account (never the hash)."""

    id: int
    name: str
    role: str
    created_at: datetime
    last_login_at: datetime | None
    disabled_at: datetime | None
    # A digest of the password hash: a session remembers it, so a reset ends older sessions.
    password_stamp: str = ""
    full_name: str = ""
    unit: str = ""

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def label(self) -> str:
        """'Full Name, Unit' as screens name the person; the login name when none is recorded."""
        return person_label(self.name, self.full_name, self.unit)


def person_label(name: str, full_name: str, unit: str) -> str:
    """'Nguyễn Văn An, Vụ Tổng hợp'; the login name stands in for a missing full name."""
    shown = full_name.strip() or name
    return f"{shown}, {unit.strip()}" if unit.strip() else shown


def _info(u: User) -> UserInfo:
    stamp = hashlib.sha256(u.password_hash.encode()).hexdigest()[:16]
    return UserInfo(u.id, u.name, u.role, u.created_at, u.last_login_at, u.disabled_at, stamp,
                    u.full_name or "", u.unit or "")


def norm_name(name: str) -> str:
    return (name or "").strip().lower()


def _clean_text(value: str, what: str) -> str:
    """A full name or unit: trimmed, at most 200 characters, no control characters."""
    value = (value or "").strip()
    if len(value) > 200:
        raise UserError(f"{what}: at most 200 characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise UserError(f"{what}: control characters are not allowed")
    return value


def add(database: Database, name: str, role: str, password: str, *, actor: str = "cli",
        address: str = "", full_name: str = "", unit: str = "") -> UserInfo:
    """Create an account; the password is stored only as an argon2id hash."""
    name = norm_name(name)
    full_name, unit = _clean_text(full_name, "full name"), _clean_text(unit, "unit")
    if not NAME_RE.match(name):
        raise UserError("user name: 1-64 of a-z 0-9 . _ -, starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    digest = hasher.hash(password)
    try:
        with transaction(database.sessions) as session:
            if session.scalar(select(User).where(User.name == name)) is not None:
                raise UserError(f"user '{name}' exists")
            user = User(name=name, role=role, password_hash=digest, created_at=utc_now(),
                        full_name=full_name, unit=unit)
            session.add(user)
            session.flush()
            audit.add(session, "admin", actor, f"user add {name} role={role}", address)
            return _info(user)
    except IntegrityError:
        raise UserError(f"user '{name}' exists") from None


def list_users(database: Database) -> list[UserInfo]:
    with database.sessions() as session:
        return [_info(u) for u in session.scalars(select(User).order_by(User.id))]


def set_person(database: Database, name: str, full_name: str, unit: str, *, actor: str = "cli",
               address: str = "") -> UserInfo:
    """Record an account's full name and unit (the admin console edits them)."""
    full_name, unit = _clean_text(full_name, "full name"), _clean_text(unit, "unit")
    with transaction(database.sessions) as session:
        user = _user(session, name)
        if (user.full_name, user.unit) != (full_name, unit):
            user.full_name, user.unit = full_name, unit
            audit.add(session, "admin", actor, f"user person {user.name}", address)
        return _info(user)


def labels(database: Database, names: list[str]) -> dict[str, str]:
    """Login name -> 'Full Name, Unit' for the given accounts (one query; unknown names absent)."""
    wanted = sorted({norm_name(n) for n in names if n})
    if not wanted:
        return {}
    with database.sessions() as session:
        rows = session.execute(select(User.name, User.full_name, User.unit)
                               .where(User.name.in_(wanted)))
        return {n: person_label(n, f or "", u or "") for n, f, u in rows}


def get(database: Database, user_id: int) -> UserInfo | None:
    with database.sessions() as session:
        user = session.get(User, user_id)
        return _info(user) if user is not None else None


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == norm_name(name)))
    if user is None:
        raise UserError(f"no user '{norm_name(name)}'")
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take away the last active administrator: nobody could manage accounts after."""
    if user.role != "admin" or user.disabled_at is not None:
        return
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.disabled_at.is_(None), User.id != user.id))
    if not others:
        raise UserError(f"'{user.name}' is the last active administrator")


def disable(database: Database, name: str, *, actor: str = "cli", address: str = "") -> UserInfo:
    """Disable an account; its open sessions end at their next request."""
    name = norm_name(name)
    with transaction(database.sessions) as session:
        user = _user(session, name)
        if user.disabled_at is None:
            _keep_an_admin(session, user)
            user.disabled_at = utc_now()
            audit.add(session, "admin", actor, f"user disable {name}", address)
        info = _info(user)
    from accounts import tokens

    tokens.forget_all()
    return info


def enable(database: Database, name: str, *, actor: str = "cli", address: str = "") -> UserInfo:
    """Enable a disabled account again (same password; reset it if it may be known)."""
    with transaction(database.sessions) as session:
        user = _user(session, name)
        if user.disabled_at is not None:
            user.disabled_at = None
            audit.add(session, "admin", actor, f"user enable {user.name}", address)
        return _info(user)


def set_role(database: Database, name: str, role: str, *, actor: str = "cli",
             address: str = "") -> UserInfo:
    """Change an account's role; it applies at the account's next request."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    with transaction(database.sessions) as session:
        user = _user(session, name)
        if user.role != role:
            if role != "admin":
                _keep_an_admin(session, user)
            old, user.role = user.role, role
            audit.add(session, "admin", actor, f"user role {user.name} {old}->{role}", address)
        info = _info(user)
    from accounts import tokens

    tokens.forget_all()  # remembered session checks carry the old role
    return info


def reset_password(database: Database, name: str, *, actor: str = "cli",
                   address: str = "") -> tuple[UserInfo, str]:
    """Give an account a new generated password; returns it to be shown once (only its hash is kept)."""
    password = secrets.token_urlsafe(18)
    digest = hasher.hash(password)
    with transaction(database.sessions) as session:
        user = _user(session, name)
        user.password_hash = digest
        audit.add(session, "admin", actor, f"user reset-password {user.name}", address)
        info = _info(user)
    from accounts import tokens

    tokens.forget_all()  # remembered session checks carry the old password's stamp
    return info, password


def verify(database: Database, name: str, password: str) -> UserInfo | None:
    """The account if the password matches and it is active; None otherwise (same cost)."""
    global _DUMMY_HASH
    name = norm_name(name)
    with database.sessions() as session:
        user = session.scalar(select(User).where(User.name == name)) if name else None
        if user is None:
            if _DUMMY_HASH is None:
                _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
            with contextlib.suppress(VerificationError, InvalidHashError):
                hasher.verify(_DUMMY_HASH, password or "-")
            return None
        try:
            hasher.verify(user.password_hash, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if user.disabled_at is not None:
            return None
    with transaction(database.sessions) as session:
        row = session.get(User, user.id)
        if row is None:
            return None
        if hasher.check_needs_rehash(row.password_hash):
            row.password_hash = hasher.hash(password)
        row.last_login_at = utc_now()
        return _info(row)


def bootstrap_admin(database: Database) -> str | None:
    """On a database without any account, create 'admin' and return its one-time password.

    Returns None when accounts exist (every later start), so the password is shown only once.
    """
    with database.sessions() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
    password = secrets.token_urlsafe(18)
    try:
        add(database, "admin", "admin", password, actor="first-start")
    except UserError:  # another process created it a moment ago
        return None
    return password
