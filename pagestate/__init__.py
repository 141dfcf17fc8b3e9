"""What each page shows, as written in its URL: parse, check against the data, picker options.

Below both callbacks/ and layouts/ (data -> queries -> pagestate -> callbacks -> layouts): a
layout opens with the URL's state from here, and the callbacks keep it in step from here too.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode


def search_string(params: dict[str, Any]) -> str:
    """'?a=1&b=2' from the non-empty parameters, in the given order ('' when none)."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(clean) if clean else ""


def first(value: Any) -> str:
    """A query value as one string (Dash Pages gives a list for repeated keys)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)
