"""The published H1 2024 split as an export file: 10,448 tasks assigned 1/1-30/6/2024.

VPCP reported at 30/06/2024: 5,233 done, 4,926 not done and within the deadline, 289 overdue
(2.76 %). The press gives no on-time/late split of the 5,233 nor any standing task, so this
file decides: 4,987 done on time, 246 done late, no task without a deadline.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tasks.reading import COLUMNS

ASSIGNED, DONE_ON_TIME, DONE_LATE, OPEN_IN_TIME, OPEN_OVERDUE = 10_448, 4_987, 246, 4_926, 289
AT = date(2024, 6, 30)
AGENCIES = ("BTC", "BCT", "BKHCN", "BYT", "BGDDT", "BNNMT", "BXD", "BNV", "T34_01", "T34_79")


def rows() -> list[dict[str, str]]:
    """Deterministic rows: documents of 40 tasks (one date each), spread over the half year;
    deadlines written in both accepted formats."""
    plan = (["on_time"] * DONE_ON_TIME + ["late"] * DONE_LATE + ["in_time"] * OPEN_IN_TIME
            + ["overdue"] * OPEN_OVERDUE)
    out = []
    for i, kind in enumerate(plan):
        issued = date(2024, 1, 2) + timedelta(days=(i // 40 * 7) % 150)  # 2/1 .. 30/5
        if kind == "on_time":
            deadline, done = issued + timedelta(days=20), issued + timedelta(days=10)
        elif kind == "late":
            deadline, done = issued + timedelta(days=5), issued + timedelta(days=12)
        elif kind == "in_time":
            # Some fall due exactly on 30/06: within the deadline through that day.
            deadline, done = (AT if i % 10 == 0 else AT + timedelta(days=1 + i % 90)), None
        else:
            deadline, done = min(issued + timedelta(days=10), AT - timedelta(days=1)), None
        out.append({
            "document": f"{100 + i // 40}/TB-VPCP", "document_kind": "Thông báo kết luận",
            "document_date": issued.isoformat(), "assigned_by": "Thủ tướng", "task_no": str(i % 40 + 1),
            "content": f"Nhiệm vụ {i + 1}", "lead_agency": AGENCIES[i % len(AGENCIES)],
            "deadline": deadline.strftime("%d/%m/%Y") if i % 2 else deadline.isoformat(),
            "completed_on": done.isoformat() if done else "", "key": str(int(i % 9 == 0)),
            "theme": "Chính phủ điện tử" if i % 5 == 0 else "", "meeting": "0"})
    return out


def csv_bytes() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows())
    return out.getvalue().encode()
