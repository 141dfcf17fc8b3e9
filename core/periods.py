"""Reporting periods: parse, validate against a frequency, step, and compute due dates."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.bilingual import Bilingual

FREQUENCIES = ("realtime", "hourly", "daily", "monthly", "quarterly", "yearly")
# How the refusals below name a frequency in Vietnamese ("theo tháng": by the month).
FREQUENCY_VI = {"realtime": "theo thời gian thực", "hourly": "theo giờ", "daily": "theo ngày",
                "monthly": "theo tháng", "quarterly": "theo quý", "yearly": "theo năm"}

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HOUR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2})?$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


# Years a period may name: the reporting database holds nothing older, and the upper bound keeps
# every step (next period, due date, a year earlier) inside what datetime can represent.
MIN_YEAR = 1900
MAX_YEAR = 9000
# A clock a few minutes fast at a sender must not refuse its real-time readings.
CLOCK_SKEW = timedelta(minutes=5)


class PeriodError(ValueError):
    """A period text that is malformed or does not match the indicator's frequency."""


@dataclass(frozen=True, order=True)
class Period:
    """A normalised period: its canonical label, frequency and start instant."""

    start: datetime
    label: str
    frequency: str


def frequency_of(text: str) -> str:
    """Guess the frequency a period label is written in."""
    text = text.strip()
    if _MONTH.match(text):
        return "monthly"
    if _QUARTER.match(text):
        return "quarterly"
    if _YEAR.match(text):
        return "yearly"
    if _DAY.match(text):
        return "daily"
    if _HOUR.match(text):
        return "hourly"
    if _INSTANT.match(text):
        return "realtime"
    examples = "2026-10, 2026-Q3, 2026, 2026-11-22"
    raise PeriodError(Bilingual(
        f"'{text}' không phải kỳ báo cáo (ví dụ {examples} hoặc 2026-11-22T10:00)",
        f"'{text}' is not a period (expected {examples} or 2026-11-22T10:00)"))


def parse(text: str, frequency: str | None = None) -> Period:
    """Parse a period label; with a frequency, refuse labels written in another one."""
    text = str(text).strip()
    found = frequency_of(text)
    year = int(text[:4])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(Bilingual(f"kỳ '{text}': năm {year} nằm ngoài {MIN_YEAR}..{MAX_YEAR}",
                                    f"period '{text}': year {year} is outside "
                                    f"{MIN_YEAR}..{MAX_YEAR}"))
    if frequency == "realtime" and found == "hourly":
        found = "realtime"  # a real-time feed may stamp whole hours too
    if frequency is not None and found != frequency:
        raise PeriodError(Bilingual(
            f"kỳ '{text}' tính {FREQUENCY_VI[found]}, nhưng chỉ tiêu được báo cáo "
            f"{FREQUENCY_VI.get(frequency, frequency)}",
            f"period '{text}' is {found}, but the indicator is reported {frequency}"))
    if found == "monthly":
        y, m = (int(p) for p in text.split("-"))
        return Period(datetime(y, m, 1), f"{y:04d}-{m:02d}", found)
    if found == "quarterly":
        y, q = int(text[:4]), int(text[-1])
        return Period(datetime(y, 3 * q - 2, 1), f"{y:04d}-Q{q}", found)
    if found == "yearly":
        y = int(text)
        return Period(datetime(y, 1, 1), f"{y:04d}", found)
    try:
        if found == "daily":
            d = date.fromisoformat(text)
            return Period(datetime(d.year, d.month, d.day), d.isoformat(), found)
        moment = datetime.fromisoformat(text if ":" in text else text + ":00")
    except ValueError as exc:
        raise PeriodError(Bilingual(f"'{text}' không phải ngày giờ có thật ({exc})",
                                    f"'{text}' is not a real date: {exc}")) from None
    if found == "realtime":
        moment = moment.replace(microsecond=0)
        return Period(moment, moment.isoformat(timespec="seconds"), found)
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return Period(moment, moment.strftime("%Y-%m-%dT%H:00"), found)


def of(moment: datetime, frequency: str) -> Period:
    """The period of the given frequency that contains a moment."""
    if frequency == "monthly":
        return parse(f"{moment.year:04d}-{moment.month:02d}")
    if frequency == "quarterly":
        return parse(f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}")
    if frequency == "yearly":
        return parse(f"{moment.year:04d}")
    if frequency == "daily":
        return parse(moment.date().isoformat())
    if frequency == "realtime":
        return parse(moment.isoformat(timespec="seconds"), "realtime")
    return parse(moment.strftime("%Y-%m-%dT%H:00"))


def shift(period: Period, steps: int) -> Period:
    """The period `steps` periods later (negative: earlier)."""
    s = period.start
    if period.frequency in ("monthly", "quarterly", "yearly"):
        months = {"monthly": 1, "quarterly": 3, "yearly": 12}[period.frequency] * steps
        index = s.year * 12 + (s.month - 1) + months
        return of(datetime(index // 12, index % 12 + 1, 1), period.frequency)
    unit = {"daily": timedelta(days=1), "hourly": timedelta(hours=1)}.get(period.frequency)
    delta = (unit or timedelta(seconds=1)) * steps
    return of(s + delta, period.frequency)


def end(period: Period) -> datetime:
    """The first instant after the period."""
    return shift(period, 1).start


def due_at(period: Period, grace_days: int = 5) -> datetime:
    """When a report for the period is due: `grace_days` after the period ends, end of day."""
    return end(period) + timedelta(days=grace_days)


def latest_due(now: datetime, frequency: str) -> Period:
    """The newest period whose report is due by `now` (local time). In the first days of a
    month last month's reports are not due yet: the month before is the one agencies owe."""
    p = shift(of(now, frequency), -1)
    while due_at(p) > now:
        p = shift(p, -1)
    return p


def previous_year(period: Period) -> Period:
    """The same period one year earlier."""
    per_year = {"monthly": 12, "quarterly": 4, "yearly": 1}.get(period.frequency)
    if per_year is not None:
        return shift(period, -per_year)
    s = period.start
    # 29 February has no twin a year earlier: compare with 28 February (the day before 1 March).
    day = 28 if (s.month, s.day) == (2, 29) else s.day
    return of(s.replace(year=s.year - 1, day=day), period.frequency)


def check_reportable(period: Period, now: datetime) -> None:
    """Refuse a period the reporting calendar does not allow yet at local time `now`.

    Monthly, quarterly and yearly figures may be sent from the first day of their period
    (preliminary estimates are published before a period ends); hourly and daily ones from the
    start of their hour or day; real-time readings up to CLOCK_SKEW ahead. Nothing later:
    a CPI for December 2099 sent in 2026 is a typing error, not a report.
    """
    if period.start > now + CLOCK_SKEW:
        current = of(now, period.frequency).label
        raise PeriodError(Bilingual(
            f"kỳ '{period.label}' ở tương lai (kỳ {FREQUENCY_VI[period.frequency]} mới nhất "
            f"được báo cáo lúc này là {current})",
            f"period '{period.label}' lies in the future (the latest {period.frequency} "
            f"period that can be reported now is {current})"))
