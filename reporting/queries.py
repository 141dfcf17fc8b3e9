"""The read side: every query the screens run, declared memoized (core.cache does the caching).

Arguments are plain values (codes, ISO periods); results are plain lists and dicts, so they
pickle into any cache backend and every viewer polling the same thing shares one key. Screens
read them through core.cache.fetch, which keeps the last good value when the database fails.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from core import periods
from core.cache import memoized
from core.clock import local_midnight, local_now, local_to_utc, utc_to_local
from core.db import current
from reporting import preliminary
from reporting.catalogue import LIVE_GROUP, TOTAL_INDICATORS
from reporting.models import (
    SIMULATED_CHANNELS,
    Agency,
    Indicator,
    KpiFact,
    Observation,
    Region,
    RejectedRow,
    Submission,
)

SPARK_POINTS = 24
# Reported (monthly, quarterly ...) data is polled once a minute; the live feeds every few
# seconds use the app's short default TTL.
SLOW_TTL = 60


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _indicator_dict(ind: Indicator) -> dict[str, Any]:
    return {
        "code": ind.code, "name_vi": ind.name_vi, "name_en": ind.name_en, "unit": ind.unit,
        "frequency": ind.frequency, "group": ind.group_code, "group_name_vi": ind.group_name_vi,
        "group_name_en": ind.group_name_en, "agency": ind.agency_code,
        "higher_is_better": ind.higher_is_better, "by_province": ind.by_province,
        "target": ind.target, "target_note": ind.target_note, "warn_below": ind.warn_below,
        "warn_above": ind.warn_above, "headline": ind.headline,
        "min_value": ind.min_value, "max_value": ind.max_value,
    }


@memoized(ttl=SLOW_TTL)
def catalogue() -> list[dict[str, Any]]:
    """Every indicator of the catalogue (and the live feeds), by group then code."""
    with current().sessions() as s:
        rows = s.scalars(select(Indicator).order_by(Indicator.group_code, Indicator.code))
        return [_indicator_dict(i) for i in rows]


@memoized(ttl=SLOW_TTL)
def regions() -> list[dict[str, Any]]:
    """'VN' and the 34 provinces with names and centroids."""
    with current().sessions() as s:
        return [
            {"code": r.code, "name_vi": r.name_vi, "name_en": r.name_en, "kind": r.kind,
             "lat": r.lat, "lon": r.lon}
            for r in s.scalars(select(Region).order_by(Region.code))
        ]


def _latest(s: Any, code: str, region: str, limit: int) -> list[Any]:
    """The newest `limit` latest-revision rows of one series (period, value, ...), newest first."""
    stmt = (select(Observation.period, Observation.value, Observation.revision,
                   Observation.source, Observation.received_at)
            .where(Observation.indicator_code == code, Observation.region_code == region,
                   Observation.is_latest.is_(True))
            .order_by(Observation.period_start.desc()).limit(limit))
    return list(s.execute(stmt))


def tile_status(value: float, ind: dict[str, Any]) -> str:
    """good | warn | bad | neutral: against thresholds and target, by direction."""
    hib = ind["higher_is_better"]
    if ind["warn_below"] is not None and value < ind["warn_below"]:
        return "bad" if hib is not False else "good"
    if ind["warn_above"] is not None and value > ind["warn_above"]:
        return "bad" if hib is not True else "good"
    target = ind["target"]
    if target is None or hib is None or ind["frequency"] in ("realtime",):
        return "neutral"
    meets = value >= target if hib else value <= target
    return "good" if meets else "warn"


@memoized(ttl=SLOW_TTL)
def indicator_summary(code: str, region: str = "VN") -> dict[str, Any]:
    """Latest value, previous, same period last year, sparkline and status of one series."""
    with current().sessions() as s:
        ind = s.get(Indicator, code)
        if ind is None:
            return {}
        info = _indicator_dict(ind)
        rows = _latest(s, code, region, SPARK_POINTS + 12)
    if not rows:
        return {**info, "value": None}
    last = rows[0]
    by_label = {r.period: r.value for r in rows}
    period = periods.parse(last.period)
    prev = by_label.get(periods.shift(period, -1).label)
    yoy = by_label.get(periods.previous_year(period).label)
    spark = list(reversed(rows[:SPARK_POINTS]))
    return {
        **info, "region": region, "period": last.period, "value": last.value,
        "previous": prev, "year_ago": yoy, "revision": last.revision, "source": last.source,
        "received_at": _iso(utc_to_local(last.received_at)),
        "preliminary": preliminary.not_ended(last.period, local_now()),
        "status": tile_status(last.value, info),
        "spark": [[r.period, r.value] for r in spark],
    }


@memoized(ttl=SLOW_TTL)
def headline_codes() -> list[str]:
    """The indicators shown as tiles on the wall, in their order."""
    with current().sessions() as s:
        stmt = select(Indicator.code).where(Indicator.headline.is_not(None)) \
            .order_by(Indicator.headline)
        return list(s.scalars(stmt))


def headline_tiles() -> list[dict[str, Any]]:
    """Summaries of every headline indicator (each memoized on its own key)."""
    return [indicator_summary(code) for code in headline_codes()]


@memoized(ttl=SLOW_TTL)
def series(code: str, region: str = "VN", start: str = "", end: str = "") -> list[dict[str, Any]]:
    """Latest revisions of one series between two periods (inclusive), oldest first."""
    with current().sessions() as s:
        ind = s.get(Indicator, code)
        if ind is None:
            return []
        stmt = select(Observation).where(
            Observation.indicator_code == code, Observation.region_code == region,
            Observation.is_latest.is_(True))
        if start:
            stmt = stmt.where(Observation.period_start >= periods.parse(start).start)
        if end:
            stmt = stmt.where(Observation.period_start < periods.end(periods.parse(end)))
        rows = s.scalars(stmt.order_by(Observation.period_start))
        now = local_now()
        return [
            {"period": r.period, "start": _iso(r.period_start), "value": r.value,
             "revision": r.revision, "source": r.source,
             "received_at": _iso(utc_to_local(r.received_at)),
             "preliminary": preliminary.not_ended(r.period, now)}
            for r in rows
        ]


@memoized(ttl=SLOW_TTL)
def province_history(code: str, start: str = "", end: str = "") -> dict[str, list[list[Any]]]:
    """One indicator across all 34 provinces: region -> [[period, value], ...]."""
    with current().sessions() as s:
        stmt = select(Observation.region_code, Observation.period, Observation.value).where(
            Observation.indicator_code == code, Observation.region_code != "VN",
            Observation.is_latest.is_(True))
        if start:
            stmt = stmt.where(Observation.period_start >= periods.parse(start).start)
        if end:
            stmt = stmt.where(Observation.period_start < periods.end(periods.parse(end)))
        out: dict[str, list[list[Any]]] = {}
        for region, period, value in s.execute(stmt.order_by(Observation.period_start)):
            out.setdefault(region, []).append([period, value])
        return out


COMPARED_PERIODS = 60  # how far back the comparison's default period is looked for


@memoized(ttl=SLOW_TTL)
def province_snapshot(code: str, period: str = "") -> dict[str, Any]:
    """Each province's latest value for one period; by default the newest period that enough
    provinces reported (reporting.preliminary). `reported` of `total` provinces have a value;
    `preliminary` when the period has not ended or too few reported."""
    with current().sessions() as s:
        total = s.scalar(select(func.count()).select_from(Region)
                         .where(Region.kind == "province")) or 0
        base = select(Observation).where(
            Observation.indicator_code == code, Observation.region_code != "VN",
            Observation.is_latest.is_(True))
        if not period:
            # One latest row per province and period: the row count is the provinces reported.
            counts = s.execute(
                select(Observation.period, func.count()).where(
                    Observation.indicator_code == code, Observation.region_code != "VN",
                    Observation.is_latest.is_(True))
                .group_by(Observation.period_start, Observation.period)
                .order_by(Observation.period_start.desc()).limit(COMPARED_PERIODS))
            period = preliminary.comparison_period([(p, n) for p, n in counts], total)
        if not period:
            return {"period": "", "values": {}, "reported": 0, "total": total,
                    "preliminary": False}
        start = periods.parse(period).start
        values = {r.region_code: r.value for r in s.scalars(
            base.where(Observation.period_start == start))}
    return {"period": period, "values": values, "reported": len(values), "total": total,
            "preliminary": preliminary.not_ended(period, local_now())
            or not preliminary.enough(len(values), total)}


@memoized
def live_totals() -> dict[str, Any]:
    """Today's totals of the real-time counters and the latest instantaneous readings."""
    now = local_now()
    midnight = local_midnight(now)  # today's counters start at midnight Viet Nam time
    out: dict[str, Any] = {"as_of": _iso(now)}
    received = []
    with current().sessions() as s:
        codes = list(s.scalars(select(Indicator).where(Indicator.group_code == LIVE_GROUP)))
        for ind in codes:
            # The newest row of each feed through the index, not max(received_at) over them all.
            row = _latest(s, ind.code, "VN", 1)
            if row:
                received.append(row[0].received_at)
            if ind.unit == "MW":
                out[ind.code] = row[0].value if row else None
                continue
            total = s.scalar(select(func.sum(Observation.value)).where(
                Observation.indicator_code == ind.code, Observation.region_code == "VN",
                Observation.is_latest.is_(True), Observation.period_start >= midnight,
                Observation.period_start <= now))
            out[ind.code] = float(total or 0)
        out["last_tick"] = _iso(utc_to_local(max(received))) if received else None
    return out


