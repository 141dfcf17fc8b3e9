"""Roll dam readings older than 48 h up into hourly means, as feeds/rollup.py does for live feeds.

Per dam and UTC hour (Viet Nam hours are whole hours off UTC, so they are the same buckets): one
row at the hour's start with the mean level and flows, the most gates open, the number of
readings it stands for (samples) and source 'rollup'. Hourly rows are kept for good. Nothing a
gateway sent is lost: its batch keeps the raw payload. The simulator's own batches (channel
'simulator') go once none of their readings remain.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select

from core.clock import utc_now
from core.db import Database, transaction
from dams.models import DamBatch, DamReading

log = logging.getLogger(__name__)
RETENTION = timedelta(hours=48)
SOURCE = "rollup"
HOURS_PER_RUN = 96  # a run rolls at most this many dam-hours, so a backlog never blocks writers


@dataclass
class RollupResult:
    """What one run did."""

    hours: int = 0
    rows_rolled: int = 0
    batches_dropped: int = 0
    remaining: bool = False


def _oldest(database: Database, cutoff: datetime) -> list[tuple[str, datetime]]:
    """(dam, oldest per-reading time before the cutoff) of every dam that has some."""
    with database.sessions() as s:
        return [(d, t) for d, t in s.execute(
            select(DamReading.dam_id, func.min(DamReading.at))
            .where(DamReading.at < cutoff, DamReading.source != SOURCE)
            .group_by(DamReading.dam_id))]


def _roll_hour(database: Database, dam: str, start: datetime) -> tuple[int, int]:
    """Replace one dam's readings of one hour by their hourly row: (rows rolled, batches dropped)."""
    end = start + timedelta(hours=1)
    ticks = (DamReading.dam_id == dam, DamReading.at >= start, DamReading.at < end,
             DamReading.source != SOURCE)
    with transaction(database.sessions) as s:
        count, level, inflow, turbine, spill, gates, samples, last = s.execute(
            select(func.count(), func.avg(DamReading.level_m), func.avg(DamReading.inflow_m3s),
                   func.avg(DamReading.turbine_m3s), func.avg(DamReading.spillway_m3s),
                   func.max(DamReading.gates_open), func.sum(DamReading.samples),
                   func.max(DamReading.received_at)).where(*ticks)).one()
        if not count:
            return 0, 0
        existing = s.scalar(select(DamReading).where(
            DamReading.dam_id == dam, DamReading.at == start, DamReading.source == SOURCE))
        if existing is not None:  # late readings for an hour already rolled: weigh both in
            n0, n1 = existing.samples, int(samples)
            for attr, mean in (("level_m", level), ("inflow_m3s", inflow),
                               ("turbine_m3s", turbine), ("spillway_m3s", spill)):
                old = getattr(existing, attr)
                if mean is not None:
                    setattr(existing, attr, float(mean) if old is None
                            else (old * n0 + float(mean) * n1) / (n0 + n1))
            existing.gates_open = max(existing.gates_open or 0, gates or 0)
            existing.samples = n0 + n1
        else:
            s.add(DamReading(dam_id=dam, at=start, level_m=float(level),
                             inflow_m3s=_opt(inflow), turbine_m3s=_opt(turbine),
                             spillway_m3s=_opt(spill), gates_open=gates, source=SOURCE,
                             batch_id=None, samples=int(samples), received_at=last))
        batch_ids = list(s.scalars(select(DamBatch.id).where(
            DamBatch.id.in_(select(DamReading.batch_id).where(*ticks)),
            DamBatch.channel == "simulator")))
        s.execute(delete(DamReading).where(*ticks))
        dropped = 0
        if batch_ids:  # only simulator batches none of whose readings remain (32 dams share one)
            still = select(DamReading.batch_id).where(DamReading.batch_id.in_(batch_ids))
            dropped = s.execute(delete(DamBatch).where(
                and_(DamBatch.id.in_(batch_ids), DamBatch.id.not_in(still)))).rowcount or 0
    return int(count), dropped


def _opt(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def run(database: Database, now: datetime | None = None,
        max_hours: int = HOURS_PER_RUN) -> RollupResult:
    """Roll up every whole hour older than RETENTION (UTC), oldest first, at most max_hours."""
    now = now or utc_now()
    cutoff = (now - RETENTION).replace(minute=0, second=0, microsecond=0)
    result = RollupResult()
    for dam, oldest in _oldest(database, cutoff):
        start: datetime | None = oldest
        while start is not None and result.hours < max_hours:
            rolled, dropped = _roll_hour(database, dam, start.replace(minute=0, second=0,
                                                                      microsecond=0))
            result.rows_rolled += rolled
            result.batches_dropped += dropped
            result.hours += 1
            with database.sessions() as s:
                start = s.scalar(select(func.min(DamReading.at)).where(
                    DamReading.dam_id == dam, DamReading.at < cutoff,
                    DamReading.source != SOURCE))
        if start is not None:
            result.remaining = True
    if result.hours:
        log.info("rolled up %d dam-hours (%d readings)", result.hours, result.rows_rolled)
    return result
