"""The JSON API: catalogue, observation series, and submissions with bearer tokens."""
from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from accounts import tokens
from core.db import EXTENSION_KEY, Database
from reporting.models import Observation, Submission
from settings import Settings
from web import api

FIXTURES = Path(__file__).parents[2] / "reporting" / "fixtures"
HEADER = "indicator,region,period,value,note\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    # Like app.create_app: the app-wide MAX_CONTENT_LENGTH equals the upload limit.
    server.config.update(OPS_SETTINGS=settings.with_(max_upload_bytes=16384),
                         MAX_CONTENT_LENGTH=16384)
    api.init_app(server)
    return server


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


@pytest.fixture
def btc(database: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.create(database, 'BTC')[1]}"}


def post(client: FlaskClient, body: str | bytes, headers: dict[str, str],
         content_type: str = "text/csv", **kw: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/submissions", data=body, headers=headers,
                       content_type=content_type, **kw)


# --- read side ---------------------------------------------------------------------------------

def test_indicators_catalogue(client: FlaskClient) -> None:
    body = client.get("/api/v1/indicators").get_json()
    iip = next(i for i in body["indicators"] if i["code"] == "IIP")
    assert (iip["frequency"], iip["agency"], iip["unit"], iip["group"]) == ("monthly", "BTC", "%", "G1")
    assert {"name_vi", "name_en", "higher_is_better", "target", "thresholds"} <= iip.keys()
    assert iip["thresholds"] == {"warn_below": 3.0, "warn_above": None}


