"""The render cache: the same bytes as Dash renders them, once per window, never across
principals where answers differ, and the stale badge during a database outage."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from accounts import tokens
from settings import from_env
from tests.conftest import csrf_header, login
from tests.helpers import database_down, wait_for
from web import rendercache
from web.rendercache import HEADER, SHARED

PATH = "/_dash-update-component"
LIVE = "..overview-live.children...overview-alerts.children...overview-camera-strip.children.."
PRESENT = ("..present-button.children...present-button.className...present-takeover.style"
           "...present-status.children...present-flag.data..")


def body_for(app: Any, output: str, lang: str = "vi", tick: int = 1) -> dict[str, Any]:
    """The body dash-renderer posts for a callback of the app (its interval fired)."""
    spec = app.callback_map[output]

    def arg(ref: dict[str, Any]) -> dict[str, Any]:
        value = {"n_intervals": tick, "data": lang}.get(ref["property"])
        return {"id": ref["id"], "property": ref["property"], "value": value}

    outputs = [{"id": i, "property": p.split("@")[0]} for i, p in
               (part.rsplit(".", 1) for part in (output[2:-2].split("...")
                                                 if output.startswith("..") else [output]))]
    inputs = [arg(r) for r in spec["inputs"]]
    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": inputs, "state": [arg(r) for r in spec.get("state", [])],
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory, _cheap_password_hashing: None
         ) -> Iterator[tuple[Any, Any]]:
    """Two apps on one database: the render cache on (live window 1 s) and off."""
    from app import create_app
    from tests.apps import build_app

    settings = from_env({}, data_dir=tmp_path_factory.mktemp("render-var"), simulate=False,
                        cameras=False, seed_years=1, cache_ttl=1)
    on = build_app(settings)
    off = create_app(settings.with_(render_cache=False))
    yield on, off
    for app in (on, off):
        app.server.extensions["ops_db"].dispose()


def display(app: Any) -> FlaskClient:
    client = app.server.test_client()
    _, secret = tokens.create_display(app.server.extensions["ops_db"], "wall-render")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def post(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.post(PATH, json=body, headers=csrf_header(client))


def test_every_shared_answer_is_the_bytes_dash_renders(apps: tuple[Any, Any]) -> None:
    on, off = apps
    staff_off = off.server.test_client()
    login(staff_off, "staff")
    viewers = [display(on), display(on)]
    compared = 0
    for output in SHARED:
        for lang in ("vi", "en"):
            for tick in (1, 7):  # every viewer's interval count differs; the answer does not
                plain = post(staff_off, body_for(off, output, lang, tick))
                assert plain.status_code == 200 and HEADER not in plain.headers
                for viewer in viewers:
                    got = post(viewer, body_for(on, output, lang, tick))
                    assert got.status_code == 200, got.data[:300]
                    assert got.headers["Content-Type"] == plain.headers["Content-Type"]
                    assert got.data == plain.data, output
                    compared += 1
    assert compared == len(SHARED) * 2 * 2 * 2
    # Most of them were kept bytes: one computation per callback, language and window (those
    # whose window outlasts this loop; the live ones here turn over every second or two).
    hits = [post(viewers[0], body_for(on, out)).headers[HEADER] for out, share in SHARED.items()
            if share.window(on.server) >= 10]
    assert len(hits) >= 4
    assert set(hits) == {"hit"}


def test_answers_differ_by_language_not_by_viewer(apps: tuple[Any, Any]) -> None:
    on, _ = apps
    viewer = display(on)
    vi = post(viewer, body_for(on, LIVE, "vi"))
    en = post(viewer, body_for(on, LIVE, "en"))
    assert vi.status_code == en.status_code == 200 and vi.data != en.data


def test_the_alerts_panel_turns_over_with_its_data_not_a_slow_window(
        apps: tuple[Any, Any]) -> None:
    from alerts.store import wall_alerts
    from tasks.summary import TTL

    on, _ = apps
    # The alerts share one answer with the live figures and the camera strip, turned over at
    # the shortest of their windows: never later than the alert list's own.
    assert SHARED[LIVE].window(on.server) <= wall_alerts.ttl
    assert SHARED["tasks-panel.children"].window(on.server) == TTL


def test_principal_dependent_callbacks_are_never_shared(apps: tuple[Any, Any]) -> None:
    on, _ = apps
    # Callbacks that read the principal or sign URLs for it are not on the allow-list.
    for output in on.callback_map:
        names = {"ds-", "cam-strip", "cam-mosaic", "cam-live", "adm-", "brf-"}
        if any(n in output for n in names):
            assert output not in SHARED, output
    assert SHARED[PRESENT].kinds == {"display"}  # the presenter's own button: displays only
    staff = on.server.test_client()
    login(staff, "staff")
    wall = display(on)
    start = {"output": "present-state.data", "outputs": {"id": "present-state", "property": "data"},
             "inputs": [{"id": "present-req", "property": "data",
                         "value": {"action": "toggle", "path": "/", "search": ""}}],
             "state": [], "changedPropIds": ["present-req.data"]}
    assert json.loads(post(staff, start).data)["response"]["present-state"]["data"]["on"]
    body = body_for(on, PRESENT)
    body["inputs"][1]["value"] = None  # present-state
    mine = post(staff, body)
    theirs = post(wall, body)
    assert mine.status_code == theirs.status_code == 200
    assert HEADER not in mine.headers and theirs.headers[HEADER] in ("hit", "miss")
    assert post(staff, body).data == mine.data and HEADER not in post(staff, body).headers
    assert b"is-on" in mine.data and b"is-on" not in theirs.data  # the presenter's own button
    post(staff, start)  # stop presenting


def test_the_guard_runs_before_any_kept_answer(apps: tuple[Any, Any]) -> None:
    on, _ = apps
    body = body_for(on, "overview-tiles.children")
    assert post(display(on), body).status_code == 200  # kept now
    assert on.server.test_client().post(PATH, json=body).status_code == 401
    bad = dict(body, inputs=[{"id": "overview-slow-tick", "property": "n_intervals",
                              "value": "x"}, body["inputs"][1]])
    assert post(display(on), bad).status_code == 400


def test_the_stale_badge_shows_during_an_outage_and_goes_with_it(apps: tuple[Any, Any]) -> None:
    on, _ = apps
    viewer = display(on)
    wait_for(lambda: b"badge-stale" not in post(viewer, body_for(on, LIVE)).data, 5,
             "a fresh live answer")
    with database_down(on):
        # The live window is 1 s: the next window's answer is built from last good values.
        stale = wait_for(lambda: (r := post(viewer, body_for(on, LIVE))).status_code == 200
                         and b"badge-stale" in r.data and r, 5, "the stale badge")
        assert json.loads(stale.data)["response"]
        rendercache.clear(on.server)  # slow callbacks too, without waiting for their window
        tiles = post(viewer, body_for(on, "overview-tiles.children"))
        assert tiles.status_code == 200 and b"badge-stale" in tiles.data
    # An answer with a stale badge is kept for a second, not for its window (60 s for tiles).
    for output in (LIVE, "overview-tiles.children"):
        wait_for(lambda output=output: b"badge-stale" not in post(viewer, body_for(on, output)).data,
                 5, f"{output} to recover after the outage")


def _find(tree: Any, wanted: str) -> dict[str, Any] | None:
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == wanted:
            return tree
        for value in tree.values():
            if (got := _find(value, wanted)) is not None:
                return got
    elif isinstance(tree, list):
        for value in tree:
            if (got := _find(value, wanted)) is not None:
                return got
    return None


def test_a_display_never_polls_the_presenter_state(apps: tuple[Any, Any]) -> None:
    """A wall screen cannot present: its page comes with the presenter poll switched off (a
    person's keeps it), so a thousand walls do not ask for a button they never show."""
    on, _ = apps
    person = on.server.test_client()
    login(person, "staff")
    for client, disabled in ((display(on), True), (person, False)):
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200
        tick = _find(layout.get_json(), "present-tick")
        assert tick is not None and bool(tick["props"].get("disabled")) is disabled


def test_a_wall_asks_once_per_live_tick(apps: tuple[Any, Any]) -> None:
    """The live figures, the alerts and the cameras-down strip come in one answer."""
    on, _ = apps
    live = [k for k, spec in on.callback_map.items()
            if any(i["id"] == "overview-live-tick" for i in spec.get("inputs", []))]
    assert live == [LIVE]
