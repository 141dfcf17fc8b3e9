"""The dam conditions the alerts evaluator reads: level, spill and silence, by stable keys."""
from __future__ import annotations

from datetime import datetime

from dams.conditions import detect

NOW = datetime(2026, 12, 6, 3, 0)  # naive UTC = 10:00 in Viet Nam
REF = {"normal_level_m": 117.0, "flood_limit_m": 101.0, "turbine_max_m3s": 2400.0}


def _dam(level: float, at: str = "2026-12-06T09:55:00+07:00", gates: int = 0,
         spill: float = 0.0, latest: bool = True) -> dict:
    reading = {"at": at, "level_m": level, "gates_open": gates, "spillway_m3s": spill}
    return {"id": "HOA_BINH", "camera": "hoa-binh", "name": "Hòa Bình", "reference": REF,
            "latest": reading if latest else None}


def test_a_quiet_dam_raises_nothing() -> None:
    assert detect([_dam(95.0)], NOW) == []


def test_level_above_the_limits() -> None:
    [warn] = detect([_dam(102.0)], NOW)
    assert (warn.key, warn.severity, warn.subject) == ("dam-level:hoa-binh", "warning", "Hòa Bình")
    [crit] = detect([_dam(117.5)], NOW)
    assert crit.severity == "critical" and "dâng bình thường" in crit.detail_vi


def test_spill_and_silence() -> None:
    keys = {(c.key, c.severity) for c in detect([_dam(100.0, gates=3, spill=3000.0)], NOW)}
    assert keys == {("dam-spill:hoa-binh", "critical")}
    silent = detect([_dam(95.0, at="2026-12-06T09:29:00+07:00")], NOW)
    assert [c.key for c in silent] == ["dam-silent:hoa-binh"]
    assert [c.key for c in detect([_dam(0, latest=False)], NOW)] == ["dam-silent:hoa-binh"]
