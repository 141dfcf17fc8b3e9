"""The centre's one clock: Viet Nam time (UTC+7, no daylight saving), settable with OPS_NOW.

Every "now" of the app (simulator ticks, "today", due dates, cache time buckets, session ages)
comes from here. `OPS_NOW=2028-02-28T23:59:00+07:00` starts the clock at that instant and lets it
run at normal speed from there, so calendar edges (29 February, month, quarter and year ends,
local midnight) can be run end to end. Without OPS_NOW the clock is the system clock.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")
ENV = "OPS_NOW"

# The offset added to the system clock; None until the first read (then from OPS_NOW).
_offset: timedelta | None = None
_guard = threading.Lock()


def parse_instant(text: str) -> datetime:
    """An ISO instant as an aware UTC datetime; a naive one is read as Viet Nam time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{ENV}={text!r} is not an ISO instant "
                         "(e.g. 2028-02-28T23:59:00+07:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(UTC)


def start_at(instant: datetime | str | None) -> None:
    """Start the clock at an instant (aware, or naive = Viet Nam time) and let it run;
    None: follow the system clock again."""
    global _offset
    with _guard:
        if instant is None:
            _offset = timedelta(0)
            return
        moment = parse_instant(instant) if isinstance(instant, str) else \
            parse_instant(instant.isoformat())
        _offset = moment - datetime.now(UTC)


def _current_offset() -> timedelta:
    global _offset
    if _offset is None:
        with _guard:
            if _offset is None:
                text = os.environ.get(ENV, "").strip()
                _offset = (parse_instant(text) - datetime.now(UTC)) if text else timedelta(0)
    return _offset


def now_utc_aware() -> datetime:
    """The app's current instant, aware (UTC)."""
    return datetime.now(UTC) + _current_offset()


def epoch() -> float:
    """The app's current time as Unix seconds (session issue and activity times)."""
    return time.time() + _current_offset().total_seconds()


def local_now() -> datetime:
    """Current Viet Nam wall-clock time, without tzinfo (periods are local)."""
    return now_utc_aware().astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)


def utc_now() -> datetime:
    """Current UTC time, without tzinfo (received_at columns are UTC)."""
    return now_utc_aware().replace(tzinfo=None, microsecond=0)


def utc_now_precise() -> datetime:
    """Current UTC time with microseconds, without tzinfo (column defaults)."""
    return now_utc_aware().replace(tzinfo=None)


def local_to_utc(moment: datetime) -> datetime:
    return moment - timedelta(hours=7)


def utc_to_local(moment: datetime) -> datetime:
    return moment + timedelta(hours=7)


def local_midnight(moment: datetime | None = None) -> datetime:
    """The start of the Viet Nam day containing a local moment (default: now)."""
    moment = moment or local_now()
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def cli_time(moment: datetime | None) -> str:
    """A stored UTC moment as the CLI tables show it (seconds, space-separated), or '-'."""
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "-"
