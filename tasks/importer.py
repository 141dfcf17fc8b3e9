"""Importing tracking-system exports: one row per task, keyed (document, task_no).

Same row again: nothing changes. A changed row: the task takes the new state and a new
revision records it. Every refused row is kept with its row number, field and reason in
Vietnamese and English; good rows are kept; the raw file is kept whatever happens (the
upload limit bounds what is stored). A document already recorded with another kind, date or
assigner refuses the rows that disagree: the date is what every count is filed under.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import Database, lock_keys, transaction
from reporting.files import printable
from reporting.models import Agency
from tasks import status, tally
from tasks.models import Task, TaskDocument, TaskImport, TaskRejectedRow, TaskRevision
from tasks.reading import FileError, RawRow, read
from tasks.rules import Refusal, TaskRow, check

CHANNELS = ("cli", "api", "seed")
# The Government Office runs the tracking system: the tracking token (scope "tasks", `token
# create --tracking`) is recorded as its agency's; only that kind may POST /api/v1/tasks.
TRACKING_AGENCY = "VPCP"
CHUNK = 500  # keys per IN (...) list
T = TypeVar("T")


@dataclass
class ImportResult:
    """What happened to one import."""

    import_id: int
    status: str  # accepted | partial | rejected | duplicate
    rows_total: int = 0
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    file_error: str = ""

    @property
    def accepted(self) -> int:
        return self.created + self.revised + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "status": self.status,
                "rows_total": self.rows_total, "accepted": self.accepted,
                "created": self.created, "revised": self.revised, "unchanged": self.unchanged,
                "rows_rejected": len({r.row for r in self.refused}),
                "file_error": self.file_error or None,
                "rejected": [r._asdict() for r in self.refused]}


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _doc_fields(row: TaskRow) -> tuple[str, date, str]:
    return (row.document_kind, row.document_date, row.assigned_by)


def _consistent(rows: list[TaskRow], stored: dict[str, TaskDocument]
                ) -> tuple[list[TaskRow], list[Refusal]]:
    """Refuse repeated keys (all of them: which one was meant?) and documents that disagree."""
    counts = Counter(r.ident for r in rows)
    first: dict[str, tuple[str, date, str]] = {
        n: (d.kind, d.issued_on, d.assigned_by) for n, d in stored.items()}
    for row in rows:  # a document is what its first row in the file says (unless stored)
        first.setdefault(row.document, _doc_fields(row))
    kept, refused = [], []
    for row in rows:
        if counts[row.ident] > 1:
            refused.append(Refusal(row.number, "task_no",
                                   f"nhiệm vụ {row.task_no} của {row.document} lặp lại trong tệp",
                                   f"task {row.task_no} of {row.document} is repeated in the "
                                   "file"))
            continue
        known = first[row.document]
        if known != _doc_fields(row):
            kind, issued, by = known
            refused.append(Refusal(
                row.number, "document",
                f"văn bản {row.document} đã có: {kind}, {issued:%d/%m/%Y}, {by}",
                f"document {row.document} is recorded as {kind}, {issued.isoformat()}, {by}"))
            continue
        kept.append(row)
    return kept, refused


def _documents(session: Session, rows: list[TaskRow], source: str) -> dict[str, int]:
    """Ids of the rows' documents, creating the new ones."""
    numbers = sorted({r.document for r in rows})
    ids = _document_ids(session, numbers)
    new = {r.document: r for r in rows if r.document not in ids}
    if new:
        session.execute(insert(TaskDocument), [
            {"number": n, "kind": r.document_kind, "issued_on": r.document_date,
             "assigned_by": r.assigned_by, "source": source, "note": ""}
            for n, r in new.items()])
        ids.update(_document_ids(session, list(new)))
    return ids


