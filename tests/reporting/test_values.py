"""Values that make sense: reportable periods, no 500s on absurd numbers or years, no control
characters, no case-twin JSON keys, withdrawals as audited revisions, a CLI without tracebacks."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts import tokens
from accounts.models import AuditEvent
from core.cache import cache
from core.db import EXTENSION_KEY, Database
from data.__main__ import main
from reporting import ingest, queries, withdraw
from reporting.models import Observation, RejectedRow, Submission
from settings import Settings
from web import api

HEADER = "indicator,region,period,value,note\n"


def send(database: Database, text: str | bytes, filename: str = "r.csv",
         agency: str = "BTC") -> ingest.IngestResult:
    payload = text.encode() if isinstance(text, str) else text
    return ingest.ingest_bytes(database, payload, filename=filename, agency=agency, channel="api")


def reasons(result: ingest.IngestResult) -> list[tuple[int, str, str]]:
    return [(r.row, r.field, r.reason) for r in result.rejected]


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    server.config.update(OPS_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_upload_bytes)
    api.init_app(server)
    from core.cache import init_app

    init_app(server, settings)
    return server


@pytest.fixture
def client(app: Flask, database: Database) -> Iterator[FlaskClient]:
    _, secret = tokens.create(database, "BTC")
    with app.test_client() as c:
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        yield c


def test_a_period_beyond_the_calendar_is_refused(database: Database) -> None:
    result = send(database, "indicator,region,period,value\nCPI_YOY,VN,2099-12,2.99\n")
    assert result.status == "rejected"
    [(row, field, reason)] = reasons(result)
    assert (row, field) == (2, "period") and "future" in reason


@pytest.mark.parametrize("body, fmt", [
    ('[{"indicator": "CPI_YOY", "region": "VN", "period": "2026-10", "value": ' + "9" * 4400
     + "}]", "json"),
    ('[{"indicator": "CPI_YOY", "region": "VN", "period": "9999-12", "value": 1.5}]', "json"),
    ("indicator,region,period,value\nCPI_YOY,VN,9999-12,1.5\n", "csv"),
    ("indicator,region,period,value\nCPI_YOY,VN,0000-12,1.5\n", "csv"),
    ('[{"indicator": "VN_AQI", "region": "VN", "period": "9999-12-31T23", "value": 1.5}]',
     "json"),
    ("9" * 5000, "json"),
])
def test_absurd_values_are_recorded_4xx_not_500(client: FlaskClient, database: Database,
                                                body: str, fmt: str) -> None:
    response = client.post("/api/v1/submissions", data=body.encode(),
                           headers={"Content-Type": f"application/{fmt}" if fmt == "json"
                                    else "text/csv"})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    report = response.get_json()
    with database.sessions() as s:
        sub = s.get(Submission, report["submission_id"])
        assert sub is not None and sub.payload == body.encode()
        assert list(s.scalars(select(RejectedRow).where(RejectedRow.submission_id == sub.id)))
    for item in report["rejected"]:
        assert item["field"] and item["reason"]


def test_control_characters_are_refused(database: Database) -> None:
    result = send(database, HEADER + "CPI_YOY,VN,2026-10,3.1,bad\x00note\n"
                  "CPI_YOY,VN,2026-09,3.1,\"tab\tand\nnewline are fine\"\n"
                  "CPI_Y\x07OY,VN,2026-08,3.1,\n")
    found = reasons(result)
    assert [(r, f) for r, f, _ in found] == [(2, "note"), (4, "indicator")]
    assert "U+0000" in found[0][2] and "U+0007" in found[1][2]
    assert result.accepted == 1
    with database.sessions() as s:
        raws = list(s.scalars(select(RejectedRow.raw)))
    assert all("\x00" not in raw for raw in raws) and any("\\x00" in raw for raw in raws)


def test_json_keys_repeated_in_any_case_are_refused(database: Database) -> None:
    body = ('[{"indicator": "CPI_YOY", "INDICATOR": "IIP", "region": "VN", "period": "2026-10",'
            ' "value": 3.1}, {"indicator": "CPI_YOY", "region": "VN", "period": "2026-09",'
            ' "value": 3.1}]')
    result = send(database, body, filename="r.json")
    [(row, field, reason)] = reasons(result)
    assert (row, field) == (1, "row") and "INDICATOR" in reason and "indicator" in reason
    assert result.accepted == 1


def test_an_xlsx_sent_as_csv_is_not_called_undecodable(database: Database) -> None:
    from tests.reporting.test_limits import small_workbook

    result = ingest.ingest_bytes(database, small_workbook(), filename="r.csv", agency="BTC",
                                 channel="api", content_type="text/csv")
    assert "UTF-8" not in result.file_error and result.status == "accepted"


def test_withdrawal_is_an_audited_revision_and_the_tile_falls_back(app: Flask,
                                                                   database: Database) -> None:
    send(database, "indicator,region,period,value\nCPI_YOY,VN,2026-09,3.1\n"
                   "CPI_YOY,VN,2026-10,9.9\n")
    with app.app_context():
        assert queries.indicator_summary("CPI_YOY")["period"] == "2026-10"
        done = withdraw.withdraw(database, "CPI_YOY", "VN", "2026-10", "typing error, 9.9 not 3.2",
                                 actor="admin")
        assert (done.withdrawn_revision, done.revision) == (1, 2)
        tile = queries.indicator_summary("CPI_YOY")
        assert (tile["period"], tile["value"]) == ("2026-09", 3.1)
    with database.sessions() as s:
        history = [(o.revision, o.value, o.source, o.is_latest) for o in s.scalars(
            select(Observation).where(Observation.indicator_code == "CPI_YOY",
                                      Observation.period == "2026-10")
            .order_by(Observation.revision))]
        events = [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.kind == "admin"))]
    assert history == [(1, 9.9, "submitted", False), (2, 9.9, "withdrawn", False)]
    assert any("withdraw CPI_YOY VN 2026-10" in e and "typing error" in e for e in events)
    # The agency sends the right value: revision 3, shown again.
    result = send(database, "indicator,region,period,value\nCPI_YOY,VN,2026-10,3.2\n")
    assert result.status == "accepted"
    with app.app_context():
        cache.clear()
        assert queries.indicator_summary("CPI_YOY")["value"] == 3.2
    with pytest.raises(withdraw.WithdrawError):
        withdraw.withdraw(database, "CPI_YOY", "VN", "2026-10", "", actor="admin")


def test_cli_withdraw_and_no_traceback(cli_env: Database, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("indicator,region,period,value\nCPI_YOY,VN,2026-10,9.9\n")
    assert main(["ingest", str(path), "--agency", "BTC"]) == 0
    assert main(["withdraw", "CPI_YOY", "VN", "2026-10", "--reason", "typing error"]) == 0
    assert "withdrawn: CPI_YOY VN 2026-10 value 9.9" in capsys.readouterr().out
    assert main(["withdraw", "CPI_YOY", "VN", "2026-10", "--reason", "again please"]) == 1
    assert "no current value" in capsys.readouterr().err
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"indicator": "CPI_YOY", "region": "VN", "period": "9999-12",
                                "value": 1}]).replace("1}", "1" * 4400 + "}"))
    assert main(["ingest", str(big), "--agency", "BTC"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "rejected" in out.out


def test_cli_without_its_database_prints_no_traceback(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "ops.sqlite").mkdir()  # not a database file
    monkeypatch.setenv("OPS_DATA_DIR", str(tmp_path / "var"))
    assert main(["token", "list"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "error" in out.err
