"""The write side: take a submission, store its good rows, quarantine the bad ones, revise.

Rules decided here (see also the README's ingest section):
- Identical value for a key as its latest revision: "unchanged", no new row. A different value:
  a new revision. The note does not take part in the comparison.
- Oversized payloads are recorded (who, when, size, sha256) but their bytes are not kept: the
  limit exists to bound what the database stores.
- Times: received_at and due_at are stored as naive UTC; periods and their deadlines are
  Viet Nam local time, converted with core.clock.
- Files are read within fixed limits (reporting.files); rows are checked by reporting.rows.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import periods
from core.bilingual import Bilingual, of_error
from core.clock import local_to_utc, utc_now, utc_to_local
from core.db import Database, lock_keys, transaction
from reporting.files import READERS, FileError, RawRow, detect_format, printable
from reporting.models import Agency, Observation, RejectedRow, Submission
from reporting.preview import Preview, classify
from reporting.rows import (
    Candidate,
    Rejection,
    UnknownAgency,
    load_context,
    reject_duplicates,
    unknown_agency,
    validate,
)

CHANNELS = ("cli", "api", "web", "simulator")
STORE_ATTEMPTS = 3  # a safety net only: writers of one key are serialised (db.lock_keys)




@dataclass
class IngestResult:
    """What happened to one submission."""

    submission_id: int
    status: str  # accepted | partial | rejected | duplicate
    accepted: int = 0  # valid rows: new + revised + unchanged
    rejected: list[Rejection] = field(default_factory=list)
    unchanged: int = 0
    revised: int = 0
    file_error: str = ""
    rows_total: int = 0
    rows_rejected: int = 0
    period: str = ""
    due_at: datetime | None = None
    on_time: bool | None = None
    too_large: bool = False
    indicators: tuple[str, ...] = ()  # codes of the valid rows (the read side forgets these)

    @property
    def created(self) -> int:
        """Rows stored as a first revision."""
        return self.accepted - self.unchanged - self.revised

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report (the API's response body)."""
        return {
            "submission_id": self.submission_id, "status": self.status,
            "rows_total": self.rows_total, "accepted": self.accepted, "created": self.created,
            "revised": self.revised, "unchanged": self.unchanged,
            "rows_rejected": self.rows_rejected, "file_error": self.file_error or None,
            "period": self.period or None,
            "due_at": self.due_at.isoformat(timespec="seconds") + "Z" if self.due_at else None,
            "on_time": self.on_time,
            "rejected": [r._asdict() for r in self.rejected],
        }


def _latest(session: Session, candidates: list[Candidate]) -> dict[tuple[str, str, str], Observation]:
    """The latest stored revision of every key in the submission."""
    if not candidates:
        return {}
    codes = sorted({c.indicator for c in candidates})
    labels = sorted({c.period.label for c in candidates})
    regions = sorted({c.region for c in candidates})  # with it, the unique index finds each key
    wanted = {c.key for c in candidates}
    stmt = select(Observation).where(Observation.indicator_code.in_(codes),
                                     Observation.region_code.in_(regions),
                                     Observation.period.in_(labels), Observation.is_latest)
    return {k: o for o in session.scalars(stmt)
            if (k := (o.indicator_code, o.region_code, o.period)) in wanted}


def _top_revisions(session: Session, candidates: list[Candidate]
                   ) -> dict[tuple[str, str, str], int]:
    """Highest stored revision of each key (withdrawals count: they are revisions too)."""
    if not candidates:
        return {}
    codes = sorted({c.indicator for c in candidates})
    labels = sorted({c.period.label for c in candidates})
    regions = sorted({c.region for c in candidates})  # with it, the unique index finds each key
    wanted = {c.key for c in candidates}
    stmt = (select(Observation.indicator_code, Observation.region_code, Observation.period,
                   func.max(Observation.revision))
            .where(Observation.indicator_code.in_(codes), Observation.region_code.in_(regions),
                   Observation.period.in_(labels))
            .group_by(Observation.indicator_code, Observation.region_code, Observation.period))
    return {(i, r, p): n for i, r, p, n in session.execute(stmt) if (i, r, p) in wanted}