def test_observations_latest_revisions_in_order(client: FlaskClient, btc: dict[str, str]) -> None:
    post(client, HEADER + "IIP,VN,2026-09,7.5,\nIIP,VN,2026-07,6,\nIIP,VN,2026-08,6.5,\n", btc)
    post(client, HEADER + "IIP,VN,2026-09,7.9,\n", btc)
    rows = client.get("/api/v1/indicators/IIP/observations?region=VN").get_json()["observations"]
    assert [(r["period"], r["value"], r["revision"]) for r in rows] == \
        [("2026-07", 6.0, 1), ("2026-08", 6.5, 1), ("2026-09", 7.9, 2)]
    assert rows[0]["source"] == "submitted" and rows[0]["received_at"].endswith("Z")
    window = client.get("/api/v1/indicators/IIP/observations?from=2026-08&to=2026-08").get_json()
    assert [r["period"] for r in window["observations"]] == ["2026-08"]
    # A bound of another frequency is fine: the quarter covers all three months.
    quarter = client.get("/api/v1/indicators/iip/observations?from=2026-Q3&to=2026-Q3").get_json()
    assert len(quarter["observations"]) == 3


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/indicators/NOPE/observations", 404),
    ("/api/v1/indicators/IIP/observations?region=ZZ", 400),
    ("/api/v1/indicators/IIP/observations?from=2026-13", 400),
    ("/api/v1/indicators/IIP/observations?to=yesterday", 400),
    ("/api/v1/nothing-here", 404),
])
def test_read_errors_are_json(client: FlaskClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status and "error" in response.get_json()


# --- submissions: authentication ---------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer ops_wrong"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_missing_or_bad_token_is_401(client: FlaskClient, headers: dict[str, str]) -> None:
    response = post(client, HEADER + "IIP,VN,2026-09,7.5,\n", headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json() == {"error": "missing or unknown bearer token"}


def test_revoked_token_is_403_at_once(client: FlaskClient, database: Database) -> None:
    token_id, secret = tokens.create(database, "BTC")
    headers = {"Authorization": f"Bearer {secret}"}
    assert post(client, HEADER + "IIP,VN,2026-09,7.5,\n", headers).status_code == 200
    tokens.revoke(database, token_id)
    response = post(client, HEADER + "IIP,VN,2026-10,7.5,\n", headers)
    assert response.status_code == 403 and response.get_json() == {"error": "token revoked"}


def test_agency_comes_from_token(client: FlaskClient, database: Database) -> None:
    headers = {"Authorization": f"Bearer {tokens.create(database, 'T34_01')[1]}"}
    body = post(client, HEADER + "IIP,01,2026-09,7.5,\nIIP,04,2026-09,7.5,\n", headers).get_json()
    assert body["rejected"] == [{"row": 3, "field": "region",
                                 "reason": "T34_01 chỉ được báo cáo địa bàn của mình 01, không "
                                           "phải '04' / T34_01 may report only its own region "
                                           "01, not '04'"}]
    with database.sessions() as s:
        assert s.scalars(select(Submission)).one().agency_code == "T34_01"


# --- submissions: outcomes and status codes ----------------------------------------------------

def test_accepted_is_200(client: FlaskClient, btc: dict[str, str], database: Database) -> None:
    payload = (FIXTURES / "btc_good.csv").read_bytes()
    response = post(client, payload, btc, query_string={"filename": "sept.csv"})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["accepted"], body["created"], body["rejected"]) == \
        ("accepted", 3, 3, [])
    with database.sessions() as s:
        sub = s.get(Submission, body["submission_id"])
        assert sub is not None
        assert (sub.channel, sub.filename, sub.content_type, sub.payload) == \
            ("api", "sept.csv", "text/csv", payload)
        assert sub.sha256 == hashlib.sha256(payload).hexdigest()


def test_resend_is_200_duplicate(client: FlaskClient, btc: dict[str, str]) -> None:
    payload = (FIXTURES / "btc_good.csv").read_bytes()
    post(client, payload, btc)
    response = post(client, payload, btc)
    assert response.status_code == 200
    assert response.get_json()["status"] == "duplicate"
    assert response.get_json()["unchanged"] == 3


def test_partial_is_207(client: FlaskClient, btc: dict[str, str], database: Database) -> None:
    response = post(client, (FIXTURES / "btc_mixed.csv").read_bytes(), btc)
    body = response.get_json()
    assert response.status_code == 207 and body["status"] == "partial"
    assert body["rows_rejected"] == 14
    assert {"row": 13, "field": "value",
            "reason": "không phải số: '=1+1' / not a number: '=1+1'"} in body["rejected"]
    with database.sessions() as s:
        notes = s.scalars(select(Observation.note).where(Observation.region_code == "20")).all()
    assert notes == ['=HYPERLINK("http://x")']


def test_all_rows_rejected_is_422(client: FlaskClient, btc: dict[str, str]) -> None:
    response = post(client, HEADER + "IIP,VN,2026-09,abc,\n", btc)
    assert response.status_code == 422 and response.get_json()["status"] == "rejected"


@pytest.mark.parametrize("body", [b"", b"indicator,region\nIIP,VN\n", b"\xff\xfe\x00",
                                  b"indicator,region,period,value\n"])
def test_file_error_is_400(client: FlaskClient, btc: dict[str, str], body: bytes) -> None:
    response = post(client, body, btc)
    assert response.status_code == 400 and response.get_json()["file_error"]


def test_too_large_is_413_and_recorded(client: FlaskClient, btc: dict[str, str],
                                       database: Database) -> None:
    body = HEADER + "IIP,VN,2026-09,7.5,\n" * 1000  # > 16384 bytes
    response = post(client, body, btc)
    assert response.status_code == 413
    assert "exceeds the upload limit of 16384 bytes" in response.get_json()["file_error"]
    with database.sessions() as s:
        sub = s.scalars(select(Submission)).one()
        assert (sub.status, sub.channel, sub.payload) == ("rejected", "api", b"")


def test_multipart_file_too_large_is_413(client: FlaskClient, btc: dict[str, str]) -> None:
    body = (HEADER + "IIP,VN,2026-09,7.5,\n" * 1000).encode()
    response = client.post("/api/v1/submissions", headers=btc,
                           data={"file": (io.BytesIO(body), "big.csv", "text/csv")})
    assert response.status_code == 413
    assert response.get_json()["file_error"] == \
        "tệp vượt giới hạn tải lên 16384 byte / the file exceeds the upload limit of 16384 bytes"


# --- submissions: formats ----------------------------------------------------------------------

def test_json_body(client: FlaskClient, btc: dict[str, str]) -> None:
    rows = {"rows": [{"indicator": "IIP", "region": "VN", "period": "2026-05", "value": 4.5}]}
    response = post(client, json.dumps(rows), btc, content_type="application/json")
    assert response.status_code == 200 and response.get_json()["created"] == 1


def test_bom_csv_body(client: FlaskClient, btc: dict[str, str]) -> None:
    response = post(client, (FIXTURES / "btc_bom.csv").read_bytes(), btc,
                    content_type="text/csv; charset=utf-8")
    assert response.status_code == 200


def test_multipart_xlsx(client: FlaskClient, btc: dict[str, str], database: Database) -> None:
    book = Workbook()
    book.active.append(["indicator", "region", "period", "value"])
    book.active.append(["GDP_GROWTH", "VN", "2026-Q2", 6.3])
    data = io.BytesIO()
    book.save(data)
    response = client.post("/api/v1/submissions", headers=btc,
                           data={"file": (io.BytesIO(data.getvalue()), "q2.xlsx", XLSX)})
    assert response.status_code == 200, response.get_json()
    with database.sessions() as s:
        sub = s.scalars(select(Submission)).one()
        assert (sub.filename, sub.content_type) == ("q2.xlsx", XLSX)


def test_multipart_without_file_part_is_400(client: FlaskClient, btc: dict[str, str]) -> None:
    response = client.post("/api/v1/submissions", headers=btc, data={"other": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "'file' part" in response.get_json()["error"]


def test_untyped_body_is_sniffed(client: FlaskClient, btc: dict[str, str]) -> None:
    rows = [{"indicator": "IIP", "region": "VN", "period": "2026-05", "value": 4.5}]
    response = post(client, json.dumps(rows), btc, content_type="application/octet-stream")
    assert response.status_code == 200


# --- robustness --------------------------------------------------------------------------------

_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
_row = st.dictionaries(st.sampled_from(["indicator", "region", "period", "value", "note", "x"]),
                       st.one_of(_scalar, st.sampled_from(["IIP", "VN", "01", "2026-09", "7.5"])),
                       max_size=6)
_json_bodies = st.one_of(st.lists(_row, max_size=4), st.builds(lambda r: {"rows": r},
                                                                st.lists(_row, max_size=4)),
                         st.recursive(_scalar, lambda c: st.lists(c, max_size=3), max_leaves=6))


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300),
       content_type=st.sampled_from(["text/csv", "application/json", XLSX,
                                     "application/octet-stream", ""]))
def test_arbitrary_bytes_never_500(client: FlaskClient, btc: dict[str, str], body: bytes,
                                   content_type: str) -> None:
    response = post(client, body, btc, content_type=content_type)
    assert response.status_code in (200, 207, 400, 422)
    assert response.is_json


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_json_bodies)
def test_arbitrary_json_never_500(client: FlaskClient, btc: dict[str, str], data: object) -> None:
    body = json.dumps(data, allow_nan=True)
    response = post(client, body, btc, content_type="application/json")
    assert response.status_code in (200, 207, 400, 422)


