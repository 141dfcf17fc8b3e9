"""Helpers shared by the tests: read a component tree as a viewer would, take the database down."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from core.cache import cache


@dataclass
class Element:
    """An element of a markup block (layouts.markup), as the browser builds it."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def className(self) -> str:  # noqa: N802 - as a Dash component's
        return self.attrs.get("classname", "")

    @property
    def title(self) -> str | None:
        return self.attrs.get("title")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def markup_of(component: Any) -> list[Element | str] | None:
    """The elements a markup block (a dcc.Markdown allowed HTML) shows; None for others."""
    if type(component).__name__ != "Markdown" or not getattr(component, "dangerously_allow_html",
                                                              False):
        return None
    builder = _Builder()
    builder.feed(component.children)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root.children


def text_of(component: Any) -> str:
    """All the text a component tree shows, space-separated, in order."""
    if component is None or isinstance(component, bool):
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    parsed = markup_of(component)
    if parsed is not None:
        return text_of(parsed)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def ids_of(component: Any) -> list[str]:
    """Every string id in a component tree."""
    out: list[str] = []
    parsed = markup_of(component)
    if parsed is not None:
        return ids_of(parsed)
    if isinstance(component, list | tuple):
        for c in component:
            out += ids_of(c)
        return out
    if hasattr(component, "children"):
        if isinstance(getattr(component, "id", None), str):
            out.append(component.id)
        out += ids_of(component.children)
    return out


@contextmanager
def database_down(app: Any) -> Iterator[None]:
    """Really lose the SQLite database (a directory where the file was) and the cache; restore."""
    database = app.server.extensions["ops_db"]
    path = Path(database.engine.url.database)
    aside = path.with_name(path.name + ".aside")
    database.dispose()
    path.rename(aside)
    path.mkdir()
    with app.server.app_context():
        cache.clear()
    try:
        yield
    finally:
        database.dispose()
        path.rmdir()
        aside.rename(path)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "the condition",
             interval: float = 0.05, ignore: tuple[type[BaseException], ...] = ()) -> Any:
    """Poll until predicate() is truthy and return its value; fail with `what` after `timeout` s.
    Exceptions of the `ignore` types (a server still starting) count as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except ignore:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
