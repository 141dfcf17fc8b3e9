"""Importing exports: refusals name row, field and reason in both languages; same row changes
nothing; a changed row is a revision; XLSX and JSON read like CSV; the file is kept."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core import clock
from tasks import importer
from tasks.models import Task, TaskImport, TaskRejectedRow, TaskRevision
from tasks.reading import COLUMNS

HEADER = ",".join(COLUMNS)
GOOD = "17/NQ-CP,Nghị quyết,07/03/2019,Chính phủ,1,Văn bản điện tử,VPCP,2019-12-31,,1,Chính phủ điện tử,1"


@pytest.fixture(autouse=True)
def at_2024() -> Iterator[None]:
    clock.start_at("2024-06-30T12:00:00+07:00")
    yield
    clock.start_at(None)


def _csv(*lines: str) -> bytes:
    return "\n".join((HEADER, *lines)).encode()


def test_bad_rows_are_refused_with_row_field_and_both_languages(database: Any) -> None:
    payload = _csv(
        GOOD,
        "17/NQ-CP,Nghị quyết,2019-03-07,Chính phủ,2,X,NOPE,,,0,,0",         # unknown agency
        "17/NQ-CP,Nghị quyết,2019-03-07,Chính phủ,3,X,BTC,2019-01-01,,0,,0",  # deadline early
        "17/NQ-CP,Nghị quyết,2019-03-07,Chính phủ,4,X,BTC,,2025-01-01,0,,0",  # done in future
        "17/NQ-CP,Nghị quyết,2019-03-07,Chính phủ,5,X,BTC,31/02/2020,,2,,0",  # two bad fields
        "18/NQ-CP,Sắc lệnh,2019-03-07,Vua,x,,BTC,,,0,,0")                     # four more
    result = importer.import_bytes(database, payload, filename="t.csv")
    assert result.status == "partial" and result.created == 1
    by_row = {(r.row, r.field) for r in result.refused}
    assert {(3, "lead_agency"), (4, "deadline"), (5, "completed_on"), (6, "deadline"),
            (6, "key"), (7, "document_kind"), (7, "assigned_by"), (7, "task_no"),
            (7, "content")} == by_row
    reasons = {(r.row, r.field): r for r in result.refused}
    assert "NOPE" in reasons[(3, "lead_agency")].reason_en
    assert "không có cơ quan" in reasons[(3, "lead_agency")].reason_vi
    assert "before the document's date" in reasons[(4, "deadline")].reason_en
    assert "tương lai" in reasons[(5, "completed_on")].reason_vi
    with database.sessions() as session:
        job = session.get(TaskImport, result.import_id)
        assert job.payload == payload and job.rows_rejected == 5
        stored = session.scalar(select(func.count()).select_from(TaskRejectedRow))
        assert stored == len(result.refused)


def test_same_row_changes_nothing_and_a_change_is_a_revision(database: Any) -> None:
    first = importer.import_bytes(database, _csv(GOOD))
    again = importer.import_bytes(database, _csv(GOOD))
    assert (first.created, again.status, again.unchanged) == (1, "duplicate", 1)
    done = GOOD.replace("2019-12-31,,", "2019-12-31,2019-06-30,")
    changed = importer.import_bytes(database, _csv(done))
    assert (changed.status, changed.revised) == ("accepted", 1)
    with database.sessions() as session:
        task = session.scalars(select(Task)).one()
        history = session.scalars(select(TaskRevision).order_by(TaskRevision.revision)).all()
    assert task.revision == 2 and str(task.completed_on) == "2019-06-30"
    assert [h.completed_on is None for h in history] == [True, False]


def test_repeated_key_and_disagreeing_document_are_refused(database: Any) -> None:
    other_date = GOOD.replace(",1,Văn bản", ",2,Văn bản").replace("07/03/2019", "08/03/2019")
    result = importer.import_bytes(database, _csv(GOOD, GOOD, other_date))
    assert result.status == "rejected"
    assert [(r.row, r.field) for r in result.refused] == [(2, "task_no"), (3, "task_no"),
                                                          (4, "document")]


def test_xlsx_and_json_read_the_same_rows(database: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(GOOD.split(","))
    out = io.BytesIO()
    book.save(out)
    assert importer.import_bytes(database, out.getvalue(), filename="t.xlsx").created == 1
    as_json = json.dumps([dict(zip(COLUMNS, GOOD.split(","), strict=True))]).encode()
    result = importer.import_bytes(database, as_json, filename="t.json")
    assert (result.status, result.unchanged) == ("duplicate", 1)


def test_file_errors_are_one_clear_refusal(database: Any) -> None:
    for payload, words in ((b"", "empty"), (b"document,content\nx,y", "missing required"),
                           (b"\xff\xfe\x00", "UTF-8"), (b"[1,", "malformed JSON")):
        result = importer.import_bytes(database, payload, filename="x")
        assert result.status == "rejected" and words in result.file_error
        assert result.refused[0].reason_vi.startswith("tệp bị từ chối")
