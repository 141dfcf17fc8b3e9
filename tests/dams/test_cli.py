"""`python -m data dams ingest FILE --agency CODE`: stored rows, refusals listed, exit status."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from core.clock import local_now
from core.db import Database
from dams.models import DamBatch, DamReading


def test_ingest_a_csv_file(cli_env: Database, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    at = (local_now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:00")
    path = tmp_path / "readings.csv"
    path.write_text("dam,time,level_m,inflow_m3s,turbine_m3s,spillway_m3s,gates_open\n"
                    f"hoa-binh,{at},104.0,3000,2400,0,0\n"
                    f"son-la,{at},90,1000,900,0,0\n", encoding="utf-8")
    assert main(["dams", "ingest", str(path), "--agency", "evn"]) == 1  # one refused
    out = capsys.readouterr().out
    assert "partial, 1 of 2 readings stored" in out
    assert "row 3: Mực nước 90.0 m thấp hơn đáy sông" in out and "below the riverbed" in out
    with cli_env.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DamReading)) == 1
        assert s.scalar(select(DamBatch.filename)) == "readings.csv"


def test_a_missing_file_is_one_error_line(cli_env: Database, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dams", "ingest", str(tmp_path / "none.csv"), "--agency", "EVN"]) == 1
    assert capsys.readouterr().err.startswith("error: cannot read")
