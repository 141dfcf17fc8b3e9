"""End-to-end alert timing against a running app: make a condition, watch the wall's answer.

The wall is watched as a screen sees it: the overview's live row (live figures, alerts and
cameras-down strip in one callback, every 3 s) replayed over HTTP with a display token, through the guard and the render cache. The database
is read beside it only to split the time into "the evaluator opened it" and "the wall shows it".
Shared by bench/alerts_timing.py and tests/alerts/test_timing.py.
"""
from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import func, select

from alerts.models import Alert
from core.clock import utc_now
from core.db import Database

ROOT = Path(__file__).resolve().parents[1]
LIVE_ROW = ("overview-live", "overview-alerts", "overview-camera-strip")
ALERTS_OUTPUT = "..overview-live.children...overview-alerts.children...overview-camera-strip.children.."
POLL_S = 0.1  # how often the probe asks; a wall asks every layouts.overview.LIVE_MS


@dataclass(frozen=True)
class WallItem:
    """One alert on the wall's panel: its element id, classes, drill link and text."""

    id: str
    classes: str
    href: str
    text: str


def _text(node: Any) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return " ".join(_text(n) for n in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    return ""


def wall_items(node: Any) -> list[WallItem]:
    """The alert items (dcc.Link id wall-alert-N) anywhere in a Dash callback answer."""
    found: list[WallItem] = []
    if isinstance(node, list):
        for n in node:
            found.extend(wall_items(n))
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and str(props.get("id", "")).startswith("wall-alert-"):
            found.append(WallItem(str(props["id"]), str(props.get("className", "")),
                                  str(props.get("href", "")), _text(node)))
        else:
            for value in (props if isinstance(props, dict) else node).values():
                found.extend(wall_items(value))
    return found


class Wall:
    """A wall screen's alert poll, signed in with a display token (one keep-alive connection)."""

    def __init__(self, base: str, display_token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {display_token}"
        self._ticks = itertools.count(1)

    def items(self) -> list[WallItem]:
        body = {"output": ALERTS_OUTPUT,
                "outputs": [{"id": i, "property": "children"} for i in LIVE_ROW],
                "inputs": [{"id": "overview-live-tick", "property": "n_intervals",
                            "value": next(self._ticks)},
                           {"id": "lang", "property": "data", "value": "vi"}],
                "changedPropIds": ["overview-live-tick.n_intervals"], "state": []}
        got = self.http.post(f"{self.base}/_dash-update-component", json=body, timeout=10)
        got.raise_for_status()
        return wall_items(got.json()["response"]["overview-alerts"])


def shows(items: list[WallItem], href: str, label: str) -> bool:
    """An open alert drilling to `href` whose headline names the kind (its short label)."""
    return any(i.href == href and f"{label}:" in i.text and "al-open" in i.classes.split()
               for i in items)


def alert_state(database: Database, key: str) -> str | None:
    """The live alert of `key`: open, acknowledged, or None (resolved or never raised)."""
    with database.sessions() as s:
        return s.scalar(select(Alert.state).where(Alert.active_key == key))


def wait_first_pass(database: Database, timeout: float = 60) -> None:
    """Until the evaluator's first pass has committed (the seeded data always opens some: late
    reports, the demo floods), so a quiet dam or indicator is chosen from what it found."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.sessions() as s:
            if s.scalar(select(func.count(Alert.id))):
                return
        time.sleep(0.1)
    raise TimeoutError(f"the evaluator opened no alert within {timeout:.0f} s")


def acknowledge_others(database: Database, keep: set[str]) -> int:
    """Acknowledge every open alert but `keep`'s: an operations room that has taken what it
    has, so a new alert is the wall's first item (the panel shows three, critical first)."""
    from alerts import lifecycle

    with database.sessions() as s:
        ids = list(s.scalars(select(Alert.id).where(Alert.state == "open",
                                                    Alert.key.not_in(keep))))
    for alert_id in ids:
        with contextlib.suppress(lifecycle.AlertError):  # resolved or acknowledged meanwhile
            lifecycle.acknowledge(database, alert_id, "bench", "timing run", utc_now())
    return len(ids)


@dataclass
class Timing:
    """One transition: seconds from the cause to the database and to the wall's answer."""

    evaluated_s: float  # the alert's row changed (the evaluator's pass)
    wall_s: float  # the wall's answer changed


def watch(since: float, in_db: Callable[[], bool], on_wall: Callable[[], bool],
          timeout: float, describe: Callable[[], str] = lambda: "") -> Timing:
    """Poll both until the wall shows the change; `since` is the cause's monotonic moment."""
    evaluated: float | None = None
    deadline = since + timeout
    while time.monotonic() < deadline:
        if evaluated is None and in_db():
            evaluated = time.monotonic() - since
        if on_wall():
            now = time.monotonic() - since
            return Timing(now if evaluated is None else evaluated, now)
        time.sleep(POLL_S)
    seen = "was" if evaluated is not None or in_db() else "was not"
    raise TimeoutError(f"the wall did not change within {timeout:.0f} s "
                       f"(the alert's row {seen} changed; {describe()})")


# --- a dam reading past its level: the condition made through the readings API ---------------

@dataclass
class DamCondition:
    """dam-level:<camera> raised and cleared by an operator's gateway posting readings."""

    base: str
    token: str  # an agency token of the dam's operator
    dam: dict[str, Any]  # dams.queries.latest_of's row

    @property
    def key(self) -> str:
        return f"dam-level:{self.dam['camera']}"

    @property
    def href(self) -> str:
        return f"/cameras?cam={self.dam['camera']}"

    def _post(self, level: float) -> float:
        at = (utc_now() + timedelta(hours=7)).replace(microsecond=0)  # Viet Nam time, no offset
        rows = [{"dam": self.dam["id"], "time": at.isoformat(), "level_m": round(level, 2),
                 "turbine_m3s": 0, "spillway_m3s": 0, "gates_open": 0}]
        since = time.monotonic()
        got = requests.post(f"{self.base}/api/v1/dams/readings", json=rows, timeout=10,
                            headers={"Authorization": f"Bearer {self.token}"})
        if got.status_code != 200:
            raise RuntimeError(f"reading refused: {got.status_code} {got.text[:300]}")
        return since

    def make(self) -> float:
        """A level 0.5 m over the normal water level (critical); returns when it was sent."""
        return self._post(self.dam["reference"]["normal_level_m"] + 0.5)

    def clear(self) -> float:
        ref = self.dam["reference"]
        below = min(ref["flood_limit_m"], ref["normal_level_m"]) - 1.0
        return self._post(max(below, ref["riverbed_m"] + 1.0))


def quiet_dam(database: Database) -> dict[str, Any]:
    """A dam with reference levels and no live alert (the demo floods leave some spilling)."""
    from dams.queries import latest_of

    with database.sessions() as s:
        busy = {k.split(":", 1)[1] for k in s.scalars(select(Alert.active_key)
                                                       .where(Alert.active_key.is_not(None)))
                if k.startswith("dam-")}
    return next(d for d in latest_of(database)
                if d["camera"] and d["camera"] not in busy and d["operator"]
                and d["reference"]["normal_level_m"] and d["reference"]["riverbed_m"] is not None)


# --- an indicator value past its threshold: the condition made through the submissions API --

@dataclass
class ThresholdCondition:
    """threshold:<code>:VN:<period> raised by a revision past the threshold, cleared by one
    restoring the value it had (the agency's token, text/csv as agencies send)."""

    base: str
    token: str  # an agency token of the indicator's agency
    summary: dict[str, Any]  # reporting.queries.indicator_summary's national summary

    @property
    def key(self) -> str:
        return f"threshold:{self.summary['code']}:VN:{self.summary['period']}"

    @property
    def href(self) -> str:
        return f"/indicators/{self.summary['code']}"

    def _post(self, value: float) -> float:
        body = ("indicator,region,period,value,note\n"
                f"{self.summary['code']},VN,{self.summary['period']},{value:g},\n")
        since = time.monotonic()
        got = requests.post(f"{self.base}/api/v1/submissions", data=body.encode(), timeout=30,
                            headers={"Authorization": f"Bearer {self.token}",
                                     "Content-Type": "text/csv"})
        if got.status_code != 200:
            raise RuntimeError(f"submission refused: {got.status_code} {got.text[:300]}")
        return since

    def make(self) -> float:
        return self._post(past_threshold(self.summary))

    def clear(self) -> float:
        return self._post(self.summary["value"])


def past_threshold(s: dict[str, Any]) -> float:
    """A value on the bad side of the indicator's threshold (by its direction)."""
    if s["warn_below"] is not None and s["higher_is_better"] is not False:
        return s["warn_below"] - 0.5
    return s["warn_above"] + 0.5


def quiet_indicator(database: Database) -> dict[str, Any]:
    """A national series with a threshold, good now, whose bad value its range accepts."""
    from flask import Flask

    from core.db import EXTENSION_KEY
    from reporting import queries

    server = Flask("alert-timing")
    server.extensions[EXTENSION_KEY] = database
    with server.app_context():  # uncached: the bench's process has no cache of its own
        summaries = [queries.indicator_summary.uncached(c)
                     for c in queries.indicators_with_thresholds.uncached()]
    for s in summaries:
        if s.get("value") is None or s["status"] == "bad" or not s.get("agency"):
            continue
        if (s["warn_below"] is None) == (s["warn_above"] is None):
            continue  # one threshold, so the bad side is plain
        bad = past_threshold(s)
        if (s["min_value"] is None or bad >= s["min_value"]) and \
                (s["max_value"] is None or bad <= s["max_value"]):
            return s
    raise LookupError("no indicator with one threshold and a good value")


# --- a camera whose source is its own process ------------------------------------------------

VICTIM = "hoa-binh"


def camera_files(folder: Path, sim_port: int) -> tuple[str, str]:
    """(the simulator's cameras file, the app's): one bundled camera as a simulated MJPEG
    source, which the app's relay reads over HTTP from the simulator process, so killing that
    process is the camera going away."""
    from streams.config import BUNDLED_CAMERAS
    from tests.browser.conftest import SMALL_SIM

    doc = yaml.safe_load(BUNDLED_CAMERAS.read_text(encoding="utf-8"))
    cam = next(c for c in doc["cameras"] if c["id"] == VICTIM)
    cam.pop("streams", None)
    cam.pop("options", None)
    sim_doc = {**doc, "simulator": SMALL_SIM, "cameras": [{**cam, "source": f"sim://{VICTIM}"}]}
    app_doc = {**doc, "cameras": [{**cam, "source":
                                   f"http://127.0.0.1:{sim_port}/cam/{VICTIM}.mjpg"}]}
    paths = []
    for name, content in (("sim-cameras.yaml", sim_doc), ("app-cameras.yaml", app_doc)):
        path = folder / name
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]


class CameraSource:
    """`python -m streams simulate` serving the victim camera alone: killed and started again."""

    def __init__(self, cameras_file: str, port: int, rtsp_port: int, cache: Path) -> None:
        self.args = [sys.executable, "-m", "streams", "simulate", "--cameras", cameras_file,
                     "--port", str(port), "--rtsp-port", str(rtsp_port), "--sim-cache", str(cache)]
        self.url = f"http://127.0.0.1:{port}/stats"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> float:
        """Start it; returns the moment it answers (the source is back)."""
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"camera simulator exited with {self.proc.returncode}")
            try:
                if requests.get(self.url, timeout=1).status_code == 200:
                    return time.monotonic()
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("camera simulator did not answer")

    def kill(self) -> float:
        """SIGKILL, as a camera losing power: returns the moment it was killed."""
        assert self.proc is not None
        since = time.monotonic()
        self.proc.kill()
        self.proc.wait(10)
        return since

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def label(kind: str) -> str:
    """The wall's short Vietnamese name of a kind (its headlines start with it)."""
    from web.i18n import t

    return t(f"al.short.{kind}", "vi")


def display_token(database: Database) -> str:
    """A display token: the wall's principal (read-only, as a screen in the room)."""
    from accounts import tokens

    return tokens.create_display(database, "alert-timing", actor="bench")[1]


def agency_token(database: Database, agency: str) -> str:
    from accounts import tokens

    return tokens.create(database, agency, actor="bench")[1]

