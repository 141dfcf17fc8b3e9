"""The live simulator: real-time observations every few seconds, through the ingest path."""
from __future__ import annotations

import csv
import io
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from core import periods
from core.clock import local_now
from core.db import Database
from reporting import catalogue
from reporting.models import Indicator, Observation, Region, Submission
from reporting.simulate import live_value

log = logging.getLogger(__name__)
REPORT_EVERY = 40  # ticks between two simulated monthly reports from late agencies
ROLLUP_EVERY = timedelta(minutes=10)  # how often the simulator rolls old per-tick rows up


def _csv(rows: list[tuple[str, str, str, float]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "region", "period", "value"])
    writer.writerows(rows)
    return out.getvalue().encode()


@dataclass
class _Feed:
    code: str
    agency: str
    base: float
    noise: float
    counter: bool  # counts per tick (Poisson) or an instantaneous reading


class FeedSimulator:
    """Ticks in a daemon thread; each tick submits one small CSV through ingest_bytes."""

    def __init__(self, database: Database, interval: float = 3.0, seed: int | None = None) -> None:
        self.database = database
        self.interval = interval
        self.ticks = 0
        self.errors = 0
        self._rng = np.random.default_rng(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_hour = ""
        self._last_rollup: datetime | None = None
        profiles = catalogue.profiles()
        with database.sessions() as s:
            live = s.scalars(select(Indicator).where(Indicator.group_code == catalogue.LIVE_GROUP))
            self._feeds = [
                _Feed(i.code, i.agency_code, profiles[i.code].base, profiles[i.code].noise,
                      counter=i.unit != "MW")
                for i in live
            ]
            self._provinces = list(s.scalars(select(Region.code).where(Region.kind == "province")))
        from dams.simulate import DamFeed

        self._dams = DamFeed(database)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> FeedSimulator:
        self._thread = threading.Thread(target=self._loop, name="feed-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        from core.outage import TRANSIENT, Outage

        outage = Outage("feed simulator", log)  # one log line per database outage, not per tick
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except TRANSIENT as exc:
                self.errors += 1
                self._stop.wait(outage.failed(exc))
                continue
            except Exception:  # any other failing tick must not end the simulator either
                self.errors += 1
                log.warning("feed tick failed", exc_info=True)
            else:
                outage.recovered()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def tick(self) -> None:
        """One round: live counters, the hourly air-quality reading, now and then a report."""
        from reporting.ingest import ingest_bytes

        now = local_now()
        label = periods.of(now, "realtime").label
        by_agency: dict[str, list[tuple[str, str, str, float]]] = {}
        for feed in self._feeds:
            value = live_value(feed.base, feed.noise, feed.counter, now, self.interval,
                               self._rng)
            by_agency.setdefault(feed.agency, []).append((feed.code, "VN", label, value))
        hour = periods.of(now, "hourly").label
        if hour != self._last_hour:
            self._last_hour = hour
            aqi = [("VN_AQI", code, hour, float(max(5, self._rng.normal(70, 25))))
                   for code in ["VN", *self._provinces]]
            by_agency.setdefault("BNNMT", []).extend(aqi)
        for agency, rows in by_agency.items():
            ingest_bytes(self.database, _csv(rows), filename="live-feed.csv", agency=agency,
                         channel="simulator", content_type="text/csv")
        self.ticks += 1
        self._dams.maybe_tick()  # the dams' gateways, once a minute (dams/simulate.py)
        if self.ticks % REPORT_EVERY == 0:
            self.late_report()
        self.maybe_roll_up(now)

    def maybe_roll_up(self, now: datetime) -> None:
        """The producer of per-tick rows also rolls the old ones up (data.rollup), in bounded
        runs, so the live tables stay the same size however long the app runs."""
        from feeds import rollup

        if self._last_rollup is not None and now - self._last_rollup < ROLLUP_EVERY:
            return
        self._last_rollup = now
        rollup.run(self.database, now)

    def late_report(self) -> str | None:
        """A late agency finally sends the newest monthly report due; returns its code."""
        from reporting.ingest import ingest_bytes

        due_period = periods.latest_due(local_now(), "monthly")
        with self.database.sessions() as s:
            sent = select(Submission.agency_code).where(Submission.period == due_period.label,
                                                        Submission.status != "rejected")
            owed = s.execute(
                select(Indicator.code, Indicator.agency_code, Indicator.by_province)
                .where(Indicator.frequency == "monthly")).all()
            done = set(s.scalars(sent))
            candidates = sorted({a for _c, a, _p in owed} | {f"T34_{p}" for p in self._provinces})
            waiting = [a for a in candidates if a not in done]
            if not waiting:
                return None
            agency = waiting[int(self._rng.integers(len(waiting)))]
            if agency.startswith("T34_"):
                region = agency[4:]
                codes = [c for c, _a, by_prov in owed if by_prov]
            else:
                region = "VN"
                codes = [c for c, a, _p in owed if a == agency]
            rows = []
            for code in codes:
                prev = s.scalar(select(Observation.value).where(
                    Observation.indicator_code == code, Observation.region_code == region,
                    Observation.is_latest.is_(True)).order_by(Observation.period_start.desc())
                    .limit(1))
                if prev is not None:
                    rows.append((code, region, due_period.label,
                                 round(prev * (1 + float(self._rng.normal(0, 0.01))), 2)))
        if rows:
            ingest_bytes(self.database, _csv(rows), filename=f"{agency}_{due_period.label}.csv",
                         agency=agency, channel="simulator", content_type="text/csv")
        return agency


def start(database: Database, interval: float = 3.0) -> FeedSimulator:
    """Start the simulator in the background (used by the app's embedded default)."""
    return FeedSimulator(database, interval).start()


def run(database: Database, interval: float = 3.0, ticks: int = 0) -> None:
    """Run in the foreground (python -m data simulate); ticks=0 runs until interrupted.

    Survives database restarts: one log line when an outage begins and one when it ends,
    retries with backoff in between (data.outage), and ticks resume by themselves.
    """
    from core.outage import TRANSIENT, Outage

    outage = Outage("feed simulator", log)
    sim: FeedSimulator | None = None
    count = 0
    try:
        while ticks == 0 or count < ticks:
            started = time.monotonic()
            try:
                sim = sim or FeedSimulator(database, interval)
                sim.tick()
            except TRANSIENT as exc:
                time.sleep(outage.failed(exc))
                continue
            outage.recovered()
            count += 1
            print(f"tick {count}: {local_now().isoformat()}", flush=True)
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
