"""Fixtures for tests that run on SQLite and on PostgreSQL, each test on a
clean database cloned from a template (tests/databases.py).

A module picks what its database holds by overriding `db_kind`: "reference" (default),
"seeded" (a short simulated history) or "empty" (not even the schema).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import Database
from settings import Settings, from_env
from tests.databases import Templates

TEST_SECRET = "test-secret-key-" + "x" * 32  # sessions need one when OPS_DATABASE_URL is set


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_kind() -> str:
    return "reference"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, db_kind: str,
                 tmp_path: Path, templates: Templates) -> Iterator[str]:
    """The URL of this test's own database, holding what `db_kind` asks for."""
    if backend == "sqlite":
        yield templates.sqlite(db_kind, tmp_path / "var" / "ops.sqlite")
        return
    pg: Templates = request.getfixturevalue("pg_templates")
    url = pg.postgres(db_kind)
    yield url
    pg.drop_postgres(url)


@pytest.fixture
def settings(tmp_path: Path, backend: str, database_url: str) -> Settings:
    """Settings on this test's database: no simulator, no cameras, no Redis."""
    base = from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False, seed_years=1,
                    cache_type="SimpleCache")
    if backend == "sqlite":
        return base
    return base.with_(database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def cli_env(settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Point `python -m data` (called in-process) at the test database through its environment."""
    monkeypatch.delenv("OPS_MAX_UPLOAD_BYTES", raising=False)
    monkeypatch.setenv("OPS_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("OPS_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("OPS_DATABASE_URL", raising=False)
    return database
