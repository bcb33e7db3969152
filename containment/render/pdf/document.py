"""The page every printable PDF is made on: A4, the vendored Noto Sans Devanagari embedded (it
has the Latin letters too), text shaped by HarfBuzz so Hindi reads right, and on every page a
header (district, what the paper is, as of which day; SYNTHETIC when the store holds the
training sample) and a footer ("page 3 of 12", when it was made).

A paper is a function that draws on a :class:`Document`; :func:`make_pdf` runs it and then
writes every page's foot, once the number of pages is known (fpdf2's page-count alias does not
work with shaped text).

Text is text: a zone, village or road name is drawn as the characters it is. A character the
font has no glyph for is drawn as "?" rather than left out silently.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.fonts import TTFFont

from containment.i18n import IST, _, current_language, date_text, time_text

__all__ = [
    "FONT_FILES",
    "Document",
    "Masthead",
    "Palette",
    "make_pdf",
    "needs_shaping",
]

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
#: The vendored font (OFL, see fonts/LICENSE): Devanagari and Latin, regular and bold.
FONT_FILES = {
    "": FONT_DIR / "NotoSansDevanagari-400.ttf",
    "B": FONT_DIR / "NotoSansDevanagari-700.ttf",
}
FAMILY = "noto"
LINE = 1.45  # line height as a multiple of the font size: room for Devanagari's marks
# Text made only of these (Latin, its accents precomposed, punctuation, currency signs) is
# drawn as one glyph per character whether HarfBuzz shapes it or not.
_SIMPLE = re.compile(r"[\u0000-\u02ff\u2000-\u20cf]*")


def needs_shaping(text: str) -> bool:
    """Whether ``text`` needs HarfBuzz to be drawn right: Devanagari (its conjuncts, vowel signs
    drawn before their letter, the reph), combining marks, any script but Latin.

    >>> needs_shaping("DM/COVID/SAG/0108/3 – Sagwara, 01-08-2020"), needs_shaping("वार्ड 7")
    (False, True)
    """
    return _SIMPLE.fullmatch(text) is None


@dataclass(frozen=True)
class Palette:
    """The colours the papers share with the app's map (RGB)."""

    ink: tuple[int, int, int] = (33, 33, 33)
    muted: tuple[int, int, int] = (84, 110, 122)
    rule: tuple[int, int, int] = (176, 190, 197)
    heading_fill: tuple[int, int, int] = (236, 239, 241)
    alarm: tuple[int, int, int] = (183, 28, 28)


PALETTE = Palette()


@dataclass(frozen=True)
class Masthead:
    """What every page of a paper says at its top and foot."""

    district: str
    title: str  # what the paper is, in the reader's language
    as_of: dt.date
    synthetic: bool = False
    landscape: bool = True
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(IST))


def _mm(points: float) -> float:
    return points * 25.4 / 72


