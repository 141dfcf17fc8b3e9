"""The write side: parse CSV/JSON/XLSX submissions, validate rows, store, quarantine and revise.

Rules decided here (see also the README's ingest section):
- Numbers use '.' as the decimal separator. '1,5' is rejected ("use '.' as the decimal
  separator") because in Vietnamese style '1.500' is fifteen hundred and '1,5' one and a half,
  while English style reads them the other way round: guessing would silently store a wrong value.
- Two rows of one submission with the same (indicator, region, period) are both rejected: we
  cannot tell which of them the sender meant.
- Identical value for a key as its latest revision: "unchanged", no new row. A different value:
  a new revision. The note does not take part in the comparison.
- Row numbers are what a person sees: CSV and XLSX count the header as row 1; JSON counts the
  objects of the list from 1.
- Oversized payloads are recorded (who, when, size, sha256) but their bytes are not kept: the
  limit exists to bound what the database stores.
- Times: received_at and due_at are stored as naive UTC; periods and their deadlines are
  Viet Nam local time, converted with core.clock.
- Files are bounded before and while they are parsed (MAX_* below): the zip members' unzipped
  sizes are checked before a workbook is opened, rows, columns and cell lengths while rows are
  streamed, so one submission never holds more than about MEMORY_BOUND_MIB of memory whatever
  it declares. Over a limit: one file-level error, recorded with the raw payload.
- Periods must be reportable at the time of receipt (data.periods.check_reportable): no
  December 2099 in 2026. Control characters (NUL ...) are refused in every field.
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import periods
from core.clock import local_to_utc, utc_now, utc_to_local
from core.db import Database, lock_keys, transaction
from reporting.models import Agency, Indicator, Observation, Region, RejectedRow, Submission

REQUIRED = ("indicator", "region", "period", "value")
OPTIONAL = ("note",)
CHANNELS = ("cli", "api", "simulator")
RAW_LIMIT = 2000  # characters of a quarantined row kept for display
STORE_ATTEMPTS = 3  # a safety net only: writers of one key are serialised (db.lock_keys)

XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
JSON_TYPES = {"application/json", "text/json"}
CSV_TYPES = {"text/csv", "application/csv", "text/comma-separated-values"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")

# Bounds on what one submission may hold (see the module docstring). 34 provinces x 200
# indicators is 6,800 rows, so 10,000 leaves room; 5 columns are used, 16 tolerate a few extra.
MAX_ROWS = 10_000  # lines/rows read, header and blank ones included
MAX_COLUMNS = 16
MAX_CELL_CHARS = 1_000
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024  # every member of an .xlsx together, as declared
MAX_ZIP_MEMBERS = 200
DUPLICATES_NAMED = 5  # other rows named in a duplicate-key rejection
MAX_JSON_VALUES = MAX_ROWS * (MAX_COLUMNS + 1)  # objects and numbers in one JSON document
MEMORY_BOUND_MIB = 96  # measured peak per submission stays below this (tests/reporting/test_limits)
ZIP_MAGIC = b"PK\x03\x04"
# C0/C1 control characters; tab, line feed and carriage return are allowed in notes only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class UnknownAgency(ValueError):
    """The sending agency is not in the Agency table, so nothing can be recorded for it."""


class FileError(ValueError):
    """The whole file is unusable: one clear message, no row-level report."""


class Rejection(NamedTuple):
    """One reason a row was refused; row 0 means the whole file."""

    row: int
    field: str
    reason: str


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


@dataclass(frozen=True)
class RawRow:
    """One data row as read from the file, before validation."""

    number: int
    cells: dict[str, Any]
    raw: str
    problem: str = ""  # a structural problem found while reading (wrong cell count ...)


@dataclass(frozen=True)
class Candidate:
    """A row that passed validation, ready to store."""

    number: int
    indicator: str
    region: str
    period: periods.Period
    value: float
    note: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.region, self.period.label)


# --- reading the three formats ---------------------------------------------------------------

def detect_format(filename: str, content_type: str, payload: bytes) -> str:
    """csv | json | xlsx: a zip is a workbook whatever it claims; then the declared content
    type, the file extension, and sniffing."""
    if payload.startswith(ZIP_MAGIC):
        return "xlsx"  # an .xlsx sent as text/csv: read it as what it is, not "not UTF-8"
    mime = content_type.split(";")[0].strip().lower()
    if mime in XLSX_TYPES:
        return "xlsx"
    if mime in JSON_TYPES:
        return "json"
    if mime in CSV_TYPES:
        return "csv"
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".json", ".csv"):
        return suffix[1:]
    return sniff(payload)


def sniff(payload: bytes) -> str:
    """Guess the format from the first bytes: a zip is a workbook, '[' or '{' starts JSON."""
    if payload.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = payload[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
    return "json" if head[:1] in (b"[", b"{") else "csv"


def _decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"the file is not UTF-8 text (undecodable byte at offset {exc.start})") \
            from None


def _header(names: Iterable[Any]) -> list[str]:
    """Normalised column names; refuses missing required and repeated columns."""
    header = ["" if n is None else str(n).strip().lower() for n in names]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError(f"missing required column(s): {', '.join(missing)} "
                        f"(expected {','.join(REQUIRED)} and optional note)")
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise FileError(f"repeated column(s): {', '.join(repeated)}")
    return header


def printable(text: str) -> str:
    """Text safe to store in any database and show: control characters as \\xNN escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _csv_line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(["" if c is None else c for c in cells])
    return printable(out.getvalue()[:RAW_LIMIT])


