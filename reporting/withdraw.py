"""Withdrawing a wrong observation: a revision that takes the value off the screens, history kept.

A withdrawal adds revision n+1 of the key with source 'withdrawn' (its value and the reason kept)
and leaves no revision of the key marked latest, so tiles and charts fall back to the previous
period. Nothing is deleted; the audit log says who withdrew what and why. A later submission of
the same key becomes revision n+2 and shows again.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import select

from accounts import audit
from core import periods
from core.clock import utc_now
from core.db import Database, transaction
from reporting.models import Observation

SOURCE = "withdrawn"
MIN_REASON = 5  # characters: a withdrawal without a real reason is not auditable


class WithdrawError(ValueError):
    """The withdrawal cannot be made: nothing to withdraw, or no reason given."""


@dataclass(frozen=True)
class Withdrawn:
    """What a withdrawal did."""

    indicator: str
    region: str
    period: str
    value: float
    withdrawn_revision: int  # the revision taken off the screens
    revision: int  # the withdrawal's own revision number


def withdraw(database: Database, indicator: str, region: str, period: str, reason: str, *,
             actor: str, address: str = "") -> Withdrawn:
    """Withdraw the latest value of (indicator, region, period); the admin console calls this."""
    reason = " ".join(str(reason).split())
    if len(reason) < MIN_REASON:
        raise WithdrawError(f"give a reason of at least {MIN_REASON} characters")
    try:
        label = periods.parse(period).label
    except periods.PeriodError as exc:
        raise WithdrawError(str(exc)) from None
    indicator, region = indicator.strip().upper(), region.strip().upper()
    with transaction(database.sessions) as session:
        latest = session.scalar(select(Observation).where(
            Observation.indicator_code == indicator, Observation.region_code == region,
            Observation.period == label, Observation.is_latest.is_(True)).with_for_update())
        if latest is None:
            raise WithdrawError(f"no current value of {indicator} for {region} in {label}")
        latest.is_latest = False
        session.flush()
        row = Observation(
            indicator_code=indicator, region_code=region, period=label,
            period_start=latest.period_start, value=latest.value, source=SOURCE,
            revision=latest.revision + 1, is_latest=False, submission_id=None,
            received_at=utc_now(), note=f"withdrawn by {actor}: {reason}"[:1000])
        session.add(row)
        audit.add(session, "admin", actor, f"withdraw {indicator} {region} {label} "
                                           f"revision {latest.revision} "
                                           f"(value {latest.value:g}): {reason}", address)
        done = Withdrawn(indicator, region, label, latest.value, latest.revision, row.revision)
    _forget_cached()
    return done


def _forget_cached() -> None:
    """Screens read through the cache: drop it so the withdrawn value leaves them at once."""
    from flask import has_app_context

    from core.cache import cache

    if has_app_context():
        with contextlib.suppress(Exception):  # an unreachable cache expires by its TTL anyway
            cache.clear()
