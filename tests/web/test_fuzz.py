"""Bad input never gets a 500 or a traceback: the callback endpoint and the API, fuzzed."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import tokens
from tests.conftest import csrf_header, login
from web.access import contract
from web.access.paths import callback_body_limit

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
NASTY = st.sampled_from(["' OR 1=1 --", "'; DROP TABLE observation; --", "<script>alert(1)</script>",
                         "../../etc/passwd", "%2e%2e%2f", "\x00", "𝔘𝔫𝔦", "", " ", "a" * 3000,
                         "{{7*7}}", "${jndi:ldap://x}", "\\\\server\\share"])
TEXT = st.one_of(NASTY, st.text(max_size=40))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda kids: st.lists(kids, max_size=4)
                    | st.dictionaries(TEXT, kids, max_size=4), max_leaves=12)


def _ok(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, body[:300])
    assert "Traceback" not in body


@pytest.fixture(scope="module")
def staff(web_app):
    client = web_app.server.test_client()
    login(client, "staff")
    return client


# Callbacks that still answer 500 to values of the wrong type (float() of a dict, a list, text):
# reported to their owners; remove from this set once they validate their inputs.


def _server_callbacks(web_app, staff) -> dict[str, dict]:
    staff.get("/")  # Dash registers the pages' callbacks on its first request
    return {k: v for k, v in web_app.callback_map.items() if "callback" in v}


def _call(output: str, spec: dict, values: list) -> dict:
    args = [{"id": d["id"], "property": d["property"], "value": v}
            for d, v in zip(list(spec["inputs"]) + list(spec["state"]), values, strict=True)]
    n_in = len(spec["inputs"])
    outs = [{"id": i, "property": p} for i, p in contract.declared_outputs(output)]
    return {"output": output, "outputs": outs if output.startswith("..") else outs[0],
            "inputs": args[:n_in], "state": args[n_in:],
            "changedPropIds": [f"{args[0]['id']}.{args[0]['property']}"] if args else []}


def test_router_callback_answers_a_real_page(web_app, staff) -> None:
    callbacks = _server_callbacks(web_app, staff)
    output = next(k for k in callbacks if "_pages_content.children" in k)
    body = _call(output, callbacks[output], ["/savings", ""])
    assert staff.post("/_dash-update-component", json=body,
                      headers=csrf_header(staff)).status_code == 200


@FUZZ
@given(data=st.data())
def test_every_server_callback_with_hostile_values(web_app, staff, data) -> None:
    """Right ids, wrong values: whatever a tampered browser sends to a registered callback."""
    callbacks = _server_callbacks(web_app, staff)
    output = data.draw(st.sampled_from(sorted(callbacks)))
    spec = callbacks[output]
    values = [data.draw(JSON) for _ in list(spec["inputs"]) + list(spec["state"])]
    _ok(staff.post("/_dash-update-component", json=_call(output, spec, values),
                   headers=csrf_header(staff)))


@FUZZ
@given(body=st.one_of(JSON, st.fixed_dictionaries(
    {"output": st.one_of(TEXT, st.sampled_from(["lang.data", "shell.className"])),
     "inputs": st.one_of(JSON, st.lists(st.fixed_dictionaries(
         {"id": TEXT, "property": TEXT, "value": JSON}), max_size=3))},
    optional={"state": JSON, "changedPropIds": JSON, "outputs": JSON})))
def test_callback_endpoint_structure(staff, body) -> None:
    r = staff.post("/_dash-update-component", data=json.dumps(body),
                   content_type="application/json", headers=csrf_header(staff))
    _ok(r)


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b"null", b'"x"', b"\xff\xfe",
                                 b'{"output": 1}', b'{"output": "lang.data"}',
                                 b'{"output": "lang.data", "inputs": [1]}',
                                 b'{"output": "..nope.children..", "inputs": []}'])
def test_malformed_callback_bodies_are_4xx(staff, raw: bytes) -> None:
    r = staff.post("/_dash-update-component", data=raw, content_type="application/json",
                   headers=csrf_header(staff))
    assert 400 <= r.status_code < 500 and r.is_json


def test_oversized_and_wrong_type_callback_bodies(staff, web_app) -> None:
    # Room for one file of the upload limit as base64 (/submit), and not a byte more.
    limit = callback_body_limit(web_app.server.config["MAX_CONTENT_LENGTH"])
    r = staff.post("/_dash-update-component", data=b"{" + b" " * limit + b"}",
                   content_type="application/json", headers=csrf_header(staff))
    assert r.status_code == 413
    r = staff.post("/_dash-update-component", data="output=x", headers=csrf_header(staff),
                   content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


@FUZZ
@given(pathname=TEXT, search=TEXT)
def test_page_routing_callback_with_hostile_urls(staff, pathname, search) -> None:
    """The Dash Pages router gets whatever URL a user (or attacker) typed."""
    from dash import get_app

    output = next(k for k in get_app().callback_map if "_pages_content.children" in k)
    body = {"output": output, "outputs": [{"id": "_pages_content", "property": "children"},
                                          {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/" + pathname},
                       {"id": "_pages_location", "property": "search", "value": "?" + search}],
            "changedPropIds": ["_pages_location.pathname"]}
    _ok(staff.post("/_dash-update-component", json=body, headers=csrf_header(staff)))


@FUZZ
@given(code=TEXT, region=TEXT, start=TEXT, stop=TEXT)
def test_api_reads(staff, code, region, start, stop) -> None:
    from urllib.parse import quote

    r = staff.get(f"/api/v1/indicators/{quote(code, safe='') or 'x'}/observations",
                  query_string={"region": region, "from": start, "to": stop})
    _ok(r)
    assert r.is_json


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), TEXT.map(str.encode),
                      st.lists(st.lists(TEXT, max_size=5), max_size=4).map(
                          lambda rows: "\n".join(",".join(r) for r in
                                                 [["indicator", "region", "period", "value",
                                                   "note"], *rows]).encode())),
       content_type=st.sampled_from(["text/csv", "application/json", "application/octet-stream",
                                     "text/plain"]),
       filename=TEXT)
def test_api_submissions(web_app, db, body, content_type, filename) -> None:
    client = web_app.server.test_client()
    _, secret = _agency_token(db)
    r = client.post("/api/v1/submissions", data=body, content_type=content_type,
                    query_string={"filename": filename},
                    headers={"Authorization": f"Bearer {secret}"})
    _ok(r)
    assert r.is_json


_TOKEN: dict[str, tuple[int, str]] = {}


def _agency_token(db) -> tuple[int, str]:
    if "t" not in _TOKEN:
        _TOKEN["t"] = tokens.create(db, "BTC")
    return _TOKEN["t"]


@pytest.mark.parametrize("path", ["/streams/../../etc/passwd", "/streams/%2e%2e/%2e%2e/etc/passwd",
                                  "/streams/..%2fapp.py", "/assets/../app.py",
                                  "/assets/%2e%2e/settings.py", "/_dash-component-suites/../../x",
                                  "/streams/hoa-binh.jpg%00.png", "/display/../api/v1/indicators"])
def test_path_tricks(web_app, staff, path: str) -> None:
    for client in (web_app.server.test_client(), staff):
        r = client.get(path)
        assert r.status_code in (302, 400, 401, 404), (path, r.status_code)
        assert b"import" not in r.data and b"root:" not in r.data


# --- the oracle's other half: valid input must never fail -------------------------------------

def _initial_values(server) -> dict[tuple[str, str], object]:
    """(component id, property) -> the value every page's layout starts with: valid input."""
    import dash

    found: dict[tuple[str, str], object] = {}

    def walk(node: object) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
            return
        if not hasattr(node, "to_plotly_json"):
            return
        ident = getattr(node, "id", None)
        if isinstance(ident, str):
            for prop in getattr(node, "_prop_names", []):
                value = getattr(node, prop, None)
                if prop != "children" and value is not None:
                    found.setdefault((ident, prop), value)
        walk(getattr(node, "children", None))

    with server.test_request_context("/"):
        for page in dash.page_registry.values():
            layout = page["layout"]
            walk(layout() if callable(layout) else layout)
    return found


