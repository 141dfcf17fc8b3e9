"""The same-origin check of unsafe requests, alone and behind a trusted proxy on a non-default port."""
from __future__ import annotations

from pathlib import Path

import pytest

from settings import from_env
from tests.conftest import csrf_header, login
from tests.web.test_access import LANG_CALLBACK
from web.origin import same_origin


@pytest.mark.parametrize(("origin", "host", "same"), [
    (None, "ops.example", True),  # not a browser
    ("https://ops.example", "ops.example", True),
    ("https://ops.example:8443", "ops.example:8443", True),
    ("https://ops.example", "ops.example:443", True),  # a proxy wrote the default port in
    ("http://ops.example", "ops.example:80", True),
    ("https://OPS.example", "ops.EXAMPLE", True),
    ("http://[::1]:8050", "[::1]:8050", True),
    ("https://ops.example:8443", "ops.example", False),  # what `Host $host` did: 403 on 8443
    ("https://ops.example", "ops.example:8443", False),
    ("https://evil.example:8443", "ops.example:8443", False),
    ("http://ops.example", "ops.example:443", False),
    ("null", "ops.example", False),
    ("ftp://ops.example", "ops.example", False),
    ("https://ops.example:99999", "ops.example", False),
    ("https://ops.example:x", "ops.example:x", False),
    ("", "ops.example", False),
])
def test_same_origin(origin: str | None, host: str, same: bool) -> None:
    assert same_origin(origin, host) is same


def test_callbacks_pass_behind_a_trusted_proxy_on_any_port(tmp_path: Path) -> None:
    from tests.apps import build_app

    app = build_app(from_env({}, data_dir=tmp_path, simulate=False, cameras=False, seed_years=1,
                             trusted_proxies=1))
    try:
        client = app.server.test_client()
        login(client)
        # What nginx forwards for https://ops.example:8443/ (deploy/nginx-ops-centre.conf).
        proxied = {**csrf_header(client), "X-Forwarded-Host": "ops.example:8443",
                   "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}
        ok = client.post("/_dash-update-component", json=LANG_CALLBACK,
                         headers={**proxied, "Origin": "https://ops.example:8443"})
        assert ok.status_code == 200, ok.get_data(as_text=True)[:300]
        for other in ("https://ops.example", "https://evil.example:8443"):
            refused = client.post("/_dash-update-component", json=LANG_CALLBACK,
                                  headers={**proxied, "Origin": other})
            assert refused.status_code == 403, other
    finally:
        app.server.extensions["ops_db"].dispose()
