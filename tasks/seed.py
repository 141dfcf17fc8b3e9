"""Simulated task history for `init`, and the sourced 83 e-government tasks of 17/NQ-CP.

Simulated: about 10,000 tasks a calendar year (year to date for the current one) over the
current ministries and the 34 provinces, in documents of 1-40 tasks, deadlines 15-240 days
after the document (6 % standing tasks), completion delays drawn so that, as the press reports
for past years, roughly 95 % of the tasks due are done (about 90 % on time) and 3-5 % of all
tasks stand overdue. Every simulated document's number starts with "MP-" (mô phỏng) and its
source is 'simulated'.

Sourced: Nghị quyết 17/NQ-CP of 07/03/2019 assigned 83 e-government tasks, 16 of them on
electronic documents; 7 were completed by mid-2019 (the centre's seed material). Which seven,
the deadlines and the later completions are not published: those are drawn and the task's
first revision says so.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.clock import local_to_utc
from reporting.models import Agency
from tasks import tally
from tasks.importer import ids_of
from tasks.models import Task, TaskDocument, TaskRevision

PER_YEAR = 10_000
KINDS = (("Thông báo kết luận", "TB-VPCP", 0.40), ("Văn bản chỉ đạo", "VPCP-KTTH", 0.30),
         ("Nghị quyết", "NQ-CP", 0.12), ("Quyết định", "QĐ-TTg", 0.08),
         ("Chỉ thị", "CT-TTg", 0.05), ("Công điện", "CĐ-TTg", 0.05))
ASSIGNERS = (("Thủ tướng", 0.5), ("Phó Thủ tướng", 0.35), ("Chính phủ", 0.15))
THEMES = (("", 0.55), ("Chính phủ điện tử", 0.10), ("Chuyển đổi số", 0.10),
          ("Cải cách hành chính", 0.10), ("Đầu tư công", 0.08), ("Phòng chống thiên tai", 0.07))
SIMULATED_NOTE = "mô phỏng / simulated"
NQ17 = "17/NQ-CP"
NQ17_DATE = date(2019, 3, 7)
NQ17_NOTE = ("Nghị quyết 17/NQ-CP ngày 07/03/2019 về phát triển Chính phủ điện tử giai đoạn "
             "2019-2020, định hướng đến 2025: 83 nhiệm vụ, 16 về văn bản điện tử; 7/83 hoàn "
             "thành đến giữa năm 2019 (tài liệu nguồn của Trung tâm). Hạn, cơ quan chủ trì và "
             "ngày hoàn thành từng nhiệm vụ: mô phỏng.")


def _pick(rng: np.random.Generator, options: tuple[tuple[Any, float], ...], n: int) -> list[Any]:
    values = [o[0] for o in options]
    weights = np.array([o[-1] for o in options], dtype=float)
    return [values[i] for i in rng.choice(len(values), size=n, p=weights / weights.sum())]


def _agencies(session: Session) -> tuple[list[str], np.ndarray]:
    """Current ministries and provinces; ministries lead about two tasks in three."""
    rows = session.execute(select(Agency.code, Agency.kind).where(
        Agency.kind.in_(("ministry", "province")), Agency.era.in_(("both", "post2025")))
        .order_by(Agency.code)).all()
    codes = [r.code for r in rows]
    ministries = sum(1 for r in rows if r.kind == "ministry")
    weights = np.array([(2 / 3) / ministries if r.kind == "ministry"
                        else (1 / 3) / (len(rows) - ministries) for r in rows])
    return codes, weights / weights.sum()


def _fate(rng: np.random.Generator, issued: date, today: date) -> tuple[date | None, date | None]:
    """(deadline, completed_on) of one simulated task as of today."""
    deadline = None if rng.random() < 0.06 else issued + timedelta(days=int(rng.integers(15, 241)))
    target = deadline or issued + timedelta(days=int(rng.integers(60, 365)))
    roll = rng.random()
    if roll < 0.86:  # done by the deadline, at some point between assignment and deadline
        done = issued + timedelta(days=int((target - issued).days * rng.uniform(0.2, 1.0)))
    elif roll < 0.955:  # done late
        done = target + timedelta(days=int(rng.integers(1, 90)))
    else:  # still open, however long
        done = None
    if done is not None and done > today:
        done = None  # not yet: the task is open today (in time, or overdue if past D)
    return deadline, done


def _documents(rng: np.random.Generator, year: int, until: date, per_year: int = PER_YEAR
               ) -> list[dict[str, Any]]:
    first = date(year, 1, 1)
    span = (min(date(year, 12, 31), until) - first).days + 1
    if span <= 0:
        return []
    total = int(per_year * span / 365)
    out, number, placed = [], 0, 0
    kinds = _pick(rng, tuple((k, w) for k, _, w in KINDS), total)
    suffix = {k: s for k, s, _ in KINDS}
    while placed < total:
        size = int(min(total - placed, rng.integers(1, 41)))
        number += 1
        kind = kinds[number % len(kinds)]
        out.append({"number": f"MP-{number}/{suffix[kind]}-{year}", "kind": kind,
                    "issued_on": first + timedelta(days=int(rng.integers(0, span))),
                    "size": size})
        placed += size
    return out


def build(session: Session, years: int, seed: int, now: datetime,
          per_year: int = PER_YEAR) -> int:
    """Insert `years` calendar years (the current one to date) and 17/NQ-CP; the task count."""
    rng = np.random.default_rng(seed + 19)
    today = now.date()
    codes, weights = _agencies(session)
    docs = [d for year in range(today.year - max(years, 1) + 1, today.year + 1)
            for d in _documents(rng, year, today, per_year)]
    assigners = _pick(rng, ASSIGNERS, len(docs))
    # Core executemany (one batch; the ORM's bulk path splits rows by which values are None),
    # then the ids the database gave, read back by number.
    if docs:
        session.execute(insert(TaskDocument.__table__), [
            {"number": d["number"], "kind": d["kind"], "issued_on": d["issued_on"],
             "assigned_by": by, "source": "simulated", "note": SIMULATED_NOTE}
            for d, by in zip(docs, assigners, strict=True)])
    id_of = {number: ident for number, ident in session.execute(
        select(TaskDocument.number, TaskDocument.id).where(TaskDocument.source == "simulated"))}
    doc_ids = [id_of[d["number"]] for d in docs]
    total = sum(d["size"] for d in docs)
    leads = rng.choice(len(codes), size=total, p=weights)
    themes = _pick(rng, THEMES, total)
    tasks, position = [], 0
    for doc, doc_id in zip(docs, doc_ids, strict=True):
        theme = themes[position]  # one document, one theme
        for no in range(1, doc["size"] + 1):
            deadline, done = _fate(rng, doc["issued_on"], today)
            tasks.append({"document_id": doc_id, "task_no": no, "document_date": doc["issued_on"],
                          "content": f"Nhiệm vụ {no} của văn bản {doc['number']} (mô phỏng)",
                          "lead_agency": codes[leads[position]], "deadline": deadline,
                          "completed_on": done, "is_key": bool(rng.random() < 0.12),
                          "theme": theme, "meeting": bool(rng.random() < 0.2),
                          "source": "simulated"})
            position += 1
    tasks += _nq17(session, rng, today, codes)
    _insert(session, tasks)
    tally.rebuild(session)
    return len(tasks)


def _nq17(session: Session, rng: np.random.Generator, today: date, codes: list[str]
          ) -> list[dict[str, Any]]:
    """The 83 tasks of 17/NQ-CP (only when the clock is past 07/03/2019)."""
    if today < NQ17_DATE:
        return []
    doc_id = session.scalar(insert(TaskDocument.__table__).returning(TaskDocument.id), {
        "number": NQ17, "kind": "Nghị quyết", "issued_on": NQ17_DATE, "assigned_by": "Chính phủ",
        "source": "sourced", "note": NQ17_NOTE})
    done_early = set(rng.choice(83, size=7, replace=False).tolist())
    out = []
    for i in range(83):
        electronic = i < 16
        deadline = date(2019, 12, 31) if electronic else date(2020, 12, 31)
        if i in done_early:
            done: date | None = date(2019, 3, 20) + timedelta(days=int(rng.integers(0, 100)))
        else:
            done = date(2019, 7, 1) + timedelta(days=int(rng.integers(0, 900)))
        out.append({"document_id": doc_id, "task_no": i + 1, "document_date": NQ17_DATE,
                    "content": ("Văn bản điện tử" if electronic else "Chính phủ điện tử")
                    + f": nhiệm vụ {i + 1} theo Nghị quyết 17/NQ-CP",
                    "lead_agency": "VPCP" if electronic or "VPCP" not in codes
                    else codes[int(rng.integers(0, len(codes)))],
                    "deadline": deadline, "completed_on": done if done <= today else None,
                    "is_key": electronic, "theme": "Chính phủ điện tử", "meeting": False,
                    "source": "sourced"})
    return out


def _insert(session: Session, tasks: list[dict[str, Any]]) -> None:
    """Tasks, then their revisions: the assignment, and the completion report if done."""
    chunk = 20_000
    for i in range(0, len(tasks), chunk):
        rows = tasks[i:i + chunk]
        for row in rows:
            row["revision"] = 1 if row["completed_on"] is None else 2
            row["updated_at"] = local_to_utc(datetime.combine(
                row["completed_on"] or row["document_date"], datetime.min.time()))
        session.execute(insert(Task.__table__), rows)
        ids = ids_of(session, rows)
        revisions = []
        for task_id, row in zip(ids, rows, strict=True):
            state = {k: row[k] for k in ("content", "lead_agency", "deadline", "is_key", "theme",
                                         "meeting")}
            assigned = local_to_utc(datetime.combine(row["document_date"], datetime.min.time()))
            revisions.append({"task_id": task_id, "revision": 1, "received_at": assigned,
                              "completed_on": None, "progress": "", "report_document": "",
                              **state})
            if row["completed_on"] is not None:
                revisions.append({
                    "task_id": task_id, "revision": 2, "completed_on": row["completed_on"],
                    "received_at": local_to_utc(datetime.combine(row["completed_on"],
                                                                 datetime.min.time())
                                                + timedelta(hours=16)),
                    "progress": "Đã hoàn thành (mô phỏng)",
                    "report_document": f"MP-BC-{task_id}", **state})
        session.execute(insert(TaskRevision.__table__), revisions)

