"""Callback tests: one app per test on its own small database, used inside its app context."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def app(settings) -> Any:
    from tests.apps import build_app

    return build_app(settings)


@pytest.fixture
def ctx(app) -> Iterator[None]:
    with app.server.app_context():
        yield
