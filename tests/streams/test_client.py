"""streams.client against a real, slow relay on loopback: one status read in flight, nobody queued behind it."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify

from settings import from_env
from streams import client
from streams.server import BackgroundServer

from .conftest import wait_for

pytestmark = pytest.mark.timeout(60)


class SlowRelay:
    """/streams/status on a real HTTP server that answers only once its gate is open."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.asked = 0  # requests that reached the relay
        self.answered = 0  # requests it answered
        self._count = threading.Lock()
        app = Flask("slow-relay")

        @app.get("/streams/status")
        def status() -> Any:
            with self._count:
                self.asked += 1
            self.gate.wait(10)
            with self._count:
                self.answered += 1
                n = self.answered
            return jsonify([{"id": "dam-0", "name": f"Dam {n}", "state": "LIVE", "source": "rtsp://u:pw@cam"}])

        self.server = BackgroundServer(app).start()
        self.url = self.server.url


@pytest.fixture
def relay() -> Iterator[SlowRelay]:
    slow = SlowRelay()
    yield slow
    slow.gate.set()
    slow.server.stop()


def dashboard(relay_url: str) -> Flask:
    server = Flask("dashboard")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, relay_url=relay_url)
    return server


def status_in_thread(app: Flask, out: list[Any], max_age: float = client.STATUS_TTL) -> threading.Thread:
    def run() -> None:
        with app.app_context():
            out.append(client.relay_status(max_age=max_age))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_callers_get_the_last_rows_while_a_read_is_in_flight(relay: SlowRelay) -> None:
    app = dashboard(relay.url)
    with app.app_context():
        first = client.relay_status(max_age=0)
        assert first == [{**dict.fromkeys(client.PUBLIC_KEYS), "id": "dam-0", "name": "Dam 1", "state": "LIVE"}]
        relay.gate.clear()
        refreshed: list[Any] = []
        reader = status_in_thread(app, refreshed, max_age=0)
        wait_for(lambda: relay.asked == 2, 5, "the refresh reaching the relay")
        # The relay holds that request: another caller neither waits for it nor asks again.
        assert client.relay_status(max_age=0) is first
        assert (relay.asked, relay.answered) == (2, 1)
        relay.gate.set()
        reader.join(10)
        assert refreshed and refreshed[0][0]["name"] == "Dam 2"
        assert client.relay_status() is refreshed[0]  # the new rows are the cached ones now
        assert relay.asked == 2


def test_callers_without_rows_share_the_one_read_in_flight(relay: SlowRelay) -> None:
    app = dashboard(relay.url)
    relay.gate.clear()
    results: list[Any] = []
    threads = [status_in_thread(app, results) for _ in range(5)]
    wait_for(lambda: relay.asked == 1, 5, "the first read reaching the relay")
    relay.gate.set()
    for thread in threads:
        thread.join(10)
    assert len(results) == 5 and all(rows is results[0] for rows in results)
    assert results[0][0]["name"] == "Dam 1" and "source" not in results[0][0]
    assert relay.asked == 1  # one read for five callers


def test_one_dashboard_is_not_held_up_by_another_ones_read(relay: SlowRelay) -> None:
    """Each app keeps its own rows: a read in flight for one never blocks another."""
    slow_app, quick = dashboard(relay.url), SlowRelay()
    try:
        relay.gate.clear()
        pending: list[Any] = []
        reader = status_in_thread(slow_app, pending)
        wait_for(lambda: relay.asked == 1, 5, "the slow read reaching its relay")
        with dashboard(quick.url).app_context():
            assert client.relay_status()[0]["name"] == "Dam 1"
        assert not pending and relay.answered == 0  # the slow one still waits for its relay
        relay.gate.set()
        reader.join(10)
        assert pending and pending[0][0]["id"] == "dam-0"
    finally:
        quick.server.stop()
