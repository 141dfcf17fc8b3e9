"""The briefings made: rows in the database, PDFs under OPS_DATA_DIR/briefings, the newest KEEP kept."""
from __future__ import annotations

import os
import socket
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from briefings.models import Briefing
from core.clock import utc_now, utc_to_local
from core.db import Database, transaction

KEEP = 60  # briefings kept (two months of daily ones); older rows and files are removed
STUCK_AFTER = timedelta(minutes=15)  # a run not finished by then died with its process
DIR_NAME = "briefings"


def directory(data_dir: Path) -> Path:
    """Where the PDFs live (created on first use)."""
    path = Path(data_dir) / DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def as_dict(row: Briefing) -> dict[str, Any]:
    """The public form (API, page): no file system path."""
    return {"id": row.id, "date": row.day.isoformat(), "trigger": row.trigger,
            "status": row.status, "progress": row.progress,
            "made_at": (utc_to_local(row.made_at).isoformat(timespec="seconds")
                        if row.made_at else None),
            "pages": [p for p in row.pages.split(",") if p], "page_count": row.page_count,
            "size": row.size, "requested_by": row.requested_by, "error": row.error or None}


def create(database: Database, day: date, pages: list[str], *, trigger: str = "manual",
           requested_by: str = "") -> int:
    """A queued briefing, owned by this process; its id."""
    with transaction(database.sessions) as s:
        row = Briefing(day=day, trigger=trigger, requested_by=requested_by[:100],
                       pages=",".join(pages), status="queued", worker=worker_name(),
                       claimed_at=utc_now())
        s.add(row)
        s.flush()
        return row.id


def daily_key(day: date) -> str:
    return f"daily:{day.isoformat()}"


def claim_daily(database: Database, day: date) -> int | None:
    """Claim the scheduled briefing of `day` for this process: its id, or None when another
    process has it (made, or being made and not stuck). The unique daily_key decides."""
    key = daily_key(day)
    try:
        with transaction(database.sessions) as s:
            row = Briefing(day=day, trigger="scheduled", daily_key=key, status="queued",
                           worker=worker_name(), claimed_at=utc_now())
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        pass
    with transaction(database.sessions) as s:
        row = s.scalar(select(Briefing).where(Briefing.daily_key == key))
        if row is None or row.status == "done":
            return None
        if row.status != "failed" and row.claimed_at > utc_now() - STUCK_AFTER:
            return None
        # Failed or stuck: take it over, compare-and-set on the claim time so one process wins.
        taken = s.execute(update(Briefing).where(
            Briefing.id == row.id, Briefing.claimed_at == row.claimed_at).values(
            status="queued", progress=0, error="", worker=worker_name(),
            claimed_at=utc_now()))
        return row.id if taken.rowcount == 1 else None


def daily_done(database: Database, day: date) -> bool:
    with database.sessions() as s:
        return s.scalar(select(Briefing.status).where(
            Briefing.daily_key == daily_key(day))) == "done"


def set_progress(database: Database, briefing_id: int, percent: int) -> None:
    with transaction(database.sessions) as s:
        s.execute(update(Briefing).where(Briefing.id == briefing_id).values(
            status="running", progress=max(0, min(99, percent)), claimed_at=utc_now()))


def finish(database: Database, briefing_id: int, *, path: str, page_count: int, size: int,
           pages: list[str]) -> None:
    with transaction(database.sessions) as s:
        s.execute(update(Briefing).where(Briefing.id == briefing_id).values(
            status="done", progress=100, path=path, page_count=page_count, size=size,
            pages=",".join(pages), made_at=utc_now(), error=""))


def fail(database: Database, briefing_id: int, error: str) -> None:
    with transaction(database.sessions) as s:
        s.execute(update(Briefing).where(Briefing.id == briefing_id).values(
            status="failed", error=error[:500]))


def get(database: Database, briefing_id: int) -> dict[str, Any] | None:
    with database.sessions() as s:
        row = s.get(Briefing, briefing_id)
        return as_dict(row) if row is not None else None


def file_of(database: Database, data_dir: Path, briefing_id: int) -> Path | None:
    """The PDF of a finished briefing, or None (unknown, not done, file gone)."""
    with database.sessions() as s:
        row = s.get(Briefing, briefing_id)
        if row is None or row.status != "done" or not row.path:
            return None
        path = directory(data_dir) / Path(row.path).name  # a bare name: never outside the dir
    return path if path.is_file() else None


def recent(database: Database, limit: int = KEEP) -> list[dict[str, Any]]:
    """The newest briefings first (by date, then id)."""
    with database.sessions() as s:
        rows = s.scalars(select(Briefing).order_by(Briefing.day.desc(), Briefing.id.desc())
                         .limit(max(1, min(limit, KEEP))))
        return [as_dict(r) for r in rows]


def prune(database: Database, data_dir: Path, keep: int = KEEP) -> int:
    """Remove all but the newest `keep` briefings (rows and files); how many were removed.
    Unfinished ones younger than STUCK_AFTER are left to finish."""
    cutoff = utc_now() - STUCK_AFTER
    with transaction(database.sessions) as s:
        ids = list(s.scalars(select(Briefing.id).order_by(Briefing.day.desc(),
                                                          Briefing.id.desc()).offset(keep)))
        old = [r for r in (s.get(Briefing, i) for i in ids) if r is not None
               and (r.status in ("done", "failed") or r.claimed_at < cutoff)]
        names = [r.path for r in old if r.path]
        for r in old:
            s.delete(r)
    folder = directory(data_dir)
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)
    return len(old)


def file_name(day: date, briefing_id: int, made: datetime) -> str:
    return f"ban-tin-{day.isoformat()}-{briefing_id}-{made:%H%M%S}.pdf"
