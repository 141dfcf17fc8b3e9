"""Validating submission rows: the checks every row passes before it may be stored.

Numbers use '.' as the decimal separator. '1,5' is rejected ("use '.' as the decimal separator")
because in Vietnamese style '1.500' is fifteen hundred and '1,5' one and a half, while English
style reads them the other way round: guessing would silently store a wrong value. Two rows of one
submission with the same (indicator, region, period) are both rejected: we cannot tell which of
them the sender meant. Periods must be reportable at the time of receipt
(core.periods.check_reportable). Control characters (NUL ...) are refused in every field.
"""
from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import periods
from core.bilingual import Bilingual, of_error
from reporting.files import OPTIONAL, REQUIRED, LongNumber, RawRow
from reporting.models import Agency, Indicator, Region

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
DUPLICATES_NAMED = 5  # other rows named in a duplicate-key rejection
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# Reasons a row is refused, in both languages (stored and returned as 'vi / en').
MISSING = Bilingual("thiếu", "missing")
EMPTY = Bilingual("trống", "empty")
MUST_BE_TEXT = Bilingual("phải là văn bản", "must be text")


def not_a_number(shown: str) -> Bilingual:
    return Bilingual(f"không phải số: {shown}", f"not a number: {shown}")


def unknown_agency(code: str) -> Bilingual:
    return Bilingual(f"không có cơ quan '{code}'", f"unknown agency '{code}'")


class UnknownAgency(ValueError):
    """The sending agency is not in the Agency table, so nothing can be recorded for it."""


class Rejection(NamedTuple):
    """One reason a row was refused; row 0 means the whole file."""

    row: int
    field: str
    reason: str  # a core.bilingual.Bilingual: 'vi / en'


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
        raise UnknownAgency(unknown_agency(agency_code))
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
    if isinstance(value, LongNumber):
        raise ValueError(Bilingual(f"số dài {len(value)} ký tự không phải giá trị hợp lý",
                                   f"a number of {len(value)} characters is not a plausible "
                                   "value"))
    if isinstance(value, (bool, dict, list)):
        raise ValueError(not_a_number(json.dumps(value, default=str)[:40]))
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError(EMPTY)
        if _NUMBER.match(text):
            number = float(text)
        elif "," in text and _COMMA_NUMBER.match(text):
            raise ValueError(Bilingual(
                f"dùng dấu chấm '.' để ghi phần thập phân, không dùng dấu phân cách hàng nghìn "
                f"(nhận được '{text[:40]}')",
                f"use '.' as the decimal separator and no thousands separator "
                f"(got '{text[:40]}')"))
        else:
            raise ValueError(not_a_number(f"'{text[:40]}'"))
    if not math.isfinite(number):
        raise ValueError(Bilingual(f"không phải số hữu hạn: {number}",
                                   f"not a finite number: {number}"))
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
            return ("indicator", Bilingual(
                f"{ind.code} do {ind.agency_code} báo cáo, không phải các tỉnh",
                f"{ind.code} is reported by {ind.agency_code}, not by provinces"))
        if region != agency.region_code:
            return ("region", Bilingual(
                f"{agency.code} chỉ được báo cáo địa bàn của mình {agency.region_code}, "
                f"không phải '{region}'",
                f"{agency.code} may report only its own region {agency.region_code}, "
                f"not '{region}'"))
        return None
    return ("indicator", Bilingual(f"{ind.code} do {ind.agency_code} báo cáo, không phải "
                                   f"{agency.code}",
                                   f"{ind.code} is reported by {ind.agency_code}, not "
                                   f"{agency.code}"))


def validate(row: RawRow, ctx: Context) -> Candidate | list[Rejection]:
    """Check one row; a Candidate, or every reason it is refused."""
    errors: list[Rejection] = []
    n = row.number
    if row.problem:
        return [Rejection(n, row.problem_field, row.problem)]
    cells = row.cells
    missing = [c for c in REQUIRED if c not in cells]
    if missing:
        return [Rejection(n, c, MISSING) for c in missing]
    for name, cell in cells.items():
        if name in REQUIRED + OPTIONAL and isinstance(cell, str):
            found = (_CONTROL if name == "note" else _CONTROL_ANY).search(cell)
            if found:
                char = (f"U+{ord(found.group()):04X} "
                        f"({unicodedata.name(found.group(), 'control')})")
                errors.append(Rejection(n, name, Bilingual(
                    f"không được dùng ký tự điều khiển {char}",
                    f"control character {char} is not allowed")))
    if errors:
        return errors

    code = _text(cells["indicator"])
    ind = ctx.indicators.get((code or "").upper())
    if ind is None:
        reason = MUST_BE_TEXT if code is None else EMPTY if not code else Bilingual(
            f"mã chỉ tiêu '{code[:40]}' không có trong danh mục",
            f"unknown indicator '{code[:40]}'")
        errors.append(Rejection(n, "indicator", reason))

    region = _text(cells["region"])
    if isinstance(cells["region"], int) and not isinstance(cells["region"], bool):
        region = f"{cells['region']:02d}"  # a spreadsheet turned '01' into the number 1
    region = (region or "").upper()
    if region not in ctx.regions:
        errors.append(Rejection(n, "region", Bilingual(
            f"mã địa bàn '{region[:40]}' không tồn tại (VN hoặc mã tỉnh)",
            f"unknown region '{region[:40]}' (VN or a province code)") if region else EMPTY))

    period = None
    frequency = ind.frequency if ind is not None else None
    period_text = _period_text(cells["period"], frequency or "monthly")
    if not period_text:
        errors.append(Rejection(n, "period", EMPTY))
    else:
        try:
            period = periods.parse(period_text, frequency)
            if ctx.now is not None:
                periods.check_reportable(period, ctx.now)
        except periods.PeriodError as exc:
            errors.append(Rejection(n, "period", of_error(exc)))

    value = None
    try:
        value = parse_value(cells["value"])
    except ValueError as exc:
        errors.append(Rejection(n, "value", of_error(exc)))
    if value is not None and ind is not None and not ind.min_value <= value <= ind.max_value:
        span = f"{ind.min_value:g}..{ind.max_value:g} {ind.unit}"
        errors.append(Rejection(n, "value", Bilingual(
            f"{value:g} nằm ngoài khoảng hợp lý {span}",
            f"{value:g} is outside the plausible range {span}")))

    if ind is not None and region in ctx.regions:
        denied = _permission(ctx, ind, region)
        if denied:
            errors.append(Rejection(n, *denied))

    note = _text(cells.get("note"))
    if note is None:
        errors.append(Rejection(n, "note", MUST_BE_TEXT))
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
        named = ", ".join(others)
        rejected.append(Rejection(c.number, "row", Bilingual(
            f"trùng chỉ tiêu, địa bàn và kỳ với dòng {named}"
            + (f" và {more} dòng khác" if more else "") + ": cả hai bị từ chối",
            f"same indicator, region and period as row {named}"
            + (f" and {more} more" if more else "") + ": both refused")))
    return keep, rejected

