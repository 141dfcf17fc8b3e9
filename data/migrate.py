"""Schema migrations: bring any database, SQLite or PostgreSQL, to the current revision."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.db import Database, exclusive

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK = "schema"  # the one lock that migrating and seeding take (data.db.exclusive)


class SchemaNotCurrent(RuntimeError):
    """The database is not at the code's revision: `python -m data migrate` has not run."""


def config() -> Config:
    """Alembic's configuration for this project, without needing alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The revision the code expects."""
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def current(database: Database) -> str | None:
    """The database's revision; None when it has none (empty, or built before Alembic)."""
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(database: Database) -> None:
    """Migrate to head, one process at a time; safe to call on every start."""
    with exclusive(database, LOCK):
        upgrade_locked(database)


def upgrade_locked(database: Database) -> None:
    """Migrate to head; the caller holds `exclusive(database, LOCK)`.

    A database built by create_all before migrations existed has tables but no alembic_version:
    it goes through the first revision, which adopts it (it only creates what is missing and
    mends indexes that changed), so it ends stamped at that revision, then on up to head.
    """
    if current(database) == head():
        return
    cfg = config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def require_current(database: Database) -> None:
    """Raise SchemaNotCurrent, with what to run, unless the database is at head.

    For processes that must not migrate themselves (web workers, the CLI's account commands).
    """
    found = current(database)
    if found == head():
        return
    if found is None and not inspect(database.engine).get_table_names():
        state = "the database is empty"
    else:
        state = f"the database is at revision {found or 'none (built before migrations)'}," \
                f" the code needs {head()}"
    raise SchemaNotCurrent(f"{state}: run `python -m data migrate` first")