class Document(FPDF):
    """A4 pages with the paper's masthead, the font, and helpers for headings, paragraphs,
    figures and pictures."""

    def __init__(self, masthead: Masthead) -> None:
        super().__init__(orientation="L" if masthead.landscape else "P", unit="mm", format="A4")
        self.masthead = masthead
        for style, path in FONT_FILES.items():
            self.add_font(FAMILY, style, str(path))
        self.shape(True)
        self.set_margins(12, 24 if masthead.synthetic else 19, 12)
        self.set_auto_page_break(True, margin=14)
        self.set_title(f"{masthead.title}, {masthead.district}, {date_text(masthead.as_of)}")
        self.set_creator("Containment Planner")
        self.set_lang(current_language())
        self.set_font(FAMILY, "", 10)
        self.set_text_color(*PALETTE.ink)

    # --- text ---------------------------------------------------------------------------------

    def normalize_text(self, text: str) -> str:
        """Text as the font can draw it: a character it has no glyph for becomes "?", and
        control characters (but new lines) a space."""
        font = self.current_font
        cmap = font.cmap if isinstance(font, TTFFont) else None
        out = []
        for char in text:
            if char == "\n":
                out.append(char)
            elif ord(char) < 32 or 0x7F <= ord(char) < 0xA0:
                out.append(" ")
            elif cmap is not None and ord(char) not in cmap:
                out.append("?")
            else:
                out.append(char)
        return super().normalize_text("".join(out))

    def shape(self, on: bool) -> None:
        """Shape the text drawn or measured from now on with HarfBuzz (the default), or not:
        unshaped text is several times cheaper, and right only where :func:`needs_shaping`
        says it does not need shaping."""
        if on != (self.text_shaping is not None):
            # Devanagari's rules for every line: HarfBuzz would otherwise take the script of a
            # line's first letter, and "Dungarpur: … की स्थिति" came out without its conjuncts
            # (स्‌थिति). Latin letters need none of them, so they come out the same.
            self.set_text_shaping(on, script="deva" if on else None)

    def use_font(self, size_pt: float, *, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size_pt)

    def line_height(self, size_pt: float | None = None) -> float:
        """Millimetres per line of text at ``size_pt`` (the current size by default)."""
        return _mm(size_pt if size_pt is not None else self.font_size_pt) * LINE

    def shortened(self, text: str, width_mm: float, most_lines: int) -> str:
        """``text`` as it fits in ``most_lines`` lines of ``width_mm`` in the current font:
        whole if it fits, else cut and ended with "…" (a name of thousands of characters)."""
        em_mm = self.font_size  # no glyph is wider than the font's size
        if (len(text) + 1) * em_mm <= width_mm * most_lines / 2 and text.count("\n") < most_lines:
            return text  # too short to fill half the lines, even with words wrapped early
        lines = cast(
            list[str],
            self.multi_cell(width_mm, self.line_height(), text, dry_run=True, output="LINES"),
        )
        if len(lines) <= most_lines:
            return text
        kept = " ".join(str(line) for line in lines[:most_lines])
        return kept[: max(0, len(kept) - 2)].rstrip() + " …"

    def heading(self, text: str, *, level: int = 1, keep_with_mm: float = 30.0) -> None:
        """A section heading (at most three lines); it starts a new page rather than sit alone
        at a page's foot."""
        size = {1: 16.0, 2: 13.0, 3: 11.0}[level]
        if self.y + self.line_height(size) + keep_with_mm > self.page_break_trigger:
            self.add_page()
        elif self.y > self.t_margin + 1:
            self.ln(3 if level > 1 else 5)
        self.use_font(size, bold=True)
        text = self.shortened(text, self.epw, 3)
        self.multi_cell(0, self.line_height(), text, new_x="LMARGIN", new_y="NEXT")
        self.use_font(10)
        self.ln(1)

    def paragraph(
        self, text: str, *, size_pt: float = 10.0, muted: bool = False, bold: bool = False
    ) -> None:
        """Running text that wraps at the margins."""
        self.use_font(size_pt, bold=bold)
        if muted:
            self.set_text_color(*PALETTE.muted)
        self.multi_cell(0, self.line_height(), text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*PALETTE.ink)
        self.use_font(10)

    def facts(self, pairs: Sequence[tuple[str, str]], *, label_mm: float = 45.0) -> None:
        """Label: value lines (a value wraps under itself)."""
        for label, value in pairs:
            height = self.line_height(10)
            self.use_font(10, bold=True)
            y = self.y
            self.multi_cell(label_mm, height, label, new_x="RIGHT", new_y="TOP")
            self.use_font(10)
            self.multi_cell(0, height, value or "–", new_x="LMARGIN", new_y="NEXT")
            self.set_y(max(self.y, y + height))

    def figure_cards(self, cards: Sequence[tuple[str, str]], *, per_row: int = 4) -> None:
        """Headline figures as boxes: the number large, what it counts under it."""
        width = (self.epw - 4 * (per_row - 1)) / per_row
        height = 21.0
        for start in range(0, len(cards), per_row):
            if self.will_page_break(height + 2):
                self.add_page()
            y = self.y
            for column, (label, value) in enumerate(cards[start : start + per_row]):
                x = self.l_margin + column * (width + 4)
                self.set_draw_color(*PALETTE.rule)
                self.rect(x, y, width, height)
                self.set_xy(x + 3, y + 1.5)
                self.use_font(20, bold=True)
                self.cell(width - 6, 9, value)
                self.set_xy(x + 3, y + 11)
                self.use_font(9.5)
                self.multi_cell(width - 6, self.line_height(), label)
            self.set_xy(self.l_margin, y + height + 3)
        self.use_font(10)

    def png(self, data: bytes, *, x: float, y: float, w: float, h: float) -> None:
        """Place a PNG (a map, a chart) in the box ``x, y, w, h`` (mm), keeping its shape."""
        self.image(io.BytesIO(data), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)

    def space_left(self) -> float:
        """Millimetres left above the page's foot."""
        return float(self.page_break_trigger - self.y)

    # --- every page ---------------------------------------------------------------------------

    def header(self) -> None:
        head = self.masthead
        top = 7.0
        if head.synthetic:
            self.set_xy(self.l_margin, top)
            self.set_draw_color(*PALETTE.alarm)
            self.set_text_color(*PALETTE.alarm)
            self.set_line_width(0.6)
            self.use_font(10, bold=True)
            self.cell(
                0,
                6,
                _("SYNTHETIC — made from training data, not real cases"),
                border=1,
                align="C",
            )
            self.set_line_width(0.2)
            top += 7.5
        self.set_text_color(*PALETTE.muted)
        self.use_font(9)
        self.set_xy(self.l_margin, top)
        where = _("{district} district", district=head.district)
        left = f"{where} · {head.title}"
        right = _("as of {date}", date=date_text(head.as_of))
        right_w = self.get_string_width(right) + 2
        self.cell(self.epw - right_w, 6, left)
        self.cell(right_w, 6, right, align="R")
        self.set_draw_color(*PALETTE.rule)
        self.line(self.l_margin, top + 7, self.w - self.r_margin, top + 7)
        self.set_text_color(*PALETTE.ink)
        self.set_xy(self.l_margin, self.t_margin)
        self.use_font(10)

    def number_pages(self) -> None:
        """Write every page's foot once the paper is laid out: when it was made, and
        "page N of M" (fpdf2's page-count alias does not work with shaped text, so the pages
        are numbered after the last one is known)."""
        last, auto, margin = self.page, self.auto_page_break, self.b_margin
        self.set_auto_page_break(False)
        made = _("Made {time} with Containment Planner", time=time_text(self.masthead.made_at))
        for n in range(1, last + 1):
            self.page = n
            self.set_xy(self.l_margin, self.h - 11)
            # fpdf2 writes a font or colour into a page only when it changes: change both, so
            # that this page's foot does not run on with the last font used on the page.
            self.use_font(8, bold=True)
            self.use_font(8)
            self.set_text_color(*PALETTE.ink)
            self.set_text_color(*PALETTE.muted)
            page = _("page {page} of {pages}", page=n, pages=last)
            page_w = self.get_string_width(page) + 2
            self.cell(self.epw - page_w, 5, made)
            self.cell(page_w, 5, page, align="R")
        self.page = last
        self.set_text_color(*PALETTE.ink)
        self.set_auto_page_break(auto, margin=margin)


Draw = Callable[[Document], None]


def make_pdf(masthead: Masthead, draw: Draw) -> bytes:
    """The PDF ``draw`` lays out, from its first page on, under ``masthead``; every page then
    gets its foot with "page N of M"."""
    document = Document(masthead)
    document.add_page()
    draw(document)
    document.number_pages()
    return bytes(document.output())