def _document_ids(session: Session, numbers: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in _chunks(list(numbers)):
        out.update((number, ident) for number, ident in session.execute(
            select(TaskDocument.number, TaskDocument.id).where(TaskDocument.number.in_(part))))
    return out


def ids_of(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """The ids the database gave to task rows just inserted, found by (document, number)."""
    documents = sorted({r["document_id"] for r in rows})
    found: dict[tuple[int, int], int] = {}
    for part in _chunks(documents):
        found.update(((d, n), t) for t, d, n in session.execute(
            select(Task.id, Task.document_id, Task.task_no).where(Task.document_id.in_(part))))
    return [found[(r["document_id"], r["task_no"])] for r in rows]


def _task_values(row: TaskRow) -> dict[str, Any]:
    return {"content": row.content, "lead_agency": row.lead_agency, "deadline": row.deadline,
            "completed_on": row.completed_on, "is_key": row.key, "theme": row.theme,
            "meeting": row.meeting}


def _store(session: Session, rows: list[TaskRow], import_id: int, source: str
           ) -> tuple[int, int, int]:
    """(created, revised, unchanged) after writing tasks and their revisions."""
    doc_ids = _documents(session, rows, source)
    existing: dict[tuple[int, int], Task] = {}
    for part in _chunks(sorted(set(doc_ids.values()))):
        for task in session.scalars(select(Task).where(Task.document_id.in_(part))):
            existing[(task.document_id, task.task_no)] = task
    latest: dict[int, tuple[str, str]] = {}  # a task's last progress note and report document
    for part in _chunks([t.id for t in existing.values()]):
        for task_id, progress, report in session.execute(
                select(TaskRevision.task_id, TaskRevision.progress, TaskRevision.report_document)
                .join(Task, Task.id == TaskRevision.task_id)
                .where(TaskRevision.task_id.in_(part), TaskRevision.revision == Task.revision)):
            latest[task_id] = (progress, report)
    now = utc_now()
    new, changed, revisions, unchanged = [], [], [], 0
    deltas: tally.Deltas = {}  # the settled counts move with the tasks, in this transaction
    for row in rows:
        task = existing.get((doc_ids[row.document], row.task_no))
        if task is None:
            new.append(row)
            continue
        progress, report = latest.get(task.id, ("", ""))
        stored = (task.content, task.lead_agency, task.deadline, task.completed_on, task.is_key,
                  task.theme, task.meeting, progress, report)
        if stored == row.state():
            unchanged += 1
            continue
        changed.append({"id": task.id, "revision": task.revision + 1, "updated_at": now,
                        **_task_values(row)})
        tally.add(deltas, tally.states([task])[0], -1)
        tally.add(deltas, {"document_date": task.document_date, **_task_values(row)})
        revisions.append(_revision(task.id, task.revision + 1, row, import_id, now))
    if changed:
        session.execute(update(Task), changed)
    if new:
        rows = [{"document_id": doc_ids[r.document], "task_no": r.task_no,
                 "document_date": r.document_date, "revision": 1, "source": source,
                 "updated_at": now, **_task_values(r)} for r in new]
        # Core executemany: one batch (the ORM's bulk path splits rows by which are None).
        session.execute(insert(Task.__table__), rows)
        revisions += [_revision(task_id, 1, r, import_id, now)
                      for task_id, r in zip(ids_of(session, rows), new, strict=True)]
        for values in rows:
            tally.add(deltas, values)
    tally.apply(session, deltas)
    if revisions:
        session.execute(insert(TaskRevision.__table__), revisions)
    return len(new), len(changed), unchanged


def _revision(task_id: int, number: int, row: TaskRow, import_id: int | None,
              now: Any) -> dict[str, Any]:
    return {"task_id": task_id, "revision": number, "import_id": import_id, "received_at": now,
            "progress": row.progress, "report_document": row.report_document,
            **_task_values(row)}


def _outcome(accepted: int, refused_rows: int, changed: int) -> str:
    if accepted == 0:
        return "rejected"
    if refused_rows:
        return "partial"
    return "accepted" if changed else "duplicate"


def import_bytes(database: Database, payload: bytes, *, filename: str = "",
                 content_type: str = "", channel: str = "cli", actor: str = "",
                 today: date | None = None, source: str = "imported") -> ImportResult:
    """Read, check and store one export in one transaction; never raises for a bad file."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    day = today or status.today()
    payload = bytes(payload)
    record = {"channel": channel, "actor": actor[:80], "filename": printable(filename)[:255],
              "content_type": printable(content_type)[:100],
              "sha256": hashlib.sha256(payload).hexdigest(), "payload": payload,
              "received_at": utc_now(), "error": ""}
    try:
        _fmt, raw_rows = read(payload, filename, content_type)
    except FileError as exc:
        return _file_error(database, record, str(exc))
    with transaction(database.sessions) as session:
        agencies = set(session.scalars(select(Agency.code)))
        good, refused = _checked(raw_rows, agencies, day)
        lock_keys(session, [("task", r.document) for r in good])
        stored = {}
        for part in _chunks(sorted({r.document for r in good})):
            stored.update({d.number: d for d in session.scalars(
                select(TaskDocument).where(TaskDocument.number.in_(part)))})
        good, conflicts = _consistent(good, stored)
        refused = sorted(refused + conflicts, key=lambda r: r.row)
        refused_rows = len({r.row for r in refused})
        job = TaskImport(status="rejected", rows_total=len(raw_rows), **record)
        session.add(job)
        session.flush()
        created, revised, unchanged = _store(session, good, job.id, source) if good else (0, 0, 0)
        job.status = _outcome(len(good), refused_rows, created + revised)
        job.rows_accepted, job.rows_rejected = len(good), refused_rows
        job.created, job.revised, job.unchanged = created, revised, unchanged
        if refused:
            raw_of = {r.number: r.raw for r in raw_rows}
            session.execute(insert(TaskRejectedRow), [
                {"import_id": job.id, "row_number": r.row, "field": r.field,
                 "reason_vi": r.reason_vi, "reason_en": r.reason_en,
                 "raw": raw_of.get(r.row, "")} for r in refused])
        return ImportResult(job.id, job.status, len(raw_rows), created, revised, unchanged,
                            refused)


def _checked(rows: list[RawRow], agencies: set[str], day: date
             ) -> tuple[list[TaskRow], list[Refusal]]:
    good, refused = [], []
    for row in rows:
        outcome = check(row, agencies, day)
        if isinstance(outcome, TaskRow):
            good.append(outcome)
        else:
            refused.extend(outcome)
    return good, refused


def _file_error(database: Database, record: dict[str, Any], error: str,
                keep_payload: bool = True) -> ImportResult:
    """The whole file refused: recorded with its bytes (unless over the limit) and why."""
    vi = f"tệp bị từ chối: {error}"
    with transaction(database.sessions) as session:
        job = TaskImport(status="rejected", **{**record, "error": error,
                                               "payload": record["payload"] if keep_payload
                                               else b""})
        session.add(job)
        session.flush()
        session.add(TaskRejectedRow(import_id=job.id, row_number=0, field="file", reason_vi=vi,
                                    reason_en=error, raw=""))
        job_id = job.id
    return ImportResult(job_id, "rejected", refused=[Refusal(0, "file", vi, error)],
                        file_error=error)


def reject_oversize(database: Database, size: int | None, limit: int, *, filename: str = "",
                    channel: str = "api", actor: str = "") -> ImportResult:
    """A payload over the limit, recorded without its bytes (the limit bounds storage)."""
    shown = f"{size} bytes" if size is not None else "the file"
    record = {"channel": channel, "actor": actor[:80], "filename": printable(filename)[:255],
              "content_type": "", "sha256": "", "payload": b"", "received_at": utc_now(),
              "error": ""}
    return _file_error(database, record, f"{shown} exceeds the limit of {limit} bytes",
                       keep_payload=False)
