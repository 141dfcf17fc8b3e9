"""The Dash callback route's body: a well-formed call of a registered callback, values within
the type contract (PROP_CONTRACT), or the client's 400 before any callback runs."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

import dash
from flask import Response, request

from web.access.paths import deny


def _prop_ref(item: Any) -> bool:
    if isinstance(item, list):
        return all(_prop_ref(i) for i in item)
    return (isinstance(item, dict) and isinstance(item.get("id"), (str, dict))
            and isinstance(item.get("property"), str))


URL_PROPS = frozenset({"pathname", "search", "hash", "href"})  # dcc.Location sends strings
MAX_TEXT = 4000  # characters of one text value a callback input may carry


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (
        isinstance(value, str) and len(value) <= MAX_TEXT)


MAX_STORE_ITEMS = 500  # values in one dcc.Store a callback reads (lists and dicts, all levels)


def _small_json(value: Any, budget: list[int] | None = None, depth: int = 0) -> bool:
    """A store's data: scalars, or lists and dicts of them, at most 4 deep and MAX_STORE_ITEMS
    values in all, so no input can make a callback walk an unbounded structure."""
    budget = budget if budget is not None else [MAX_STORE_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > 4:
        return False
    if isinstance(value, list):
        return all(_small_json(v, budget, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and len(k) <= 200 and _small_json(v, budget, depth + 1)
                   for k, v in value.items())
    return _scalar(value)


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and 0 <= value < 2**53)


# The type contract of the properties the pages' server callbacks read: what a real browser
# sends. A value outside it is refused here as the client's 400 before any callback runs, so a
# callback that still fails on a value inside it is a bug (500), which the fuzz tests catch.
# Every dcc.Store a server callback reads holds a scalar (language, ids, a signature).
PROP_CONTRACT: dict[str, Any] = {
    "n_intervals": _count,
    "n_clicks": _count,
    "value": lambda v: _scalar(v) or (isinstance(v, list) and len(v) <= 200
                                      and all(_scalar(i) for i in v)),
    "data": _small_json,
    # dcc.Upload (one file, /submit): its data URL, bounded by the callback body's own limit.
    "contents": lambda v: v is None or isinstance(v, str),
    "filename": lambda v: v is None or (isinstance(v, str) and len(v) <= MAX_TEXT),
    **{prop: lambda v: isinstance(v, str) and len(v) <= MAX_TEXT for prop in URL_PROPS},
}


def _within_contract(arg: dict[str, Any]) -> bool:
    check = PROP_CONTRACT.get(arg.get("property", ""))
    return check is None or "value" not in arg or bool(check(arg["value"]))


def _flat(items: list[Any]) -> list[dict[str, Any]]:
    return [i for item in items for i in (item if isinstance(item, list) else [item])]


def _matches(given: Any, want: dict[str, Any]) -> bool:
    """An argument names the component and property the callback declared (pattern-matching
    ids: the same keys; ALL/ALLSMALLER arrive as lists of such references)."""
    items = given if isinstance(given, list) else [given]
    for item in items:
        if item.get("property") != want.get("property"):
            return False
        got, exp = item.get("id"), want.get("id")
        if isinstance(exp, dict):
            if not isinstance(got, dict) or set(got) != set(exp):
                return False
        elif got != exp:
            return False
    return True


def declared_outputs(output: str) -> list[tuple[str, str]]:
    """(id, property) of each output named by a callback_map key ('a.b' or '..a.b...c.d..';
    '@hash' suffixes of allow_duplicate outputs dropped; pattern ids stay JSON text)."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") \
        else [output]
    found = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        found.append((ident, prop.split("@", 1)[0]))
    return found


def _outputs_match(output: str, given: Any) -> bool:
    wanted = declared_outputs(output)
    multi = output.startswith("..")
    if multi != isinstance(given, list):
        return False
    items = given if multi else [given]
    if len(items) != len(wanted):
        return False
    for item, (ident, prop) in zip(items, wanted, strict=True):
        if not _prop_ref(item):
            return False
        for ref in item if isinstance(item, list) else [item]:
            # dash-renderer names an allow_duplicate output 'value@<hash>' here too.
            if str(ref["property"]).split("@", 1)[0] != prop:
                return False
            if isinstance(ref["id"], dict) != ident.startswith("{"):
                return False
            if isinstance(ref["id"], str) and ref["id"] != ident:
                return False
    return True


