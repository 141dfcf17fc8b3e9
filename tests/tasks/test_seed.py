"""The simulated history has the published shape, and 17/NQ-CP its sourced facts."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from core.db import transaction
from tasks import seed
from tasks.models import Task, TaskDocument, TaskRevision
from tasks.summary import Filters, summary_in


def test_simulated_years_and_17_nq_cp(database: Any) -> None:
    with transaction(database.sessions) as session:
        count = seed.build(session, 2, 2020, datetime(2026, 6, 30, 12))
    with database.sessions() as session:
        last_year = summary_in(session, Filters(date(2025, 1, 1), date(2025, 12, 31)),
                               date(2026, 6, 30))
        nq17 = Filters(date(2019, 3, 7), date(2019, 3, 7), document="17/NQ-CP")
        mid_2019 = summary_in(session, nq17, date(2019, 6, 30))
        electronic = session.scalar(select(func.count()).select_from(Task).where(
            Task.document_id == select(TaskDocument.id).where(
                TaskDocument.number == "17/NQ-CP").scalar_subquery(),
            Task.content.like("Văn bản điện tử%")))
        sources = set(session.scalars(select(TaskDocument.source).distinct()))
        revisions = session.scalar(select(func.count()).select_from(TaskRevision))
    assert 14_000 < count < 16_000  # 2025 whole, 2026 to 30 June, and the 83
    assert 9_900 <= last_year["assigned"] <= 10_100
    done = (last_year["done_on_time"] + last_year["done_late"]) / last_year["assigned"]
    assert 0.85 < done < 0.95 and 0.02 < last_year["overdue_share_all"] < 0.06
    assert (mid_2019["assigned"], mid_2019["done_on_time"] + mid_2019["done_late"]) == (83, 7)
    assert electronic == 16
    assert sources == {"simulated", "sourced"}
    assert revisions > count  # the completed ones have their completion report too
