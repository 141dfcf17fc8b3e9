"""The dashboard's side of stream access: signed stream URLs for pages, revocations for the relay.

- `stream_url(path, query)`: the URL a page puts in an <img> (or fetches for MSE). In-process
  relay: the same-origin path (the session authenticates it). External relay with
  OPS_RELAY_TOKEN: a grant signed for the signed-in principal (streams.signing), under
  OPS_RELAY_PUBLIC_URL (empty: same origin, nginx sends /streams to the relay).
- `revoked(database, principals)`: which of "display:5", "user:3" ... have lost access, read from
  the database directly (not the few-seconds memo of web.access), so a revocation made by the CLI
  in another process reaches open streams within the relay's check period.
- POST /relay/access (OPS_RELAY_TOKEN as bearer): the standalone relay asks it every second
  about the principals with open streams (streams.access.DashboardCheck).
"""
from __future__ import annotations

import hmac
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy import select

from accounts.models import DisplayToken, User
from core.db import Database
from settings import Settings
from streams import signing

ACCESS_PATH = "/relay/access"
MAX_PRINCIPALS = 2000  # per question: more than the relay's viewer limit allows


def current_principal_key() -> str:
    return signing.principal_key(g.get("ops_principal"))


def revoked(database: Database, principals: set[str]) -> set[str]:
    """The principals among `principals` that may no longer watch (unknown ones included)."""
    ids: dict[str, dict[int, str]] = {"display": {}, "user": {}}
    for p in principals:
        kind, _, ident = p.partition(":")
        if kind in ids and ident.isdigit():
            ids[kind][int(ident)] = p
    active: set[str] = set()
    with database.sessions() as session:
        if ids["display"]:
            rows = session.execute(select(DisplayToken.id).where(
                DisplayToken.id.in_(ids["display"]), DisplayToken.revoked_at.is_(None)))
            active |= {ids["display"][r] for (r,) in rows}
        if ids["user"]:
            rows = session.execute(select(User.id).where(
                User.id.in_(ids["user"]), User.disabled_at.is_(None)))
            active |= {ids["user"][r] for (r,) in rows}
    return set(principals) - active


def stream_url(path: str, query: dict[str, str] | None = None) -> str:
    """The URL of a /streams path for the signed-in principal (see the module docstring)."""
    settings: Settings | None = current_app.config.get("OPS_SETTINGS")
    query = {k: v for k, v in (query or {}).items() if v is not None}
    plain = path + ("?" + urlencode(query) if query else "")
    if settings is None or not settings.relay_url:
        return plain
    base = settings.relay_public_url.rstrip("/")
    principal = current_principal_key()
    if settings.relay_token.strip() and principal:
        return base + signing.signed(signing.derive_key(settings.relay_token), path, principal, query)
    return base + plain  # a relay without a token answers on loopback only (nginx on the same host)


def _access() -> Response:
    settings: Settings = current_app.config["OPS_SETTINGS"]
    token = settings.relay_token.strip()
    given = request.headers.get("Authorization", "").encode()
    if not token or not hmac.compare_digest(given, f"Bearer {token}".encode()):
        resp = jsonify({"error": "relay token required"})
        resp.status_code = 401
        return resp
    body = request.get_json(silent=True)
    principals = body.get("principals") if isinstance(body, dict) else None
    if (not isinstance(principals, list) or len(principals) > MAX_PRINCIPALS
            or not all(isinstance(p, str) and len(p) <= 40 for p in principals)):
        resp = jsonify({"error": f"principals must be a list of at most {MAX_PRINCIPALS} strings"})
        resp.status_code = 400
        return resp
    database: Database = current_app.extensions["ops_db"]
    return jsonify({"revoked": sorted(revoked(database, set(principals)))})


def init_app(server: Flask, settings: Settings) -> None:
    """The relay's revocation endpoint, and the check an in-process relay uses (no HTTP)."""
    database: Database = server.extensions["ops_db"]
    server.extensions["ops_stream_check"] = lambda principals: revoked(database, principals)
    server.add_url_rule(ACCESS_PATH, "ops_relay_access", _access, methods=["POST"])
