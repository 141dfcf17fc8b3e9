"""These tests run on SQLite and on PostgreSQL (tests/backends.py); mail goes to a real SMTP
server (tests/smtpserver.py)."""
from tests.backends import backend, cli_env, database, database_url, db_kind, settings  # noqa: F401
from tests.smtpserver import smtp  # noqa: F401
