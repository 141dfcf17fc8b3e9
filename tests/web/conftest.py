"""One full app (auth on) for the access, security and fuzz tests; clients per role."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from accounts import tokens
from settings import from_env
from tests.conftest import login


@pytest.fixture(scope="session")
def web_app(tmp_path_factory: pytest.TempPathFactory, _cheap_password_hashing: None) -> Iterator[Any]:
    from tests.apps import build_app

    data_dir = tmp_path_factory.mktemp("web-var")
    app = build_app(from_env({}, data_dir=data_dir, simulate=False, cameras=False, seed_years=1))
    yield app
    app.server.extensions["ops_db"].dispose()


@pytest.fixture(scope="session")
def db(web_app: Any) -> Any:
    return web_app.server.extensions["ops_db"]


@pytest.fixture
def client_for(web_app: Any, db: Any) -> Callable[[str], FlaskClient]:
    """A test client acting as one of: admin, staff, leader, display, display-bearer,
    agency, anonymous."""
    def make(role: str) -> FlaskClient:
        client = web_app.server.test_client()
        if role in ("admin", "staff", "leader"):
            login(client, role)
        elif role == "display":
            _, secret = tokens.create_display(db, "wall-test")
            assert client.get(f"/display/{secret}").status_code == 303
        elif role == "display-bearer":
            _, secret = tokens.create_display(db, "bridge-test")
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        elif role == "agency":
            _, secret = tokens.create(db, "BTC")
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make
