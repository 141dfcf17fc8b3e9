"""Held follower polls under real waitress: answered at the presenter's change, no thread each."""
from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from displays import registry
from settings import from_env
from tests.apps import build_app
from tests.helpers import wait_for
from tests.servers import WaitressThread
from web import heldpolls
from web.displays import FOLLOW_POLL_MS, HELD_KEY, live_state

pytestmark = pytest.mark.serial  # times held polls' answers

THREADS = 2  # waitress threads: far fewer than the followers held below
FOLLOWERS = 12


class Served:
    def __init__(self, app: Any, server: Any) -> None:
        self.app, self.server = app, server
        self.url = f"http://127.0.0.1:{server.server_port}"
        self.db = app.server.extensions["ops_db"]
        self.polls: heldpolls.HeldPolls = app.server.extensions[HELD_KEY]

    def presenter(self, action: str, path: str = "/") -> dict[str, Any] | None:
        with self.app.server.app_context():
            live = live_state()
            if action == "start":
                return live.start("u1", "Presenter One", path, "")[1]
            if action == "publish":
                return live.publish("u1", path, "")
            live.stop("u1")
            return None


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    settings = from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False, seed_years=1)
    app = build_app(settings)
    server = WaitressThread(app.server, threads=THREADS, ident="test")
    yield Served(app, server)
    server.shutdown()
    app.server.extensions["ops_db"].dispose()


def follower(served: Served, name: str, mode: str = "follow") -> requests.Session:
    _view, secret = registry.create(served.db, name, place="wall", mode=mode)
    session = requests.Session()
    assert session.get(f"{served.url}/display/{secret}", allow_redirects=False,
                       timeout=5).status_code == 303
    return session


def live(session: requests.Session, served: Served, hold: str | None = None) -> dict[str, Any]:
    params = {"showing": "/"} | ({"hold": hold} if hold is not None else {})
    resp = session.get(f"{served.url}/displays/live", params=params, timeout=10)
    assert resp.status_code == 200
    return resp.json()


def test_held_polls_are_answered_at_the_change_and_hold_no_thread(served: Served) -> None:
    served.presenter("start", "/savings")
    sessions = [follower(served, f"F{n:02d}") for n in range(FOLLOWERS)]
    first = live(sessions[0], served)
    seq = first["presenter"]["seq"]
    assert first["poll"] == FOLLOW_POLL_MS  # no hold asked: a short poll's answer

    with ThreadPoolExecutor(FOLLOWERS) as pool:
        held = [pool.submit(live, s, served, str(seq)) for s in sessions]
        wait_for(lambda: len(served.polls) == FOLLOWERS, 5, "every follower held")
        # Six times more held polls than waitress threads, and the pages still answer at once.
        started = time.monotonic()
        assert requests.get(f"{served.url}/healthz", timeout=2).status_code == 200
        assert requests.get(f"{served.url}/login", timeout=2).status_code == 200
        assert time.monotonic() - started < 1.0
        assert not any(f.done() for f in held)

        changed = time.monotonic()
        served.presenter("publish", "/reporting")
        answers = [f.result(timeout=5) for f in held]
        latency = time.monotonic() - changed
    assert latency < 0.5, latency  # a tick (50 ms) and the writes, not a poll period
    assert all(a["presenter"]["path"] == "/reporting" and a["presenter"]["seq"] > seq
               and a["poll"] == 0 for a in answers)
    assert len(served.polls) == 0 and served.polls.answered >= FOLLOWERS


def test_a_behind_screen_is_answered_at_once_and_an_unchanged_one_after_the_hold(served: Served) -> None:
    record = served.presenter("start", "/savings")
    session = follower(served, "Behind")
    started = time.monotonic()
    behind = live(session, served, hold="none")  # it has not seen this presenter yet
    assert time.monotonic() - started < 1.0
    assert behind["presenter"]["seq"] == record["seq"] and behind["poll"] == 0

    started = time.monotonic()
    same = live(session, served, hold=str(record["seq"]))
    waited = time.monotonic() - started
    assert heldpolls.HOLD_S - 0.2 <= waited < heldpolls.HOLD_S + 1.5, waited
    assert same["presenter"]["seq"] == record["seq"] and same["poll"] == 0


