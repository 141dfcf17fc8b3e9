"""Engine and session factory: SQLite by default, PostgreSQL through the same URL setting."""
from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from core.sqlitefile import FileIdentity, create_once, creator, guard_checkouts, sqlite_path


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

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def file_problem(self) -> str | None:
        """SQLite: None while the database file is the one opened at start, else why not."""
        identity: FileIdentity | None = getattr(self.engine, "ops_file_identity", None)
        return identity.problem() if identity is not None else None

    def dispose(self) -> None:
        self.engine.dispose()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks, derived from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(database: Database, name: str) -> Iterator[None]:
    """Hold a named lock across every process using this database (migrating, seeding).

    PostgreSQL: a session-level advisory lock on a connection of its own. SQLite: an flock on a
    file beside the database (a write transaction would time out while another process seeds
    for half a minute; the flock simply waits). An in-memory SQLite needs none.
    """
    if database.dialect == "postgresql":
        key = lock_key(name)
        with database.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()  # the lock belongs to the session, not to this transaction
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    path = database.engine.url.database
    if database.dialect != "sqlite" or not path or path == ":memory:":
        yield
        return
    lock_path = Path(f"{path}.{name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Keys of one submission hash into this many lock buckets, so a transaction holds at most this
# many advisory locks however large the file (PostgreSQL's shared lock table is finite).
KEY_LOCK_BUCKETS = 256


def lock_keys(session: Session, keys: Iterable[tuple[str, ...]]) -> None:
    """Serialise writers of the same keys until this transaction ends.

    PostgreSQL: transaction-level advisory locks, taken in sorted order so two writers never
    wait on each other crosswise. SQLite has one writer at a time anyway: an empty write takes
    its write lock now, before the caller reads what it is about to revise.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        buckets = sorted({lock_key("|".join(k)) % KEY_LOCK_BUCKETS for k in keys})
        for bucket in buckets:
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, :b)"),
                            {"ns": KEY_LOCK_NAMESPACE, "b": bucket})
    elif bind.dialect.name == "sqlite":
        session.execute(text("UPDATE meta SET value = value WHERE 0"))


KEY_LOCK_NAMESPACE = 0x0B5  # first half of the two-int advisory key used by lock_keys


EXTENSION_KEY = "ops_db"


def current() -> Database:
    """The Database of the Flask app handling this request (set by app.create_app)."""
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]