class KnownGood:
    """Digests of callback bodies found well-formed, the interval counts left out (every wall
    polls the same few bodies, differing only in its own counts, which are checked each time):
    the full check of an identical shape is the same, so it runs once per shape and process.
    At most MAX, the oldest forgotten first; only passes are kept, so a refusal is never held."""

    MAX = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[bytes, None] = OrderedDict()

    def __contains__(self, digest: bytes) -> bool:
        with self._lock:
            return digest in self._items

    def __len__(self) -> int:
        return len(self._items)

    def add(self, digest: bytes) -> None:
        with self._lock:
            self._items[digest] = None
            while len(self._items) > self.MAX:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


KNOWN_GOOD_KEY = "ops_known_bodies"


def known_good(app: dash.Dash) -> KnownGood:
    """The app's own (each app has its callbacks)."""
    return app.server.extensions.setdefault(KNOWN_GOOD_KEY, KnownGood())


def _ticks_out(arg: Any) -> Any:
    """An argument with its interval count's value replaced by 0 (None: the count is not one)."""
    if isinstance(arg, list):
        out = [_ticks_out(a) for a in arg]
        return None if any(a is None for a in out) else out
    if isinstance(arg, dict) and arg.get("property") == "n_intervals" and "value" in arg:
        return {**arg, "value": 0} if _count(arg["value"]) else None
    return arg


def shape_digest(body: dict[str, Any]) -> bytes | None:
    """The digest of everything the check reads but the interval counts (which must be counts:
    else None, and the body gets the full check). 0 is a count, so a body passes the check
    exactly when its shape does (the number of inputs keeps inputs and state apart)."""
    inputs, state = body.get("inputs"), body.get("state", [])
    if not isinstance(inputs, list) or not isinstance(state, list):
        return None
    shaped = [_ticks_out(a) for a in inputs + state]
    if any(a is None for a in shaped):
        return None
    try:
        text = json.dumps([body.get("output"), body.get("outputs"), len(inputs), shaped,
                           body.get("changedPropIds", [])], sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def validate_callback(app: dash.Dash) -> Response | None:
    """400 JSON unless the body is a well-formed call of a registered callback."""
    if not request.is_json:
        return deny(415, "callback body must be application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return deny(400, "callback body must be a JSON object")
    digest, seen = shape_digest(body), known_good(app)
    if digest is not None and digest in seen:
        return None
    refused = _full_check(app, body)
    if refused is None and digest is not None:
        seen.add(digest)
    return refused


def _full_check(app: dash.Dash, body: dict[str, Any]) -> Response | None:
    output = body.get("output")
    if not isinstance(output, str) or len(output) > 10000:
        return deny(400, "callback 'output' must be a string")
    spec = app.callback_map.get(output)
    if spec is None:
        return deny(400, "unknown callback")
    if "callback" not in spec:
        return deny(400, "not a server-side callback")
    problem = _arguments_problem(body, spec)
    if problem is None and not _outputs_match(output, body.get("outputs")):
        problem = "callback 'outputs' do not match the callback"
    changed = body.get("changedPropIds", [])
    if problem is None and (not isinstance(changed, list)
                            or not all(isinstance(c, str) for c in changed)):
        problem = "callback 'changedPropIds' must be a list of strings"
    return None if problem is None else deny(400, problem)


def _arguments_problem(body: dict[str, Any], spec: dict[str, Any]) -> str | None:
    """What is wrong with the inputs and state the body gives a callback (None: nothing)."""
    inputs, state = body.get("inputs"), body.get("state", [])
    if not isinstance(inputs, list) or not isinstance(state, list):
        return "callback 'inputs' and 'state' must be lists"
    declared = list(spec.get("inputs", [])) + list(spec.get("state", []))
    if len(inputs) != len(spec.get("inputs", [])) or len(state) != len(spec.get("state", [])):
        return "callback arguments do not match the callback"
    if not all(_prop_ref(i) for i in inputs + state):
        return "callback arguments must be {id, property, value} objects"
    if not all(isinstance(a.get("value", ""), str) for a in _flat(inputs + state)
               if a.get("property") in URL_PROPS):
        return "URL properties must be strings"
    wrong = [a for a in _flat(inputs + state) if not _within_contract(a)]
    if wrong:
        return f"callback value of the wrong type for {str(wrong[0].get('property'))[:40]}"
    if not all(_matches(given, want) for given, want in zip(inputs + state, declared, strict=True)):
        return "callback arguments do not match the callback"
    return None
