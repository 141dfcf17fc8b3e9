"""Withdrawing: the latest revision goes and the previous one is latest again; --all hides the key."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from accounts.models import AuditEvent
from callbacks.overview import is_overdue
from core import periods
from core.clock import local_now
from core.db import EXTENSION_KEY, Database
from data.__main__ import main
from reporting import ingest, queries, withdraw
from reporting.models import Observation
from settings import Settings

MONTH = periods.shift(periods.of(local_now(), "monthly"), -1)  # reportable now
BEFORE = periods.shift(MONTH, -1)
# A moment when MONTH's report is the one expected: showing BEFORE instead is overdue.
WALL_TIME = periods.due_at(MONTH) + timedelta(days=1)


def send(database: Database, *rows: str) -> ingest.IngestResult:
    text = "indicator,region,period,value\n" + "".join(f"{r}\n" for r in rows)
    return ingest.ingest_bytes(database, text.encode(), filename="r.csv", agency="BTC",
                               channel="api")


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    from core.cache import init_app

    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    init_app(server, settings)
    return server


def history(database: Database, period: str) -> list[tuple[int, float, str, bool]]:
    with database.sessions() as s:
        return [(o.revision, o.value, o.source, o.is_latest) for o in s.scalars(
            select(Observation).where(Observation.indicator_code == "CPI_YOY",
                                      Observation.region_code == "VN",
                                      Observation.period == period)
            .order_by(Observation.revision))]


def test_withdrawing_the_wrong_revision_brings_back_the_right_one(app: Flask,
                                                                 database: Database) -> None:
    send(database, f"CPI_YOY,VN,{BEFORE.label},3.0", f"CPI_YOY,VN,{MONTH.label},3.2")
    send(database, f"CPI_YOY,VN,{MONTH.label},9.9")  # revision 2: a typing error
    with app.app_context():
        done = withdraw.withdraw(database, "CPI_YOY", "VN", MONTH.label, "typing error, 9.9",
                                 actor="admin")
        tile = queries.indicator_summary("CPI_YOY")
        rows = queries.series("CPI_YOY", "VN", BEFORE.label, MONTH.label)
    assert (done.withdrawn_revision, done.revision, done.restored_revision) == (2, 3, 1)
    assert (tile["period"], tile["value"], tile["revision"]) == (MONTH.label, 3.2, 1)
    assert [(r["period"], r["value"]) for r in rows] == [(BEFORE.label, 3.0), (MONTH.label, 3.2)]
    assert not is_overdue(tile["period"], tile["frequency"], WALL_TIME)
    assert history(database, MONTH.label) == [(1, 3.2, "submitted", True),
                                              (2, 9.9, "submitted", False),
                                              (3, 9.9, "withdrawn", False)]
    with database.sessions() as s:
        [event] = [e.detail for e in s.scalars(select(AuditEvent).where(
            AuditEvent.kind == "admin"))]
    assert "revision 2 (value 9.9)" in event and "revision 1 (value 3.2) current again" in event
    # The agency corrects again: the next number after the withdrawal, shown at once.
    assert send(database, f"CPI_YOY,VN,{MONTH.label},3.3").status == "accepted"
    assert history(database, MONTH.label)[-1] == (4, 3.3, "submitted", True)


def test_withdrawals_undo_in_order_down_to_nothing(database: Database) -> None:
    send(database, f"CPI_YOY,VN,{MONTH.label},3.2")
    send(database, f"CPI_YOY,VN,{MONTH.label},9.9")
    send(database, f"CPI_YOY,VN,{MONTH.label},8.8")
    first = withdraw.withdraw(database, "CPI_YOY", "VN", MONTH.label, "wrong again", actor="a")
    second = withdraw.withdraw(database, "CPI_YOY", "VN", MONTH.label, "wrong too", actor="a")
    third = withdraw.withdraw(database, "CPI_YOY", "VN", MONTH.label, "all wrong", actor="a")
    assert [(w.withdrawn_revision, w.restored_revision) for w in (first, second, third)] == [
        (3, 2), (2, 1), (1, None)]
    assert not any(latest for *_, latest in history(database, MONTH.label))
    with pytest.raises(withdraw.WithdrawError, match="no current value"):
        withdraw.withdraw(database, "CPI_YOY", "VN", MONTH.label, "nothing left", actor="a")


def test_cli_withdraw_all_hides_the_key(cli_env: Database, app: Flask,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    send(cli_env, f"CPI_YOY,VN,{BEFORE.label},3.0", f"CPI_YOY,VN,{MONTH.label},3.2")
    send(cli_env, f"CPI_YOY,VN,{MONTH.label},9.9")
    assert main(["withdraw", "CPI_YOY", "VN", MONTH.label, "--reason", "the whole month is wrong",
                 "--all"]) == 0
    assert "no value of the key is current" in capsys.readouterr().out
    with app.app_context():
        tile = queries.indicator_summary("CPI_YOY")
    assert (tile["period"], tile["value"]) == (BEFORE.label, 3.0)
    assert is_overdue(tile["period"], tile["frequency"], WALL_TIME)
    assert [(rev, src, latest) for rev, _, src, latest in history(cli_env, MONTH.label)] == [
        (1, "submitted", False), (2, "submitted", False), (3, "withdrawn-all", False)]


def test_cli_withdraw_says_which_revision_is_current_again(
        cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    send(cli_env, f"CPI_YOY,VN,{MONTH.label},3.2")
    send(cli_env, f"CPI_YOY,VN,{MONTH.label},9.9")
    assert main(["withdraw", "CPI_YOY", "VN", MONTH.label, "--reason", "typing error"]) == 0
    assert "revision 1 (value 3.2) is current again" in capsys.readouterr().out