@memoized(ttl=SLOW_TTL)
def kpi_facts() -> list[dict[str, Any]]:
    """Every dated, sourced KPI figure, oldest first."""
    with current().sessions() as s:
        rows = s.scalars(select(KpiFact).order_by(KpiFact.metric, KpiFact.as_of))
        return [
            {"metric": f.metric, "system": f.system, "value": f.value, "unit": f.unit,
             "unit_vi": f.unit_vi, "as_of": f.as_of.isoformat(), "source": f.source,
             "note": f.note, "note_vi": f.note_vi}
            for f in rows
        ]


def _reporting_agencies(s: Any) -> list[Agency]:
    """Agencies that owe monthly reports: owners of monthly indicators and the 34 provinces."""
    owners = select(Indicator.agency_code).where(Indicator.frequency == "monthly")
    stmt = select(Agency).where(
        (Agency.code.in_(owners)) | (Agency.code.like("T34\\_%", escape="\\"))
    ).order_by(Agency.kind.desc(), Agency.code)
    return list(s.scalars(stmt))


@memoized(ttl=SLOW_TTL)
def submitting_agencies() -> list[dict[str, str]]:
    """Agencies a submission may come from today: ministries, agencies and the 34 provinces
    (not the units merged away in 2025)."""
    with current().sessions() as s:
        stmt = select(Agency).where(Agency.era != "pre2025").order_by(Agency.kind.desc(),
                                                                       Agency.code)
        return [{"code": a.code, "name_vi": a.name_vi, "name_en": a.name_en}
                for a in s.scalars(stmt)]