def _store_rows(session: Session, submission: Submission, candidates: list[Candidate],
                source: str) -> tuple[int, int]:
    """Add new observations and revisions; returns (unchanged, revised)."""
    # Writers of the same keys queue here until this transaction ends, so each reads the latest
    # revision after the previous writer committed: revision numbers have no gaps or duplicates.
    lock_keys(session, sorted({(c.indicator, c.period.label) for c in candidates}))
    latest = _latest(session, candidates)
    # The next number follows the key's highest revision, not its latest one: after a withdrawal
    # an older revision is latest again, or none is, while the newer numbers are taken.
    before = _top_revisions(session, [c for c in candidates if c.key not in latest
                                      or latest[c.key].value != c.value])
    unchanged = revised = 0
    for c in candidates:
        old = latest.get(c.key)
        if old is not None and old.value == c.value:
            unchanged += 1
            continue
        if old is not None:
            old.is_latest = False
            revised += 1
            # Flush the demotion first so at no moment two rows of one key claim to be latest.
            session.flush()
        session.add(Observation(
            indicator_code=c.indicator, region_code=c.region, period=c.period.label,
            period_start=c.period.start, value=c.value, source=source,
            revision=before.get(c.key, 0) + 1,
            is_latest=True,
            submission_id=submission.id, received_at=submission.received_at, note=c.note))
    return unchanged, revised


def _reporting_period(candidates: list[Candidate], received_at: datetime
                      ) -> tuple[str, datetime | None, bool | None]:
    """The submission's period when all accepted rows share one, its due time and punctuality."""
    found = {c.period for c in candidates}
    if len(found) != 1:
        return "", None, None
    period = found.pop()
    due = local_to_utc(periods.due_at(period))
    return period.label, due, received_at <= due


def _status(accepted: int, rejected_rows: int, changed: int) -> str:
    if accepted == 0:
        return "rejected"
    if rejected_rows:
        return "partial"
    return "accepted" if changed else "duplicate"


@dataclass(frozen=True)
class Arrival:
    """Who sent what, when and how: everything recorded about a submission whatever happens."""

    agency: str
    channel: str
    filename: str
    content_type: str
    payload: bytes
    sha256: str
    received_at: datetime

    def submission(self, **fields: Any) -> Submission:
        return Submission(agency_code=self.agency, channel=self.channel,
                          filename=printable(self.filename)[:255],
                          content_type=printable(self.content_type)[:100],
                          sha256=self.sha256, payload=self.payload,
                          received_at=self.received_at, **fields)


def _record_file_error(database: Database, arrival: Arrival, error: str,
                       too_large: bool = False) -> IngestResult:
    with transaction(database.sessions) as session:
        if session.get(Agency, arrival.agency) is None:
            raise UnknownAgency(unknown_agency(arrival.agency))
        sub = arrival.submission(status="rejected", error=error)
        session.add(sub)
        session.flush()
        session.add(RejectedRow(submission_id=sub.id, row_number=0, field="file", reason=error))
        sub_id = sub.id
    return IngestResult(sub_id, "rejected", rejected=[Rejection(0, "file", error)],
                        file_error=error, too_large=too_large)


def check_rows(session: Session, agency: str, received_at: datetime, rows: list[RawRow]
               ) -> tuple[list[Candidate], list[Rejection]]:
    """Every row validated against the reference data: the rows to store and every refusal
    (by row number). Reads only; the store and the dry run (preview) both start here."""
    ctx = load_context(session, agency, utc_to_local(received_at))
    candidates: list[Candidate] = []
    rejected: list[Rejection] = []
    for row in rows:
        outcome = validate(row, ctx)
        if isinstance(outcome, Candidate):
            candidates.append(outcome)
        else:
            rejected.extend(outcome)
    candidates, duplicates = reject_duplicates(candidates)
    return candidates, sorted(rejected + duplicates, key=lambda r: r.row)


def _store(database: Database, arrival: Arrival, rows: list[RawRow]) -> IngestResult:
    """Validate and store in one transaction: good rows, quarantined rows and the submission."""
    source = "simulated" if arrival.channel == "simulator" else "submitted"
    with transaction(database.sessions) as session:
        candidates, rejected = check_rows(session, arrival.agency, arrival.received_at, rows)
        raw_of = {r.number: r.raw for r in rows}
        rejected_rows = len({r.row for r in rejected})
        period, due, on_time = _reporting_period(candidates, arrival.received_at)
        sub = arrival.submission(status="rejected", period=period, due_at=due, on_time=on_time,
                                 rows_total=len(rows), rows_accepted=len(candidates),
                                 rows_rejected=rejected_rows)
        session.add(sub)
        session.flush()
        unchanged, revised = _store_rows(session, sub, candidates, source)
        sub.status = _status(len(candidates), rejected_rows, len(candidates) - unchanged)
        if rejected:  # one executemany, not an ORM object per row (files may have 10,000)
            session.execute(insert(RejectedRow), [
                {"submission_id": sub.id, "row_number": r.row, "field": r.field,
                 "reason": r.reason, "raw": raw_of.get(r.row, "")} for r in rejected])
        return IngestResult(sub.id, sub.status, accepted=len(candidates), rejected=rejected,
                            unchanged=unchanged, revised=revised, rows_total=len(rows),
                            rows_rejected=rejected_rows, period=period, due_at=due,
                            on_time=on_time,
                            indicators=tuple(sorted({c.indicator for c in candidates})))


