"""Ingest rules through the function every door shares, and through the command line."""
from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import Database
from data.__main__ import main
from reporting import ingest
from reporting.models import Observation, RejectedRow, Submission

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "indicator,region,period,value,note\n"


def send(database: Database, text: str | bytes, *, agency: str = "BTC",
         filename: str = "report.csv", channel: str = "cli", **kw: object) -> ingest.IngestResult:
    payload = text.encode() if isinstance(text, str) else text
    return ingest.ingest_bytes(database, payload, filename=filename, agency=agency,
                               channel=channel, **kw)  # type: ignore[arg-type]


def observations(database: Database, code: str = "IIP", region: str = "VN",
                 period: str | None = None) -> list[Observation]:
    with database.sessions() as s:
        stmt = select(Observation).where(Observation.indicator_code == code,
                                         Observation.region_code == region)
        if period:
            stmt = stmt.where(Observation.period == period)
        return list(s.scalars(stmt.order_by(Observation.period, Observation.revision)))


def submission(database: Database, sid: int) -> Submission:
    with database.sessions() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        return sub


def quarantine(database: Database, sid: int) -> list[RejectedRow]:
    with database.sessions() as s:
        return list(s.scalars(select(RejectedRow).where(RejectedRow.submission_id == sid)
                              .order_by(RejectedRow.row_number)))


def reasons(result: ingest.IngestResult) -> dict[int, tuple[str, str]]:
    """Each refused row's field and the English half of its reason (every reason is stored and
    returned as 'Vietnamese / English')."""
    for r in result.rejected:
        assert r.reason == f"{r.reason.vi} / {r.reason.en}" and r.reason.vi != r.reason.en
    return {r.row: (r.field, r.reason.en) for r in result.rejected}


# --- accepted data, revisions, idempotency -----------------------------------------------------

def test_good_csv_is_stored_with_canonical_period(database: Database) -> None:
    result = send(database, (FIXTURES / "btc_good.csv").read_bytes())
    assert (result.status, result.accepted, result.rejected) == ("accepted", 3, [])
    [obs] = observations(database)
    assert (obs.period, obs.period_start, obs.value, obs.source) == \
        ("2026-09", datetime(2026, 9, 1), 7.5, "submitted")
    assert (obs.revision, obs.is_latest, obs.note) == (1, True, "preliminary")
    assert observations(database, "GDP_GROWTH")[0].period == "2026-Q3"


def test_identical_resend_changes_nothing(database: Database) -> None:
    payload = (FIXTURES / "btc_good.csv").read_bytes()
    first = send(database, payload)
    again = send(database, payload)
    assert again.status == "duplicate"
    assert (again.accepted, again.unchanged, again.revised, again.created) == (3, 3, 0, 0)
    assert again.submission_id != first.submission_id  # the arrival itself is still recorded
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 3


def test_changed_value_becomes_new_revision(database: Database) -> None:
    send(database, HEADER + "IIP,VN,2026-09,7.5,\n")
    result = send(database, HEADER + "IIP,VN,2026-09,7.9,revised\n")
    assert (result.status, result.revised, result.created) == ("accepted", 1, 0)
    old, new = observations(database, period="2026-09")
    assert (old.revision, old.is_latest, old.value) == (1, False, 7.5)
    assert (new.revision, new.is_latest, new.value, new.note) == (2, True, 7.9, "revised")
    assert new.submission_id == result.submission_id
    # Sending the first value again is a third revision, not a return to revision 1.
    send(database, HEADER + "IIP,VN,2026-09,7.5,\n")
    assert [o.revision for o in observations(database) if o.is_latest] == [3]


def test_equal_number_written_differently_is_unchanged(database: Database) -> None:
    send(database, HEADER + "IIP,VN,2026-09,7.50,\n")
    assert send(database, HEADER + "IIP,VN,2026-09,7.5,other note\n").status == "duplicate"


def test_simulator_channel_marks_data_simulated(database: Database) -> None:
    send(database, HEADER + "IIP,VN,2026-09,7.5,\n", channel="simulator")
    assert observations(database)[0].source == "simulated"


