"""Deterministic value models for simulated indicator series (national and provincial)."""
from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from reporting.catalogue import Profile

REFERENCE_YEAR = 2020.0  # the profile's `base` is the level at the start of this year


def years_since_reference(moment: datetime) -> float:
    return moment.year + (moment.timetuple().tm_yday - 1) / 365.25 - REFERENCE_YEAR


def ar1_noise(rng: np.random.Generator, n: int, phi: float = 0.6) -> np.ndarray:
    """Autocorrelated unit noise, so series wander like real data instead of jittering."""
    shocks = rng.standard_normal(n) * math.sqrt(1 - phi * phi)
    out = np.empty(n)
    level = rng.standard_normal()
    for i in range(n):
        level = phi * level + shocks[i]
        out[i] = level
    return out


def national_series(profile: Profile, starts: list[datetime], rng: np.random.Generator) -> np.ndarray:
    """Values of one indicator for the given period starts, clamped to its plausible range."""
    t = np.array([years_since_reference(s) for s in starts])
    month = np.array([s.month for s in starts])
    seasonal = np.sin(2 * math.pi * (month - 1) / 12 - 1.2)
    noise = ar1_noise(rng, len(starts))
    if profile.kind == "level":
        values = profile.base * (1 + profile.trend / 100) ** t * (1 + profile.season * seasonal)
        values = values + profile.noise * noise
    elif profile.kind == "ytd":
        # Cumulative share of a yearly plan: slow start, fast finish.
        values = profile.base * (month / 12) ** 1.3 * (1 + profile.noise / 100 * noise)
    else:
        values = profile.base + profile.trend * t + profile.season * profile.base * seasonal
        values = values + profile.noise * noise
    return np.clip(values, profile.min_value, profile.max_value)


def province_weights(codes: list[str], rng: np.random.Generator) -> dict[str, float]:
    """Each province's share of national totals; the two metropolises weigh most."""
    raw = rng.lognormal(0.0, 0.5, len(codes))
    for i, code in enumerate(codes):
        if code in ("01", "79"):
            raw[i] *= 6
    raw = raw / raw.sum()
    return dict(zip(codes, raw.tolist(), strict=True))


def province_series(profile: Profile, national: np.ndarray, weight: float, offset: float,
                    rng: np.random.Generator) -> np.ndarray:
    """A province's series derived from the national one."""
    noise = ar1_noise(rng, len(national))
    if profile.kind == "level":
        values = national * weight * (1 + 0.05 * noise)
    else:
        values = national + offset + 0.5 * profile.noise * noise
    return np.clip(values, profile.min_value, profile.max_value)


def diurnal(moment: datetime) -> float:
    """Office-hours activity curve (0.1 at night, ~1.6 at mid-morning) for live counters."""
    hour = moment.hour + moment.minute / 60
    working = math.exp(-((hour - 10.5) ** 2) / 8) + 0.8 * math.exp(-((hour - 15) ** 2) / 6)
    weekday = 1.0 if moment.weekday() < 5 else 0.35
    return (0.1 + 1.5 * working) * weekday


def live_value(base: float, noise: float, counter: bool, moment: datetime, seconds: float,
               rng: np.random.Generator) -> float:
    """One live-feed reading: a count over `seconds` (Poisson) or an instantaneous level.

    The seeded history of today and the live simulator both call this, so the two join up.
    """
    if counter:
        return float(rng.poisson(base * diurnal(moment) * seconds / 3))
    return float(round(base * (0.85 + 0.3 * diurnal(moment) / 1.6) + rng.normal(0, noise)))
