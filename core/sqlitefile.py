"""The SQLite file an engine was opened on, and only that one: never a new empty database.

sqlite3 creates a missing file on connect. If the database is moved or deleted while the app
runs, new connections would then write into a fresh empty database next to the old WAL, and
confirmed submissions could vanish. Here the file is created once, when the engine is made;
afterwards every connection opens it with `mode=rw` (a missing file is an error) and checks that
the path still names the same file (device and inode) as at the start, on connect and on every
checkout from the pool. A moved, deleted or replaced file makes writes fail loudly; putting the
same file back heals by itself.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named when the engine was created."""

    path: Path
    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        st = path.stat()
        return cls(path, st.st_dev, st.st_ino)

    def problem(self) -> str | None:
        """None while the path still names this file; else why not (missing | replaced)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return "database file missing"
        except OSError as exc:
            return f"database file unreadable ({exc.__class__.__name__})"
        if (st.st_dev, st.st_ino) != (self.device, self.inode):
            return "database file replaced"
        return None


def create_once(path: Path) -> FileIdentity:
    """Create the database file if it does not exist yet (first start) and remember it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        sqlite3.connect(path).close()  # an empty database file, in its own right
    return FileIdentity.of(path)


def creator(identity: FileIdentity, timeout: float) -> Callable[[], sqlite3.Connection]:
    """A connect function for create_engine(creator=...): rw only, and the same file."""
    uri = f"{identity.path.resolve().as_uri()}?mode=rw"

    def connect() -> sqlite3.Connection:
        problem = identity.problem()
        if problem:
            raise sqlite3.OperationalError(f"{problem}: {identity.path}")
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
        problem = identity.problem()  # the file may have changed while we opened it
        if problem:
            conn.close()
            raise sqlite3.OperationalError(f"{problem}: {identity.path}")
        return conn

    return connect


def guard_checkouts(engine: Engine, identity: FileIdentity) -> None:
    """A pooled connection still holds the old file open: drop it when the path changed."""
    @event.listens_for(engine, "checkout")
    def _same_file(_dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        problem = identity.problem()
        if problem:
            # The pool discards this connection and connects anew, which then fails loudly.
            raise DisconnectionError(problem)


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL; None for memory databases and other schemes."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if not path or path == ":memory:" else Path(os.path.abspath(path))
