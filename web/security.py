"""Security headers on every response: a Content-Security-Policy Dash runs under, and friends.

The policy, source by source (checked in Chromium on every page: tests/browser/test_login.py):
- default-src 'self': everything is served by the app itself (closed network, no CDN).
- script-src 'self' + the sha256 of each inline script Dash writes into its index page (the
  renderer start-up and inline clientside callbacks, from `app.csp_hashes()`). No
  'unsafe-inline', no 'unsafe-eval': plotly.js 4 only needs eval for its WebGL traces
  (scattergl, splom, parcoords: regl compiles with Function()), which the app does not use;
  adding one of those traces means adding 'unsafe-eval' here.
- style-src 'self' 'unsafe-inline': Dash components, Plotly and the server-rendered pages
  (web/templates: sign-in, errors, admin console) write inline styles; styles cannot run code.
  Those pages carry no script at all.
- img-src 'self' data: blob:: Plotly draws some images as data: URLs; camera frames are same-origin
  (in-process relay, or nginx sending /streams to the relay service).
- connect-src 'self': Dash callbacks (fetch) and stream polling go to the app only.
- media-src 'self' blob:: live video through Media Source Extensions plays from a blob: URL.
- With OPS_RELAY_PUBLIC_URL (browsers reach the relay service on another origin, no nginx) that
  origin is added to img-src, connect-src and media-src, and nothing else is.
- object-src 'none', base-uri 'self', form-action 'self', frame-ancestors 'none': no plugins,
  no <base> hijack, forms post only here, never framed (also X-Frame-Options: DENY).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import dash
from flask import Response, request

_STATIC = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/favicon.ico")


def stream_origin(public_url: str) -> list[str]:
    """The scheme://host[:port] of an external relay's public URL, as a CSP source ([] if none)."""
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}"]


def policy(script_hashes: list[str] | tuple[str, ...], streams: list[str] | None = None) -> str:
    streams = streams or []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *streams],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *streams],
        "media-src": ["'self'", "blob:", *streams],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: dash.Dash) -> None:
    server = app.server
    cached: dict[str, object] = {"key": None, "value": ""}

    def current_policy() -> str:
        # Dash adds inline scripts when its pages set up on the first request: recompute when
        # the set of inline scripts changes (a cheap length check per response).
        key = (len(app._inline_scripts), len(dash._callback.GLOBAL_INLINE_SCRIPTS))  # noqa: SLF001
        if cached["key"] != key:
            hashes = app.csp_hashes()
            cached["key"] = (len(app._inline_scripts),  # noqa: SLF001
                             len(dash._callback.GLOBAL_INLINE_SCRIPTS))  # noqa: SLF001
            settings = server.config.get("OPS_SETTINGS")
            cached["value"] = policy(hashes, stream_origin(getattr(settings, "relay_public_url", "") or ""))
        return str(cached["value"])

    @server.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = current_policy()
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if "Cache-Control" not in headers and not request.path.startswith(_STATIC):
            # Pages and data depend on who asks: never kept by a shared cache.
            headers["Cache-Control"] = "no-store"
        return response
