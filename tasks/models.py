"""Typed models of task tracking: assigning documents, tasks, their revisions and imports."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, code16, code32, utcnow


class TaskDocument(Base):
    """An assigning document (17/NQ-CP, 1270/TB-VPCP ...): one or many numbered tasks."""

    __tablename__ = "task_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # Nghị quyết | Quyết định | ... (tasks.rules)
    issued_on: Mapped[date] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(40))  # Chính phủ | Thủ tướng | Phó Thủ tướng
    source: Mapped[code16]  # imported | simulated | sourced
    note: Mapped[str] = mapped_column(Text, default="")


class Task(Base):
    """A task as it stands now (its latest revision); the history is in task_revision.

    document_date repeats the document's date so the summary and list queries, which always
    filter on it, read one table through one index.
    """

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("task_document.id"))
    task_no: Mapped[int] = mapped_column(Integer)
    document_date: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    lead_agency: Mapped[code16] = mapped_column(ForeignKey("agency.code"))
    deadline: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    theme: Mapped[str] = mapped_column(String(120), default="")
    meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[code16]  # imported | simulated | sourced
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("document_id", "task_no", name="uq_task_document_no"),
        # Covering indexes of the summary: the window by document date (optionally one agency
        # or theme) with the two dates the status is computed from.
        Index("ix_task_window", "document_date", "lead_agency", "deadline", "completed_on"),
        Index("ix_task_agency_window", "lead_agency", "document_date", "deadline",
              "completed_on"),
        Index("ix_task_theme_window", "theme", "document_date", "deadline", "completed_on"),
        # The open tasks by deadline (the overdue list; the live part of the counts, tasks.tally,
        # read from this index alone) and the tasks whose deadline is still ahead.
        Index("ix_task_open_deadline", "completed_on", "deadline", "document_date",
              "lead_agency", "theme", "is_key"),
        Index("ix_task_deadline_window", "deadline", "document_date", "lead_agency", "theme",
              "is_key"),
    )


# The list in its order (newest document first, its tasks by number) read from the index, the
# status's two dates in it: a page is the next entries of one index scan, never a sort of the
# window (task_no descending, so a backward scan gives the order).
Index("ix_task_list", Task.document_date, Task.document_id, Task.task_no.desc(), Task.deadline,
      Task.completed_on)


class TaskTally(Base):
    """Counts of tasks that time does not change, per month and per year of the document's date.

    Whether a task counts, has a deadline, and was done on time or late (its completion is
    never after today: the import refuses it) stay so as the days pass; only the open tasks move
    from in time to overdue, and tasks.counts counts those live. The importer and the seed keep
    these rows in the same transaction as the tasks (tasks.tally).
    """

    __tablename__ = "task_tally"
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)  # M (month) | Y (year)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)  # yyyymm | yyyy
    lead_agency: Mapped[code16] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(120), primary_key=True)
    is_key: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    done_on_time: Mapped[int] = mapped_column(Integer, default=0)
    done_late: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_task_tally_agency", "lead_agency", "grain", "period"),)


class TaskImport(Base):
    """One file or API payload of the tracking system; the raw bytes are kept whatever happens."""

    __tablename__ = "task_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[code16]  # cli | api | seed
    actor: Mapped[str] = mapped_column(String(80), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    status: Mapped[code16]  # accepted | partial | rejected | duplicate
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    revised: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class TaskRevision(Base):
    """A state of a task as reported (assignment, progress, completion); never updated."""

    __tablename__ = "task_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    revision: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("task_import.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    content: Mapped[str] = mapped_column(Text)
    lead_agency: Mapped[code16]
    deadline: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    theme: Mapped[str] = mapped_column(String(120), default="")
    meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[str] = mapped_column(Text, default="")  # the agency's report, if given
    report_document: Mapped[code32] = mapped_column(default="")  # its reporting document

    __table_args__ = (
        UniqueConstraint("task_id", "revision", name="uq_task_revision"),
        Index("ix_task_revision_import", "import_id"),
    )


class TaskRejectedRow(Base):
    """A row of an import that was refused, with why in Vietnamese and English."""

    __tablename__ = "task_rejected_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("task_import.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    reason_vi: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text, default="")
