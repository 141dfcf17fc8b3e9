"""Render cache: a wall callback's answer computed once per data window and sent, as the same
bytes, to every viewer (in every worker) asking for it in that window.

Hooked around Dash's dispatch at the Flask level, after the guard: a request is authenticated
and its body checked against the callback contract before any kept answer is served. Only the
callbacks of the allow-list (allowlist.SHARED) are shared; everything else passes untouched.
"""
from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from typing import Any

import dash
from flask import Flask, Response, current_app, g, request

from core.cache import served_stale
from settings import Settings
from web.access.paths import CALLBACK_PATH
from web.access.principal import Principal
from web.rendercache import answers
from web.rendercache.allowlist import SHARED, Shared

EXTENSION_KEY = "ops_rendercache"
HEADER = "X-Render-Cache"  # hit: kept bytes; miss: computed by this request
# Answers of another build of the code never mix with this one's (a rolling restart shares Redis).
BUILD = f"dash {version('dash')}"

__all__ = ["HEADER", "SHARED", "Shared", "answer_key", "clear", "init_app"]


def init_app(app: dash.Dash, settings: Settings) -> None:
    """Install the hooks (after access.init_app: the guard runs first), unless switched off."""
    if not settings.render_cache:
        return
    unknown = [k for k in SHARED if "callback" not in app.callback_map.get(k, {})]
    if unknown:
        raise RuntimeError(f"render cache: not a server callback: {unknown}")
    server = app.server
    server.extensions[EXTENSION_KEY] = answers.Answers()
    server.before_request(_answer_from_cache)
    server.after_request(_keep_answer)
    server.teardown_request(_release_claim)


def _answers() -> answers.Answers:
    return current_app.extensions[EXTENSION_KEY]


def clear(server: Flask) -> None:
    """Forget the answers this process keeps (tests; the shared ones end with their window)."""
    kept = server.extensions.get(EXTENSION_KEY)
    if kept is not None:
        kept.clear()


def _flat(items: list[Any]) -> list[Any]:
    return [i for item in items for i in (item if isinstance(item, list) else [item])]


def answer_key(body: dict[str, Any], share: Shared, principal: Principal) -> str:
    """The callback, its input values except those the answer ignores (the interval counters:
    every viewer's differs) and, where answers differ by role, the principal's kind and role."""
    kept = [[a.get("id"), a.get("property"), a.get("value")]
            for a in _flat(list(body.get("inputs", [])) + list(body.get("state", [])))
            if isinstance(a, dict) and a.get("property") not in share.ignore]
    role = f"{principal.kind}:{principal.role}" if share.by_role else ""
    text = json.dumps([BUILD, body.get("output"), kept, role], sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _answer_from_cache() -> Response | None:
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    principal = g.get("ops_principal")
    if principal is None:
        return None
    # The guard parsed the body already (Flask keeps it): no second parse.
    body = request.get_json(silent=True)
    share = SHARED.get(body.get("output")) if isinstance(body, dict) else None
    if share is None or (share.kinds is not None and principal.kind not in share.kinds):
        return None
    got = _answers().lookup(answer_key(body, share, principal), share.window(current_app))
    if isinstance(got, bytes):
        return Response(got, 200, content_type="application/json", headers={HEADER: "hit"})
    g.ops_render_claim = got
    g.ops_render_miss = True
    return None


def _keep_answer(response: Response) -> Response:
    if not g.get("ops_render_miss"):
        return response
    response.headers[HEADER] = "miss"
    claim = g.pop("ops_render_claim", None)
    if claim is not None:
        keep = (response.status_code == 200 and response.mimetype == "application/json"
                and not response.is_streamed)
        _answers().finish(claim, response.get_data() if keep else None, served_stale())
    return response


def _release_claim(_exc: BaseException | None) -> None:
    """A request that failed before its answer was kept still lets the waiting ones go."""
    claim = g.pop("ops_render_claim", None)
    if claim is not None:
        _answers().finish(claim, None, False)
