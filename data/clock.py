"""The centre's clock: Viet Nam time (UTC+7, no daylight saving), naive for the database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")


def local_now() -> datetime:
    """Current Viet Nam wall-clock time, without tzinfo (periods are local)."""
    return datetime.now(VN_TZ).replace(tzinfo=None, microsecond=0)


def utc_now() -> datetime:
    """Current UTC time, without tzinfo (received_at columns are UTC)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_to_utc(moment: datetime) -> datetime:
    return moment - timedelta(hours=7)


def utc_to_local(moment: datetime) -> datetime:
    return moment + timedelta(hours=7)


def cli_time(moment: datetime | None) -> str:
    """A stored UTC moment as the CLI tables show it (seconds, space-separated), or '-'."""
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "-"
