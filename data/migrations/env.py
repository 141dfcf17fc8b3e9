"""Alembic environment: the URL comes from the project's settings (or a connection handed in)."""
from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from data.schema import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # data.migrate hands in a connection that holds the lock
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # The plain `alembic` command (e.g. `alembic revision --autogenerate`): OPS_* settings.
    from core.db import Database
    from settings import from_env

    database = Database(from_env().sqlalchemy_url)
    try:
        with database.engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
run_migrations_online()
