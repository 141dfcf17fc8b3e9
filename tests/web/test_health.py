"""/healthz is cheap for anonymous callers and red when the SQLite file is gone or replaced;
confirmed submissions survive the file being moved away while the app is busy."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from accounts import tokens
from reporting.models import Observation
from settings import from_env
from tests.apps import build_app
from tests.conftest import login
from tests.helpers import wait_for


@pytest.fixture
def app(tmp_path: Path) -> Any:
    built = build_app(from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False,
                               seed_years=1))
    yield built
    built.server.extensions["ops_db"].dispose()


def db_file(app: Any) -> Path:
    return Path(app.server.extensions["ops_db"].engine.url.database)


def test_anonymous_healthz_runs_no_count_queries(app: Any) -> None:
    engine = app.server.extensions["ops_db"].engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, stmt, *_a: statements.append(stmt))
    client = app.server.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert not [s for s in statements if "count(" in s.lower()], statements
    login(client, "admin")
    statements.clear()
    assert "counts" in client.get("/healthz").get_json()
    assert [s for s in statements if "count(" in s.lower()]


@pytest.mark.parametrize("how", ["moved", "replaced"])
def test_healthz_red_while_the_file_is_moved_or_replaced(app: Any, how: str) -> None:
    client = app.server.test_client()
    path = db_file(app)
    assert client.get("/healthz").status_code == 200
    aside = path.with_name("aside.sqlite")
    if how == "moved":
        path.rename(aside)
    else:
        shutil.copy2(path, aside)  # the same bytes, another file
        aside.replace(path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": f"database file {how}"
                                   if how == "replaced" else "database file missing"}
    assert not path.with_name("ops.sqlite").exists() or how == "replaced"
    if how == "moved":
        assert not path.exists()  # no new empty database was created meanwhile
        aside.rename(path)
        assert client.get("/healthz").status_code == 200  # the same file back: healthy again


def test_no_confirmed_submission_is_lost_while_the_file_is_away(app: Any) -> None:
    database = app.server.extensions["ops_db"]
    _, secret = tokens.create(database, "BTC")
    path = db_file(app)
    confirmed: list[float] = []
    refused: list[int] = []
    stop = threading.Event()
    lock = threading.Lock()

    def sender(worker: int) -> None:
        client = app.server.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            value = round(3 + worker / 10 + n / 100000, 5)
            body = f"indicator,region,period,value\nCPI_YOY,VN,2026-10,{value}\n"
            r = client.post("/api/v1/submissions", data=body.encode(),
                            headers={"Authorization": f"Bearer {secret}",
                                     "Content-Type": "text/csv"})
            with lock:
                if r.status_code == 200:
                    confirmed.append(value)
                else:
                    assert r.status_code >= 400  # an error, never a false success
                    refused.append(r.status_code)

    threads = [threading.Thread(target=sender, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: len(confirmed) >= 10)
        aside = path.with_name("moved-away.sqlite")
        path.rename(aside)
        wait_for(lambda: len(refused) >= 5)
        assert not path.exists()
        aside.rename(path)
        before = len(confirmed)
        wait_for(lambda: len(confirmed) >= before + 10)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert refused and set(refused) == {503}
    with database.sessions() as s:
        stored = set(s.scalars(select(Observation.value).where(
            Observation.indicator_code == "CPI_YOY", Observation.region_code == "VN",
            Observation.period == "2026-10")))
    lost = [v for v in confirmed if v not in stored]
    assert not lost, f"{len(lost)} of {len(confirmed)} confirmed submissions lost"