def test_unknown_channel_is_a_programming_error(database: Database) -> None:
    with pytest.raises(ValueError):
        send(database, HEADER, channel="fax")


# --- row rejections and quarantine -------------------------------------------------------------

def test_every_row_rule_is_enforced(database: Database) -> None:
    result = send(database, (FIXTURES / "btc_mixed.csv").read_bytes())
    why = reasons(result)
    assert result.status == "partial"
    assert (result.rows_total, result.accepted, result.rows_rejected) == (16, 2, 14)
    assert why[3] == ("indicator", "unknown indicator 'NOPE'")
    assert why[4][0] == "region" and "unknown region '99'" in why[4][1]
    assert why[5][0] == "period" and "not a period" in why[5][1]
    assert why[6][0] == "period" and "quarterly" in why[6][1]
    assert why[7] == ("value", "empty")
    assert why[8] == ("value", "not a number: 'abc'")
    assert why[9][0] == why[10][0] == "value"
    assert "outside the plausible range -40..60" in why[11][1]
    assert "decimal separator" in why[12][1]
    assert why[13] == ("value", "not a number: '=1+1'")
    assert why[14] == ("value", "not a number: '+SUM(A1:A2)'")
    assert why[15] == ("value", "not a number: '@x'")
    assert why[16] == ("indicator", "INTL_ARRIVALS is reported by BVHTTDL, not BTC")
    # Formula-like text in a note is data, stored verbatim.
    [noted] = observations(database, region="20")
    assert noted.note == '=HYPERLINK("http://x")'


def test_rejected_rows_are_quarantined_with_raw_line(database: Database) -> None:
    result = send(database, (FIXTURES / "btc_mixed.csv").read_bytes())
    rows = quarantine(database, result.submission_id)
    assert [r.row_number for r in rows] == list(range(3, 17))
    assert rows[0].raw == "NOPE,VN,2026-10,1,"
    assert rows[9].raw == 'IIP,12,2026-10,"1,5",'
    sub = submission(database, result.submission_id)
    assert (sub.status, sub.rows_total, sub.rows_accepted, sub.rows_rejected) == \
        ("partial", 16, 2, 14)


def test_an_unquoted_decimal_comma_is_refused_not_split(database: Database) -> None:
    """`1,5` typed without quotes reads as value 1 and note "5": refused, nothing stored."""
    result = send(database, HEADER + "IIP,VN,2026-10,1,5\nIIP,01,2026-10,1,5 percent\n"
                  "IIP,20,2026-10,2.5,7\n")
    why = reasons(result)
    assert why[2][0] == "value"
    [stored] = [r.reason for r in result.rejected if r.row == 2]
    assert stored.startswith("giá trị '1,5'? dùng dấu chấm thập phân (1.5)")
    assert "use a decimal point (1.5)" in why[2][1]
    assert set(why) == {2}  # a note with words, or a decimal value, is a note
    assert observations(database, region="VN", period="2026-10") == []
    assert [o.value for o in observations(database, region="20")] == [2.5]
    # The same with a cell past the header (no note column).
    result = send(database, "indicator,region,period,value\nIIP,VN,2026-10,-3,25\n")
    assert "'-3,25'" in reasons(result)[2][1]


def test_all_errors_of_one_row_are_reported(database: Database) -> None:
    result = send(database, HEADER + "NOPE,ZZ,2026,x,\n")
    assert {r.field for r in result.rejected} == {"indicator", "region", "value"}
    assert result.rows_rejected == 1 and result.status == "rejected"


def test_duplicate_keys_in_one_submission_are_both_rejected(database: Database) -> None:
    result = send(database, HEADER + "IIP,VN,2026-08,7.5,\nIIP,01,2026-08,1,\niip,vn,2026-08,7.6,\n")
    assert reasons(result) == {
        2: ("row", "same indicator, region and period as row 4: both refused"),
        4: ("row", "same indicator, region and period as row 2: both refused"),
    }
    assert observations(database, period="2026-08") == []


