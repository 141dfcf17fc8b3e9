"""These tests run on SQLite and on PostgreSQL (tests/backends.py)."""
from tests.backends import backend, cli_env, database, database_url, db_kind, settings  # noqa: F401
