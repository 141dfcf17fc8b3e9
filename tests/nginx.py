"""Debian's nginx running the shipped site file for the tests, with only its ports, upstreams and
certificate paths substituted, on a self-signed certificate made for the test.

A missing nginx fails loudly with the package to install (tools/test-deps installs it); it never
skips: the stack test through nginx is what says the shipped site works.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import wait_for
from tests.servers import ServerMissing, free_port

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx-ops-centre.conf"
SHIPPED = {  # what the site file says, and what a test puts in its place
    "web": "server 127.0.0.1:8050;",
    "relay": "server 127.0.0.1:8060;",
    "certificate": "/etc/ssl/ops-centre/fullchain.pem",
    "key": "/etc/ssl/ops-centre/privkey.pem",
}


def nginx_binary() -> str:
    # An sbin tool: found by path too, since a non-root PATH leaves /usr/sbin out.
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None)
    if found is None:
        raise ServerMissing("nginx not found: apt-get install nginx-light (tools/test-deps)")
    return found


def nginx_version() -> str:
    done = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True, check=True)
    return done.stderr.strip().rsplit("/", 1)[-1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, valid two days, and its key."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    assert count == 1, f"the site file should hold {old!r} once, holds it {count} times"
    return text.replace(old, new)


def render_site(web: str, relay: str, https_port: int, http_port: int, cert: Path,
                key: Path) -> str:
    """The shipped site with test ports, upstreams and certificate paths; nothing else changes."""
    text = SITE.read_text(encoding="utf-8")
    text = _replace_once(text, SHIPPED["web"], f"server {web};")
    text = _replace_once(text, SHIPPED["relay"], f"server {relay};")
    text = _replace_once(text, SHIPPED["certificate"], str(cert))
    text = _replace_once(text, SHIPPED["key"], str(key))
    for port, new in ((80, http_port), (443, https_port)):
        text, count = re.subn(rf"(\blisten\s+){port}(?=[\s;])", rf"\g<1>127.0.0.1:{new}", text)
        assert count == 1, f"the site file should listen on port {port} once, does {count} times"
    return text


def main_config(prefix: Path, site: Path) -> Path:
    """An nginx.conf of the test's own (pid, logs and temporary files under `prefix`) that
    includes the site as Debian's /etc/nginx/nginx.conf includes sites-enabled/."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    mime = Path("/etc/nginx/mime.types")
    conf = prefix / "nginx.conf"
    conf.write_text("\n".join([
        # Under root (CI) the workers would become nobody, who cannot enter the test's private
        # temporary directory.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 2;",
        f"pid {prefix}/nginx.pid;",
        f"error_log {prefix}/error.log info;",
        "events { worker_connections 2048; }",
        "http {",
        f"    include {mime};" if mime.exists() else "",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        f"    access_log {prefix}/access.log;",
        *(f"    {kind}_temp_path {prefix}/tmp/{sub};" for kind, sub in (
            ("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"),
            ("uwsgi", "uwsgi"), ("scgi", "scgi"))),
        f"    include {site};",
        "}",
        "",
    ]), encoding="utf-8")
    return conf


def check_config(conf: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the configuration (its verdict is in stderr)."""
    return subprocess.run([nginx_binary(), "-t", "-p", str(conf.parent), "-e",
                           str(conf.parent / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True, timeout=30)


@dataclass
class Nginx:
    url: str  # https://127.0.0.1:<port>
    http_url: str
    prefix: Path
    cert: Path


def prepare(folder: Path, web: str, relay: str) -> tuple[Path, Nginx]:
    """Write the test's site and main configuration under `folder`; returns it and the URLs."""
    folder.chmod(0o755)
    cert, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    site = folder / "ops-centre.conf"
    site.write_text(render_site(web, relay, https_port, http_port, cert, key), encoding="utf-8")
    conf = main_config(folder, site)
    return conf, Nginx(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}",
                       folder, cert)


@contextmanager
def running(folder: Path, web: str, relay: str) -> Iterator[Nginx]:
    """nginx in the foreground with the shipped site in front of `web` and `relay` (host:port)."""
    conf, site = prepare(folder, web, relay)
    checked = check_config(conf)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-e", str(folder / "error.log"),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port = int(site.url.rsplit(":", 1)[1])

        def listening() -> bool:
            if proc.poll() is not None:
                said = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise AssertionError(f"nginx exited with {proc.returncode}: {said}")
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True

        wait_for(listening, 20, f"nginx listening on {port}", ignore=(OSError,))
        yield site
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: finish open requests, then exit
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
