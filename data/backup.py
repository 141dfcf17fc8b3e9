"""Online backups and restores of the reporting database: SQLite's backup API, PostgreSQL's pg_dump."""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

from core.sqlitefile import sqlite_path
from settings import Settings

SQLITE_TIMEOUT_S = 30.0  # a writer's transaction is short; wait for it rather than fail


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; str() is one line saying why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    backend: str  # sqlite | postgresql
    size_bytes: int
    seconds: float


@dataclass(frozen=True)
class Restore:
    path: Path
    backend: str
    tables: int  # tables in the database afterwards
    replaced: bool  # the database held tables before (only with force)
    seconds: float


def backup(settings: Settings, out_path: Path) -> Backup:
    """A consistent copy of the database while the app runs and writes, written to `out_path`
    (which must not exist): one SQLite file, or a pg_dump custom-format archive."""
    out_path = Path(out_path)
    if out_path.exists():
        raise BackupError(f"{out_path} already exists: choose a new file")
    if not out_path.parent.is_dir():
        raise BackupError(f"{out_path.parent} is not a directory")
    started = time.monotonic()
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        path = sqlite_path(settings.sqlalchemy_url)
        if path is not None:
            _sqlite_backup(path, partial)
            backend = "sqlite"
        else:
            _pg_run("pg_dump", settings.sqlalchemy_url,
                    ["--format=custom", "--no-owner", "--no-acl", f"--file={partial}"])
            backend = "postgresql"
        partial.rename(out_path)  # only a finished copy takes the name
    finally:
        partial.unlink(missing_ok=True)
    return Backup(out_path, backend, out_path.stat().st_size, time.monotonic() - started)


def restore(settings: Settings, path: Path, force: bool = False) -> Restore:
    """Load a backup into the configured database. A database that already holds tables is
    refused unless `force` (then the backup's tables replace its own)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    started = time.monotonic()
    before = _tables(settings.sqlalchemy_url)
    if before and not force:
        raise BackupError(f"the database already holds {before} tables: restore into an empty "
                          "database, or add --force to replace it")
    target = sqlite_path(settings.sqlalchemy_url)
    if target is not None:
        _sqlite_restore(path, target)
        backend = "sqlite"
    else:
        options = ["--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        if before:
            options += ["--clean", "--if-exists"]
        _pg_run("pg_restore", settings.sqlalchemy_url, [*options, str(path)])
        backend = "postgresql"
    return Restore(path, backend, _tables(settings.sqlalchemy_url), bool(before),
                   time.monotonic() - started)


# --- SQLite -----------------------------------------------------------------------------------

def _sqlite_backup(source: Path, out: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    # mode=rw: a backup never creates the database it copies.
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=SQLITE_TIMEOUT_S)
    dst = sqlite3.connect(out)
    try:
        # One step (pages=-1) copies every page inside one read transaction: a snapshot that
        # WAL lets writers go on past, so the copy is consistent and nobody waits for it.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        raise BackupError(f"the copy failed its check: {verdict}")


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        try:
            verdict = src.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{backup_file} is not a SQLite backup: {exc}") from exc
        if verdict != "ok":
            raise BackupError(f"{backup_file} is not an intact SQLite backup: {verdict}")
        # Into the file in place (same inode): the app's SQLite file guard refuses a replaced
        # file, and processes that have it open see the restored data.
        target.parent.mkdir(parents=True, exist_ok=True)  # the data directory, as the app makes it
        try:
            dst = sqlite3.connect(target, timeout=SQLITE_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot open {target}: {exc}") from exc
        try:
            src.backup(dst, pages=-1)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite restore failed: {exc}") from exc
        finally:
            dst.close()
    finally:
        src.close()


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    """The newest installed version's tool: pg_dump must be at least the server's version."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    tool = found[-1] if found else shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} not found: apt-get install postgresql-client")
    return tool


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL for libpq tools without its password (it would show in `ps`), and the password
    in PGPASSWORD instead."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_run(name: str, sqlalchemy_url: str, args: list[str]) -> None:
    dsn, env = _libpq(make_url(sqlalchemy_url))
    try:
        done = subprocess.run([_pg_tool(name), f"--dbname={dsn}", *args], env=env,
                              capture_output=True, text=True, timeout=6 * 3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{name} could not run: {exc}") from exc
    if done.returncode != 0:
        said = next((line for line in done.stderr.splitlines() if line.strip()), "")
        raise BackupError(f"{name} failed ({done.returncode}): {said[:300]}")


def _tables(sqlalchemy_url: str) -> int:
    """Tables in the database (0: empty, a restore may go there); a SQLite file not yet there
    counts as empty and is not created here."""
    path = sqlite_path(sqlalchemy_url)
    if path is not None:
        if not path.exists():
            return 0
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT_S)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                ).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
        finally:
            conn.close()
    engine = create_engine(sqlalchemy_url)
    try:
        return len(inspect(engine).get_table_names())
    finally:
        engine.dispose()
