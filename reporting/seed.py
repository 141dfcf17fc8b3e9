"""Builds the database: schema, reference data and a deterministic simulated history."""
from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from core import periods
from core.clock import local_to_utc
from reporting import catalogue
from reporting.catalogue import LIVE_GROUP, Profile
from reporting.models import Agency, Indicator, Observation, Region, Submission
from reporting.simulate import live_value, national_series, province_series, province_weights

HOURLY_DAYS = 14  # hourly feeds keep two weeks of simulated history
REVISED = {"EXPORTS", "IMPORTS", "RETAIL_SALES", "IIP", "BUDGET_REV", "GDP_GROWTH", "GDP_CURRENT"}


@dataclass
class _Batch:
    """Rows collected for one bulk insert.

    Observations name their submission by its position in `submissions` (key "submission"):
    the database assigns the ids, so PostgreSQL's sequences stay ahead of every stored row.
    """

    submissions: list[dict] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)


def _period_starts(frequency: str, years: int, now: datetime) -> list[periods.Period]:
    """Every complete period of a frequency from `years` ago up to now."""
    if frequency == "hourly":
        first = periods.of(now - timedelta(days=HOURLY_DAYS), "hourly")
    elif frequency == "realtime":
        return []  # seeded separately (today only)
    else:
        first = periods.of(datetime(now.year - years, now.month, 1), frequency)
    current = periods.of(now, frequency)
    out = []
    p = first
    while p.start < current.start:
        out.append(p)
        p = periods.shift(p, 1)
    return out


def _receipt(rng: np.random.Generator, due: datetime, latest: bool, is_province: bool
             ) -> datetime | None:
    """When an agency's report arrived (local time), or None if it never did."""
    r = rng.random()
    # Ministries report, some late; a few provinces are behind, most on the latest period.
    missing = (0.12 if latest else 0.015) if is_province else 0.0
    if r < missing:
        return None
    if r < missing + (0.15 if latest else 0.08):
        return due + timedelta(days=float(rng.uniform(1, 20)), hours=float(rng.uniform(0, 9)))
    return due - timedelta(days=float(rng.uniform(0.2, 10)))


def _payload(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "region", "period", "value"])
    for r in rows:
        writer.writerow([r["indicator_code"], r["region_code"], r["period"], r["value"]])
    return out.getvalue().encode()


def _series(indicators: list[Indicator], profiles: dict[str, Profile], regions: list[str],
            years: int, now: datetime, rng: np.random.Generator) -> dict:
    """(agency, period label) -> observation rows, for every indicator at its frequency."""
    weights = province_weights(regions, rng)
    by_report: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for ind in indicators:
        prof = profiles[ind.code]
        plist = _period_starts(ind.frequency, years, now)
        if not plist:
            continue
        starts = [p.start for p in plist]
        national = national_series(prof, starts, rng)
        series = [("VN", ind.agency_code, national)]
        if prof.by_province:
            for code in regions:
                offset = float(rng.normal(0, prof.noise * 1.5))
                values = province_series(prof, national, weights[code], offset, rng)
                series.append((code, f"T34_{code}", values))
        for region, agency, values in series:
            for p, v in zip(plist, values, strict=True):
                row = {"indicator_code": ind.code, "region_code": region, "period": p.label,
                       "period_start": p.start, "value": round(float(v), prof.decimals)}
                by_report[(agency, p.frequency, p.label)].append(row)
    return by_report


