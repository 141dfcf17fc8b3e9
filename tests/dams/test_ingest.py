"""Readings in: good ones kept, bad ones refused with reasons in both languages, raw kept."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.db import Database
from dams.ingest import MAX_BYTES, ingest
from dams.models import DamBatch, DamReading

NOW = datetime(2026, 12, 6, 3, 0)  # naive UTC: 10:00 in Viet Nam


def _send(database: Database, rows: list[dict], agency: str = "EVN", **kw: object):
    payload = json.dumps({"readings": rows}).encode()
    return ingest(database, payload, agency=agency, channel="api",
                  content_type="application/json", now=NOW, **kw)


def _good(**over: object) -> dict:
    row = {"dam": "hoa-binh", "time": "2026-12-06T09:55:00+07:00", "level_m": 105.2,
           "inflow_m3s": 3200, "turbine_m3s": 2400, "spillway_m3s": 800, "gates_open": 2}
    row.update(over)
    return row


def test_good_readings_are_kept_in_utc_with_their_batch(database: Database) -> None:
    result = _send(database, [_good(), _good(dam="SON_LA", time="2026-12-06T02:50:00Z",
                                             level_m=200.0)])
    assert result.status == "accepted" and result.accepted == 2, result.to_dict()["rejected"]
    with database.sessions() as s:
        rows = {r.dam_id: r for r in s.scalars(select(DamReading))}
        batch = s.get(DamBatch, result.batch_id)
    assert rows["HOA_BINH"].at == datetime(2026, 12, 6, 2, 55)
    assert rows["SON_LA"].at == datetime(2026, 12, 6, 2, 50)
    assert rows["HOA_BINH"].gates_open == 2 and rows["HOA_BINH"].source == "api"
    assert json.loads(batch.payload)["readings"][0]["dam"] == "hoa-binh"


def test_bad_readings_are_refused_with_reasons(database: Database) -> None:
    result = _send(database, [
        _good(),
        _good(level_m=5.0),  # Hòa Bình's riverbed is 12 m
        _good(inflow_m3s=-3, time="2026-12-06T09:50:00+07:00"),
        _good(time=(NOW + timedelta(hours=7, minutes=6)).isoformat()),  # 6 min ahead (VN time)
        _good(dam="NOT_A_DAM"),
        _good(gates_open=13, time="2026-12-06T09:45:00+07:00"),  # 12 gates
        _good(level_m="cao", time="2026-12-06T09:40:00+07:00"),
    ])
    assert result.status == "partial" and result.accepted == 1
    codes = {(r.row, r.code) for r in result.refused}
    assert codes == {(2, "below_riverbed"), (3, "negative_flow"), (4, "future_time"),
                     (5, "unknown_dam"), (6, "bad_gates"), (7, "not_number")}
    reasons = {r["code"]: r for r in result.to_dict()["rejected"]}
    assert "đáy sông" in reasons["below_riverbed"]["vi"]
    assert "below the riverbed" in reasons["below_riverbed"]["en"]
    assert "tương lai" in reasons["future_time"]["vi"]
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DamReading)) == 1
        batch = s.get(DamBatch, result.batch_id)
    assert batch.rows_rejected == 6 and len(json.loads(batch.error)) == 6


def test_a_time_within_the_skew_is_accepted(database: Database) -> None:
    ahead = (NOW + timedelta(hours=7, minutes=4)).isoformat()
    assert _send(database, [_good(time=ahead)]).status == "accepted"


def test_two_rows_for_one_dam_and_time_are_both_refused(database: Database) -> None:
    result = _send(database, [_good(), _good(level_m=106)])
    assert result.status == "rejected"
    assert [(r.row, r.code, r.params["other"]) for r in result.refused] == [
        (1, "duplicate", "2"), (2, "duplicate", "1")]


def test_a_correction_replaces_the_stored_reading(database: Database) -> None:
    _send(database, [_good()])
    again = _send(database, [_good(level_m=105.9)])
    assert again.replaced == 1
    with database.sessions() as s:
        assert list(s.scalars(select(DamReading.level_m))) == [105.9]
        assert s.scalar(select(func.count()).select_from(DamBatch)) == 2


def test_an_agency_may_send_only_for_its_dams(database: Database) -> None:
    result = _send(database, [_good()], agency="BCT")
    assert [r.code for r in result.refused] == ["not_operator"]
    assert _send(database, [_good()], agency="BCT", operator_only=False).status == "accepted"


def test_file_level_refusals_keep_the_payload(database: Database) -> None:
    broken = ingest(database, b'{"readings": [', agency="EVN", channel="api", now=NOW)
    assert broken.file_error and broken.refused[0].code == "malformed"
    big = ingest(database, b" " * (MAX_BYTES + 1), agency="EVN", channel="api", now=NOW)
    assert big.too_large and big.refused[0].code == "too_large"
    csv_missing = ingest(database, b"dam,level_m\nhoa-binh,100\n", agency="EVN", channel="cli",
                         filename="x.csv", now=NOW)
    assert csv_missing.refused[0].code == "missing_column"
    with database.sessions() as s:
        batches = {b.id: b for b in s.scalars(select(DamBatch))}
    assert batches[broken.batch_id].payload == b'{"readings": ['
    assert batches[big.batch_id].payload == b""  # the limit bounds what is stored
    assert batches[csv_missing.batch_id].status == "rejected"


def test_csv_rows_count_from_the_header(database: Database) -> None:
    text = ("dam,time,level_m,inflow_m3s,turbine_m3s,spillway_m3s,gates_open\n"
            "HOA_BINH,2026-12-06 09:00,104.1,3000,2400,0,0\n"
            "HOA_BINH,2026-12-06 09:10,-1,3000,2400,0,0\n")
    result = ingest(database, text.encode(), agency="EVN", channel="cli", filename="r.csv",
                    content_type="text/csv", now=NOW)
    assert result.accepted == 1 and [(r.row, r.code) for r in result.refused] == [
        (3, "below_riverbed")]
