"""The dams' part of preparing a database: the reference table, and (unless empty) 7 days of
simulated readings so the charts have a history from the first start."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import local_to_utc
from dams import reference, simulate


def load(session: Session, *, simulated: bool, now: datetime, seed: int) -> dict[str, int]:
    """Reference dams, then the simulated history; `now` is Viet Nam local time (as prepare's)."""
    dams = reference.load(session)
    session.flush()
    readings = simulate.build_history(session, local_to_utc(now), seed) if simulated else 0
    return {"dams": dams, "dam_readings": readings}
