"""Who is making the request: the Principal, how a bearer token names one, and role checks."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Response, abort, g, request

from accounts import tokens
from core.db import Database
from web.access.paths import AGENCY_PATHS, refuse

ROLES = ("admin", "staff", "leader")
READ_ONLY = ("leader", "display")


@dataclass(frozen=True)
class Principal:
    """Who is making the request."""

    kind: str  # user | display | agency | tracking
    role: str  # admin | staff | leader | display | agency | tracking
    name: str
    id: int
    via: str  # session | bearer
    agency: str | None = None

    @property
    def actor(self) -> str:
        return {"user": self.name, "display": f"display:{self.id}",
                "agency": f"agency:{self.agency}", "tracking": f"tracking:{self.id}"}[self.kind]

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY


def current_principal() -> Principal | None:
    """The principal of the request being handled (None: anonymous)."""
    return g.get("ops_principal")


def require(*roles: str) -> Principal:
    """For callbacks and views that write: 403 unless the caller has one of the roles."""
    principal = current_principal()
    if principal is None:
        abort(401)
    if principal.role not in roles:
        abort(403)
    return principal


def client_address() -> str:
    return request.remote_addr or ""


def bearer() -> str | None:
    """The bearer token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def bearer_principal(database: Database, token: str, path: str) -> Principal | Response:
    """A bearer token: display (read-only), agency (submissions only) or the task tracking
    system's (task imports and the tasks API's reads only)."""
    if token.startswith(tokens.DISPLAY_PREFIX):
        found = tokens.check_display(database, token, address=client_address())
        if found.ok and found.id is not None:
            return Principal("display", "display", found.name, found.id, "bearer")
        return refuse(401, "deny.display_revoked" if found.reason == "revoked"
                      else "deny.unknown_token")
    if path in AGENCY_PATHS and request.method == "POST":
        check = tokens.check(database, token)  # records last use
    else:
        check = tokens.peek(database, token)
    if check.ok and check.scope == tokens.TASKS:
        return Principal("tracking", "tracking", check.name, check.id, "bearer", check.agency)
    if check.ok:
        return Principal("agency", "agency", check.agency or "", 0, "bearer", check.agency)
    if check.reason == "revoked":
        return refuse(403, "deny.token_revoked")
    return refuse(401, "deny.unknown_token")


class VerifiedBearers:
    """The last principal each bearer token was verified as, for database outages only.

    A signed session cookie still says who a wall is while the database is down; a bearer token
    says nothing by itself. So a token verified here is remembered (by its hash, at most MAX, the
    oldest forgotten first) and, while the database cannot be asked, stands for the same
    principal, as the cookie path does. Nobody can be revoked during an outage either way.
    """

    MAX = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Principal] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def remember(self, token: str, principal: Principal) -> None:
        key = self._key(token)
        with self._lock:
            self._items[key] = principal
            self._items.move_to_end(key)
            while len(self._items) > self.MAX:
                self._items.popitem(last=False)

    def recall(self, token: str) -> Principal | None:
        with self._lock:
            return self._items.get(self._key(token))

    def forget(self, token: str) -> None:
        with self._lock:
            self._items.pop(self._key(token), None)


verified_bearers = VerifiedBearers()