def test_bad_later_submission_leaves_stored_data_untouched(database: Database) -> None:
    send(database, HEADER + "IIP,VN,2026-09,7.5,\n")
    bad = send(database, HEADER + "IIP,VN,2026-09,abc,\n")
    assert bad.status == "rejected"
    [obs] = observations(database)
    assert (obs.value, obs.revision, obs.is_latest) == (7.5, 1, True)
    assert send(database, b"\xff\xfe garbage").file_error
    assert observations(database)[0].value == 7.5


def test_province_agency_may_report_only_its_region(database: Database) -> None:
    result = send(database, HEADER + "IIP,01,2026-09,8.0,\nIIP,04,2026-09,8.0,\n"
                  "IIP,VN,2026-09,8.0,\nGDP_PER_CAPITA,01,2025,5000,\n", agency="T34_01")
    why = reasons(result)
    assert 2 not in why
    assert why[3][0] == why[4][0] == "region" and "only its own region 01" in why[3][1]
    assert why[5] == ("indicator", "GDP_PER_CAPITA is reported by BTC, not by provinces")


def test_owner_may_report_any_region(database: Database) -> None:
    assert send(database, HEADER + "IIP,04,2026-09,8.0,\n").status == "accepted"


# --- file-level errors --------------------------------------------------------------------------

@pytest.mark.parametrize(("payload", "message"), [
    (b"", "the file is empty"),
    (b"  \n", "the file is empty"),
    (b"indicator,region,period,value\n", "header but no data rows"),
    (b"indicator,region,period\nIIP,VN,2026-09\n", "missing required column(s): value"),
    (b"indicator,region,period,value,value\nIIP,VN,2026-09,1,1\n", "repeated column(s): value"),
    (b"indicator,region,period,value\nIIP,VN,2026-09,\xff\n", "not UTF-8"),
])
def test_file_level_errors_are_one_clear_message(database: Database, payload: bytes,
                                                 message: str) -> None:
    result = send(database, payload)
    assert result.status == "rejected" and message in result.file_error
    assert result.rejected == [ingest.Rejection(0, "file", result.file_error)]
    sub = submission(database, result.submission_id)
    assert (sub.status, sub.error, sub.payload) == ("rejected", result.file_error, payload)
    [row] = quarantine(database, result.submission_id)
    assert (row.row_number, row.field) == (0, "file")


def test_raw_payload_and_hash_are_kept(database: Database) -> None:
    payload = (FIXTURES / "btc_mixed.csv").read_bytes()
    sub = submission(database, send(database, payload).submission_id)
    assert sub.payload == payload and sub.sha256 == hashlib.sha256(payload).hexdigest()
    assert (sub.agency_code, sub.channel, sub.filename) == ("BTC", "cli", "report.csv")


def test_size_limit(database: Database) -> None:
    payload = (HEADER + "IIP,VN,2026-09,7.5,\n").encode()
    result = send(database, payload, max_bytes=len(payload) - 1)
    assert result.too_large and "exceeds the upload limit" in result.file_error
    sub = submission(database, result.submission_id)
    # Recorded, but the bytes over the limit are not kept (the limit bounds storage).
    assert (sub.status, sub.payload, sub.sha256) == \
        ("rejected", b"", hashlib.sha256(payload).hexdigest())
    assert send(database, payload, max_bytes=len(payload)).status == "accepted"


def test_unknown_agency_raises(database: Database) -> None:
    with pytest.raises(ingest.UnknownAgency):
        send(database, HEADER + "IIP,VN,2026-09,7.5,\n", agency="NOBODY")


# --- formats ------------------------------------------------------------------------------------

def test_bom_csv(database: Database) -> None:
    result = send(database, (FIXTURES / "btc_bom.csv").read_bytes())
    assert result.status == "accepted" and observations(database)[0].value == 6.2


def test_json_rows_object(database: Database) -> None:
    result = send(database, (FIXTURES / "btc_rows.json").read_bytes(), filename="r.json")
    assert result.accepted == 2
    assert reasons(result) == {3: ("value", "not a number: true"),
                               4: ("row", "row is not a JSON object")}
    assert observations(database, "GDP_PER_CAPITA")[0].period == "2025"