@memoized(ttl=SLOW_TTL)
def compliance(months: int = 12) -> dict[str, Any]:
    """Agencies × recent months: on_time | late | missing | pending (not yet due).

    Each row also says which cells are simulated (`simulated`: received only from the
    simulator, or any cell of a `demo` row, one whose every receipt was simulated: its gaps
    are the simulator's too); `simulated` at the top counts those cells."""
    now = local_now()
    current_month = periods.of(now, "monthly")
    labels = [periods.shift(current_month, -i).label for i in range(months, 0, -1)]
    now_utc = local_to_utc(now)
    with current().sessions() as s:
        agencies = _reporting_agencies(s)
        real = func.max(case((Submission.channel.in_(SIMULATED_CHANNELS), 0), else_=1))
        stmt = (select(Submission.agency_code, Submission.period,
                       func.min(Submission.received_at), func.max(Submission.due_at), real)
                .where(Submission.period.in_(labels), Submission.status != "rejected")
                .group_by(Submission.agency_code, Submission.period))
        first = {(a, p): (rec, due, bool(r)) for a, p, rec, due, r in s.execute(stmt)}
    # Twelve due dates, not one per cell: 42 agencies x 12 months parsed the same labels 42 times.
    due_of = {label: local_to_utc(periods.due_at(periods.parse(label))) for label in labels}
    matrix = []
    for agency in agencies:
        cells, simulated = [], []
        for label in labels:
            due = due_of[label]
            got = first.get((agency.code, label))
            if got is None:
                cells.append("missing" if now_utc > due else "pending")
            else:
                cells.append("on_time" if got[0] <= due else "late")
            simulated.append(got is not None and not got[2])
        received = [first[(agency.code, label)] for label in labels if (agency.code, label) in first]
        demo = bool(received) and not any(real_one for *_, real_one in received)
        matrix.append({"agency": agency.code, "name_vi": agency.name_vi,
                       "name_en": agency.name_en, "kind": agency.kind, "cells": cells,
                       "simulated": [demo or sim for sim in simulated], "demo": demo})
    return {"periods": labels, "rows": matrix, "as_of": _iso(now),
            "simulated": sum(sum(r["simulated"]) for r in matrix)}


def forget_submitted(codes: Iterable[str]) -> None:
    """A submission was stored: its indicators' summaries and the compliance matrix are read
    afresh. They are the alert evaluator's threshold and late sources; without this a value
    past its threshold (or a late report arriving) waited out SLOW_TTL, a minute, before the
    wall could show (or clear) its alert, against the issue's 10 s."""
    for code in codes:
        indicator_summary.forget(code)
    compliance.forget()


