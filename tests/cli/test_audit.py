"""Every write from the command line is audited with the operating-system user and the command."""
from __future__ import annotations

import getpass
from pathlib import Path

from sqlalchemy import select

from accounts.models import AuditEvent
from core.db import Database
from data.__main__ import main
from reporting.models import Observation

ME = f"cli:{getpass.getuser()}"


def events(database: Database, kind: str) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.kind == kind)
                              .order_by(AuditEvent.id)))


def test_ingest_and_withdraw_are_audited_as_the_os_user(cli_env: Database, tmp_path: Path,
                                                         capsys) -> None:
    file = tmp_path / "btc.csv"
    file.write_text("indicator,region,period,value,note\nIIP,VN,2026-10,1.5,\n", encoding="utf-8")
    assert main(["ingest", str(file), "--agency", "BTC"]) == 0
    [ingest] = events(cli_env, "cli")
    assert ingest.actor == ME
    assert ingest.detail.startswith("python -m data ingest") and "--agency=BTC" in ingest.detail
    assert str(file) in ingest.detail

    assert main(["withdraw", "IIP", "VN", "2026-10", "--reason", "typed wrong",
                 "--by", "somebody else"]) == 0
    withdrawal = events(cli_env, "cli")[-1]
    assert withdrawal.actor == ME and "python -m data withdraw" in withdrawal.detail
    # The name typed after --by is what they say, kept with the reason; the actor is the OS user.
    with cli_env.sessions() as s:
        note = s.scalars(select(Observation.note).where(Observation.indicator_code == "IIP",
                                                        Observation.source == "withdrawn")).one()
    assert ME in note and "requested by somebody else" in note
    assert all(e.actor != "somebody else" for kind in ("cli", "admin")
               for e in events(cli_env, kind))


def test_account_commands_name_the_os_user_and_reads_are_not_audited(cli_env: Database,
                                                                      capsys) -> None:
    assert main(["user", "add", "lan", "--role", "leader"]) == 0
    assert main(["user", "list"]) == 0
    [added] = [e for e in events(cli_env, "admin") if e.detail.startswith("user add lan")]
    assert added.actor == ME
    assert [e.detail.split(" --")[0] for e in events(cli_env, "cli")] == ["python -m data user add"]
    # A refused command changed nothing and is not logged as done.
    assert main(["user", "add", "lan", "--role", "leader"]) == 1
    assert len(events(cli_env, "cli")) == 1
