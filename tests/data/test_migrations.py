"""Migrations and models agree, and older databases upgrade to head with their rows intact.

Written against whatever revisions exist: the "previous revision" case appears by itself once
a second revision is added, and pre-Alembic databases are rebuilt from the first revision.
"""
from __future__ import annotations

import io
import sys
from datetime import date, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    insert,
    select,
    text,
)

from accounts import users
from core.db import Database
from data import migrate
from data.__main__ import main
from data.schema import metadata

SCRIPTS = ScriptDirectory.from_config(migrate.config())
HEAD = SCRIPTS.get_revision(migrate.head())
FIRST = SCRIPTS.get_base()
# Where an existing database may stand: before migrations existed, and at the revision before
# head (once there is one).
STARTS = ["pre-alembic", "pre-alembic-older"] + (
    [f"revision-{HEAD.down_revision}"] if HEAD.down_revision else [])


@pytest.fixture
def db_kind() -> str:
    return "empty"


def differences(database: Database) -> list[Any]:
    """What autogenerate would put in a new revision: nothing, when models and schema agree."""
    with database.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata)


def _to(database: Database, revision: str) -> None:
    cfg = migrate.config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _pre_alembic(database: Database, older: bool) -> None:
    """What `create_all` left on dev machines: the first revision's tables, no alembic_version.

    `older`: from before the account tables and the covering index's extra columns.
    """
    _to(database, FIRST)
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        if older:
            for table in ("app_user", "display_token", "audit_event"):
                conn.execute(text(f"DROP TABLE {table}"))
            conn.execute(text("DROP INDEX ix_obs_indicator_time"))
            conn.execute(text("CREATE INDEX ix_obs_indicator_time ON observation"
                              " (indicator_code, is_latest, period_start)"))


def _sample(column: Any) -> Any:
    """One value per type, the same everywhere, so every foreign key finds its parent row."""
    kind = column.type
    for types, value in ((Boolean, True), (Integer, 1), (Float, 1.5), (DateTime,
                         datetime(2026, 1, 2, 3, 4)), (Date, date(2026, 1, 2)),
                         (LargeBinary, b"A1"), (String, "A1"), (Text, "A1")):
        if isinstance(kind, types):
            return value[: kind.length] if isinstance(kind, String) and kind.length else value
    raise AssertionError(f"no sample value for {column.table.name}.{column.name} ({kind})")


def _fill(database: Database) -> dict[str, dict[str, Any]]:
    """One row in every table as it stands now; returns them by table."""
    meta = MetaData()
    meta.reflect(database.engine)
    rows: dict[str, dict[str, Any]] = {}
    with database.engine.begin() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            row = {c.name: _sample(c) for c in table.columns}
            conn.execute(insert(table), row)
            rows[table.name] = row
    return rows


def _stored(database: Database) -> dict[str, list[dict[str, Any]]]:
    meta = MetaData()
    meta.reflect(database.engine)
    with database.engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(select(t))]
                for t in meta.sorted_tables}


def test_models_and_migrations_agree(database: Database) -> None:
    migrate.upgrade(database)
    assert migrate.current(database) == migrate.head()
    assert differences(database) == []


def test_differences_are_seen(database: Database) -> None:
    """The agreement check above can fail: a schema that drifted from the models shows."""
    migrate.upgrade(database)
    with database.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_obs_latest"))
    assert [d[0] for d in differences(database)] == ["add_index"]


@pytest.mark.parametrize("start", STARTS)
def test_older_database_upgrades_with_rows_intact(database: Database, start: str) -> None:
    if start.startswith("pre-alembic"):
        _pre_alembic(database, older=start == "pre-alembic-older")
    else:
        _to(database, start.removeprefix("revision-"))
    before = _fill(database)

    migrate.upgrade(database)

    assert migrate.current(database) == migrate.head()
    assert differences(database) == []
    after = _stored(database)
    for table, row in before.items():
        assert table in after, f"table {table} lost"
        assert len(after[table]) == 1, table
        kept = {k: v for k, v in after[table][0].items() if k in row}
        assert kept == {k: v for k, v in row.items() if k in kept}, table


def test_tokens_made_before_0012_stay_submissions_tokens(database: Database) -> None:
    """Every agency token before the tracking kind existed submits, as it did: scope
    'submissions', no name."""
    _to(database, "0011")
    _fill(database)  # an agency and one token of it, as 0011 stores them
    migrate.upgrade(database)
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT agency_code, scope, name FROM agency_token")).all()
    assert [tuple(r) for r in rows] == [("A1", "submissions", "")]


def test_cli_migrate_and_commands_that_need_it(cli_env: Database,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "list"]) == 1
    assert "run `python -m data migrate` first" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert f"at revision {migrate.head()} (was none)" in capsys.readouterr().out
    assert main(["migrate"]) == 0  # again: nothing to do
    assert migrate.current(cli_env) == migrate.head()
    assert main(["user", "list"]) == 0


@pytest.mark.parametrize("backend", ["postgresql"])
def test_first_admin_of_a_production_database(cli_env: Database,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The documented commands (notes/db-README.md), in order, on a fresh PostgreSQL database."""
    assert main(["migrate"]) == 0
    assert main(["init", "--empty"]) == 0
    assert "observations: 0, submissions: 0" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long production password\n"))
    assert main(["user", "add", "admin", "--role", "admin", "--password-stdin"]) == 0
    admin = users.verify(cli_env, "admin", "a long production password")
    assert admin is not None and admin.role == "admin"
