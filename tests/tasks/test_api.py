"""/api/v1/tasks: who may import (the tracking token, staff and admin; no agency token), what
the tracking token may not do, what a bad query gets, and the list's status filter."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts import audit, tokens
from core import clock
from settings import Settings
from tasks.reading import COLUMNS
from tests.conftest import csrf_header, login
from web.i18n import t

ROWS = "\n".join((",".join(COLUMNS),
                  "1/CT-TTg,Chỉ thị,2024-01-05,Thủ tướng,1,A,BTC,2024-02-01,2024-01-20,1,,0",
                  "1/CT-TTg,Chỉ thị,2024-01-05,Thủ tướng,2,B,BTC,2024-03-01,,1,,0",
                  "1/CT-TTg,Chỉ thị,2024-01-05,Thủ tướng,3,C,BCT,2024-12-01,,0,,0",
                  "1/CT-TTg,Chỉ thị,2024-01-05,Thủ tướng,4,D,BCT,,,0,,0")).encode()


@pytest.fixture(autouse=True)
def at_mid_2024() -> Iterator[None]:
    clock.start_at("2024-06-30T12:00:00+07:00")
    yield
    clock.start_at(None)


@pytest.fixture
def server(settings: Settings, database: Any) -> Any:
    from app import create_app

    return create_app(settings).server


def _bearer(server: Any, agency: str, scope: str = tokens.SUBMISSIONS) -> Any:
    client = server.test_client()
    _, secret = tokens.create(server.extensions["ops_db"], agency, scope=scope)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _tracking(server: Any) -> Any:
    return _bearer(server, "VPCP", tokens.TASKS)


def test_who_may_import(server: Any) -> None:
    naming = t("deny.tasks_tracking_token", "en")
    for agency in ("BTC", "VPCP"):  # the Government Office's submissions token too
        refused = _bearer(server, agency).post("/api/v1/tasks", data=ROWS, content_type="text/csv")
        assert refused.status_code == 403 and refused.get_json()["error"] == naming, agency
        assert "--tracking" in naming and "--tracking" in t("deny.tasks_tracking_token", "vi")
    leader = server.test_client()
    login(leader, "leader", name="reader")
    assert leader.post("/api/v1/tasks", data=ROWS,
                       headers=csrf_header(leader)).status_code == 403
    assert server.test_client().post("/api/v1/tasks", data=ROWS).status_code == 401
    tracking = _tracking(server)
    first = tracking.post("/api/v1/tasks?filename=t.csv", data=ROWS, content_type="text/csv")
    assert first.status_code == 200 and first.get_json()["created"] == 4
    database = server.extensions["ops_db"]
    (listed,) = [i for i in tokens.list_tokens(database) if i.scope == tokens.TASKS]
    assert listed.last_used_at is not None
    assert audit.search(database, actor=f"tracking:{listed.id}").total == 1
    staff = server.test_client()
    login(staff, "staff")
    assert staff.post("/api/v1/tasks", data=ROWS, content_type="text/csv").status_code == 403
    again = staff.post("/api/v1/tasks", data=ROWS, content_type="text/csv",
                       headers=csrf_header(staff))
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    admin = server.test_client()
    login(admin, "admin", name="boss")
    assert admin.post("/api/v1/tasks", data=ROWS, content_type="text/csv",
                      headers=csrf_header(admin)).get_json()["status"] == "duplicate"
    bad = staff.post("/api/v1/tasks", data=b"nonsense", content_type="text/csv",
                     headers=csrf_header(staff))
    assert bad.status_code == 400 and "missing required" in bad.get_json()["file_error"]


def test_the_tracking_token_imports_and_reads_tasks_only(server: Any) -> None:
    tracking = _tracking(server)
    only = t("deny.tracking_tasks_only", "en")
    assert only != t("deny.tracking_tasks_only", "vi")
    for path in ("/api/v1/submissions", "/api/v1/dams/readings"):
        refused = tracking.post(path, data=b"indicator,value\n", content_type="text/csv")
        assert refused.status_code == 403 and refused.get_json()["error"] == only, path
    for path in ("/api/v1/alerts", "/", "/tasks", "/api/v1/tasks/../submissions"):
        assert tracking.get(path).status_code in (403, 404), path
    assert tracking.get("/api/v1/alerts").get_json()["error"] == only
    assert tracking.post("/api/v1/tasks/summary").status_code == 403
    assert tracking.get("/api/v1/tasks/summary?from=2024-01-01&to=2024-06-30").status_code == 200
    assert tracking.get("/api/v1/tasks?from=2024-01-01").status_code == 200
    # An ordinary agency token still submits (only its task imports are refused).
    submitted = _bearer(server, "VPCP").post("/api/v1/submissions", data=b"nonsense",
                                             content_type="text/csv")
    assert submitted.status_code not in (401, 403)


def test_a_revoked_tracking_token_is_refused(server: Any) -> None:
    database = server.extensions["ops_db"]
    token_id, secret = tokens.create(database, "VPCP", scope=tokens.TASKS, name="he-thong")
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    assert client.get("/api/v1/tasks/summary").status_code == 200
    tokens.revoke(database, token_id)
    refused = client.post("/api/v1/tasks", data=ROWS, content_type="text/csv")
    assert refused.status_code == 403 and refused.get_json()["error"] == "token revoked"


def test_reads_filters_and_bad_queries(server: Any) -> None:
    assert _tracking(server).post("/api/v1/tasks", data=ROWS,
                                        content_type="text/csv").status_code == 200
    reader = server.test_client()
    login(reader, "leader", name="reader")
    summary = reader.get("/api/v1/tasks/summary?from=2024-01-01&to=2024-06-30").get_json()
    assert [summary[k] for k in ("assigned", "done_on_time", "done_late", "open_in_time",
                                 "open_overdue", "no_deadline", "due")] == [4, 1, 0, 1, 1, 1, 2]
    assert summary["overdue_share_all"] == 0.25 and summary["overdue_share_due"] == 0.5
    btc = reader.get("/api/v1/tasks/summary?from=2024-01-01&to=2024-06-30&agency=btc")
    assert btc.get_json()["assigned"] == 2
    listed = reader.get("/api/v1/tasks?from=2024-01-01&to=2024-06-30&status=open_overdue")
    body = listed.get_json()
    assert body["total"] == 1 and body["tasks"][0]["content"] == "B"
    assert body["tasks"][0]["days_overdue"] == 121
    for query in ("from=2024-13-01", "from=2024-06-01&to=2024-01-01", "agency=NOPE",
                  "status=late", "page=0", "key=2"):
        got = reader.get(f"/api/v1/tasks?{query}")
        assert got.status_code == 400 and got.get_json()["error"], query
    assert reader.get("/api/v1/tasks/summary?to=x").status_code == 400
