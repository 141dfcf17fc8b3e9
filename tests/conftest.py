"""Shared fixtures: a throwaway database, settings, an app and its test client."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from data import catalogue
from data.db import Database, create_schema, transaction
from settings import Settings, from_env


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data dir, no simulator, no cameras, no Redis."""
    return from_env(
        {}, data_dir=tmp_path / "var", simulate=False, cameras=False, seed_years=1,
        cache_type="SimpleCache",
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """A fresh SQLite database holding the schema and the reference data (no history)."""
    db = Database(settings.sqlalchemy_url)
    create_schema(db.engine)
    with transaction(db.sessions) as session:
        catalogue.load(session)
    yield db
    db.dispose()
