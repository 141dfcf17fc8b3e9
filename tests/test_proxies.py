"""OPS_TRUSTED_PROXIES under `python app.py`'s waitress: the client's address reaches the app."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from accounts.models import AuditEvent
from app import waitress_options
from core.db import EXTENSION_KEY
from settings import Settings
from tests.apps import build_app
from tests.servers import WaitressThread


@pytest.fixture
def served(settings: Settings, request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    settings = settings.with_(trusted_proxies=request.param)
    app = build_app(settings)
    server = WaitressThread(app.server, **waitress_options(settings))
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


def _failed_login_address(base: str, app: Any) -> str:
    with requests.Session() as browser:
        form = browser.get(f"{base}/login", timeout=10)
        assert form.status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, "no CSRF field on the sign-in form"
        browser.post(f"{base}/login", data={"username": "nobody", "password": "wrong-password",
                                            "csrf_token": token.group(1)},
                     headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
                     timeout=10, allow_redirects=False)
    database = app.server.extensions[EXTENSION_KEY]
    with database.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "login_failed")
                                .order_by(AuditEvent.id.desc())).first()
    assert event is not None, "the failed sign-in was not audited"
    return event.address


@pytest.mark.parametrize("served", [1], indirect=True)
def test_a_trusted_proxy_gives_the_client_address(served: tuple[str, Any]) -> None:
    assert _failed_login_address(*served) == "203.0.113.7"


@pytest.mark.parametrize("served", [0], indirect=True)
def test_without_trusted_proxies_forwarded_headers_are_not_believed(
        served: tuple[str, Any]) -> None:
    assert _failed_login_address(*served) == "127.0.0.1"
