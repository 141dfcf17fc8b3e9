"""People have names: full name and unit on accounts, shown as 'Full Name, Unit'."""
from __future__ import annotations

import pytest

from accounts import users
from core.db import Database


def test_full_name_and_unit(database: Database) -> None:
    info = users.add(database, "lan", "leader", "z" * 12, full_name=" Nguyễn Thị Lan ",
                     unit="Văn phòng Chính phủ")
    assert (info.full_name, info.unit) == ("Nguyễn Thị Lan", "Văn phòng Chính phủ")
    assert info.label == "Nguyễn Thị Lan, Văn phòng Chính phủ"
    users.add(database, "binh", "staff", "z" * 12)  # none recorded: the login name stands in
    assert users.labels(database, ["lan", "binh", "nobody"]) == {
        "lan": "Nguyễn Thị Lan, Văn phòng Chính phủ", "binh": "binh"}
    changed = users.set_person(database, "binh", "Trần Văn Bình", "")
    assert changed.label == "Trần Văn Bình"
    from cli.accounts import users_table

    assert "Trần Văn Bình" in users_table(users.list_users(database))


@pytest.mark.parametrize("bad", ["a\x00b", "x" * 201, "tab\there"])
def test_bad_names_refused(database: Database, bad: str) -> None:
    with pytest.raises(users.UserError):
        users.add(database, "x1", "staff", "z" * 12, full_name=bad)


def test_user_add_from_the_command_line_with_full_name_and_unit(cli_env: Database,
                                                                 capsys) -> None:
    from data.__main__ import main

    assert main(["user", "add", "hoa", "--role", "staff", "--full-name", "Lê Thị Hoa",
                 "--unit", "Vụ Tổng hợp"]) == 0
    assert main(["user", "list"]) == 0
    assert "Lê Thị Hoa, Vụ Tổng hợp" in capsys.readouterr().out
