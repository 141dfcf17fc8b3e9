"""How old each live feed's newest reading is: the read side of the 'feed stale' condition."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.cache import memoized
from core.clock import utc_now
from core.db import current
from reporting.catalogue import LIVE_GROUP
from reporting.models import Indicator, Observation


@memoized
def feed_ages() -> list[dict[str, Any]]:
    """Every live feed with its newest receipt (UTC ISO) and age in seconds (None: never)."""
    now = utc_now()
    out = []
    with current().sessions() as s:
        feeds = list(s.scalars(select(Indicator).where(Indicator.group_code == LIVE_GROUP)
                               .order_by(Indicator.code)))
        for ind in feeds:
            # The newest row through the series index, as live_totals reads it.
            newest = s.scalar(
                select(Observation.received_at)
                .where(Observation.indicator_code == ind.code, Observation.region_code == "VN",
                       Observation.is_latest.is_(True))
                .order_by(Observation.period_start.desc()).limit(1))
            out.append({"code": ind.code, "name_vi": ind.name_vi, "name_en": ind.name_en,
                        "received_at": newest.isoformat(timespec="seconds") if newest else None,
                        "age_s": (now - newest).total_seconds() if newest else None})
    return out


def stale_feeds(max_age_s: float) -> list[dict[str, Any]]:
    """Live feeds whose newest reading is older than max_age_s (or that never sent one)."""
    return [f for f in feed_ages() if f["age_s"] is None or f["age_s"] > max_age_s]
