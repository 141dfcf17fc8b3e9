"""The simulated dams: a water balance per reservoir, seasonal inflow and rainy-season floods.

Each step: volume += (inflow − turbine − spillway)·dt, the level read off the volume curve. The
inflow is a function of the dam and the time alone (season, a daily ripple and flood
hydrographs drawn per dam and 5-day slot from the seed), so the history built at init and the
live feed after it agree, however often the app restarts. The operator's rule: turbines take
the inflow up to their capacity; above the season's target level (the flood-season limit in the
rainy season, the normal level otherwise) gates open, one by one, to bring it back within a
few hours. Everything written here is marked simulated (source 'simulated'/'rollup',
channel 'simulator').
"""
from __future__ import annotations

import json
import logging
import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import Database, transaction
from core.models import Meta
from core.reference import rows
from dams import reference
from dams.models import Dam, DamReading
from dams.reference import flood_season

log = logging.getLogger(__name__)
STEP = timedelta(minutes=10)  # the model's largest step
READ_EVERY = timedelta(seconds=60)  # live readings: one batch of every dam a minute
ROLLUP_EVERY = timedelta(minutes=10)
HISTORY_DAYS = 7
SLOT = timedelta(days=5)  # flood events are drawn per dam and slot
FLOOD_CHANCE = 0.35  # of a slot in the rainy season holding a flood
PEAK_HOURS = 14.0  # time to the peak of a flood hydrograph
DRAIN_HOURS = 6.0
HOLD_M = 0.1  # within this below the target, gates pass what the turbines cannot (no flapping)  # the operator brings the level back to target over this many hours
DEMO_FLOOD_KEY = "dams_demo_flood"  # Meta: a flood started at init, so a demonstration shows one
DEMO_FLOOD_DAMS = 8
SOURCE = "simulated"
EPOCH = datetime(1970, 1, 1)  # times here are naive UTC


@dataclass
class Params:
    """What the model needs of a dam (plain values: no session)."""

    id: str
    lat: float
    normal: float
    dead: float
    flood_limit: float
    riverbed: float
    crest: float
    gates: int
    turbine_max: float
    mean_inflow: float
    curve: reference.Curve
    demo_flood: bool = False  # one of the dams the demonstration flood runs through


@dataclass
class State:
    level: float
    volume: float
    turbine: float = 0.0
    spillway: float = 0.0
    gates: int = 0
    inflow: float = 0.0


def params(session: Session, seed: int = 2020, demo_flood: datetime | None = None) -> list[Params]:
    """Every dam's model parameters; the demonstration flood runs through DEMO_FLOOD_DAMS dams
    drawn from the seed, those in their rainy season at the time first."""
    lats = {r["id"]: float(r["lat"]) for r in rows("dams.csv")}
    dams = list(session.scalars(select(Dam).order_by(Dam.id)))
    month = ((demo_flood or EPOCH) + timedelta(hours=7)).month
    drawn = sorted(dams, key=lambda d: (not flood_season(lats.get(d.id, 16.0), month),
                                        _unit(seed, d.id, "demo")))
    flooded = {d.id for d in drawn[:DEMO_FLOOD_DAMS]} if demo_flood is not None else set()
    return [Params(d.id, lats.get(d.id, 16.0), d.normal_level_m, d.dead_level_m, d.flood_limit_m,
                   d.riverbed_m, d.crest_m, d.spill_gates, d.turbine_max_m3s, d.mean_inflow_m3s,
                   [tuple(p) for p in json.loads(d.curve)],  # type: ignore[misc]
                   demo_flood=d.id in flooded)
            for d in dams]