def _check_cells(number: int, cells: list[Any]) -> None:
    """The per-row limits: column count and cell length (a file-level error when broken)."""
    if len(cells) > MAX_COLUMNS:
        while len(cells) > MAX_COLUMNS and cells[-1] in (None, ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise FileError(f"row {number} has {len(cells)} columns; at most {MAX_COLUMNS} "
                            "are read")
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise FileError(f"row {number} has a cell of {len(cell)} characters; at most "
                            f"{MAX_CELL_CHARS} are allowed")


def _bounded(records: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Pass rows through while they stay within MAX_ROWS, MAX_COLUMNS and MAX_CELL_CHARS."""
    for count, (number, cells) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise FileError(f"the file has more than {MAX_ROWS} rows; send at most "
                            f"{MAX_ROWS} rows per submission")
        cells = list(cells)
        _check_cells(number, cells)
        yield number, cells


def _table_rows(records: Iterable[tuple[int, list[Any]]]) -> list[RawRow]:
    """Rows of a header-first table (CSV, XLSX); blank rows are skipped but keep their number."""
    iterator = _bounded(records)
    header_found = None
    for _, cells in iterator:
        if any(c not in (None, "") for c in cells):
            header_found = _header(cells)
            break
    if header_found is None:
        raise FileError("the file is empty (no header row)")
    out = []
    for number, cells in iterator:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        # Trailing empty cells (common in spreadsheets) are not extra data.
        while len(cells) > len(header_found) and cells[-1] in (None, ""):
            cells = cells[:-1]
        problem = ""
        if len(cells) > len(header_found):
            problem = f"row has {len(cells)} cells but the header has {len(header_found)}"
        values = dict(zip(header_found, cells, strict=False))  # short rows: fields missing
        out.append(RawRow(number, {k: v for k, v in values.items() if k}, _csv_line(cells),
                          problem))
    return out


def read_csv(payload: bytes) -> list[RawRow]:
    """CSV, UTF-8 with or without BOM; row numbers count the header as row 1."""
    text = _decode(payload)
    reader = csv.reader(io.StringIO(text, newline=""))
    # csv's own field limit (131,072 by default) is far above ours; keep the error ours.
    records = ((n, cells) for n, cells in enumerate(reader, start=1))
    try:
        return _table_rows(records)
    except csv.Error as exc:
        raise FileError(f"malformed CSV near line {reader.line_num}: {exc}") from None


def read_json(payload: bytes) -> list[RawRow]:
    """A JSON list of objects, or {"rows": [...]}; rows are numbered from 1."""
    text = _decode(payload)
    counter = _JsonBudget()
    try:
        data = json.loads(text, object_pairs_hook=counter.object, parse_int=counter.integer,
                          parse_float=counter.number)
    except json.JSONDecodeError as exc:
        raise FileError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") \
            from None
    except RecursionError:
        raise FileError("malformed JSON: nested too deeply") from None
    if isinstance(data, _Keys) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise FileError('JSON must be a list of row objects or {"rows": [...]}')
    if not data:
        raise FileError("the file is empty (no rows)")
    if len(data) > MAX_ROWS:
        raise FileError(f"the file has more than {MAX_ROWS} rows; send at most {MAX_ROWS} rows "
                        "per submission")
    objects = [item for item in data if isinstance(item, dict)]
    present = {str(k).strip().lower() for item in objects for k in item}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise FileError(f"missing required field(s) in every row: {', '.join(missing)}")
    return [_json_row(number, item) for number, item in enumerate(data, start=1)]


class _Keys(dict):  # type: ignore[type-arg]
    """A JSON object, remembering the keys that were repeated (in any letter case)."""

    repeated: tuple[str, ...] = ()


class _JsonBudget:
    """Hooks for json.loads: count objects and numbers as they are built (MAX_JSON_VALUES),
    refuse keys repeated in any letter case, and never build an int of thousands of digits."""

    def __init__(self) -> None:
        self.values = 0

    def _count(self) -> None:
        self.values += 1
        if self.values > MAX_JSON_VALUES:
            raise FileError(f"the JSON document has more than {MAX_JSON_VALUES} objects and "
                            "numbers")

    def object(self, pairs: list[tuple[str, Any]]) -> _Keys:
        self._count()
        out = _Keys(pairs)
        names = [k.strip().lower() for k, _ in pairs]
        if len(set(names)) != len(names):
            out.repeated = tuple(sorted({k for k, _ in pairs
                                         if names.count(k.strip().lower()) > 1}))
        return out

    def integer(self, text: str) -> Any:
        self._count()
        # int() refuses more than 4,300 digits with a ValueError; no sane value has 300.
        return int(text) if len(text) <= 300 else _LongNumber(text)

    def number(self, text: str) -> Any:
        self._count()
        return float(text) if len(text) <= 300 else _LongNumber(text)


class _LongNumber(str):
    """A JSON number too long to be a value; validation refuses it with its length."""


def _json_row(number: int, item: Any) -> RawRow:
    raw = printable(json.dumps(item, ensure_ascii=False, default=str)[:RAW_LIMIT])
    if not isinstance(item, dict):
        return RawRow(number, {}, raw, "row is not a JSON object")
    repeated = getattr(item, "repeated", ())
    if repeated:
        return RawRow(number, {}, raw, "field repeated in one object (keys are not case-"
                                       f"sensitive): {', '.join(repeated)}")
    cells = {str(k).strip().lower(): v for k, v in item.items()}
    if len(cells) > MAX_COLUMNS:
        return RawRow(number, {}, raw, f"row has {len(cells)} fields; at most {MAX_COLUMNS}")
    for key, value in cells.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return RawRow(number, {}, raw, f"field '{key[:40]}' has {len(value)} characters; "
                                           f"at most {MAX_CELL_CHARS}")
    return RawRow(number, cells, raw)


def read_xlsx(payload: bytes) -> list[RawRow]:
    """First sheet of an .xlsx workbook, cached values only: formulas are never evaluated."""
    from openpyxl import load_workbook  # imported lazily: only XLSX submissions need it

    check_zip(payload)
    try:
        book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged input; all mean "bad file"
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    try:
        if not book.worksheets:
            raise FileError("the workbook has no sheet")
        sheet = book.worksheets[0]
        # The declared dimension (A1:XFD3000 ...) is the sender's claim: ignore it, so rows are
        # as wide as their own cells and arrive one at a time.
        sheet.reset_dimensions()
        return _table_rows(enumerate(sheet.iter_rows(values_only=True), start=1))
    except FileError:
        raise
    except Exception as exc:  # same reason as above, for a damaged sheet inside a valid zip
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    finally:
        book.close()


def check_zip(payload: bytes) -> None:
    """Refuse a workbook whose members would unzip past MAX_UNZIPPED_BYTES, before reading any.

    zipfile stops reading a member at its declared size (and fails its CRC if the data goes
    on), so the declared sizes bound what openpyxl can inflate.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileError(f"the workbook has {len(members)} parts; at most {MAX_ZIP_MEMBERS}")
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        raise FileError(f"the workbook unzips to {total} bytes; at most {MAX_UNZIPPED_BYTES} "
                        f"({MAX_UNZIPPED_BYTES // 2**20} MiB) are read")


READERS = {"csv": read_csv, "json": read_json, "xlsx": read_xlsx}


# --- validating rows -------------------------------------------------------------------------

@dataclass
class Context:
    """Reference data one submission is checked against, loaded once per submission."""

    agency: Agency
    indicators: dict[str, Indicator]
    regions: set[str]
    now: datetime | None = None  # local time of receipt: the latest reportable periods


def load_context(session: Session, agency_code: str, now: datetime | None = None) -> Context:
    agency = session.get(Agency, agency_code)
    if agency is None:
        raise UnknownAgency(f"unknown agency '{agency_code}'")
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    regions = set(session.scalars(select(Region.code)))
    return Context(agency, indicators, regions, now)


def _text(value: Any) -> str | None:
    """A cell as text; None for structures (lists/objects) that cannot be a code."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_value(value: Any) -> float:
    """A finite number from a cell; raises ValueError with a readable reason."""
    if isinstance(value, _LongNumber):
        raise ValueError(f"a number of {len(value)} characters is not a plausible value")
    if isinstance(value, (bool, dict, list)):
        raise ValueError(f"not a number: {json.dumps(value, default=str)[:40]}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError("empty")
        if _NUMBER.match(text):
            number = float(text)
        elif "," in text and _COMMA_NUMBER.match(text):
            raise ValueError(f"use '.' as the decimal separator and no thousands separator "
                             f"(got '{text[:40]}')")
        else:
            raise ValueError(f"not a number: '{text[:40]}'")
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {number}")
    return number


def _period_text(value: Any, frequency: str) -> str | None:
    """Spreadsheets turn '2026-10' into a date; map a period's first instant back to its label."""
    if isinstance(value, date):  # datetime is a date too
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                    value.day)
        try:
            period = periods.of(moment, frequency)
        except (ValueError, KeyError):
            return moment.isoformat()
        return period.label if period.start == moment else moment.isoformat()
    return _text(value)


def _permission(ctx: Context, ind: Indicator, region: str) -> tuple[str, str] | None:
    """(field, reason) when this agency may not report this indicator for this region."""
    agency = ctx.agency
    if ind.agency_code == agency.code:
        return None
    if agency.code.startswith("T34_") and agency.region_code:
        if not ind.by_province:
            return ("indicator", f"{ind.code} is reported by {ind.agency_code}, "
                                 f"not by provinces")
        if region != agency.region_code:
            return ("region", f"{agency.code} may report only its own region "
                              f"{agency.region_code}, not '{region}'")
        return None
    return ("indicator", f"{ind.code} is reported by {ind.agency_code}, not {agency.code}")


def validate(row: RawRow, ctx: Context) -> Candidate | list[Rejection]:
    """Check one row; a Candidate, or every reason it is refused."""
    errors: list[Rejection] = []
    n = row.number
    if row.problem:
        return [Rejection(n, "row", row.problem)]
    cells = row.cells
    missing = [c for c in REQUIRED if c not in cells]
    if missing:
        return [Rejection(n, c, "missing") for c in missing]
    for name, cell in cells.items():
        if name in REQUIRED + OPTIONAL and isinstance(cell, str):
            found = (_CONTROL if name == "note" else _CONTROL_ANY).search(cell)
            if found:
                errors.append(Rejection(n, name, f"control character "
                                                 f"U+{ord(found.group()):04X} "
                                                 f"({unicodedata.name(found.group(), 'control')})"
                                                 " is not allowed"))
    if errors:
        return errors

    code = _text(cells["indicator"])
    ind = ctx.indicators.get((code or "").upper())
    if ind is None:
        reason = "must be text" if code is None else "empty" if not code else \
            f"unknown indicator '{code[:40]}'"
        errors.append(Rejection(n, "indicator", reason))

    region = _text(cells["region"])
    if isinstance(cells["region"], int) and not isinstance(cells["region"], bool):
        region = f"{cells['region']:02d}"  # a spreadsheet turned '01' into the number 1
    region = (region or "").upper()
    if region not in ctx.regions:
        errors.append(Rejection(n, "region", f"unknown region '{region[:40]}' (VN or a "
                                             f"province code)" if region else "empty"))

    period = None
    frequency = ind.frequency if ind is not None else None
    period_text = _period_text(cells["period"], frequency or "monthly")
    if not period_text:
        errors.append(Rejection(n, "period", "empty"))
    else:
        try:
            period = periods.parse(period_text, frequency)
            if ctx.now is not None:
                periods.check_reportable(period, ctx.now)
        except periods.PeriodError as exc:
            errors.append(Rejection(n, "period", str(exc)))

    value = None
    try:
        value = parse_value(cells["value"])
    except ValueError as exc:
        errors.append(Rejection(n, "value", str(exc)))
    if value is not None and ind is not None and not ind.min_value <= value <= ind.max_value:
        errors.append(Rejection(n, "value", f"{value:g} is outside the plausible range "
                                            f"{ind.min_value:g}..{ind.max_value:g} {ind.unit}"))

    if ind is not None and region in ctx.regions:
        denied = _permission(ctx, ind, region)
        if denied:
            errors.append(Rejection(n, *denied))

    note = _text(cells.get("note"))
    if note is None:
        errors.append(Rejection(n, "note", "must be text"))
    if errors:
        return errors
    assert ind is not None and period is not None and value is not None
    return Candidate(n, ind.code, region, period, value, note or "")


def reject_duplicates(candidates: list[Candidate]) -> tuple[list[Candidate], list[Rejection]]:
    """Drop every row whose key appears more than once in the submission."""
    seen: dict[tuple[str, str, str], list[int]] = {}
    for c in candidates:
        seen.setdefault(c.key, []).append(c.number)
    keep, rejected = [], []
    for c in candidates:
        numbers = seen[c.key]
        if len(numbers) == 1:
            keep.append(c)
            continue
        # Name a few of the other rows, not all: 10,000 copies of one row would otherwise make
        # 10,000 reasons of 10,000 numbers each (quadratic time and memory).
        others = [str(x) for x in itertools.islice((x for x in numbers if x != c.number),
                                                   DUPLICATES_NAMED)]
        more = len(numbers) - 1 - len(others)
        named = ", ".join(others) + (f" and {more} more" if more else "")
        rejected.append(Rejection(c.number, "row", f"same indicator, region and period as "
                                                   f"row {named}: both refused"))
    return keep, rejected


# --- storing ---------------------------------------------------------------------------------

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


def _withdrawn_revisions(session: Session, candidates: list[Candidate]
                         ) -> dict[tuple[str, str, str], int]:
    """Highest revision of keys that have rows but no latest one (a withdrawn value)."""
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
    fresh = [c for c in candidates if c.key not in latest]
    # A key without a latest revision may still have history (withdrawn): continue its numbers.
    before = _withdrawn_revisions(session, fresh)
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
            revision=(old.revision + 1) if old is not None else before.get(c.key, 0) + 1,
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
            raise UnknownAgency(f"unknown agency '{arrival.agency}'")
        sub = arrival.submission(status="rejected", error=error)
        session.add(sub)
        session.flush()
        session.add(RejectedRow(submission_id=sub.id, row_number=0, field="file", reason=error))
        sub_id = sub.id
    return IngestResult(sub_id, "rejected", rejected=[Rejection(0, "file", error)],
                        file_error=error, too_large=too_large)


def _store(database: Database, arrival: Arrival, rows: list[RawRow]) -> IngestResult:
    """Validate and store in one transaction: good rows, quarantined rows and the submission."""
    source = "simulated" if arrival.channel == "simulator" else "submitted"
    with transaction(database.sessions) as session:
        ctx = load_context(session, arrival.agency, utc_to_local(arrival.received_at))
        candidates: list[Candidate] = []
        rejected: list[Rejection] = []
        raw_of = {r.number: r.raw for r in rows}
        for row in rows:
            outcome = validate(row, ctx)
            if isinstance(outcome, Candidate):
                candidates.append(outcome)
            else:
                rejected.extend(outcome)
        candidates, duplicates = reject_duplicates(candidates)
        rejected = sorted(rejected + duplicates, key=lambda r: r.row)
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
                            on_time=on_time)


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
    if not payload.strip():
        return _record_file_error(database, arrival, "the file is empty")
    fmt = detect_format(filename, content_type, payload)
    try:
        rows = READERS[fmt](payload)
        if not rows:
            raise FileError("the file has a header but no data rows")
    except FileError as exc:
        return _record_file_error(database, arrival, f"{fmt.upper()}: {exc}")
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        # A parser's own limit we did not foresee: still the sender's file, still recorded.
        return _record_file_error(database, arrival, f"{fmt.upper()}: the file cannot be read "
                                                     f"({exc.__class__.__name__})")
    for attempt in range(STORE_ATTEMPTS):
        try:
            return _store(database, arrival, rows)
        except (IntegrityError, OperationalError):
            # Key locks make a revision race impossible; what remains is a transient refusal
            # (SQLite busy beyond its timeout, a dropped connection), which succeeds when redone.
            if attempt == STORE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def reject_oversize(database: Database, arrival: Arrival, size: int | None,
                    max_bytes: int) -> IngestResult:
    """Record a payload over the limit without keeping its bytes (the limit bounds storage)."""
    shown = f"{size} bytes" if size is not None else "the file"
    error = f"{shown} exceeds the upload limit of {max_bytes} bytes"
    kept = Arrival(arrival.agency, arrival.channel, arrival.filename, arrival.content_type,
                   b"", arrival.sha256, arrival.received_at)
    return _record_file_error(database, kept, error, too_large=True)


