"""The briefing's page frame (fpdf2): A4 landscape, DejaVu Sans embedded, header and footer."""
from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from briefings import texts

# DejaVu Sans ships inside matplotlib: every Vietnamese diacritic, no system font needed.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu Sans"  # the family name matplotlib writes into its SVG text
INK = (20, 30, 48)
MUTED = (96, 110, 134)
ACCENT = (176, 30, 36)  # the header rule: the red of the Government's documents
SIM = (190, 110, 0)
HEAD_FILL = (226, 232, 242)
RULE = (190, 198, 212)
MARGIN = 12.0

# fpdf2 names every SVG tag it skips (matplotlib writes <metadata>): not worth a log line each.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)
# fpdf2 subsets the embedded font through fontTools, which logs every table it touches at INFO:
# forty lines a briefing on the console of `python app.py`.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class Document(FPDF):
    """Pages with the centre's name, the "as of" time and "Trang n/N" on each one."""

    def __init__(self, as_of_text: str, date_text: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.as_of_text = as_of_text
        self.date_text = date_text
        self.cover = True  # the cover has no running header
        self.cover_note_y = 180.0  # where the cover's simulated-data note goes
        self.set_margins(MARGIN, 22, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.set_creator("Ops Centre briefing")
        self.set_title(f"{texts.TITLE} {date_text}")
        self.set_lang("vi")

    def header(self) -> None:
        if self.cover:
            return
        self.set_font(FONT, "B", 9)
        self.set_text_color(*ACCENT)
        self.set_xy(MARGIN, 8)
        self.cell(0, 5, texts.CENTRE.upper())
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, 8)
        self.cell(0, 5, f"{texts.TITLE} · {self.date_text}", align="R")
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.5)
        self.line(MARGIN, 14.5, self.w - MARGIN, 14.5)
        self.set_text_color(*INK)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{texts.CENTRE} · {texts.AS_OF} {self.as_of_text}")
        self.set_x(MARGIN)
        self.cell(0, 5, f"{texts.PAGE} {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)

    def new_page(self, title: str) -> None:
        """A page with its title."""
        self.cover = False
        self.add_page()
        # fpdf2 restores the colours the header changed: set the tables' rule colour here.
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.set_font(FONT, "B", 16)
        self.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FONT, "", 10)

    def subtitle(self, text: str) -> None:
        self.set_font(FONT, "B", 12)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str, size: float = 10, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def grid(self, columns: Sequence[str], rows: Sequence[Sequence[str]],
             widths: Sequence[float], size: float = 9,
             aligns: Sequence[str] | None = None) -> None:
        """A table with a repeated heading row; cells wrap rather than overflow."""
        self.set_font(FONT, "", size)
        aligns = list(aligns or ["LEFT"] * len(columns))
        with self.table(col_widths=tuple(widths), text_align=tuple(aligns),
                        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
                        line_height=size * 0.5, padding=1.2, first_row_as_headings=True,
                        borders_layout="HORIZONTAL_LINES") as table:
            table.row(list(columns))
            for row in rows:
                table.row([str(c) for c in row])
        self.ln(2)

    def ranking(self, x: float, y: float, w: float, h: float, labels: Sequence[str],
                values: Sequence[float], colours: Sequence[tuple[int, int, int]],
                value_texts: Sequence[str], national: float | None = None,
                national_text: str = "") -> None:
        """Horizontal bars, one row per label, drawn as PDF vectors (text stays text)."""
        if not values:
            return
        rows = len(values)
        row_h = min(h / (rows + 1.5), 6.0)
        size = min(7.5, row_h * 2.1)
        label_w, value_w = 34.0, 14.0
        bar_w = w - label_w - value_w
        lo = min(0.0, min(values))
        span = (max(values) - lo) or 1.0

        def at(v: float) -> float:
            return x + label_w + (v - lo) / span * bar_w

        top = y + row_h * 1.5
        self.set_font(FONT, "", size)
        for i, (label, value, colour, text) in enumerate(
                zip(labels, values, colours, value_texts, strict=True)):
            row_y = top + i * row_h
            self.set_xy(x, row_y)
            self.cell(label_w - 1, row_h, f"{i + 1}. {label}", align="R")
            self.set_fill_color(*colour)
            start, end = sorted((at(0.0), at(value)))
            self.rect(start, row_y + row_h * 0.15, max(end - start, 0.3), row_h * 0.7, style="F")
            self.set_xy(end + 0.8, row_y)
            self.cell(value_w, row_h, text)
        if national is not None:
            nx = at(national)
            self.set_draw_color(20, 30, 48)
            self.set_line_width(0.3)
            with self.local_context(dash_pattern={"dash": 0.8, "gap": 0.8}):
                self.line(nx, top - 1, nx, top + rows * row_h)
            self.set_xy(nx - 30, y)
            self.set_font(FONT, "B", size)
            self.cell(60, row_h, national_text, align="C")
        self.set_font(FONT, "", 10)

    def figure(self, svg: bytes, x: float, y: float, w: float, h: float) -> None:
        """A matplotlib figure, kept as vectors (SVG drawn as PDF paths)."""
        self.image(io.BytesIO(svg), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
