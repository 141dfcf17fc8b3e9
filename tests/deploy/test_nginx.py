"""The shipped nginx site (deploy/nginx-ops-centre.conf) on Debian's nginx: it loads as shipped,
with only ports, upstreams and certificate paths substituted, and tells the app the host and port
the browser addressed (over HTTP/1.1 and HTTP/2)."""
from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests import nginx
from tests.servers import ServerMissing


@pytest.fixture(scope="module")
def binary() -> str:
    try:
        return nginx.nginx_binary()
    except ServerMissing as exc:
        pytest.fail(str(exc))  # never a skip: the stack test goes through nginx


def test_the_shipped_site_loads_on_the_installed_nginx(binary: str, tmp_path: Path) -> None:
    conf, _ = nginx.prepare(tmp_path, "127.0.0.1:18050", "127.0.0.1:18060")
    checked = nginx.check_config(conf)
    assert checked.returncode == 0, (nginx.nginx_version(), checked.stderr)
    assert "[emerg]" not in checked.stderr and "test is successful" in checked.stderr


def test_only_ports_upstreams_and_certificates_are_substituted(tmp_path: Path) -> None:
    rendered = nginx.render_site("127.0.0.1:1", "127.0.0.1:2", 3, 4, tmp_path / "c.pem",
                                 tmp_path / "k.pem")
    shipped = nginx.SITE.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(shipped, rendered.splitlines(), strict=True) if a != b]
    assert len(changed) == 6, changed  # two upstreams, two listens, two certificate paths


class _Echo(BaseHTTPRequestHandler):
    """An upstream that answers with the request line and headers it was given, as JSON."""

    protocol_version = "HTTP/1.1"  # nginx keeps upstream connections alive

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        body = json.dumps({"server": self.server.name, "path": self.path,  # type: ignore[attr-defined]
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxied(binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[nginx.Nginx]:
    """nginx with the shipped site in front of two echo upstreams (web and relay)."""
    upstreams = []
    for name in ("web", "relay"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        server.name = name  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        upstreams.append(server)
    web, relay = (f"127.0.0.1:{s.server_address[1]}" for s in upstreams)
    try:
        with nginx.running(tmp_path_factory.mktemp("nginx"), web, relay) as site:
            yield site
    finally:
        for server in upstreams:
            server.shutdown()
            server.server_close()


def _curl_http2(site: nginx.Nginx, path: str) -> dict:
    done = subprocess.run(["curl", "-sS", "--http2", "--cacert", str(site.cert), "-w",
                           "\\n%{http_version}", site.url + path],
                          capture_output=True, text=True, timeout=20, check=True)
    body, version = done.stdout.rsplit("\n", 1)
    assert version == "2", version  # the site speaks HTTP/2 (ALPN) as browsers will use it
    return json.loads(body)


def test_the_app_is_told_the_host_and_port_the_browser_addressed(proxied: nginx.Nginx) -> None:
    authority = proxied.url.removeprefix("https://")  # 127.0.0.1:<not 443>
    over_http1 = requests.get(proxied.url + "/_dash-layout", verify=proxied.cert, timeout=10).json()
    over_http2 = _curl_http2(proxied, "/_dash-layout")
    for seen in (over_http1, over_http2):
        assert seen["server"] == "web"
        headers = seen["headers"]
        # The app compares these with the browser's Origin (web/origin.py): the port must stay.
        assert headers["host"] == authority and headers["x-forwarded-host"] == authority, headers
        assert headers["x-forwarded-proto"] == "https"
        assert headers["x-forwarded-for"] == "127.0.0.1"


def test_video_goes_to_the_relay_and_plain_http_is_redirected(proxied: nginx.Nginx) -> None:
    seen = requests.get(proxied.url + "/streams/status", verify=proxied.cert, timeout=10).json()
    assert seen["server"] == "relay" and seen["path"] == "/streams/status"
    redirect = requests.get(proxied.http_url + "/cameras?x=1", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://127.0.0.1/cameras?x=1"