def _add_report(batch: _Batch, rng: np.random.Generator, agency: str, frequency: str,
                label: str, rows: list[dict], now: datetime, latest: bool) -> None:
    """One agency's report for one period: a submission and its observations, or nothing."""
    if frequency in ("hourly", "daily"):
        received = periods.end(periods.parse(label)) + timedelta(minutes=5)
        for r in rows:
            batch.observations.append({**r, "source": "simulated", "revision": 1,
                                       "is_latest": True, "submission": None,
                                       "received_at": local_to_utc(received)})
        return
    period = periods.parse(label)
    due = periods.due_at(period)
    received = _receipt(rng, due, latest, agency.startswith("T34_"))
    if received is None or received > now:
        return
    sid = len(batch.submissions)
    payload = _payload(rows)
    batch.submissions.append({
        "agency_code": agency, "channel": "seed", "filename": f"{agency}_{label}.csv",
        "content_type": "text/csv", "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload, "received_at": local_to_utc(received), "period": label,
        "due_at": local_to_utc(due), "on_time": received <= due, "status": "accepted",
        "rows_total": len(rows), "rows_accepted": len(rows), "rows_rejected": 0, "error": "",
    })
    for r in rows:
        revise = r["indicator_code"] in REVISED and r["region_code"] == "VN" and not latest \
            and rng.random() < 0.4
        base = {**r, "source": "simulated", "submission": sid,
                "received_at": local_to_utc(received)}
        batch.observations.append({**base, "revision": 1, "is_latest": not revise})
        if revise:
            revised_at = received + timedelta(days=30)
            batch.observations.append({
                **base, "revision": 2, "is_latest": True, "received_at": local_to_utc(revised_at),
                "value": round(r["value"] * (1 + float(rng.normal(0, 0.01))), 2),
                "note": "revised (simulated)",
            })


def _today_feeds(batch: _Batch, indicators: list[Indicator], profiles: dict[str, Profile],
                 now: datetime, rng: np.random.Generator) -> None:
    """Seed today's real-time feeds at one row a minute, so today's totals start realistic."""
    midnight = now.replace(hour=0, minute=0, second=0)
    minutes = int((now - midnight).total_seconds() // 60)
    for ind in indicators:
        if ind.frequency != "realtime" or minutes == 0:
            continue
        prof = profiles[ind.code]
        counter = ind.unit != "MW"
        for m in range(minutes):
            s = midnight + timedelta(minutes=m)
            p = periods.of(s, "realtime")
            value = live_value(prof.base, prof.noise, counter, s, 60.0, rng)  # one row a minute
            batch.observations.append({
                "indicator_code": ind.code, "region_code": "VN", "period": p.label,
                "period_start": p.start, "source": "simulated", "value": value,
                "revision": 1, "is_latest": True, "submission": None,
                "received_at": local_to_utc(s),
            })


def build_history(session: Session, years: int, seed: int, now: datetime,
                  progress: bool = False) -> None:
    """Generate and insert the simulated history (deterministic for a seed and `now`)."""
    rng = np.random.default_rng(seed)
    indicators = list(session.scalars(select(Indicator).order_by(Indicator.code)))
    regions = list(session.scalars(
        select(Region.code).where(Region.kind == "province").order_by(Region.code)))
    profiles = catalogue.profiles()
    reports = _series(indicators, profiles, regions, years, now, rng)
    # "Latest" is the newest period due by now: where the history leaves a few agencies behind.
    latest_label = {f: periods.latest_due(now, f).label for f in ("monthly", "quarterly", "yearly")}
    batch = _Batch()
    for (agency, frequency, label), rows in tqdm(sorted(reports.items()), disable=not progress,
                                                 desc="history", unit="report"):
        _add_report(batch, rng, agency, frequency, label, rows, now,
                    latest=latest_label.get(frequency) == label)
    _today_feeds(batch, indicators, profiles, now, rng)
    ids: list[int] = []
    if batch.submissions:
        # RETURNING in parameter order: the ids the database gave, position by position.
        ids = list(session.scalars(
            insert(Submission).returning(Submission.id, sort_by_parameter_order=True),
            batch.submissions))
    chunk = 20_000
    for i in tqdm(range(0, len(batch.observations), chunk), disable=not progress,
                  desc="observations", unit="chunk"):
        rows = batch.observations[i:i + chunk]
        for row in rows:  # the batch position becomes the id the submission was given
            position = row.pop("submission")
            row["submission_id"] = ids[position] if position is not None else None
        session.execute(insert(Observation), rows)


def counts(session: Session) -> dict[str, int]:
    """Row counts of the main tables."""
    return {
        "agencies": session.scalar(select(func.count()).select_from(Agency)) or 0,
        "indicators": session.scalar(select(func.count()).select_from(Indicator)) or 0,
        "observations": session.scalar(select(func.count()).select_from(Observation)) or 0,
        "submissions": session.scalar(select(func.count()).select_from(Submission)) or 0,
    }


__all__ = ["build_history", "counts", "LIVE_GROUP"]
