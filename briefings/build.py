"""make_briefing: the chosen sections, in order, into one A4 landscape PDF (fpdf2 + matplotlib)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app, has_app_context

from briefings import texts
from briefings.document import ACCENT, FONT, MUTED, SIM, Document
from briefings.sections import DEFAULT_SECTIONS, SECTIONS, TITLES, Context
from briefings.sources import Sources
from core import cache
from core.clock import local_now
from core.db import EXTENSION_KEY, Database
from core.fmt import day, when
from reporting import queries

Progress = Callable[[int, int], None]  # (sections done, sections in all)


class PagesError(ValueError):
    """A --pages list naming a section or an indicator that does not exist."""


@dataclass(frozen=True)
class Made:
    """What make_briefing wrote: the sections in order, page count and size in bytes."""

    pages: list[str]
    page_count: int
    size: int
    simulated: bool


def default_pages() -> list[str]:
    """The overview sections, then one page per wall indicator in the wall's order."""
    return DEFAULT_SECTIONS + [f"indicator:{code}" for code in queries.headline_codes()]


def parse_pages(text: str | None) -> list[str]:
    """'overview,indicator:GDP_GROWTH,...' checked against the sections and the catalogue;
    empty or None: the default set. Raises PagesError naming what is wrong."""
    if not text or not text.strip():
        return default_pages()
    known = {i["code"] for i in queries.catalogue()}
    out: list[str] = []
    for raw in text.split(","):
        name, _, arg = raw.strip().partition(":")
        name, arg = name.strip().lower(), arg.strip().upper()
        if not name:
            continue
        if name not in SECTIONS:
            raise PagesError(f"unknown page '{raw.strip()}' (one of: "
                             f"{', '.join(sorted(SECTIONS))}; indicator:CODE)")
        if name == "indicator":
            if arg not in known:
                raise PagesError(f"unknown indicator '{arg}' in '{raw.strip()}'")
            out.append(f"indicator:{arg}")
        elif arg:
            raise PagesError(f"page '{name}' takes no argument")
        else:
            out.append(name)
    if not out:
        raise PagesError("no pages named")
    return out


@contextmanager
def bound(database: Database) -> Iterator[None]:
    """An app context whose queries read `database` (the web app's own, or a bare one)."""
    if has_app_context() and current_app.extensions.get(EXTENSION_KEY) is database:
        yield
        return
    server = Flask("briefings")
    server.extensions[EXTENSION_KEY] = database
    from settings import from_env

    cache.init_app(server, from_env({}, cache_type="SimpleCache", cache_ttl=60))
    with server.app_context():
        yield


def _cover(doc: Document, when_day: date, made_at: datetime, pages: list[str],
           names: dict[str, str]) -> None:
    doc.add_page()
    doc.set_draw_color(*ACCENT)
    doc.set_line_width(1.2)
    doc.line(30, 28, doc.w - 30, 28)
    doc.set_y(34)
    doc.set_font(FONT, "B", 14)
    doc.set_text_color(*ACCENT)
    doc.cell(0, 8, texts.CENTRE.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.set_text_color(20, 30, 48)
    doc.set_font(FONT, "B", 28)
    doc.cell(0, 14, texts.TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 18)
    doc.cell(0, 11, f"Ngày {day(when_day, 'vi')}", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(FONT, "", 11)
    doc.set_text_color(*MUTED)
    doc.cell(0, 6, f"{texts.MADE_AT} {when(made_at, 'vi')} · {texts.AS_OF} {doc.as_of_text}",
             align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(8)
    doc.set_text_color(20, 30, 48)
    doc.set_font(FONT, "B", 11)
    doc.set_x(60)
    doc.cell(0, 6, texts.CONTENTS, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 10)
    half = (len(pages) + 1) // 2 if len(pages) > 12 else len(pages)  # two columns when long
    top = doc.get_y()
    for i, spec in enumerate(pages):
        doc.set_xy(60 if i < half else 160, top + (i % half) * 5.2)
        doc.cell(98, 5.2, f"{i + 1}. {names.get(spec, spec)}")
    doc.set_y(top + half * 5.2 + 4)
    doc.cover_note_y = doc.get_y()


def _names(pages: list[str]) -> dict[str, str]:
    by_code = {i["code"]: i["name_vi"] for i in queries.catalogue()}
    return {spec: by_code.get(spec.partition(":")[2], spec) if spec.startswith("indicator:")
            else TITLES.get(spec, spec) for spec in pages}


def make_briefing(database: Database, when_day: date | None = None,
                  pages: list[str] | str | None = None, out: str | Path | BinaryIO | None = None,
                  *, sources: Sources | None = None,
                  progress: Progress | None = None) -> tuple[Made, bytes]:
    """Build the briefing for `when_day` (default today, Viet Nam time) and write it to `out`
    (a path or a binary file; None: only returned). Returns (what was made, the PDF bytes)."""
    made_at = local_now()
    when_day = when_day or made_at.date()
    with bound(database):
        chosen = pages if isinstance(pages, list) else parse_pages(pages)
        names = _names(chosen)
        tiles = queries.headline_tiles()
        stamps = [t["received_at"] for t in tiles if t.get("received_at")]
        as_of = when(max(stamps), "vi") if stamps else when(made_at, "vi")
        doc = Document(as_of, day(when_day, "vi"))
        ctx = Context(doc=doc, date=when_day, made_at=made_at, sources=sources or Sources())
        _cover(doc, when_day, made_at, chosen, names)
        for done, spec in enumerate(chosen):
            if progress:
                progress(done, len(chosen))
            name, _, arg = spec.partition(":")
            SECTIONS[name](ctx, arg)
        if ctx.simulated:
            doc.page = 1  # the note goes on the cover too: simulated figures inside
            doc.set_y(doc.cover_note_y)
            doc.set_font(FONT, "I", 9)
            doc.set_text_color(*SIM)
            doc.multi_cell(0, 5, texts.SIMULATED_NOTE, align="C")
            doc.page = doc.pages_count
        data = bytes(doc.output())
    if progress:
        progress(len(chosen), len(chosen))
    if out is not None:
        if isinstance(out, str | Path):
            Path(out).write_bytes(data)
        else:
            out.write(data)
    return Made(pages=chosen, page_count=doc.pages_count, size=len(data),
                simulated=ctx.simulated), data


__all__ = ["Made", "PagesError", "default_pages", "make_briefing", "parse_pages"]
