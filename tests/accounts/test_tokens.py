"""Agency tokens: created once, stored as a hash, listed without secrets, revoked at once."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from accounts import tokens
from accounts.models import AgencyToken
from core.db import Database
from data.__main__ import main


def test_create_stores_only_a_hash(database: Database) -> None:
    token_id, secret = tokens.create(database, "BTC")
    with database.sessions() as s:
        row = s.scalars(select(AgencyToken)).one()
    assert row.id == token_id and row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.token_hash, row.agency_code)
    assert secret.startswith("ops_") and len(secret) > 40


def test_check_resolves_agency_and_records_use(database: Database) -> None:
    _, secret = tokens.create(database, "T34_01")
    assert tokens.list_tokens(database)[0].last_used_at is None
    assert tokens.check(database, secret) == tokens.TokenCheck("T34_01", id=1)
    assert tokens.list_tokens(database)[0].last_used_at is not None


@pytest.mark.parametrize(("token", "reason"), [(None, "missing"), ("", "missing"),
                                                ("ops_nope", "unknown")])
def test_check_refuses_bad_tokens(database: Database, token: str | None, reason: str) -> None:
    assert tokens.check(database, token) == tokens.TokenCheck(None, reason)


def test_revoke_takes_effect_at_once(database: Database) -> None:
    token_id, secret = tokens.create(database, "BTC")
    first = tokens.revoke(database, token_id)
    assert tokens.check(database, secret).reason == "revoked"
    assert tokens.revoke(database, token_id).revoked_at == first.revoked_at


def test_unknown_agency_or_id(database: Database) -> None:
    with pytest.raises(tokens.TokenError):
        tokens.create(database, "NOPE")
    with pytest.raises(tokens.TokenError):
        tokens.revoke(database, 99)


def test_cli_create_list_revoke(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--agency", "BTC"]) == 0
    secret = capsys.readouterr().out.splitlines()[-1]
    assert tokens.check(cli_env, secret).agency == "BTC"

    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "BTC" in listing and secret not in listing
    assert hashlib.sha256(secret.encode()).hexdigest() not in listing
    assert listing.splitlines()[1].split()[-1] == "-"  # not revoked

    assert main(["token", "revoke", "1"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert tokens.check(cli_env, secret).reason == "revoked"
    main(["token", "list"])
    assert capsys.readouterr().out.splitlines()[1].split()[-1] != "-"


def test_cli_errors_exit_1(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--agency", "NOPE"]) == 1
    assert main(["token", "revoke", "42"]) == 1
    err = capsys.readouterr().err
    assert "unknown agency 'NOPE'" in err and "no token with id 42" in err


def test_tracking_tokens_are_their_own_kind(database: Database) -> None:
    plain_id, plain = tokens.create(database, "VPCP")
    track_id, track = tokens.create(database, "VPCP", scope=tokens.TASKS, name="he-thong")
    assert tokens.check(database, plain).scope == tokens.SUBMISSIONS
    found = tokens.peek(database, track)
    assert (found.agency, found.scope, found.name, found.id) == ("VPCP", tokens.TASKS,
                                                                  "he-thong", track_id)
    with pytest.raises(tokens.TokenError):
        tokens.create(database, "VPCP", scope="everything")
    with pytest.raises(tokens.TokenError):
        tokens.create(database, "VPCP", scope=tokens.TASKS, name="bad/name")
    assert [(i.id, i.scope) for i in tokens.list_tokens(database)] == [
        (plain_id, tokens.SUBMISSIONS), (track_id, tokens.TASKS)]


def test_cli_tracking_create_list_revoke(cli_env: Database,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--agency", "BTC"]) == 0
    assert main(["token", "create", "--tracking"]) == 0
    out = capsys.readouterr().out
    secret = out.splitlines()[-1]
    assert "tracking token 2" in out and "shown once" in out
    found = tokens.check(cli_env, secret)
    assert (found.scope, found.agency, found.name) == (tokens.TASKS, "VPCP", "tracking")
    assert main(["token", "create", "--tracking", "qlnv-vpcp"]) == 0
    named = capsys.readouterr().out.splitlines()[-1]
    assert tokens.check(cli_env, named).name == "qlnv-vpcp"

    assert main(["token", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ID", "KIND", "AGENCY"]
    assert lines[1].split()[:3] == ["1", "submissions", "BTC"]
    assert lines[2].split()[:3] == ["2", "tracking", "VPCP"] and lines[2].split()[-1] == "tracking"
    assert lines[3].split()[-1] == "qlnv-vpcp" and secret not in "\n".join(lines)

    assert main(["token", "revoke", "2"]) == 0
    assert "tracking system (tracking) revoked" in capsys.readouterr().out
    assert tokens.check(cli_env, secret).reason == "revoked"
    assert main(["audit", "--action", "admin"]) == 0
    logged = capsys.readouterr().out
    assert "token create 2 tracking=tracking agency=VPCP" in logged
    assert "token revoke 2 tracking=tracking" in logged


def test_cli_create_needs_exactly_one_kind(cli_env: Database,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--agency", "BTC", "--tracking"]) != 0
    assert main(["token", "create"]) != 0
    assert "--tracking [NAME]" in capsys.readouterr().err
    assert tokens.list_tokens(cli_env) == []
