"""Security headers on every kind of response; the CSP Dash runs under; no secret leaks."""
from __future__ import annotations

import re

import pytest

from accounts import tokens
from tests.conftest import csrf_header, login


def _check_headers(response) -> None:
    h = response.headers
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script = re.search(r"script-src ([^;]+)", csp).group(1).split()
    assert script[0] == "'self'" and all(s.startswith("'sha256-") for s in script[1:])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] in ("same-origin", "no-referrer")


def test_headers_on_every_response_kind(web_app) -> None:
    anon = web_app.server.test_client()
    staff = web_app.server.test_client()
    login(staff, "staff")
    responses = {
        "login page": anon.get("/login"),
        "redirect to login": anon.get("/savings"),
        "401 json": anon.get("/api/v1/indicators"),
        "asset": anon.get("/assets/00-theme.css"),
        "favicon": anon.get("/_favicon.ico"),
        "healthz": anon.get("/healthz"),
        "page": staff.get("/"),
        "layout": staff.get("/_dash-layout"),
        "api": staff.get("/api/v1/indicators"),
        "api 404": staff.get("/api/v1/nope"),
        "path trick": staff.get("/assets/../api/v1/indicators"),
        "callback 400": staff.post("/_dash-update-component", json={"output": "nope", "inputs": []},
                                   headers=csrf_header(staff)),
        "stream 503": staff.get("/streams/status"),
        "405": staff.put("/healthz", headers=csrf_header(staff)),
    }
    for kind, response in responses.items():
        assert response.status_code < 500 or kind == "stream 503", kind
        _check_headers(response)
    assert responses["page"].headers["Cache-Control"] == "no-store"


def test_csp_hashes_cover_every_inline_script_of_the_index(web_app) -> None:
    client = web_app.server.test_client()
    login(client, "leader")
    page = client.get("/")
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    executable = [body for attrs, body in inline
                  if "application/json" not in attrs and body.strip()
                  and "alert(\"Dash v2.7+" not in body]
    assert executable  # the renderer start-up at least
    csp = page.headers["Content-Security-Policy"]
    import base64
    import hashlib

    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_session_cookie_flags(web_app) -> None:
    client = web_app.server.test_client()
    login(client, "staff")
    cookie = client.get_cookie("ops_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.expires is None  # people's sessions end with the browser
    server = web_app.server
    with server.test_request_context("/", base_url="https://localhost"):
        assert server.session_interface.get_cookie_secure(server)  # Secure behind TLS
    with server.test_request_context("/", base_url="http://localhost"):
        assert not server.session_interface.get_cookie_secure(server)
    tls = server.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in tls.headers["Set-Cookie"]
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", ["/api/v1/indicators", "/", "/streams/status", "/_dash-layout"])
def test_tokens_never_echoed(web_app, db, path: str) -> None:
    _, agency = tokens.create(db, "BTC")
    _, display = tokens.create_display(db, "echo")
    for secret in (agency, display, display[:-3] + "xyz"):
        client = web_app.server.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        r = client.get(path)
        assert secret not in r.get_data(as_text=True)
        assert all(secret not in v for _, v in r.headers.items())
