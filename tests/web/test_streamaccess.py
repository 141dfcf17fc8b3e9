"""Stream URLs the dashboard gives pages, and the CSP when the relay is on another origin."""
from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, g

from settings import from_env
from streams import signing
from web.security import policy, stream_origin
from web.streamaccess import stream_url

TOKEN = "t" * 40


def url_for(settings, principal=None) -> str:
    server = Flask("urls")
    server.config["OPS_SETTINGS"] = settings
    with server.test_request_context("/cameras"):
        g.ops_principal = principal
        return stream_url("/streams/hoa-binh.mjpg", {"r": "abc"})


def test_in_process_relay_gets_same_origin_paths() -> None:
    display = SimpleNamespace(kind="display", id=7)
    assert url_for(from_env({}), display) == "/streams/hoa-binh.mjpg?r=abc"


def test_external_relay_gets_signed_urls_bound_to_path_and_principal() -> None:
    settings = from_env({}, relay_url="http://127.0.0.1:8060", relay_token=TOKEN,
                        relay_public_url="https://video.ops.example")
    url = url_for(settings, SimpleNamespace(kind="display", id=7))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://video.ops.example"
    args = dict(parse_qsl(parts.query))
    key = signing.derive_key(TOKEN)
    assert args["r"] == "abc" and signing.check(key, parts.path, args) == "display:7"
    assert signing.check(key, "/streams/son-la.mjpg", args) is None  # another camera
    assert signing.check(key, parts.path, {**args, "p": "display:8"}) is None  # another display
    assert TOKEN not in url and "127.0.0.1" not in url  # neither the secret nor the relay's address
    # Agency tokens and anonymous callers get no grant.
    assert "sig=" not in url_for(settings, SimpleNamespace(kind="agency", id=0))


def test_csp_adds_only_the_relay_origin() -> None:
    assert stream_origin("https://video.ops.example:8443/x") == ["https://video.ops.example:8443"]
    assert stream_origin("javascript:alert(1)") == [] and stream_origin("") == []
    text = policy(["'sha256-x'"], stream_origin("https://video.ops.example"))
    directives = {d.split()[0]: d.split()[1:] for d in text.split("; ")}
    for name in ("img-src", "connect-src", "media-src"):
        assert "https://video.ops.example" in directives[name]
    assert "https://video.ops.example" not in directives["script-src"] + directives["default-src"]
    assert "https://video.ops.example" not in policy([])
