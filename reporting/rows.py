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
from reporting.files import OPTIONAL, REQUIRED, LongNumber, RawRow
from reporting.models import Agency, Indicator, Region

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
DUPLICATES_NAMED = 5  # other rows named in a duplicate-key rejection
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class UnknownAgency(ValueError):
    """The sending agency is not in the Agency table, so nothing can be recorded for it."""


class Rejection(NamedTuple):
    """One reason a row was refused; row 0 means the whole file."""

    row: int
    field: str
    reason: str


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
    if isinstance(value, LongNumber):
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
        return [Rejection(n, row.problem_field, row.problem)]
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

