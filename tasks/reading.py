"""Reading a tracking-system export (CSV, XLSX, JSON) into numbered rows, within limits.

The format detection, the workbook's zip check and the printable raw text are the indicator
ingest's (reporting.ingest); the header and the limits are this domain's: an export of a
year's tasks has up to ~25,000 rows, so the row limit is higher than a monthly submission's.
Every limit is checked while reading, before anything is validated or stored.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reporting.files import MAX_CELL_CHARS, FileError, check_zip, detect_format, printable

COLUMNS = ("document", "document_kind", "document_date", "assigned_by", "task_no", "content",
           "lead_agency", "deadline", "completed_on", "key", "theme", "meeting")
REQUIRED = ("document", "document_kind", "document_date", "assigned_by", "task_no", "content",
            "lead_agency")
OPTIONAL = ("progress", "report_document")  # an agency's progress report, when it has one
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 30_000  # a year of tasks at the 2017 peak (~25,000) in one file
MAX_COLUMNS = 24
RAW_LIMIT = 2000

__all__ = ["COLUMNS", "FileError", "RawRow", "read", "MAX_BYTES", "MAX_ROWS"]


@dataclass(frozen=True)
class RawRow:
    """One data row as read; row numbers are what a person sees (the header is row 1)."""

    number: int
    cells: dict[str, Any]
    raw: str
    problem: str = ""


def _header(names: Iterable[Any]) -> list[str]:
    header = ["" if n is None else str(n).strip().lower() for n in names]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError(f"missing required column(s): {', '.join(missing)} "
                        f"(expected {','.join(COLUMNS)})")
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise FileError(f"repeated column(s): {', '.join(repeated)}")
    return header


def _bounded(records: Iterable[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(records, start=1):
        if number > MAX_ROWS:
            raise FileError(f"the file has more than {MAX_ROWS} rows; send at most {MAX_ROWS}")
        cells = list(cells)
        while len(cells) > MAX_COLUMNS and cells[-1] in (None, ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise FileError(f"row {number} has {len(cells)} columns; at most {MAX_COLUMNS}")
        for cell in cells:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise FileError(f"row {number} has a cell of {len(cell)} characters; at most "
                                f"{MAX_CELL_CHARS}")
        yield number, cells


def _raw(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(["" if c is None else c for c in cells])
    return printable(out.getvalue()[:RAW_LIMIT])


def _table(records: Iterable[list[Any]]) -> list[RawRow]:
    rows = _bounded(records)
    header = None
    for _, cells in rows:
        if any(c not in (None, "") for c in cells):
            header = _header(cells)
            break
    if header is None:
        raise FileError("the file is empty (no header row)")
    out = []
    for number, cells in rows:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        while len(cells) > len(header) and cells[-1] in (None, ""):
            cells = cells[:-1]
        problem = (f"row has {len(cells)} cells but the header has {len(header)}"
                   if len(cells) > len(header) else "")
        values = dict(zip(header, cells, strict=False))
        out.append(RawRow(number, {k: v for k, v in values.items() if k}, _raw(cells), problem))
    return out


def _text(payload: bytes) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"the file is not UTF-8 text (undecodable byte at offset {exc.start})") \
            from None


def read_csv(payload: bytes) -> list[RawRow]:
    reader = csv.reader(io.StringIO(_text(payload), newline=""))
    try:
        return _table(reader)
    except csv.Error as exc:
        raise FileError(f"malformed CSV near line {reader.line_num}: {exc}") from None


def read_xlsx(payload: bytes) -> list[RawRow]:
    """First sheet, cached values only (formulas are never evaluated)."""
    from openpyxl import load_workbook

    check_zip(payload)
    try:
        book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged input; all mean "bad file"
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    try:
        if not book.worksheets:
            raise FileError("the workbook has no sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension is the sender's claim
        return _table(sheet.iter_rows(values_only=True))
    except FileError:
        raise
    except Exception as exc:
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    finally:
        book.close()


def read_json(payload: bytes) -> list[RawRow]:
    """A list of row objects or {"rows": [...]}; rows are numbered from 1."""
    try:
        data = json.loads(_text(payload))
    except json.JSONDecodeError as exc:
        raise FileError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") \
            from None
    except RecursionError:
        raise FileError("malformed JSON: nested too deeply") from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list) or not data:
        raise FileError('JSON must be a non-empty list of row objects or {"rows": [...]}')
    if len(data) > MAX_ROWS:
        raise FileError(f"the file has more than {MAX_ROWS} rows; send at most {MAX_ROWS}")
    out = []
    for number, item in enumerate(data, start=1):
        raw = printable(json.dumps(item, ensure_ascii=False, default=str)[:RAW_LIMIT])
        if not isinstance(item, dict):
            out.append(RawRow(number, {}, raw, "row is not a JSON object"))
            continue
        cells = {str(k).strip().lower(): v for k, v in item.items()}
        long = [k for k, v in cells.items() if isinstance(v, str) and len(v) > MAX_CELL_CHARS]
        problem = (f"more than {MAX_COLUMNS} fields" if len(cells) > MAX_COLUMNS else
                   f"field '{long[0][:40]}' is longer than {MAX_CELL_CHARS} characters"
                   if long else "")
        out.append(RawRow(number, {} if problem else cells, raw, problem))
    return out


READERS = {"csv": read_csv, "json": read_json, "xlsx": read_xlsx}


def read(payload: bytes, filename: str = "", content_type: str = "") -> tuple[str, list[RawRow]]:
    """(format, rows); raises FileError for a file that cannot be read as a whole."""
    if not payload.strip():
        raise FileError("the file is empty")
    if len(payload) > MAX_BYTES:
        raise FileError(f"{len(payload)} bytes exceed the limit of {MAX_BYTES} bytes")
    fmt = detect_format(filename, content_type, payload)
    try:
        rows = READERS[fmt](payload)
    except FileError as exc:
        raise FileError(f"{fmt.upper()}: {exc}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise FileError(f"{fmt.upper()}: the file cannot be read ({exc.__class__.__name__})") \
            from None
    if not rows:
        raise FileError(f"{fmt.upper()}: the file has a header but no data rows")
    return fmt, rows