def unread_arrival(agency: str, channel: str, filename: str = "",
                   content_type: str = "") -> Arrival:
    """An Arrival stamped now whose bytes were refused unread (so it has no hash either)."""
    return Arrival(agency, channel, filename, content_type, b"", "", utc_now())


# --- the command line ------------------------------------------------------------------------

def format_report(result: IngestResult, agency: str, filename: str) -> str:
    """A readable report of one submission for the terminal."""
    lines = [f"Submission {result.submission_id} from {agency} ({filename}): {result.status}"]
    if result.file_error:
        lines.append(f"  file refused: {result.file_error}")
        return "\n".join(lines)
    lines.append(f"  rows: {result.rows_total}, accepted: {result.accepted} (new "
                 f"{result.created}, revised {result.revised}, unchanged {result.unchanged}), "
                 f"rejected: {result.rows_rejected}")
    if result.period:
        punctual = "on time" if result.on_time else "late"
        lines.append(f"  period: {result.period}, due {result.due_at:%Y-%m-%d %H:%M} UTC, "
                     f"{punctual}")
    if result.rejected:
        width = max(len(r.field) for r in result.rejected)
        lines.append(f"  {'ROW':>5}  {'FIELD':<{width}}  REASON")
        lines += [f"  {r.row:>5}  {r.field:<{width}}  {r.reason}" for r in result.rejected]
    return "\n".join(lines)


def _read_file(path: Path, max_bytes: int) -> bytes:
    # Read one byte past the limit: enough to know it is too large without loading it all.
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def cli_ingest(database: Database, file: str, agency: str, *,
               max_bytes: int | None = None) -> int:
    """`python -m data ingest FILE --agency CODE`: 0 when every row was accepted, else 1."""
    if max_bytes is None:
        from settings import from_env  # read now, not at import: tests set the environment

        max_bytes = from_env().max_upload_bytes
    path = Path(file)
    try:
        size = path.stat().st_size
        payload = _read_file(path, max_bytes)
    except OSError as exc:
        print(f"error: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        if size > max_bytes:
            result = reject_oversize(database, unread_arrival(agency, "cli", path.name), size,
                                     max_bytes)
        else:
            result = ingest_bytes(database, payload, filename=path.name, agency=agency,
                                  channel="cli", max_bytes=max_bytes)
    except UnknownAgency as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_report(result, agency, path.name))
    return 1 if (result.file_error or result.rejected) else 0