def _blank_lines(size: int) -> bytes:
    """`size` bytes of blank lines (spaces), within the row and cell-length limits."""
    full, rest = divmod(size, 900)
    return (b" " * 899 + b"\n") * full + (b" " * (rest - 1) + b"\n" if rest else b"")


def chunked(client: FlaskClient, headers: dict[str, str], body: bytes, content_type: str):  # type: ignore[no-untyped-def]
    """A chunked upload as a real WSGI server presents it: no Content-Length, input terminated."""
    return client.post("/api/v1/submissions", input_stream=io.BytesIO(body),
                       headers={**headers, "Transfer-Encoding": "chunked",
                                "Content-Type": content_type},
                       environ_overrides={"wsgi.input_terminated": True})


def test_chunked_body_over_limit_is_413_not_truncated(client: FlaskClient,
                                                     btc: dict[str, str]) -> None:
    row = (HEADER + "IIP,VN,2026-09,7.5," + "n" * 900 + "\n").encode()
    exact = row + _blank_lines(16384 - len(row))  # skipped blank lines fill the limit exactly
    assert chunked(client, btc, exact + b"\n", "text/csv").status_code == 413
    response = chunked(client, btc, exact, "text/csv")
    assert response.status_code == 200 and response.get_json()["accepted"] == 1


def test_chunked_multipart_over_limit_is_413(client: FlaskClient, btc: dict[str, str]) -> None:
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"x" * 100_000 + \
        f"\r\n--{boundary}--\r\n".encode()
    response = chunked(client, btc, body, f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413


def test_multipart_file_at_the_limit_is_accepted(client: FlaskClient, btc: dict[str, str]) -> None:
    row = (HEADER + "IIP,VN,2026-09,7.5," + "n" * 900 + "\n").encode()
    body = row + _blank_lines(16384 - len(row))  # the request is larger: multipart framing
    response = client.post("/api/v1/submissions", headers=btc,
                           data={"file": (io.BytesIO(body), "full.csv", "text/csv")})
    assert response.status_code == 200, response.get_json()


def test_concurrent_revisions_through_the_api_all_answer_200(app: Flask, btc: dict[str, str],
                                                            database: Database) -> None:
    writers = 8
    barrier = threading.Barrier(writers)
    statuses: list[int] = []

    def writer(n: int) -> None:
        with app.test_client() as client:  # one client per thread, like separate agencies' calls
            barrier.wait()
            statuses.append(post(client, HEADER + f"IIP,VN,2026-08,{7 + n / 10},\n", btc)
                            .status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [200] * writers
    with database.sessions() as s:
        revisions = sorted(s.scalars(select(Observation.revision).where(
            Observation.indicator_code == "IIP", Observation.period == "2026-08")))
    assert revisions == list(range(1, writers + 1))


def test_a_submitted_value_is_read_back_at_once_not_after_the_minute_window(
        settings: Settings, database: Database, btc: dict[str, str]) -> None:
    """The alert evaluator reads indicator_summary and compliance (memoized a minute): an
    accepted submission forgets its indicators' summaries, so a value past its threshold is
    seen at the next evaluation."""
    from core import cache
    from reporting import queries

    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    server.config.update(OPS_SETTINGS=settings)
    cache.init_app(server, settings)
    api.init_app(server)
    with server.app_context():
        before = queries.indicator_summary("IIP")  # now in the cache
    with server.test_client() as c:
        sent = post(c, HEADER + "IIP,VN,2026-09,-7.25,\n", btc)
    assert sent.status_code == 200, sent.get_json()
    with server.app_context():
        after = queries.indicator_summary("IIP")
    assert before["value"] != -7.25 and after["value"] == -7.25 and after["status"] == "bad"