def late_now(months: int = 12) -> list[dict[str, Any]]:
    """Agencies whose latest due monthly report has not arrived (from the cached matrix)."""
    m = compliance(months)
    out = []
    for row in m["rows"]:
        due_cells = [(p, c) for p, c in zip(m["periods"], row["cells"], strict=True)
                     if c != "pending"]
        if due_cells and due_cells[-1][1] == "missing":
            out.append({"agency": row["agency"], "name_vi": row["name_vi"],
                        "name_en": row["name_en"], "period": due_cells[-1][0],
                        "demo": row.get("demo", False)})
    return out


@memoized(ttl=SLOW_TTL)
def coverage() -> dict[str, Any]:
    """Ministries and localities reporting, and catalogue indicators supplied, of 200."""
    since_utc = local_to_utc(local_now() - timedelta(days=100))
    with current().sessions() as s:
        # One index probe per agency (ix_submission_agency_received), not a scan of 100 days of
        # submissions, which the live feeds alone fill with ~57,000 a day.
        active = select(Submission.id).where(Submission.agency_code == Agency.code,
                                             Submission.received_at >= since_utc).exists()
        ministries = s.scalar(select(func.count()).select_from(Agency).where(
            active, Agency.kind.in_(["ministry", "agency"]))) or 0
        localities = s.scalar(select(func.count()).select_from(Agency).where(
            active, Agency.kind == "province")) or 0
        supplied = s.scalar(select(func.count()).select_from(Indicator).where(
            Indicator.group_code != LIVE_GROUP,
            select(Observation.id).where(Observation.indicator_code == Indicator.code)
            .exists())) or 0
    return {"ministries": ministries, "localities": localities, "localities_total": 34,
            "indicators_supplied": supplied, "indicators_total": TOTAL_INDICATORS}


def threshold_alerts() -> list[dict[str, Any]]:
    """Headline and catalogue indicators whose latest national value is past a threshold."""
    out = []
    for item in indicators_with_thresholds():
        summary = indicator_summary(item)
        if summary.get("value") is None:
            continue
        if summary["status"] == "bad":
            out.append(summary)
    return out


@memoized(ttl=SLOW_TTL)
def indicators_with_thresholds() -> list[str]:
    with current().sessions() as s:
        stmt = select(Indicator.code).where(
            (Indicator.warn_below.is_not(None)) | (Indicator.warn_above.is_not(None)))
        return list(s.scalars(stmt.order_by(Indicator.code)))


@memoized
def agency_submissions(agency: str, limit: int = 50) -> list[dict[str, Any]]:
    """An agency's most recent submissions."""
    with current().sessions() as s:
        stmt = (select(Submission).where(Submission.agency_code == agency)
                .order_by(Submission.received_at.desc()).limit(limit))
        return [
            {"id": x.id, "channel": x.channel, "filename": x.filename, "period": x.period,
             "received_at": _iso(utc_to_local(x.received_at)),
             "due_at": _iso(utc_to_local(x.due_at)) if x.due_at else None,
             "on_time": x.on_time, "status": x.status, "rows_total": x.rows_total,
             "rows_accepted": x.rows_accepted, "rows_rejected": x.rows_rejected,
             "error": x.error, "simulated": x.channel in SIMULATED_CHANNELS}
            for x in s.scalars(stmt)
        ]


@memoized
def rejected_rows(submission_id: int) -> list[dict[str, Any]]:
    """The quarantined rows of one submission with their reasons."""
    with current().sessions() as s:
        stmt = select(RejectedRow).where(RejectedRow.submission_id == submission_id) \
            .order_by(RejectedRow.row_number)
        return [{"row": r.row_number, "field": r.field, "reason": r.reason, "raw": r.raw}
                for r in s.scalars(stmt)]


# --- overview

@memoized(time_args=("since",))
def live_history(code: str, since: str) -> list[list[Any]]:
    """A real-time feed's national readings since a local ISO time, oldest first: [[t, v]].

    Callers pass `since` rounded to the minute, so every viewer in that minute shares one key.
    """
    start = datetime.fromisoformat(since)
    with current().sessions() as s:
        stmt = (select(Observation.period_start, Observation.value)
                .where(Observation.indicator_code == code, Observation.region_code == "VN",
                       Observation.is_latest.is_(True), Observation.period_start >= start)
                .order_by(Observation.period_start))
        return [[_iso(moment), value] for moment, value in s.execute(stmt)]
