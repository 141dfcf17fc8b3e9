"""Submission files: detect the format and read CSV, JSON or XLSX rows within fixed limits.

Files are bounded before and while they are parsed (MAX_* below): the zip members' unzipped
sizes are checked before a workbook is opened, rows, columns and cell lengths while rows are
streamed, so one submission never holds more than about MEMORY_BOUND_MIB of memory whatever it
declares. Over a limit: one file-level error (FileError). Row numbers are what a person sees: CSV
and XLSX count the header as row 1; JSON counts the objects of the list from 1.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.bilingual import Bilingual

REQUIRED = ("indicator", "region", "period", "value")
OPTIONAL = ("note",)
RAW_LIMIT = 2000  # characters of a quarantined row kept for display
_WHOLE = re.compile(r"^[+-]?\d+$")
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
JSON_TYPES = {"application/json", "text/json"}
CSV_TYPES = {"text/csv", "application/csv", "text/comma-separated-values"}
MAX_ROWS = 10_000  # lines/rows read, header and blank ones included
MAX_COLUMNS = 16
MAX_CELL_CHARS = 1_000
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024  # every member of an .xlsx together, as declared
MAX_ZIP_MEMBERS = 200
MAX_JSON_VALUES = MAX_ROWS * (MAX_COLUMNS + 1)  # objects and numbers in one JSON document
MEMORY_BOUND_MIB = 96  # measured peak per submission stays below this (tests/reporting/test_limits)
ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class FileError(ValueError):
    """The whole file is unusable: one clear message (core.bilingual), no row-level report."""


def too_many_rows() -> Bilingual:
    return Bilingual(f"tệp có hơn {MAX_ROWS} dòng; mỗi lần gửi tối đa {MAX_ROWS} dòng",
                     f"the file has more than {MAX_ROWS} rows; send at most {MAX_ROWS} rows "
                     "per submission")


def unreadable_workbook(exc: BaseException) -> Bilingual:
    name = exc.__class__.__name__
    return Bilingual(f"không đọc được tệp .xlsx ({name})", f"not a readable .xlsx workbook ({name})")


@dataclass(frozen=True)
class RawRow:
    """One data row as read from the file, before validation."""

    number: int
    cells: dict[str, Any]
    raw: str
    problem: str = ""  # a structural problem found while reading (a Bilingual reason)
    problem_field: str = "row"  # the field the problem is reported against


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
        raise FileError(Bilingual(
            f"tệp không phải văn bản UTF-8 (byte không giải mã được ở vị trí {exc.start})",
            f"the file is not UTF-8 text (undecodable byte at offset {exc.start})")) from None


def _header(names: Iterable[Any]) -> list[str]:
    """Normalised column names; refuses missing required and repeated columns."""
    header = ["" if n is None else str(n).strip().lower() for n in names]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        named, expected = ", ".join(missing), ",".join(REQUIRED)
        raise FileError(Bilingual(
            f"thiếu cột bắt buộc: {named} (cần {expected} và cột note tùy chọn)",
            f"missing required column(s): {named} (expected {expected} and optional note)"))
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        named = ", ".join(repeated)
        raise FileError(Bilingual(f"cột bị lặp: {named}", f"repeated column(s): {named}"))
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
            raise FileError(Bilingual(
                f"dòng {number} có {len(cells)} cột; chỉ đọc tối đa {MAX_COLUMNS}",
                f"row {number} has {len(cells)} columns; at most {MAX_COLUMNS} are read"))
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise FileError(Bilingual(
                f"dòng {number} có một ô dài {len(cell)} ký tự; tối đa {MAX_CELL_CHARS}",
                f"row {number} has a cell of {len(cell)} characters; at most "
                f"{MAX_CELL_CHARS} are allowed"))


def _bounded(records: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Pass rows through while they stay within MAX_ROWS, MAX_COLUMNS and MAX_CELL_CHARS."""
    for count, (number, cells) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise FileError(too_many_rows())
        cells = list(cells)
        _check_cells(number, cells)
        yield number, cells