VALID_DEFAULTS = {"n_intervals": 3, "n_clicks": 1, "search": "", "pathname": "/", "hash": "",
                  "href": "http://localhost/", "data": None, "value": None}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_server_callback_answers_valid_input(web_app, staff, lang: str) -> None:
    """A callback that raises on what a real browser sends answers 500 and fails here."""
    callbacks = _server_callbacks(web_app, staff)
    initial = _initial_values(web_app.server)
    failures, called = [], 0
    for output, spec in sorted(callbacks.items()):
        values = []
        for dep in list(spec["inputs"]) + list(spec["state"]):
            ident, prop = dep["id"], dep["property"]
            if ident == "lang" and prop == "data":
                values.append(lang)
            elif isinstance(ident, str):
                values.append(initial.get((ident, prop), VALID_DEFAULTS.get(prop)))
            else:
                values.append([])  # pattern-matching ALL: no matching components yet
        body = _call(output, spec, values)
        if any(isinstance(d["id"], dict) for d in spec["inputs"]):
            continue  # ALL inputs need the page's components; covered by the callbacks tests
        r = staff.post("/_dash-update-component", json=body, headers=csrf_header(staff))
        called += 1
        # 403: a callback that answers administrators only (web.access.require) refuses staff.
        if r.status_code not in (200, 204, 403):
            failures.append((output, r.status_code, r.get_data(as_text=True)[:200]))
    assert not failures
    assert called >= 15, called


def test_only_explicit_input_errors_are_400(tmp_path) -> None:
    """InputError is the client's 400; any other exception, on valid input, is a 500 bug."""
    from dash import Input, Output, html

    from settings import from_env
    from tests.apps import build_app
    from web.errors import InputError

    app = build_app(from_env({}, data_dir=tmp_path, simulate=False, cameras=False,
                             seed_years=1))
    try:
        app.layout = html.Div([html.Div(id="probe-in"), html.Div(id="probe-out")])

        @app.callback(Output("probe-out", "children"), Input("probe-in", "n_clicks"))
        def probe(n: int | None) -> str:
            if n == 1:
                raise InputError("n must not be 1")
            if n == 2:
                raise TypeError("a bug on valid input")
            return "ok"

        client = app.server.test_client()
        login(client, "staff")
        client.get("/")
        spec = app.callback_map["probe-out.children"]

        def call(n: int) -> int:
            body = _call("probe-out.children", spec, [n])
            return client.post("/_dash-update-component", json=body,
                               headers=csrf_header(client)).status_code

        assert (call(0), call(1), call(2)) == (200, 400, 500)
    finally:
        app.server.extensions["ops_db"].dispose()
