"""The issue's alert timing targets end to end, a few trials (bench/alerts_timing.py runs 50).

`python app.py` as its own process with its evaluator and relay; a dam reading posted through
the readings API and a camera's source process killed; the wall's alert callback replayed over
HTTP with a display token until the alert is in its answer, then until it is gone. A wall asks
every 3 s, so each trial is held to its target less half a poll (the mean phase).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._alertwall import Timing
from bench.alerts_timing import CAMERA_TARGET_S, OPEN_TARGET_S, WALL_POLL_S, Run

pytestmark = pytest.mark.serial  # times alerts reaching the wall

HALF_POLL = WALL_POLL_S / 2


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder: Path = tmp_path_factory.mktemp("alert-timing")
    started = Run(folder)
    try:
        started.wait_camera_clear()
        yield started
    finally:
        started.close()


def _seconds(timings: list[Timing]) -> str:
    return ", ".join(f"{t.wall_s:.1f} s (evaluated {t.evaluated_s:.1f} s)" for t in timings)


def test_a_dam_level_reaches_the_wall_within_ten_seconds_and_leaves_with_it(run: Run) -> None:
    opened, cleared = zip(*(run.dam_trial() for _ in range(2)), strict=True)
    assert all(t.wall_s + HALF_POLL <= OPEN_TARGET_S for t in opened), _seconds(list(opened))
    assert all(t.wall_s + HALF_POLL <= OPEN_TARGET_S for t in cleared), _seconds(list(cleared))


def test_a_killed_camera_is_on_the_wall_within_fifteen_seconds_and_off_after_recovery(
        run: Run) -> None:
    down, back = run.camera_trial(outage_s=0.0)
    assert down.wall_s + HALF_POLL <= CAMERA_TARGET_S, _seconds([down])
    assert back.wall_s + HALF_POLL <= CAMERA_TARGET_S, _seconds([back])


def test_a_long_outage_leaves_room_to_reconnect_within_the_recovery_target() -> None:
    """After a long outage the relay tries again every backoff_max_s: that wait, the evaluator's
    period, the wall's shared answer window and its poll must fit the 15 s (a long outage is too
    slow to run here; bench/alerts_timing.py times outages up to 60 s). The alert list itself
    adds nothing: a pass that changes an alert drops the walls' kept list."""
    from flask import Flask

    from settings import Settings
    from streams.config import BUNDLED_CAMERAS, RelayOptions, load_cameras
    from web.rendercache.allowlist import live_row_window

    interval = Settings.model_fields["alert_interval"].default
    window = live_row_window(Flask("t"))
    for relay in (RelayOptions(), load_cameras(BUNDLED_CAMERAS).relay):
        assert relay.backoff_max_s + interval + window + WALL_POLL_S <= CAMERA_TARGET_S