def _unit(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and the parts."""
    return (zlib.crc32(repr((seed, *parts)).encode()) % 1_000_003) / 1_000_003


def _hydrograph(hours: float) -> float:
    """A flood's shape, 0 before it starts, 1 at its peak: (t/tp)·e^(1 − t/tp)."""
    if hours <= 0:
        return 0.0
    x = hours / PEAK_HOURS
    return x * math.exp(1 - x)


def inflow(p: Params, at: datetime, seed: int, demo_flood: datetime | None = None) -> float:
    """Inflow (m³/s) of a dam at a time (naive UTC): season, daily ripple, floods."""
    local = at + timedelta(hours=7)
    season = 1.7 if flood_season(p.lat, local.month) else 0.55
    ripple = 1 + 0.08 * math.sin(2 * math.pi * (local.hour + local.minute / 60) / 24 + _unit(seed, p.id))
    q = p.mean_inflow * season * ripple
    slot = int((at - EPOCH) // SLOT)
    for k in (slot - 1, slot):  # a flood drawn in the previous slot may still be running off
        start_of_slot = EPOCH + k * SLOT
        if not flood_season(p.lat, (start_of_slot + timedelta(hours=7)).month):
            continue
        if _unit(seed, p.id, k, "flood") < FLOOD_CHANCE:
            start = start_of_slot + SLOT * _unit(seed, p.id, k, "start")
            peak = 2.5 + 5 * _unit(seed, p.id, k, "peak")
            q += p.mean_inflow * peak * _hydrograph((at - start).total_seconds() / 3600)
    if demo_flood is not None and p.demo_flood:
        q += p.mean_inflow * 6 * _hydrograph((at - demo_flood).total_seconds() / 3600)
    return q


def _target(p: Params, at: datetime) -> float:
    return p.flood_limit if flood_season(p.lat, (at + timedelta(hours=7)).month) else p.normal


def step(p: Params, state: State, q_in: float, at: datetime, dt_s: float) -> State:
    """One step of the water balance and the operating rule (a new State)."""
    target = _target(p, at)
    v_target = reference.volume_at(p.curve, target)
    # Below the target the reservoir stores part of the inflow (more at night, when the plant
    # runs less); close to it the turbines pass what comes.
    local_hour = (at.hour + 7) % 24
    share = 1.0 if state.level > target - 0.5 else (0.95 if 8 <= local_hour < 22 else 0.6)
    turbine = min(p.turbine_max, max(0.2 * p.turbine_max, q_in * share)) if state.level > p.dead else 0.0
    # What must leave to come back to the target in DRAIN_HOURS (m3/s; volumes in million m3).
    needed = q_in + (state.volume - v_target) * 1e6 / (DRAIN_HOURS * 3600)
    if state.level > target:
        spill_wanted = max(0.0, needed - turbine)
    elif state.level > target - HOLD_M and q_in > turbine:  # held at the target: pass the surplus
        spill_wanted = q_in - turbine
    else:
        spill_wanted = 0.0
    per_gate = max(p.mean_inflow * 6 / max(p.gates, 1), 1.0)  # a gate's capacity at design head
    gates = min(p.gates, math.ceil(spill_wanted / per_gate)) if spill_wanted > 1 else 0
    spill = min(spill_wanted, gates * per_gate)
    volume = state.volume + (q_in - turbine - spill) * dt_s / 1e6
    volume = max(volume, 0.0)
    level = min(max(reference.level_at(p.curve, volume), p.riverbed), p.crest + 1)
    return State(level, volume, turbine, spill, gates, q_in)


def start_state(p: Params, at: datetime) -> State:
    target = _target(p, at)
    level = target - 0.2 * (target - p.dead)
    return State(level, reference.volume_at(p.curve, level))


def advance(p: Params, state: State, since: datetime, until: datetime, seed: int,
            demo_flood: datetime | None) -> State:
    """Run the model from `since` to `until` in steps of at most STEP."""
    at = since
    while at < until:
        dt = min(STEP, until - at)
        at += dt
        state = step(p, state, inflow(p, at, seed, demo_flood), at, dt.total_seconds())
    return state


def _row(p: Params, s: State, at: datetime, source: str, samples: int = 1) -> dict[str, object]:
    return {"dam_id": p.id, "at": at, "level_m": round(s.level, 2),
            "inflow_m3s": round(s.inflow, 1), "turbine_m3s": round(s.turbine, 1),
            "spillway_m3s": round(s.spillway, 1), "gates_open": s.gates, "source": source,
            "batch_id": None, "samples": samples, "received_at": at}


def build_history(session: Session, now: datetime | None = None, seed: int = 2020,
                  days: int = HISTORY_DAYS) -> int:
    """Seed the last `days` days: hourly rolled-up rows before 48 h, readings every STEP after;
    a demonstration flood starts 30 h before now at a few dams. Returns rows written."""
    now = (now or utc_now()).replace(second=0, microsecond=0)
    demo_flood = now - timedelta(hours=30)
    session.merge(Meta(key=DEMO_FLOOD_KEY, value=demo_flood.isoformat()))
    start = (now - timedelta(days=days)).replace(minute=0)
    rolled_before = (now - timedelta(hours=48)).replace(minute=0)
    rows: list[dict[str, object]] = []
    for p in params(session, seed, demo_flood):
        state, at = start_state(p, start), start
        hour: list[State] = []
        while at + STEP <= now:  # never past now: a reading from the future would be refused
            at += STEP
            state = step(p, state, inflow(p, at, seed, demo_flood), at, STEP.total_seconds())
            if at >= rolled_before:
                rows.append(_row(p, state, at, SOURCE))
                continue
            hour.append(state)
            if (at + STEP).hour != at.hour:  # the hour [h, h+1) is complete: one row, as rolled
                n = len(hour)
                mean = State(*(sum(getattr(h, f) for h in hour) / n
                               for f in ("level", "volume", "turbine", "spillway")),
                             gates=max(h.gates for h in hour), inflow=sum(h.inflow for h in hour) / n)
                rows.append(_row(p, mean, at.replace(minute=0), "rollup", n))
                hour = []
    for i in range(0, len(rows), 2000):
        session.execute(insert(DamReading), rows[i:i + 2000])
    return len(rows)


class DamFeed:
    """The live part: each call to maybe_tick advances every dam to now and sends one batch of
    readings through ingest (as a gateway would), once READ_EVERY; rolls old readings up."""

    def __init__(self, database: Database, seed: int = 2020) -> None:
        self.database, self.seed = database, seed
        self._last: datetime | None = None
        self._last_rollup: datetime | None = None
        self.ticks = 0

    def maybe_tick(self, now: datetime | None = None) -> bool:
        """Send readings if READ_EVERY has passed; a failure is logged, never raised (the
        host's other feeds go on)."""
        now = now or utc_now()
        if self._last is not None and now - self._last < READ_EVERY:
            return False
        self._last = now
        try:
            self.tick(now)
            if self._last_rollup is None or now - self._last_rollup >= ROLLUP_EVERY:
                from dams import rollup

                self._last_rollup = now
                rollup.run(self.database, now)
        except Exception:  # noqa: BLE001 (a database outage is retried on the next minute)
            log.warning("dam feed tick failed", exc_info=True)
            return False
        return True

    def tick(self, now: datetime) -> int:
        """Advance each dam from its latest reading to now; returns readings sent."""
        from dams.ingest import ingest

        with transaction(self.database.sessions) as s:
            if s.scalar(select(func.count()).select_from(Dam)) == 0:
                reference.load(s)  # a database seeded before the dams existed
        with self.database.sessions() as s:
            meta = s.get(Meta, DEMO_FLOOD_KEY)
            demo_flood = datetime.fromisoformat(meta.value) if meta is not None else None
            dams = params(s, self.seed, demo_flood)
            latest = dict(s.execute(select(DamReading.dam_id, func.max(DamReading.at))
                                    .group_by(DamReading.dam_id)).all())
            levels: dict[str, float | None] = {}
            for dam, at in latest.items():
                levels[dam] = s.scalar(select(DamReading.level_m).where(
                    DamReading.dam_id == dam, DamReading.at == at).limit(1))
        readings = []
        for p in dams:
            since = latest.get(p.id)
            if since is None or since >= now or levels.get(p.id) is None:
                state, since = start_state(p, now), now - STEP
            else:
                level = float(levels[p.id])  # type: ignore[arg-type]
                state = State(level, reference.volume_at(p.curve, level))
                since = max(since, now - timedelta(days=1))  # a long outage: no day-long catch-up
            state = advance(p, state, since, now, self.seed, demo_flood)
            readings.append({"dam": p.id, "time": (now + timedelta(hours=7)).isoformat(),
                             "level_m": round(state.level, 2), "inflow_m3s": round(state.inflow, 1),
                             "turbine_m3s": round(state.turbine, 1),
                             "spillway_m3s": round(state.spillway, 1), "gates_open": state.gates})
        ingest(self.database, json.dumps({"readings": readings}).encode(), agency="EVN",
               channel="simulator", operator_only=False, filename="dam-feed.json",
               content_type="application/json", source=SOURCE, now=now)
        self.ticks += 1
        return len(readings)
