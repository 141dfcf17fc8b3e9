"""The dams' API: readings posted by operators' tokens, latest per dam read back."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts import tokens
from core.clock import local_now
from core.db import EXTENSION_KEY, Database
from settings import Settings
from web import api, api_dams


@pytest.fixture
def client(settings: Settings, database: Database) -> Iterator[FlaskClient]:
    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    server.config.update(OPS_SETTINGS=settings)
    api_dams.init_app(server)
    api.init_app(server)
    with server.test_client() as c:
        yield c


def _body(*rows: dict) -> str:
    return json.dumps({"readings": list(rows)})


def _row(**over: object) -> dict:
    at = (local_now() - timedelta(minutes=2)).replace(microsecond=0).isoformat()
    row = {"dam": "hoa-binh", "time": at, "level_m": 104.5, "inflow_m3s": 3100,
           "turbine_m3s": 2400, "spillway_m3s": 700, "gates_open": 2}
    row.update(over)
    return row


def _auth(database: Database, agency: str = "EVN") -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.create(database, agency)[1]}"}


def test_post_then_read_latest(client: FlaskClient, database: Database) -> None:
    sent = client.post("/api/v1/dams/readings", data=_body(_row()), headers=_auth(database),
                       content_type="application/json")
    assert sent.status_code == 200 and sent.get_json()["accepted"] == 1
    dams = {d["camera"]: d for d in client.get("/api/v1/dams").get_json()["dams"]}
    assert len(dams) == 32
    hoa_binh = dams["hoa-binh"]
    assert hoa_binh["latest"]["level_m"] == 104.5 and hoa_binh["latest"]["discharge_m3s"] == 3100
    assert hoa_binh["reference"]["normal_level_m"] == 117 and hoa_binh["name"] == "Hòa Bình"
    assert dams["son-la"]["latest"] is None


def test_refusals_have_status_codes_and_reasons(client: FlaskClient, database: Database) -> None:
    headers = _auth(database)
    partial = client.post("/api/v1/dams/readings", headers=headers, content_type="application/json",
                          data=_body(_row(), _row(dam="son-la", level_m=200, spillway_m3s=-5)))
    assert partial.status_code == 207
    [reason] = partial.get_json()["rejected"]
    assert reason["code"] == "negative_flow" and "âm" in reason["vi"] and "Negative" in reason["en"]
    none = client.post("/api/v1/dams/readings", headers=headers, content_type="application/json",
                       data=_body(_row(dam="nowhere")))
    assert none.status_code == 422
    broken = client.post("/api/v1/dams/readings", headers=headers, data=b"{",
                         content_type="application/json")
    assert broken.status_code == 400
    huge = client.post("/api/v1/dams/readings", headers=headers, data=b" " * (2 << 20),
                       content_type="application/json")
    assert huge.status_code == 413


def test_tokens_are_checked(client: FlaskClient, database: Database) -> None:
    assert client.post("/api/v1/dams/readings", data=_body(_row())).status_code == 401
    other = client.post("/api/v1/dams/readings", data=_body(_row()), headers=_auth(database, "BTC"),
                        content_type="application/json")
    assert other.status_code == 422 and other.get_json()["rejected"][0]["code"] == "not_operator"


def test_the_guard_lets_agency_tokens_post_readings_only(
        client_for: Callable[[str], FlaskClient]) -> None:
    agency = client_for("agency")  # a BTC token: not a dam operator
    posted = agency.post("/api/v1/dams/readings", data=_body(_row()),
                         content_type="application/json")
    assert posted.status_code == 422
    assert agency.get("/api/v1/dams").status_code == 403
    assert client_for("leader").get("/api/v1/dams").status_code == 200
    assert client_for("anonymous").get("/api/v1/dams").status_code == 401


def test_a_posted_reading_is_read_back_at_once_not_after_the_cache_window(
        settings: Settings, database: Database) -> None:
    """The alert evaluator and the camera wall read dams.queries.latest (memoized 10 s): an
    accepted reading forgets it, so a level past its limit is seen at their next read."""
    from core import cache

    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    server.config.update(OPS_SETTINGS=settings)
    cache.init_app(server, settings)
    api_dams.init_app(server)
    api.init_app(server)
    with server.test_client() as c:
        def level() -> float | None:
            dams = {d["camera"]: d for d in c.get("/api/v1/dams").get_json()["dams"]}
            latest = dams["hoa-binh"]["latest"]
            return latest and latest["level_m"]

        first = level()  # now in the cache
        sent = c.post("/api/v1/dams/readings", data=_body(_row(level_m=116.25)),
                      headers=_auth(database), content_type="application/json")
        assert sent.status_code == 200 and first != 116.25
        assert level() == 116.25
