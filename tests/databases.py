"""Throwaway test databases cloned from per-session templates, on SQLite and PostgreSQL.

Migrating (and seeding) once per session and copying per test keeps every test on a clean
database without paying for the schema each time: SQLite copies the template file, PostgreSQL
runs `CREATE DATABASE ... TEMPLATE`. Kinds: "empty" (nothing), "reference" (migrated, reference
data loaded), "seeded" (reference data and a short simulated history).
"""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db import Database, transaction
from dams import reference as dams_reference
from data import migrate, prepare
from reporting import catalogue

SEED_YEARS = 2  # history of the "seeded" template: enough for year-ago comparisons
KINDS = ("empty", "reference", "seeded")


def _build(database: Database, kind: str) -> None:
    if kind == "reference":
        migrate.upgrade(database)
        with transaction(database.sessions) as session:
            catalogue.load(session)
            dams_reference.load(session)
    elif kind == "seeded":
        prepare.init_database(database, years=SEED_YEARS, seed=2020)


class Templates:
    """Builds each template on first use and clones it for every test that asks."""

    def __init__(self, root: Path, postgres_url: str | None = None) -> None:
        self.root = root
        self.postgres_url = postgres_url
        self._sqlite: dict[str, Path] = {}
        self._postgres: set[str] = set()
        self._numbers = itertools.count(1)

    # --- SQLite ----------------------------------------------------------------------------
    def sqlite(self, kind: str, path: Path) -> str:
        """A SQLite file at `path` holding a copy of the template; returns its URL."""
        assert kind in KINDS, kind
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind != "empty":
            if kind not in self._sqlite:
                template = self.root / f"template-{kind}.sqlite"
                database = Database(f"sqlite:///{template}")
                _build(database, kind)
                with database.engine.connect() as conn:  # everything into the main file
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                database.dispose()
                self._sqlite[kind] = template
            shutil.copyfile(self._sqlite[kind], path)
        return f"sqlite:///{path}"

    # --- PostgreSQL ------------------------------------------------------------------------
    def _admin(self) -> Database:
        assert self.postgres_url, "no PostgreSQL server for this session"
        return Database(make_url(self.postgres_url).set(database="postgres")
                        .render_as_string(hide_password=False))

    def _url(self, name: str) -> str:
        assert self.postgres_url
        return make_url(self.postgres_url).set(database=name).render_as_string(
            hide_password=False)

    def _create(self, name: str, template: str | None) -> None:
        admin = self._admin()
        try:
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        finally:
            admin.dispose()

    def postgres(self, kind: str) -> str:
        """A new PostgreSQL database holding a copy of the template; returns its URL."""
        assert kind in KINDS, kind
        template = f"template_{kind}"
        if kind != "empty" and template not in self._postgres:
            self._create(template, None)
            database = Database(self._url(template))
            _build(database, kind)
            database.dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
            self._postgres.add(template)
        name = f"test_{next(self._numbers)}"
        self._create(name, template if kind != "empty" else None)
        return self._url(name)

    def drop_postgres(self, url: str) -> None:
        name = make_url(url).database
        admin = self._admin()
        try:
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