def ingest_bytes(database: Database, payload: bytes, *, filename: str, agency: str,
                 channel: str, content_type: str = "", received_at: datetime | None = None,
                 max_bytes: int | None = None) -> IngestResult:
    """Validate one submission and store what is good; the single path of CLI, API and simulator.

    Raises UnknownAgency when the agency does not exist (nothing can be recorded for it).
    """
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    payload = bytes(payload)
    arrival = Arrival(agency, channel, filename, content_type, payload,
                      hashlib.sha256(payload).hexdigest(), received_at or utc_now())
    if max_bytes is not None and len(payload) > max_bytes:
        return reject_oversize(database, arrival, len(payload), max_bytes)
    rows = read_rows(payload, filename, content_type)
    if isinstance(rows, str):
        return _record_file_error(database, arrival, rows)
    for attempt in range(STORE_ATTEMPTS):
        try:
            return _store(database, arrival, rows)
        except (IntegrityError, OperationalError):
            # Key locks make a revision race impossible; what remains is a transient refusal
            # (SQLite busy beyond its timeout, a dropped connection), which succeeds when redone.
            if attempt == STORE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def read_rows(payload: bytes, filename: str, content_type: str) -> list[RawRow] | Bilingual:
    """The file's rows, or the one file-level error (a Bilingual) that refuses it whole."""
    if not payload.strip():
        return Bilingual("tệp trống", "the file is empty")
    fmt = detect_format(filename, content_type, payload)
    try:
        rows = READERS[fmt](payload)
        if not rows:
            raise FileError(Bilingual("tệp có dòng tiêu đề nhưng không có dòng số liệu",
                                      "the file has a header but no data rows"))
    except FileError as exc:
        return of_error(exc).prefixed(f"{fmt.upper()}: ")
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        # A parser's own limit we did not foresee: still the sender's file, still recorded.
        name = exc.__class__.__name__
        return Bilingual(f"{fmt.upper()}: không đọc được tệp ({name})",
                         f"{fmt.upper()}: the file cannot be read ({name})")
    return rows


def oversize(size: int | None, max_bytes: int) -> Bilingual:
    """The refusal of a payload over the upload limit (size None: not known)."""
    return Bilingual(
        f"{f'{size} byte' if size is not None else 'tệp'} vượt giới hạn tải lên {max_bytes} byte",
        f"{f'{size} bytes' if size is not None else 'the file'} exceeds the upload limit of "
        f"{max_bytes} bytes")


def dry_run(database: Database, payload: bytes, *, filename: str, agency: str,
            content_type: str = "", received_at: datetime | None = None,
            max_bytes: int | None = None) -> Preview:
    """What ingest_bytes would do with this payload, writing nothing: the same reading, row
    checks and comparison with the stored latest values, in a session that only reads.

    Raises UnknownAgency as ingest_bytes does.
    """
    payload = bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    if max_bytes is not None and len(payload) > max_bytes:
        return Preview(digest, file_error=oversize(len(payload), max_bytes), too_large=True)
    rows = read_rows(payload, filename, content_type)
    if isinstance(rows, str):
        with database.sessions() as session:
            if session.get(Agency, agency) is None:
                raise UnknownAgency(unknown_agency(agency))
        return Preview(digest, file_error=rows)
    with database.sessions() as session:
        candidates, rejected = check_rows(session, agency, received_at or utc_now(), rows)
        latest = {k: o.value for k, o in _latest(session, candidates).items()}
        session.rollback()  # nothing was written; said so explicitly
    return classify(digest, len(rows), candidates, rejected, latest,
                    {r.number: r.raw for r in rows})


def submitted_since(database: Database, agency: str, sha256: str, channel: str,
                    since: datetime) -> int | None:
    """The first submission of these exact bytes for the agency on the channel received at or
    after `since` (naive UTC), if any: a web preview is stored at most once."""
    with database.sessions() as session:
        return session.scalar(
            select(Submission.id).where(Submission.agency_code == agency,
                                        Submission.sha256 == sha256,
                                        Submission.channel == channel,
                                        Submission.received_at >= since)
            .order_by(Submission.id).limit(1))


def reject_oversize(database: Database, arrival: Arrival, size: int | None,
                    max_bytes: int) -> IngestResult:
    """Record a payload over the limit without keeping its bytes (the limit bounds storage)."""
    error = oversize(size, max_bytes)
    kept = Arrival(arrival.agency, arrival.channel, arrival.filename, arrival.content_type,
                   b"", arrival.sha256, arrival.received_at)
    return _record_file_error(database, kept, error, too_large=True)


def unread_arrival(agency: str, channel: str, filename: str = "",
                   content_type: str = "") -> Arrival:
    """An Arrival stamped now whose bytes were refused unread (so it has no hash either)."""
    return Arrival(agency, channel, filename, content_type, b"", "", utc_now())


