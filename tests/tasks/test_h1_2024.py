"""Done when: the published H1 2024 split, imported as a file, comes back exactly from the
summary API at OPS_NOW=2024-06-30T23:00:00+07:00; and a task due on D turns overdue at 00:00
of D+1, Viet Nam time."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from core import clock
from settings import Settings
from tasks import importer, status
from tasks.summary import Filters, summary_in
from tests.tasks import h1_2024

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def at_h1_end() -> Iterator[None]:
    clock.start_at("2024-06-30T23:00:00+07:00")
    yield
    clock.start_at(None)


@pytest.fixture
def app(settings: Settings, database: Any) -> Any:
    from app import create_app

    return create_app(settings)


def test_h1_2024_file_gives_the_published_counts(at_h1_end: None, cli_env: Any, app: Any,
                                                 tmp_path: Path) -> None:
    export = tmp_path / "h1-2024.csv"
    export.write_bytes(h1_2024.csv_bytes())
    assert main(["tasks", "import", str(export)]) == 0
    with app.server.test_request_context():
        client = app.server.test_client()
        from tests.conftest import login

        login(client, "staff")
        got = client.get("/api/v1/tasks/summary?from=2024-01-01&to=2024-06-30").get_json()
    assert got["as_of"] == "2024-06-30"
    assert {k: got[k] for k in ("assigned", "done_on_time", "done_late", "open_in_time",
                                "open_overdue", "no_deadline")} == {
        "assigned": 10_448, "done_on_time": 4_987, "done_late": 246, "open_in_time": 4_926,
        "open_overdue": 289, "no_deadline": 0}
    assert got["done_on_time"] + got["done_late"] == 5_233
    assert round(got["overdue_share_all"] * 100, 2) == 2.77  # 289 / 10,448 (VPCP printed 2.76)
    assert got["overdue_share_due"] == 289 / got["due"]
    # The same file again changes nothing.
    assert main(["tasks", "import", str(export)]) == 0


def test_due_today_is_in_time_until_midnight_vn(database: Any) -> None:
    row = ("document,document_kind,document_date,assigned_by,task_no,content,lead_agency,"
           "deadline,completed_on,key,theme,meeting\n"
           "5/CĐ-TTg,Công điện,2024-06-01,Thủ tướng,1,Ứng phó bão,BNNMT,30/06/2024,,1,,0\n")
    try:
        clock.start_at("2024-06-30T23:59:00+07:00")
        result = importer.import_bytes(database, row.encode(), filename="one.csv")
        assert result.status == "accepted", result.refused
        window = Filters(date(2024, 6, 1), date(2024, 6, 30))
        with database.sessions() as session:
            assert summary_in(session, window, status.today())["open_in_time"] == 1
            clock.start_at("2024-07-01T00:01:00+07:00")  # 17:01 UTC on 30/06: already D+1 in VN
            assert clock.utc_now().date() == date(2024, 6, 30)
            counts = summary_in(session, window, status.today())
        assert (counts["open_in_time"], counts["open_overdue"]) == (0, 1)
        assert counts["overdue_share_due"] == 1.0
        assert status.of(date(2024, 6, 30), None) == status.OPEN_OVERDUE
    finally:
        clock.start_at(None)
