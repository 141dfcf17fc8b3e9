"""Signed stream URLs: the dashboard grants a principal one /streams path until an expiry; the relay checks.

A grant is `exp=<unix seconds>&p=<principal>&sig=<hex>` added to the URL's query, where sig is
HMAC-SHA256 over "path|exp|principal" with a key derived from OPS_RELAY_TOKEN (the secret the
dashboard and the relay already share). It is bound to the path (one camera or the mosaic, any
?w=), to the principal ("display:5", "user:3": the relay ends that principal's streams when the
dashboard says it was revoked, streams.access) and to a short lifetime (a leaked URL stops
opening streams after GRANT_TTL_S; an open stream is not cut by the expiry). The browser sees
the camera id and the grant, never a camera URL or the token.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

GRANT_TTL_S = 600  # how long a signed URL may start streams; pages refresh theirs well before
EXPIRY_STEP_S = 60  # expiries are rounded up to this: a page asking twice a minute gets one URL
PRINCIPAL_RE = re.compile(r"^(display|user):[0-9]{1,12}$")
_KEY_CONTEXT = b"ops-centre stream url v1"


def principal_key(principal: Any) -> str:
    """'display:<id>' or 'user:<id>' for the dashboard's Principal (web.access); '' for anyone else."""
    kind, ident = getattr(principal, "kind", None), getattr(principal, "id", None)
    return f"{kind}:{ident}" if kind in ("display", "user") and isinstance(ident, int) else ""


def derive_key(secret: str) -> bytes:
    """The signing key for a shared secret (never the secret itself, which also authenticates calls)."""
    return hmac.new(secret.strip().encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def _mac(key: bytes, path: str, exp: int, principal: str) -> str:
    return hmac.new(key, f"{path}|{exp}|{principal}".encode(), hashlib.sha256).hexdigest()


def grant(key: bytes, path: str, principal: str, ttl: int = GRANT_TTL_S, now: float | None = None) -> dict[str, str]:
    """Query parameters that let `principal` open `path` (e.g. /streams/hoa-binh.mjpg) for `ttl` s."""
    if not PRINCIPAL_RE.match(principal):
        raise ValueError(f"not a stream principal: {principal!r}")
    moment = (time.time() if now is None else now) + ttl
    exp = int(-(-moment // EXPIRY_STEP_S) * EXPIRY_STEP_S)
    return {"exp": str(exp), "p": principal, "sig": _mac(key, path, exp, principal)}


def signed(key: bytes, path: str, principal: str, query: Mapping[str, str] | None = None,
           ttl: int = GRANT_TTL_S) -> str:
    """`path?query&exp=..&p=..&sig=..`."""
    return f"{path}?{urlencode({**(query or {}), **grant(key, path, principal, ttl)})}"


def check(key: bytes, path: str, args: Mapping[str, str], now: float | None = None) -> str | None:
    """The principal a valid, unexpired grant in `args` names for `path`; None otherwise."""
    exp, principal, sig = args.get("exp", ""), args.get("p", ""), args.get("sig", "")
    if not (exp.isdigit() and len(exp) <= 12 and PRINCIPAL_RE.match(principal) and len(sig) == 64):
        return None
    if int(exp) < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(_mac(key, path, int(exp), principal), sig):
        return None
    return principal