def test_json_list_sniffed_without_extension(database: Database) -> None:
    rows = [{"Indicator": "IIP", "region": "VN", "period": "2026-05", "value": "7.25"}]
    result = send(database, json.dumps(rows), filename="upload")
    assert result.status == "accepted" and observations(database)[0].value == 7.25


@pytest.mark.parametrize("payload", [b"[{", b'{"rows": 3}', b"3", b"[1, 2]", b"[]",
                                     b"[" * 5000 + b"]" * 5000])
def test_malformed_json_is_a_file_error(database: Database, payload: bytes) -> None:
    result = send(database, payload, filename="r.json")
    assert result.file_error and result.status == "rejected"


def test_json_nan_is_not_finite(database: Database) -> None:
    body = '[{"indicator": "IIP", "region": "VN", "period": "2026-05", "value": NaN}]'
    assert reasons(send(database, body, filename="r.json"))[1][1].startswith("not a finite")


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("'"):
                # Like Excel's leading apostrophe: text that looks like a formula, kept as text.
                cell.value = cell.value[1:]
                cell.data_type = "s"
    book.create_sheet("ignored").append(["indicator", "region", "period", "value"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet(database: Database) -> None:
    payload = xlsx([
        ["Indicator", "Region", "Period", "Value", "Note"],
        ["IIP", "VN", "2026-04", 6.5, "=SUM(A1:A2)"],  # a formula in note: no cached value
        ["IIP", 1, datetime(2026, 4, 1), 7, None],  # Excel's number 1 and date for '2026-04'
        [None, None, None, None, None],
        ["IIP", "04", "2026-04", "'=1+1", None],
        ["IIP", "08", "2026-04", "=1+1", None],  # a real formula, never computed: no value
    ])
    result = send(database, payload, filename="r.xlsx")
    assert (result.accepted, reasons(result)) == (2, {5: ("value", "not a number: '=1+1'"),
                                                      6: ("value", "empty")})
    assert observations(database, region="01")[0].period == "2026-04"
    with database.sessions() as s:
        vn = s.scalars(select(Observation).where(Observation.region_code == "VN")).one()
    assert vn.note in ("", "=SUM(A1:A2)")  # never evaluated either way


def test_xlsx_by_content_type_and_sniffing(database: Database) -> None:
    payload = xlsx([["indicator", "region", "period", "value"], ["IIP", "VN", "2026-03", 1]])
    by_type = send(database, payload, filename="upload.bin",
                   content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert by_type.status == "accepted"
    assert send(database, payload, filename="upload").status == "duplicate"


@pytest.mark.parametrize("payload", [b"PK\x03\x04broken", b"not a zip at all"])
def test_malformed_xlsx_is_a_file_error(database: Database, payload: bytes) -> None:
    result = send(database, payload, filename="r.xlsx")
    assert "not a readable .xlsx workbook" in result.file_error


def test_reporting_period_and_punctuality(database: Database) -> None:
    # 2026-09 is due 5 days after it ends: 2026-10-06 00:00 local = 2026-10-05 17:00 UTC.
    on_time = send(database, HEADER + "IIP,VN,2026-09,7.5,\n",
                   received_at=datetime(2026, 10, 5, 16, 0))
    assert (on_time.period, on_time.due_at, on_time.on_time) == \
        ("2026-09", datetime(2026, 10, 5, 17, 0), True)
    late = send(database, HEADER + "IIP,01,2026-09,7.5,\n", received_at=datetime(2026, 11, 1))
    assert late.on_time is False and submission(database, late.submission_id).on_time is False
    mixed = send(database, HEADER + "IIP,04,2026-09,7.5,\nGDP_GROWTH,VN,2026-Q3,6,\n")
    assert (mixed.period, mixed.due_at, mixed.on_time) == ("", None, None)


# --- the command line door ----------------------------------------------------------------------

def test_cli_accepts_good_file(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(FIXTURES / "btc_good.csv"), "--agency", "BTC"]) == 0
    out = capsys.readouterr().out
    assert "accepted" in out and "rows: 3" in out
    assert observations(cli_env)[0].value == 7.5


def test_cli_reports_rejections_and_exits_1(cli_env: Database,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(FIXTURES / "btc_mixed.csv"), "--agency", "BTC"]) == 1
    out = capsys.readouterr().out
    assert "partial" in out and "ROW" in out and "REASON" in out
    assert "not a number: '=1+1'" in out


def test_cli_resend_is_duplicate(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["ingest", str(FIXTURES / "btc_good.csv"), "--agency", "BTC"]
    assert main(args) == 0 and main(args) == 0
    assert "duplicate" in capsys.readouterr().out.splitlines()[-2]


def test_cli_file_error(cli_env: Database, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,region\nIIP,VN\n")
    assert main(["ingest", str(bad), "--agency", "BTC"]) == 1
    assert "missing required column(s): period, value" in capsys.readouterr().out


def test_cli_size_limit(cli_env: Database, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPS_MAX_UPLOAD_BYTES", "50")
    path = FIXTURES / "btc_good.csv"
    assert main(["ingest", str(path), "--agency", "BTC"]) == 1
    size = path.stat().st_size
    assert f"{size} bytes exceeds the upload limit of 50 bytes" in capsys.readouterr().out


def test_cli_xlsx(cli_env: Database, tmp_path: Path) -> None:
    path = tmp_path / "t34.xlsx"
    path.write_bytes(xlsx([["indicator", "region", "period", "value"], ["IIP", "01", "2026-02", 3]]))
    assert main(["ingest", str(path), "--agency", "T34_01"]) == 0
    assert observations(cli_env, region="01")[0].value == 3


def test_cli_unknown_agency_and_missing_file(cli_env: Database,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(FIXTURES / "btc_good.csv"), "--agency", "NOPE"]) == 1
    assert "unknown agency 'NOPE'" in capsys.readouterr().err
    assert main(["ingest", "/nonexistent/x.csv", "--agency", "BTC"]) == 1
    assert "cannot read" in capsys.readouterr().err


# --- concurrent writers -------------------------------------------------------------------------

def test_concurrent_revisions_of_one_key_are_serialised(database: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # No retries: a race between writers must not happen at all, not be papered over.
    monkeypatch.setattr(ingest, "STORE_ATTEMPTS", 1)
    writers = 8
    barrier = threading.Barrier(writers)
    results: list[ingest.IngestResult] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        barrier.wait()
        try:
            results.append(send(database, HEADER + f"IIP,VN,2026-09,{7 + n / 10},\n"))
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.status for r in results) == ["accepted"] * writers
    rows = observations(database, period="2026-09")
    assert sorted(o.revision for o in rows) == list(range(1, writers + 1))
    assert [o.is_latest for o in sorted(rows, key=lambda o: o.revision)] == \
        [False] * (writers - 1) + [True]
    # Every submission kept its row: none lost, each value stored once.
    assert sorted(o.value for o in rows) == [7 + n / 10 for n in range(writers)]
    assert {o.submission_id for o in rows} == {r.submission_id for r in results}


def test_nul_characters_are_refused_and_kept_visibly(database: Database) -> None:
    """A NUL in a field is refused (a control character); what is kept of the file (its name,
    the quarantined rows) holds it as the visible escape \\x00, which PostgreSQL can store."""
    result = send(database, json.dumps([
        {"indicator": None, "region": None, "period": None, "value": "\x00"},
        {"indicator": "IIP", "region": "VN", "period": "2026-08", "value": 7.5, "note": "a\x00b"},
    ]), filename="nul\x00.json")
    assert result.status == "rejected"
    rows = {r.row_number: r for r in quarantine(database, result.submission_id)}
    assert set(rows) == {1, 2}
    assert rows[2].field == "note"
    assert observations(database, period="2026-08") == []
    assert submission(database, result.submission_id).filename == "nul\\x00.json"
