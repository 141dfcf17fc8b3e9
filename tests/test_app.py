"""The app factory, /healthz (also with the database gone), error pages and settings."""
from __future__ import annotations

from pathlib import Path

from settings import from_env
from tests.apps import build_app
from tests.conftest import csrf_header, login


def _app(tmp_path: Path, **kw):
    settings = from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False,
                        seed_years=1, **kw)
    return build_app(settings)


def test_settings_from_environment_and_defaults(tmp_path: Path) -> None:
    s = from_env({"OPS_PORT": "9000", "OPS_SIMULATE": "0", "OPS_DATA_DIR": str(tmp_path),
                  "OPS_CACHE_TYPE": "NullCache"})
    assert (s.port, s.simulate, s.cache_type) == (9000, False, "NullCache")
    assert s.sqlalchemy_url.endswith("ops.sqlite") and str(tmp_path) in s.sqlalchemy_url
    d = from_env({})
    assert (d.host, d.port, d.simulate, d.data_dir) == ("127.0.0.1", 8050, True, Path("var"))
    assert from_env({"OPS_DATABASE_URL": "postgresql://x/y"}).sqlalchemy_url == "postgresql://x/y"


def test_first_start_creates_database_and_healthz_reports(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert (tmp_path / "var" / "ops.sqlite").exists()
    client = app.server.test_client()
    login(client)
    doc = client.get("/healthz")
    assert doc.status_code == 200
    body = doc.get_json()
    assert body["status"] == "ok" and body["database"]["reachable"] is True
    assert body["counts"]["indicators"] == 64 and body["counts"]["agencies"] == 128
    assert body["counts"]["observations"] > 1000
    assert body["cache"]["reachable"] is True
    assert body["simulator"]["running"] is False
    assert body["version"]


def test_second_start_reuses_database(tmp_path: Path) -> None:
    first_client = _app(tmp_path).server.test_client()
    login(first_client)
    first = first_client.get("/healthz").get_json()["counts"]
    second_client = _app(tmp_path).server.test_client()
    login(second_client)
    second = second_client.get("/healthz").get_json()["counts"]
    assert first == second


def test_healthz_503_when_database_gone(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client = app.server.test_client()
    login(client)
    assert client.get("/healthz").status_code == 200
    database = app.server.extensions["ops_db"]
    database.dispose()
    db_file = tmp_path / "var" / "ops.sqlite"
    db_file.rename(tmp_path / "backup.sqlite")
    db_file.mkdir()  # a directory where the database was: SQLite cannot open it
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable" and body["database"]["reachable"] is False
    assert "database" in body["reason"]
    db_file.rmdir()
    (tmp_path / "backup.sqlite").rename(db_file)
    assert client.get("/healthz").status_code == 200  # recovers by itself


def test_unknown_page_and_api_errors_have_no_traceback(tmp_path: Path) -> None:
    client = _app(tmp_path).server.test_client()
    login(client)
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.is_json
    r = client.post("/_dash-update-component", data=b"{not json", content_type="application/json",
                    headers=csrf_header(client))
    assert 400 <= r.status_code < 500
    assert b"Traceback" not in r.data


def test_create_app_builds_only(tmp_path: Path) -> None:
    """No seeding, no schema, no threads: a worker's app on an unprepared database."""
    import threading

    from sqlalchemy import inspect

    from app import create_app

    settings = from_env({}, data_dir=tmp_path / "var", simulate=True, cameras=True,
                        sim_cameras=False, seed_years=1)
    before = {t.name for t in threading.enumerate()}
    app = create_app(settings)
    assert {t.name for t in threading.enumerate()} == before
    assert "ops_feeds" not in app.server.extensions
    database = app.server.extensions["ops_db"]
    assert inspect(database.engine).get_table_names() == []  # nothing seeded or migrated
    # /healthz is red and names what to run, for anonymous callers too; nothing crashes.
    r = app.server.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.get_json() == {"status": "unavailable",
                            "reason": "database has no schema: run `python -m data init --empty`"}
    assert app.server.test_client().get("/login").status_code == 200
    database.dispose()


def test_background_starts_feeds_and_sim_cameras_off_show_offline(tmp_path: Path) -> None:
    """OPS_SIMULATE=0 OPS_SIM_CAMERAS=0: no feeds, and sim:// cameras OFFLINE with the reason."""
    from streams.service import NO_SIMULATOR

    app = build_app(from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=True,
                             sim_cameras=False, seed_years=1), background=True)
    service = app.server.extensions["ops_streams"]
    try:
        assert "ops_feeds" not in app.server.extensions
        client = app.server.test_client()
        login(client)
        rows = client.get("/streams/status").get_json()
        assert len(rows) == 32
        assert {r["state"] for r in rows} == {"OFFLINE"}
        assert {r["last_error"] for r in rows} == {NO_SIMULATOR}
        assert client.get("/streams/hoa-binh.jpg").status_code == 503
    finally:
        service.stop()
        app.server.extensions["ops_db"].dispose()


def test_web_worker_refuses_the_in_process_relay(tmp_path: Path, caplog) -> None:
    import threading

    from web import roles

    roles._said = False  # noqa: SLF001 (the once-per-process log line, for this test)
    before = {t.name for t in threading.enumerate()}
    app = build_app(from_env({}, data_dir=tmp_path / "var", simulate=True, cameras=True,
                             seed_years=1, role="web"))
    assert {t.name for t in threading.enumerate()} == before
    assert "ops_streams" not in app.server.extensions
    client = app.server.test_client()
    login(client)
    r = client.get("/streams/status")
    assert r.status_code == 503 and "OPS_RELAY_URL" in r.get_json()["error"]
    with app.server.app_context():
        from layouts import cameras as camera_layout

        assert "cam.none" in str(camera_layout.layout())  # the camera page says why it is empty
    refusals = [m for m in caplog.messages if "in-process camera relay refused" in m]
    assert len(refusals) == 1
    build_app(from_env({}, data_dir=tmp_path / "var", cameras=True, role="web"))
    assert len([m for m in caplog.messages if "relay refused" in m]) == 1  # said once
    app.server.extensions["ops_db"].dispose()
