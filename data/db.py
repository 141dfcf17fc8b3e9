"""Engine and session factory: SQLite by default, PostgreSQL through the same URL setting."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from data.models import Base
from data.sqlitefile import FileIdentity, create_once, creator, guard_checkouts, sqlite_path


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        db_path = sqlite_path(url)
        if db_path is not None:
            # Created once here; later a missing or replaced file is an error (data.sqlitefile).
            identity = create_once(db_path)
            engine = create_engine(url, creator=creator(identity, timeout=15))
            engine.ops_file_identity = identity  # type: ignore[attr-defined]
            guard_checkouts(engine, identity)
        else:
            engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            # WAL lets the wall read while the simulator writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    Base.metadata.create_all(engine)


def has_schema(engine: Engine) -> bool:
    """True when the database already holds the reporting tables."""
    return inspect(engine).has_table("observation")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


class Database:
    """The reporting database of one app: its engine and session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)
        self.query_count = 0  # statements sent, for /healthz and the polling benchmark

        @event.listens_for(self.engine, "before_cursor_execute")
        def _count(*_args: object) -> None:
            self.query_count += 1

    def file_problem(self) -> str | None:
        """SQLite: None while the database file is the one opened at start, else why not."""
        identity: FileIdentity | None = getattr(self.engine, "ops_file_identity", None)
        return identity.problem() if identity is not None else None

    def dispose(self) -> None:
        self.engine.dispose()


EXTENSION_KEY = "ops_db"


def current() -> Database:
    """The Database of the Flask app handling this request (set by app.create_app)."""
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]
