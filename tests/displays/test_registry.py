"""The display registry: create/set/revoke, validation with field and reason, playlists, CLI."""
from __future__ import annotations

import io
import sys

import pytest

from accounts import tokens
from core.db import Database
from data.__main__ import main as cli_main
from displays import registry


def test_create_set_revoke_and_snapshot(database: Database) -> None:
    view, secret = registry.create(database, "Wall", place="wall", mode="follow", actor="t")
    assert secret.startswith(tokens.DISPLAY_PREFIX)
    assert tokens.check_display(database, secret, record=False).id == view.token_id
    bp, bp_secret = registry.create(database, "Hue", place="bp05", mode="page",
                            page="/indicators/GDP_GROWTH?region=46&kiosk=1")
    assert bp.place == "BP05" and bp.page == "/indicators/GDP_GROWTH?region=46"  # kiosk dropped

    snap = registry.load_snapshot(database)
    assert {v.name for v in snap.by_token.values()} == {"Wall", "Hue"}
    assert len(snap.places) == 58 and snap.places[0][0] == "wall" and snap.places[-1][0] == "BP57"
    assert len(snap.provinces) == 34
    default = snap.playlist_for(view)
    cycling = [i for i in default["items"] if i.get("provinces")]
    assert len(cycling) == 1 and len(cycling[0]["provinces"]) == 34  # "all" resolved

    registry.update(database, "Hue", mode="playlist")
    assert registry.get(database, "Hue").mode == "playlist"
    registry.revoke(database, "Hue")
    assert not tokens.check_display(database, bp_secret, record=False).ok
    snap = registry.load_snapshot(database)
    assert not snap.by_token[bp.token_id].active
    with pytest.raises(registry.DisplayError, match="revoked"):
        registry.update(database, "Hue", mode="follow")


def test_token_revocation_reaches_the_display(database: Database) -> None:
    view, secret = registry.create(database, "BP1", place="BP01")
    tokens.revoke_display(database, view.token_id)
    assert not registry.load_snapshot(database).by_token[view.token_id].active
    assert not tokens.check_display(database, secret, record=False).ok


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": ""}, "name: 1-64"),
    ({"name": "a", "place": "BP58"}, "place: 'BP58'"),
    ({"name": "a", "mode": "dance"}, "mode: 'dance'"),
    ({"name": "a", "mode": "page"}, "page: mode 'page' needs"),
    ({"name": "a", "mode": "page", "page": "https://evil.example/"}, "must be a path"),
    ({"name": "a", "mode": "page", "page": "//evil.example/x"}, "must be a path"),
    ({"name": "a", "mode": "page", "page": "/admin/displays"}, "not a page a screen"),
    ({"name": "a", "playlist": "nope"}, "playlist: no playlist named 'nope'"),
])
def test_bad_input_names_field_and_reason(database: Database, kwargs: dict, message: str) -> None:
    with pytest.raises(registry.DisplayError, match=message):
        registry.create(database, **kwargs)
    assert registry.list_displays(database) == []  # nothing half-made


def test_duplicate_name_refused(database: Database) -> None:
    registry.create(database, "Wall")
    with pytest.raises(registry.DisplayError, match="exists"):
        registry.create(database, "Wall")


def test_playlist_lines_round_trip_and_errors(database: Database) -> None:
    known = set(registry.province_codes(database))
    items = registry.parse_lines("# wall\n/ 10\n\n/indicators/GDP_GROWTH 5 provinces=01,04\n"
                                 "/cameras?cam=hoa-binh 7 \n", known)
    assert [i.seconds for i in items] == [10, 5, 7]
    assert items[1].provinces == ("01", "04")
    assert registry.parse_lines("\n".join(i.line() for i in items), known) == items
    for text, message in [("/ x", "line 1, seconds: 'x'"), ("/ 1", "line 1, seconds: 1 is outside"),
                          ("/ 5\n/savings", "line 2: give a URL"),
                          ("/ 5\n/x 5 provinces=99", "line 2, provinces: unknown code"),
                          ("/ 5 colour=red", "line 1: 'colour=red'"),
                          ("http://x/ 5", "line 1, url")]:
        with pytest.raises(registry.DisplayError, match=message):
            registry.parse_lines(text, known)
    registry.save_playlist(database, "short", items, actor="t")
    assert registry.playlists(database)["short"] == items
    assert "default" in registry.playlists(database)


def test_cli_create_prints_link_last_and_list_set_revoke(cli_env: Database, monkeypatch,
                                                         capsys) -> None:
    database = cli_env
    assert cli_main(["display", "create", "Wall 1", "--place", "wall", "--mode", "follow"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("/display/opsd_")
    assert tokens.check_display(database, out[-1].removeprefix("/display/"), record=False).ok
    assert cli_main(["display", "create", "BP9", "--place", "BP09", "--mode", "page",
                     "--page", "/savings"]) == 0
    capsys.readouterr()
    assert cli_main(["display", "set", "BP9", "--mode", "playlist", "--playlist", "default"]) == 0
    assert cli_main(["display", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Wall 1" in listing and "BP09" in listing and "playlist" in listing
    assert cli_main(["display", "revoke", "BP9"]) == 0
    assert not registry.get(database, "BP9").active
    assert cli_main(["display", "create", "x", "--place", "BP99"]) == 1
    assert "place: 'BP99'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("/ 5\n/savings 6\n"))
    assert cli_main(["display", "playlist", "quick", "--stdin"]) == 0
    assert [i.url for i in registry.playlists(database)["quick"]] == ["/", "/savings"]