def _decimal_comma(header: list[str], cells: list[Any]) -> str:
    """The reason to refuse a typed decimal comma split over two cells, else "".

    `IIP,VN,2026-11,1,5` under `...,value,note` reads as value 1 and note "5": a whole number
    followed by a cell of digits alone (the note, or a cell past the header) is taken for "1,5"
    until proven otherwise, because storing 1 would change a headline figure silently.
    """
    if "value" not in header:
        return ""
    at = header.index("value")
    if at + 1 >= len(cells):
        return ""
    whole, rest = cells[at], cells[at + 1]
    if not (isinstance(whole, str) and _WHOLE.match(whole.strip())
            and isinstance(rest, str) and rest.strip().isdigit()):
        return ""
    if at + 1 < len(header) and header[at + 1] != "note":
        return ""
    typed = f"{whole.strip()},{rest.strip()}"
    return Bilingual(f"giá trị '{typed}'? dùng dấu chấm thập phân ({typed.replace(',', '.')}) "
                     f"hoặc đặt trong ngoặc kép",
                     f"value '{typed}'? use a decimal point ({typed.replace(',', '.')}) or put "
                     f"it in quotes")


def _table_rows(records: Iterable[tuple[int, list[Any]]]) -> list[RawRow]:
    """Rows of a header-first table (CSV, XLSX); blank rows are skipped but keep their number."""
    iterator = _bounded(records)
    header_found = None
    for _, cells in iterator:
        if any(c not in (None, "") for c in cells):
            header_found = _header(cells)
            break
    if header_found is None:
        raise FileError(Bilingual("tệp trống (không có dòng tiêu đề)",
                                  "the file is empty (no header row)"))
    out = []
    for number, cells in iterator:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        # Trailing empty cells (common in spreadsheets) are not extra data.
        while len(cells) > len(header_found) and cells[-1] in (None, ""):
            cells = cells[:-1]
        problem, field = "", "row"
        split = _decimal_comma(header_found, cells)
        if split:
            problem, field = split, "value"
        elif len(cells) > len(header_found):
            problem = Bilingual(
                f"dòng có {len(cells)} ô nhưng dòng tiêu đề có {len(header_found)}",
                f"row has {len(cells)} cells but the header has {len(header_found)}")
        values = dict(zip(header_found, cells, strict=False))  # short rows: fields missing
        out.append(RawRow(number, {k: v for k, v in values.items() if k}, _csv_line(cells),
                          problem, field))
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
        raise FileError(Bilingual(f"CSV sai cấu trúc gần dòng {reader.line_num} ({exc})",
                                  f"malformed CSV near line {reader.line_num}: {exc}")) from None


