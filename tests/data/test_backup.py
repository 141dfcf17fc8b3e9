"""Backups while the app writes, restored into a fresh database: every submission acknowledged
before the backup began is there, with its values; a non-empty database is refused without
--force; the CLI says what it did in one line (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from data import backup, migrate
from data.__main__ import main
from reporting import ingest
from reporting.models import Observation, Submission
from settings import Settings
from tests.databases import Templates
from tests.helpers import wait_for


class Ingests:
    """Threads sending new IIP values as an agency would; `acked` holds the submission ids
    ingest_bytes answered "accepted" for, in the order they were answered."""

    def __init__(self, database: Database, threads: int = 2) -> None:
        self.database = database
        self.acked: list[int] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._send, args=(n,)) for n in range(threads)]

    def _send(self, worker: int) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            value = round(1 + worker + n * 0.001, 3)
            body = f"indicator,region,period,value\nIIP,VN,2025-{n % 12 + 1:02d},{value}\n"
            try:
                result = ingest.ingest_bytes(self.database, body.encode(), filename="r.csv",
                                             agency="BTC", channel="api")
            except Exception as exc:  # noqa: BLE001 (reported by the test, not swallowed)
                self.errors.append(exc)
                return
            if result.status == "accepted":
                with self._lock:
                    self.acked.append(result.submission_id)

    def __enter__(self) -> Ingests:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def snapshot(self) -> set[int]:
        with self._lock:
            return set(self.acked)


@pytest.fixture
def fresh(request: pytest.FixtureRequest, backend: str, settings: Settings,
          tmp_path: Path) -> Iterator[Settings]:
    """Settings on a second, empty database of the same backend (nothing in it, not even the
    schema), as an operator's new server would have."""
    if backend == "sqlite":
        yield settings.with_(data_dir=tmp_path / "fresh")
        return
    pg: Templates = request.getfixturevalue("pg_templates")
    url = pg.postgres("empty")
    yield settings.with_(database_url=url)
    pg.drop_postgres(url)


def test_a_backup_under_load_restores_every_acknowledged_submission(
        settings: Settings, database: Database, fresh: Settings, tmp_path: Path) -> None:
    out = tmp_path / "ops.backup"
    with Ingests(database) as load:
        wait_for(lambda: len(load.snapshot()) >= 20, 60, "20 acknowledged submissions")
        before = load.snapshot()  # acknowledged before the backup began: must be in it
        made = backup.backup(settings, out)
        count = len(load.snapshot())
        wait_for(lambda: len(load.snapshot()) >= count + 10, 60, "ingests going on after it")
    assert load.errors == []
    assert made.path == out and made.size_bytes == out.stat().st_size > 0

    restored = backup.restore(fresh, out)
    assert restored.tables > 10 and not restored.replaced
    copy = Database(fresh.sqlalchemy_url)
    try:
        migrate.require_current(copy)
        with copy.sessions() as s:
            ids = set(s.scalars(select(Submission.id).where(Submission.channel == "api")))
            values = s.scalar(select(func.count()).select_from(Observation)
                              .where(Observation.submission_id.in_(before)))
        with database.sessions() as s:
            original = s.scalar(select(func.count()).select_from(Observation)
                                .where(Observation.submission_id.in_(before)))
    finally:
        copy.dispose()
    assert before <= ids, sorted(before - ids)[:10]
    assert values == original == len(before)  # each acknowledged value, one row per submission


def test_restore_refuses_a_database_that_holds_tables(settings: Settings, database: Database,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "ops.backup"
    backup.backup(settings, out)
    with pytest.raises(backup.BackupError, match="already holds"):
        backup.restore(settings, out)
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup(settings, out)
    database.dispose()
    replaced = backup.restore(settings, out, force=True)
    assert replaced.replaced and replaced.tables > 10
    migrate.require_current(database)


def test_the_cli_backs_up_and_refuses_in_one_line(cli_env: Database, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.backup"
    assert main(["backup", "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert said.err == "" and str(out) in said.out and said.out.count("\n") == 1
    assert main(["restore", str(out)]) == 1
    said = capsys.readouterr()
    assert said.out == "" and said.err.startswith("error: the database already holds")
    assert said.err.count("\n") == 1
    assert main(["restore", str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().err.startswith("error: ")
