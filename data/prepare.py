"""Prepare a database: migrate, then every domain's reference data and (unless empty) history.

This is the one place above the domains that knows them all; `python -m data init` and
`python app.py` call it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from core.clock import local_now, utc_now
from core.db import Database, exclusive, has_schema, transaction
from core.models import Meta
from dams import seed as dams_seed
from data import migrate
from data.schema import metadata
from reporting import catalogue
from reporting.seed import build_history, counts
from tasks import seed as tasks_seed


def is_seeded(database: Database) -> bool:
    """True once reference data (and, unless built empty, the history) has been loaded."""
    if not has_schema(database.engine):
        return False
    with database.sessions() as session:
        return session.get(Meta, "seeded_at") is not None


def init_database(database: Database, *, years: int = 6, seed: int = 2020, force: bool = False,
                  empty: bool = False, progress: bool = False, now: datetime | None = None
                  ) -> dict[str, int]:
    """Migrate, then load reference data and (unless `empty`) the history; returns counts.

    Safe when several processes start at once: they take one database-wide lock in turn, and
    whoever comes after the first finds the database seeded and leaves it as it is.
    `empty` loads the reference data only (production); `force` rebuilds from nothing.
    """
    with exclusive(database, migrate.LOCK):
        if force:
            _drop_everything(database)
        migrate.upgrade_locked(database)
        if not is_seeded(database):
            _load(database, years=years, seed=seed, empty=empty, progress=progress,
                  now=now or local_now())
    with database.sessions() as session:
        return counts(session)


def _load(database: Database, *, years: int, seed: int, empty: bool, progress: bool,
          now: datetime) -> None:
    """Reference data and history in one transaction: a crash leaves nothing half-seeded."""
    with transaction(database.sessions) as session:
        catalogue.load(session)
        dams_seed.load(session, simulated=not empty, now=now, seed=seed)
        facts: dict[str, object] = {"history": "none" if empty else "simulated"}
        if not empty:
            build_history(session, years, seed, now, progress)
            tasks_seed.build(session, years, seed, now)
            facts.update(seed=seed, years=years, history_until=now.isoformat())
        facts["seeded_at"] = utc_now().isoformat()
        for key, value in facts.items():
            session.merge(Meta(key=key, value=str(value)))


def _drop_everything(database: Database) -> None:
    """Every table of the models and the migration history, for `init --force`."""
    metadata.drop_all(database.engine)
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
