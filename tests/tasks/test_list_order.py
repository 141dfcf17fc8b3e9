"""The list's order (newest document first, its tasks by number) is read from ix_task_list:
the pages are the tasks in that order, and SQLite plans no sort for it."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import select, text

from tasks import importer, status
from tasks.counts import Filters, condition_in
from tasks.models import Task, TaskDocument
from tasks.summary import list_in
from tests.tasks.test_counts import TODAY, _export


def test_pages_follow_the_documents_newest_first_and_their_tasks_by_number(database: Any
                                                                            ) -> None:
    rng = random.Random(11)
    assert importer.import_bytes(database, _export(rng, 240), today=TODAY).created == 240
    window = Filters(date(2022, 1, 1), TODAY)
    with database.sessions() as session:
        rows = session.execute(select(Task.id, Task.document_date, Task.document_id,
                                      Task.task_no, Task.deadline, Task.completed_on)).all()
        for state in ("", status.DONE_LATE, status.DONE_ON_TIME, status.NO_DEADLINE):
            wanted = [r.id for r in sorted(rows, key=lambda r: (-r.document_date.toordinal(),
                                                                -r.document_id, r.task_no))
                      if not state or status.of(r.deadline, r.completed_on, TODAY) == state]
            got = [t["id"] for page in (1, 2, 3, 4, 5, 6)
                   for t in list_in(session, window, TODAY, state, page, 17)["tasks"]]
            assert got == wanted[:6 * 17] and got, state
        if database.dialect != "sqlite":
            return
        stmt = window.apply(select(Task, TaskDocument.number).join(
            TaskDocument, TaskDocument.id == Task.document_id)).where(
            condition_in(session, status.DONE_LATE, TODAY)).order_by(
            Task.document_date.desc(), Task.document_id.desc(), Task.task_no).limit(50)
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "ix_task_list" in plan and "TEMP B-TREE" not in plan, plan
