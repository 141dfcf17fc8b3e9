"""Withdrawing a wrong observation: a revision that takes the value off the screens, history kept.

A withdrawal adds revision n+1 of the key (its value and the reason kept) and never deletes. It
undoes the latest revision: the revision that was latest before it becomes the latest again (an
agency's earlier, correct value shows again). Withdrawing the whole key (`everything=True`) leaves
no revision latest, so tiles and charts fall back to the previous period. Withdrawals replay in
order: source 'withdrawn' takes the newest shown revision away, 'withdrawn-all' takes them all.
The audit log says who withdrew what and why. A later submission of the key becomes the next
revision and shows.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from accounts import audit
from core import periods
from core.clock import utc_now
from core.db import Database, transaction
from reporting.models import Observation

SOURCE = "withdrawn"  # one revision withdrawn: the one before it is latest again
SOURCE_ALL = "withdrawn-all"  # every revision of the key withdrawn
SOURCES = (SOURCE, SOURCE_ALL)
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
    restored_revision: int | None = None  # the revision latest again, if any
    restored_value: float | None = None


def shown_stack(history: Iterable[Observation]) -> list[Observation]:
    """Replay a key's revisions (in revision order): the values still standing, newest last."""
    shown: list[Observation] = []
    for row in history:
        if row.source == SOURCE:
            if shown:
                shown.pop()
        elif row.source == SOURCE_ALL:
            shown.clear()
        else:
            shown.append(row)
    return shown


def withdraw(database: Database, indicator: str, region: str, period: str, reason: str, *,
             actor: str, address: str = "", everything: bool = False) -> Withdrawn:
    """Withdraw the latest value of (indicator, region, period), or every value of it."""
    reason = " ".join(str(reason).split())
    if len(reason) < MIN_REASON:
        raise WithdrawError(f"give a reason of at least {MIN_REASON} characters")
    try:
        label = periods.parse(period).label
    except periods.PeriodError as exc:
        raise WithdrawError(str(exc)) from None
    indicator, region = indicator.strip().upper(), region.strip().upper()
    with transaction(database.sessions) as session:
        # Every revision of the key, locked: a concurrent ingest or withdrawal waits for this one.
        history = list(session.scalars(select(Observation).where(
            Observation.indicator_code == indicator, Observation.region_code == region,
            Observation.period == label).order_by(Observation.revision).with_for_update()))
        latest = next((o for o in history if o.is_latest), None)
        if latest is None:
            raise WithdrawError(f"no current value of {indicator} for {region} in {label}")
        standing = [o for o in shown_stack(history) if o is not latest]
        restored = None if everything or not standing else standing[-1]
        latest.is_latest = False
        session.flush()  # demote first: at no moment two rows of one key claim to be latest
        if restored is not None:
            restored.is_latest = True
        row = Observation(
            indicator_code=indicator, region_code=region, period=label,
            period_start=latest.period_start, value=latest.value,
            source=SOURCE_ALL if everything else SOURCE,
            revision=history[-1].revision + 1, is_latest=False, submission_id=None,
            received_at=utc_now(), note=f"withdrawn by {actor}: {reason}"[:1000])
        session.add(row)
        audit.add(session, "admin", actor, _audit_detail(latest, label, reason, restored,
                                                         everything), address)
        done = Withdrawn(indicator, region, label, latest.value, latest.revision, row.revision,
                         restored.revision if restored else None,
                         restored.value if restored else None)
    _forget_cached()
    return done


def _audit_detail(latest: Observation, label: str, reason: str, restored: Observation | None,
                  everything: bool) -> str:
    what = (f"withdraw{' all of' if everything else ''} {latest.indicator_code} "
            f"{latest.region_code} {label} revision {latest.revision} (value {latest.value:g})")
    after = (f"revision {restored.revision} (value {restored.value:g}) current again"
             if restored else "no value current")
    return f"{what}; {after}: {reason}"


def _forget_cached() -> None:
    """Screens read through the cache: drop it so the withdrawn value leaves them at once."""
    from flask import has_app_context

    from core.cache import cache

    if has_app_context():
        with contextlib.suppress(Exception):  # an unreachable cache expires by its TTL anyway
            cache.clear()
