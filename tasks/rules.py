"""Checking one imported row: every refusal names the field and says why in Vietnamese and English."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from tasks.reading import RawRow

KINDS = ("Nghị quyết", "Quyết định", "Chỉ thị", "Công điện", "Thông báo kết luận",
         "Văn bản chỉ đạo")
ASSIGNERS = ("Chính phủ", "Thủ tướng", "Phó Thủ tướng")
_ASSIGNER_ALIASES = {"thủ tướng chính phủ": "Thủ tướng", "ttg": "Thủ tướng", "cp": "Chính phủ",
                     "ptt": "Phó Thủ tướng", "phó thủ tướng chính phủ": "Phó Thủ tướng"}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_TEXT = {"document": 60, "theme": 120, "content": 1000, "progress": 1000,
            "report_document": 32}


class Refusal(NamedTuple):
    """One reason a row was refused; row 0 is the whole file."""

    row: int
    field: str
    reason_vi: str
    reason_en: str


@dataclass(frozen=True)
class TaskRow:
    """A row that passed every check, ready to store."""

    number: int
    document: str
    document_kind: str
    document_date: date
    assigned_by: str
    task_no: int
    content: str
    lead_agency: str
    deadline: date | None
    completed_on: date | None
    key: bool
    theme: str
    meeting: bool
    progress: str = ""
    report_document: str = ""

    @property
    def ident(self) -> tuple[str, int]:
        return (self.document, self.task_no)

    def state(self) -> tuple[Any, ...]:
        """What a revision compares: same state, no new revision."""
        return (self.content, self.lead_agency, self.deadline, self.completed_on, self.key,
                self.theme, self.meeting, self.progress, self.report_document)


class _Bad(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _text(value: Any, name: str, required: bool) -> str:
    if isinstance(value, (dict, list, bool)):
        raise _Bad("không phải văn bản", "not text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else unicodedata.normalize("NFC", str(value)).strip()
    if required and not text:
        raise _Bad("bắt buộc, đang để trống", "required, but empty")
    if _CONTROL.search(text):
        raise _Bad("có ký tự điều khiển", "contains control characters")
    limit = MAX_TEXT.get(name)
    if limit and len(text) > limit:
        raise _Bad(f"dài {len(text)} ký tự, tối đa {limit}",
                   f"{len(text)} characters long, at most {limit}")
    return text


def parse_date(value: Any) -> date | None:
    """YYYY-MM-DD or dd/mm/yyyy (a spreadsheet's date cell too); None for empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value, "date", False)
    if not text:
        return None
    match = _DMY.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text[:10]) if len(text) in (10, 19) else date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"'{text[:30]}' không phải ngày (YYYY-MM-DD hoặc dd/mm/yyyy)",
                   f"'{text[:30]}' is not a date (YYYY-MM-DD or dd/mm/yyyy)") from None


def _flag(value: Any) -> bool:
    text = _text(value, "flag", False)
    if text in ("", "0"):
        return False
    if text == "1":
        return True
    raise _Bad(f"phải là 0 hoặc 1, nhận '{text[:20]}'", f"must be 0 or 1, got '{text[:20]}'")


def _choice(value: Any, allowed: tuple[str, ...], aliases: dict[str, str]) -> str:
    text = _text(value, "choice", True)
    wanted = _norm(text)
    for option in allowed:
        if _norm(option) == wanted:
            return option
    if wanted in aliases:
        return aliases[wanted]
    listed = ", ".join(allowed)
    raise _Bad(f"'{text[:40]}' không thuộc: {listed}", f"'{text[:40]}' is not one of: {listed}")


def _task_no(value: Any) -> int:
    text = _text(value, "task_no", True)
    if not text.isdigit() or not 0 < int(text) < 100_000:
        raise _Bad(f"'{text[:20]}' không phải số thứ tự (1, 2, ...)",
                   f"'{text[:20]}' is not a task number (1, 2, ...)")
    return int(text)


def check(row: RawRow, agencies: set[str], today: date) -> TaskRow | list[Refusal]:
    """The row as a TaskRow, or every reason it is refused."""
    if row.problem:
        return [Refusal(row.number, "row", f"dòng hỏng: {row.problem}", row.problem)]
    cells, refused, got = row.cells, [], {}
    parsers = {
        "document": lambda v: _text(v, "document", True).upper().replace(" ", ""),
        "document_kind": lambda v: _choice(v, KINDS, {}),
        "document_date": parse_date, "assigned_by": lambda v: _choice(v, ASSIGNERS,
                                                                     _ASSIGNER_ALIASES),
        "task_no": _task_no, "content": lambda v: _text(v, "content", True),
        "lead_agency": lambda v: _text(v, "lead_agency", True).upper(),
        "deadline": parse_date, "completed_on": parse_date, "key": _flag,
        "theme": lambda v: _text(v, "theme", False), "meeting": _flag,
        "progress": lambda v: _text(v, "progress", False),
        "report_document": lambda v: _text(v, "report_document", False),
    }
    for name, parse in parsers.items():
        try:
            got[name] = parse(cells.get(name))
        except _Bad as bad:
            refused.append(Refusal(row.number, name, bad.vi, bad.en))
    def refuse(name: str, vi: str, en: str) -> None:
        refused.append(Refusal(row.number, name, vi, en))

    issued, deadline, done = got.get("document_date"), got.get("deadline"), got.get("completed_on")
    if "document_date" in got and issued is None:
        refuse("document_date", "bắt buộc, đang để trống", "required, but empty")
    elif issued is not None and issued > today:
        refuse("document_date", f"ngày {issued:%d/%m/%Y} ở tương lai",
               f"{issued.isoformat()} is in the future")
    if issued is not None and deadline is not None and deadline < issued:
        refuse("deadline", f"hạn {deadline:%d/%m/%Y} trước ngày văn bản {issued:%d/%m/%Y}",
               f"deadline {deadline.isoformat()} is before the document's date "
               f"{issued.isoformat()}")
    if done is not None and done > today:
        refuse("completed_on", f"ngày hoàn thành {done:%d/%m/%Y} ở tương lai",
               f"completion date {done.isoformat()} is in the future")
    elif done is not None and issued is not None and done < issued:
        refuse("completed_on", f"hoàn thành {done:%d/%m/%Y} trước ngày văn bản",
               f"completed {done.isoformat()}, before the document's date")
    agency = got.get("lead_agency")
    if agency and agency not in agencies:
        refuse("lead_agency", f"không có cơ quan mã '{agency[:16]}' trong danh mục",
               f"unknown agency '{agency[:16]}' (not in the catalogue)")
    if refused:
        return refused
    return TaskRow(number=row.number, document=got["document"],
                   document_kind=got["document_kind"], document_date=issued,
                   assigned_by=got["assigned_by"], task_no=got["task_no"],
                   content=got["content"], lead_agency=agency, deadline=deadline,
                   completed_on=done, key=got["key"], theme=got["theme"],
                   meeting=got["meeting"], progress=got["progress"],
                   report_document=got["report_document"])
