"""Shared fixtures: a throwaway database, settings, an app and its test client."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import Database
from settings import Settings, from_env
from tests.databases import Templates

BROWSER_TESTS = Path(__file__).parent / "browser"


@pytest.hookimpl(tryfirst=True)  # before -m selects: a browser test is serial wherever it is
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run alone (`serial`): they time what a person sees, and Chromium wants
    the cores. `make test` runs the rest two at a time first (pytest-xdist)."""
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.serial)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data dir, no simulator, no cameras, no Redis."""
    return from_env(
        {}, data_dir=tmp_path / "var", simulate=False, cameras=False, seed_years=1,
        cache_type="SimpleCache",
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """SQLite template databases, migrated (and loaded) once per session, copied per test."""
    return Templates(tmp_path_factory.mktemp("db-templates"))


@pytest.fixture(scope="session")
def pg_templates(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Templates:
    """The same templates on the session's PostgreSQL server, cloned with CREATE DATABASE."""
    return Templates(tmp_path_factory.mktemp("pg-templates"), postgres_url)


@pytest.fixture
def database(settings: Settings, templates: Templates) -> Iterator[Database]:
    """A fresh SQLite database holding the schema and the reference data (no history)."""
    templates.sqlite("reference", Path(settings.sqlalchemy_url.removeprefix("sqlite:///")))
    db = Database(settings.sqlalchemy_url)
    yield db
    db.dispose()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id with test-sized cost (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from accounts import users

    saved = users.hasher
    users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users.hasher = saved


def login(client, role: str = "staff", name: str | None = None,
          password: str = "correct horse battery") -> str:
    """Create an account with `role` in the client's app and sign in through the real form.

    Returns the user name. The client then carries the session and CSRF cookies; send
    `csrf_header(client)` with POSTs (Dash does that from the cookie by itself).
    """
    import re
    import secrets

    from accounts import users

    database = client.application.extensions["ops_db"]
    name = name or f"{role}-{secrets.token_hex(3)}"
    users.add(database, name, role, password)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": name,
                                           "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return name


def csrf_header(client) -> dict[str, str]:
    """The X-CSRFToken header a signed-in browser sends with Dash callbacks."""
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value if cookie else ""}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for this test session (tests/servers.py); its `ops` database."""
    from tests.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private Redis server for this test session (tests/servers.py)."""
    from tests.servers import redis_server

    with redis_server() as url:
        yield url
