"""The status rule written twice (Python for one task, SQL for the counts) agrees on every
combination of deadline, completion and day around the edges."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import product
from typing import Any

from sqlalchemy import select

from core.db import transaction
from reporting.models import Agency
from tasks import status, tally
from tasks.models import Task, TaskDocument
from tasks.summary import Filters, list_in, summary_in

D = date(2024, 6, 30)
CHOICES = (None, D - timedelta(days=1), D, D + timedelta(days=1))


def test_sql_counts_equal_the_python_rule(database: Any) -> None:
    with transaction(database.sessions) as session:
        agency = session.scalars(select(Agency.code)).first()
        doc = TaskDocument(number="1/TEST", kind="Chỉ thị", issued_on=D - timedelta(days=30),
                           assigned_by="Thủ tướng", source="imported")
        session.add(doc)
        session.flush()
        for n, (deadline, done) in enumerate(product(CHOICES, CHOICES), start=1):
            session.add(Task(document_id=doc.id, task_no=n, document_date=doc.issued_on,
                             content=str(n), lead_agency=agency, deadline=deadline,
                             completed_on=done, source="imported"))
        session.flush()
        tally.rebuild(session)  # written here directly, not through the importer that keeps it
    window = Filters(D - timedelta(days=30), D)
    pairs = list(product(CHOICES, CHOICES))
    for day in (D - timedelta(days=1), D, D + timedelta(days=1), D + timedelta(days=2)):
        expected = Counter(status.of(deadline, done, day) for deadline, done in pairs)
        with database.sessions() as session:
            got = summary_in(session, window, day)
            for name in status.STATUSES:
                listed = list_in(session, window, day, name, 1, 100)["total"]
                assert got[name] == expected[name] == listed, (day, name)
        assert got["assigned"] == len(pairs) == sum(got[s] for s in status.STATUSES)
        assert got["due"] == sum(1 for deadline, _ in pairs if deadline and deadline <= day)
