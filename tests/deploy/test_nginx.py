"""The shipped nginx site (deploy/nginx-ops-centre.conf) on Debian's nginx: it loads as shipped,
with only ports, upstreams and certificate paths substituted."""
from __future__ import annotations

from pathlib import Path

import pytest

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