def test_a_scroll_made_between_two_polls_is_answered_at_once(served: Served) -> None:
    """The presenter scrolled while the screen was between polls: no new sequence, but the
    screen says the scroll it has, so its next poll is answered at once, not after the hold."""
    record = served.presenter("start", "/indicators/GDP_GROWTH")
    session = follower(served, "Scroll")
    with served.app.server.app_context():
        live_state().publish("u1", "/indicators/GDP_GROWTH", "", 0.5)
    seq = str(record["seq"])
    started = time.monotonic()
    resp = session.get(f"{served.url}/displays/live",
                       params={"showing": "/", "hold": seq, "scroll": "0"}, timeout=10)
    assert time.monotonic() - started < 1.0
    got = resp.json()
    assert got["presenter"]["scroll"] == 0.5 and got["poll"] == 0
    # With the scroll it has, the same poll is held (until the next change or the hold's end).
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(session.get, f"{served.url}/displays/live",
                           params={"showing": "/", "hold": seq, "scroll": "0.5"}, timeout=10)
        wait_for(lambda: len(served.polls) == 1, 5, "the poll held")
        assert not held.done()
        with served.app.server.app_context():
            live_state().publish("u1", "/indicators/GDP_GROWTH", "", 0.75)
        assert held.result(timeout=2).json()["presenter"]["scroll"] == 0.75


def test_stop_revocation_and_mode_change_reach_held_screens(served: Served) -> None:
    record = served.presenter("start", "/savings")
    seq = str(record["seq"])
    stopping, revoked, moved = (follower(served, n) for n in ("Stop", "Revoked", "Moved"))
    with ThreadPoolExecutor(3) as pool:
        held = pool.submit(live, stopping, served, seq)
        wait_for(lambda: len(served.polls) == 1, 5, "held")
        served.presenter("stop")
        assert held.result(timeout=2)["presenter"] is None  # back to its playlist at once

        seq = "none"
        held_revoked = pool.submit(live, revoked, served, seq)
        held_moved = pool.submit(live, moved, served, seq)
        wait_for(lambda: len(served.polls) == 2, 5, "held")
        started = time.monotonic()
        registry.revoke(served.db, "Revoked")
        registry.update(served.db, "Moved", mode="page", page="/cameras")
        assert held_revoked.result(timeout=5) == {"kind": "display", "revoked": True, "poll": 0}
        assert held_moved.result(timeout=5)["mode"] == "page"
        assert time.monotonic() - started < 3.5  # registry snapshot + shared stamp, not the hold


def test_a_screen_that_leaves_gives_its_place_back_at_once(served: Served) -> None:
    record = served.presenter("start", "/savings")
    session = follower(served, "Leaver")
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    port = served.server.server_port
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(f"GET /displays/live?showing=/&hold={record['seq']} HTTP/1.1\r\n"
                 f"Host: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    wait_for(lambda: len(served.polls) == 1, 5, "held")
    dropped = served.polls.dropped
    sock.close()
    wait_for(lambda: len(served.polls) == 0, 1, "the closed socket dropped")
    assert served.polls.dropped == dropped + 1


def test_waitress_keeps_quiet_when_a_parked_poll_goes(caplog: pytest.LogCaptureFixture) -> None:
    """57 screens each ending a held poll every ~4 s is how following works, not news."""
    from web.heldpolls import quiet_expected_disconnects

    quiet_expected_disconnects()
    waitress_log = logging.getLogger("waitress")
    with caplog.at_level(logging.INFO, logger="waitress"):
        waitress_log.info("Client disconnected while serving /displays/live")
        waitress_log.info("Client disconnected while serving /api/v1/indicators")
    assert [r.getMessage() for r in caplog.records] == [
        "Client disconnected while serving /api/v1/indicators"]
