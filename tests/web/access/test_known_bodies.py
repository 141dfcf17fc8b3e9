"""A callback body's shape is checked once per process; its interval counts every time."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.web.test_rendercache import LIVE, PATH, body_for
from web.access.contract import KnownGood, known_good, shape_digest


def test_a_known_shape_still_has_its_counts_and_values_checked(
        web_app: Any, client_for: Callable[[str], FlaskClient]) -> None:
    wall = client_for("display-bearer")
    body = body_for(web_app, LIVE, tick=3)
    assert wall.post(PATH, json=body).status_code == 200
    digest = shape_digest(body)
    assert digest is not None and digest in known_good(web_app)
    assert wall.post(PATH, json=body_for(web_app, LIVE, tick=99)).status_code == 200
    assert shape_digest(body_for(web_app, LIVE, tick=99)) == digest  # the same shape
    for tick in ("x", -1, True, 2**60, [1]):
        bad = copy.deepcopy(body)
        bad["inputs"][0]["value"] = tick
        assert shape_digest(bad) is None
        assert wall.post(PATH, json=bad).status_code == 400, tick
    long_lang = copy.deepcopy(body)
    long_lang["inputs"][1]["value"] = "v" * 5000  # another shape: the full check refuses it
    assert wall.post(PATH, json=long_lang).status_code == 400
    moved = copy.deepcopy(body)  # an input given as state: same arguments, another shape
    moved["state"] = [moved["inputs"].pop()]
    assert shape_digest(moved) != digest
    assert wall.post(PATH, json=moved).status_code == 400
    renamed = copy.deepcopy(body)
    renamed["inputs"][0]["id"] = "overview-slow-tick"
    assert wall.post(PATH, json=renamed).status_code == 400
    assert shape_digest(renamed) not in known_good(web_app)  # refusals are never kept


def test_known_shapes_are_bounded() -> None:
    seen = KnownGood()
    for i in range(KnownGood.MAX + 10):
        seen.add(i.to_bytes(4, "big"))
    assert len(seen) == KnownGood.MAX
    assert (0).to_bytes(4, "big") not in seen and (KnownGood.MAX + 9).to_bytes(4, "big") in seen