def read_json(payload: bytes) -> list[RawRow]:
    """A JSON list of objects, or {"rows": [...]}; rows are numbered from 1."""
    text = _decode(payload)
    counter = _JsonBudget()
    try:
        data = json.loads(text, object_pairs_hook=counter.object, parse_int=counter.integer,
                          parse_float=counter.number)
    except json.JSONDecodeError as exc:
        raise FileError(Bilingual(
            f"JSON sai cấu trúc ở dòng {exc.lineno} cột {exc.colno} ({exc.msg})",
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")) from None
    except RecursionError:
        raise FileError(Bilingual("JSON sai cấu trúc: lồng quá sâu",
                                  "malformed JSON: nested too deeply")) from None
    if isinstance(data, _Keys) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise FileError(Bilingual('JSON phải là danh sách các đối tượng dòng hoặc {"rows": [...]}',
                                  'JSON must be a list of row objects or {"rows": [...]}'))
    if not data:
        raise FileError(Bilingual("tệp trống (không có dòng nào)", "the file is empty (no rows)"))
    if len(data) > MAX_ROWS:
        raise FileError(too_many_rows())
    objects = [item for item in data if isinstance(item, dict)]
    present = {str(k).strip().lower() for item in objects for k in item}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        named = ", ".join(missing)
        raise FileError(Bilingual(f"mọi dòng đều thiếu trường bắt buộc: {named}",
                                  f"missing required field(s) in every row: {named}"))
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
            raise FileError(Bilingual(
                f"tài liệu JSON có hơn {MAX_JSON_VALUES} đối tượng và số",
                f"the JSON document has more than {MAX_JSON_VALUES} objects and numbers"))

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
        return int(text) if len(text) <= 300 else LongNumber(text)

    def number(self, text: str) -> Any:
        self._count()
        return float(text) if len(text) <= 300 else LongNumber(text)


class LongNumber(str):
    """A JSON number too long to be a value; validation refuses it with its length."""


def _json_row(number: int, item: Any) -> RawRow:
    raw = printable(json.dumps(item, ensure_ascii=False, default=str)[:RAW_LIMIT])
    if not isinstance(item, dict):
        return RawRow(number, {}, raw, Bilingual("dòng không phải đối tượng JSON",
                                                 "row is not a JSON object"))
    repeated = getattr(item, "repeated", ())
    if repeated:
        named = ", ".join(repeated)
        return RawRow(number, {}, raw, Bilingual(
            f"trường bị lặp trong một đối tượng (tên trường không phân biệt hoa thường): {named}",
            f"field repeated in one object (keys are not case-sensitive): {named}"))
    cells = {str(k).strip().lower(): v for k, v in item.items()}
    if len(cells) > MAX_COLUMNS:
        return RawRow(number, {}, raw, Bilingual(
            f"dòng có {len(cells)} trường; tối đa {MAX_COLUMNS}",
            f"row has {len(cells)} fields; at most {MAX_COLUMNS}"))
    for key, value in cells.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return RawRow(number, {}, raw, Bilingual(
                f"trường '{key[:40]}' dài {len(value)} ký tự; tối đa {MAX_CELL_CHARS}",
                f"field '{key[:40]}' has {len(value)} characters; at most {MAX_CELL_CHARS}"))
    return RawRow(number, cells, raw)


def read_xlsx(payload: bytes) -> list[RawRow]:
    """First sheet of an .xlsx workbook, cached values only: formulas are never evaluated."""
    from openpyxl import load_workbook  # imported lazily: only XLSX submissions need it

    check_zip(payload)
    try:
        book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged input; all mean "bad file"
        raise FileError(unreadable_workbook(exc)) from None
    try:
        if not book.worksheets:
            raise FileError(Bilingual("tệp .xlsx không có trang tính nào",
                                      "the workbook has no sheet"))
        sheet = book.worksheets[0]
        # The declared dimension (A1:XFD3000 ...) is the sender's claim: ignore it, so rows are
        # as wide as their own cells and arrive one at a time.
        sheet.reset_dimensions()
        return _table_rows(enumerate(sheet.iter_rows(values_only=True), start=1))
    except FileError:
        raise
    except Exception as exc:  # same reason as above, for a damaged sheet inside a valid zip
        raise FileError(unreadable_workbook(exc)) from None
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
        raise FileError(unreadable_workbook(exc)) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileError(Bilingual(
            f"tệp .xlsx có {len(members)} phần; tối đa {MAX_ZIP_MEMBERS}",
            f"the workbook has {len(members)} parts; at most {MAX_ZIP_MEMBERS}"))
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        limit = f"{MAX_UNZIPPED_BYTES} ({MAX_UNZIPPED_BYTES // 2**20} MiB)"
        raise FileError(Bilingual(
            f"tệp .xlsx giải nén ra {total} byte; chỉ đọc tối đa {limit}",
            f"the workbook unzips to {total} bytes; at most {limit} are read"))


READERS = {"csv": read_csv, "json": read_json, "xlsx": read_xlsx}
