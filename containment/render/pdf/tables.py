"""Tables on a PDF page: a row is never cut across two pages (it moves to the next one whole),
the headings repeat at the top of every page the table runs onto, numbers are aligned right.

A cell's text wraps within its column (at spaces, after a "/", a long word between its
letters; see :mod:`containment.render.pdf.wrap`). A cell so long that its row would not fit on
a page (a name of thousands of characters) is shortened to what fits and ends with "…", so the
table still prints; nothing shorter is ever cut.

Laid out here rather than by fpdf2's generic table, which shapes every cell's text twice (once
to measure the row, once to draw it): a public list of 11,034 zones took a minute that way.
Here each distinct piece of text is measured once, and only a line that needs it (Devanagari,
combining marks) is shaped by HarfBuzz; Latin text is drawn as the same glyphs, unshaped, with
fpdf2's plain text().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from containment.render.pdf.document import PALETTE, Document, needs_shaping
from containment.render.pdf.wrap import wrapped_lines

__all__ = ["Column", "draw_table"]

_PAD_Y_MM = 1.0  # above and below a cell's text
_PAD_X_MM = 1.6  # left and right of it
_MOST_OF_A_PAGE = 0.6  # a row may take this share of a page's height at most


@dataclass(frozen=True)
class Column:
    """A column: its heading, its share of the table's width, and whether it holds numbers."""

    heading: str
    weight: float = 1.0
    numeric: bool = False


class _Pen:
    """One font of a table (the body's, or the headings' in bold): it measures each distinct
    piece of text once, and shapes a line only if the line needs it."""

    def __init__(self, doc: Document, size_pt: float, *, bold: bool) -> None:
        self.doc, self.size_pt, self.bold = doc, size_pt, bold
        self.widths_mm: dict[str, float] = {}

    def use(self) -> None:
        self.doc.use_font(self.size_pt, bold=self.bold)

    def measure(self, text: str) -> float:
        width = self.widths_mm.get(text)
        if width is None:
            self.doc.shape(needs_shaping(text))
            width = self.widths_mm[text] = self.doc.get_string_width(text)
        return width

    def lines(self, text: str, width_mm: float, most_lines: int) -> list[str]:
        return wrapped_lines(text, width_mm, self.measure, most_lines)

    def write(self, line: str, x: float, y: float, width_mm: float, *, right: bool) -> None:
        """Draw a line of text in the box at ``x, y`` (its top left), ``width_mm`` wide."""
        doc, height = self.doc, self.doc.line_height()
        if not line:
            return
        if needs_shaping(line):
            doc.shape(True)
            doc.set_xy(x, y)
            doc.cell(width_mm, height, line, align="R" if right else "L")
            return
        # Latin is its letters one by one: fpdf2's text() draws them at a tenth of what a
        # cell() costs, on the baseline where cell() puts it.
        left = x + width_mm - self.measure(line) if right else x
        doc.text(left, y + 0.5 * height + 0.3 * doc.font_size, line)


@dataclass(frozen=True)
class _Grid:
    """Where the columns are (mm) and how tall a line is."""

    x_mm: list[float]  # each column's left edge
    widths_mm: list[float]
    numeric: list[bool]
    line_mm: float

    @property
    def width_mm(self) -> float:
        return sum(self.widths_mm)

    def height(self, cells: Sequence[Sequence[str]]) -> float:
        return max(len(lines) for lines in cells) * self.line_mm + 2 * _PAD_Y_MM

    def draw_row(self, pen: _Pen, cells: Sequence[Sequence[str]], *, fill: bool) -> float:
        """Draw a row's cells at the current height; returns the row's height."""
        doc, top, height = pen.doc, pen.doc.y, self.height(cells)
        if fill:
            with doc.local_context(fill_color=PALETTE.heading_fill):
                doc.rect(self.x_mm[0], top, self.width_mm, height, style="F")
        pen.use()
        for x, width, right, lines in zip(
            self.x_mm, self.widths_mm, self.numeric, cells, strict=True
        ):
            for n, line in enumerate(lines):
                y = top + _PAD_Y_MM + n * self.line_mm
                pen.write(line, x + _PAD_X_MM, y, width - 2 * _PAD_X_MM, right=right)
        return height

    def rule(self, doc: Document, y: float) -> None:
        doc.set_draw_color(*PALETTE.rule)
        doc.line(self.x_mm[0], y, self.x_mm[0] + self.width_mm, y)


def draw_table(
    doc: Document,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    size_pt: float = 9.5,
    width_mm: float | None = None,
) -> None:
    """Draw ``rows`` (text already formatted, one string per column) under ``columns``.

    The table takes the page's width (or ``width_mm``) from the left margin, and starts on a
    new page if not even its headings and first row fit where it is. A rule runs between
    every two rows; the headings are bold on a shaded band.
    """
    width = width_mm or doc.epw
    total = sum(c.weight for c in columns)
    widths = [width * c.weight / total for c in columns]
    lefts = [doc.l_margin + sum(widths[:n]) for n in range(len(columns))]
    grid = _Grid(lefts, widths, [c.numeric for c in columns], doc.line_height(size_pt))
    body, bold = _Pen(doc, size_pt, bold=False), _Pen(doc, size_pt, bold=True)
    most_lines = max(1, int(_MOST_OF_A_PAGE * (doc.h - doc.t_margin - doc.b_margin) / grid.line_mm))
    text_mm = [w - 2 * _PAD_X_MM for w in widths]

    def laid_out(pen: _Pen, values: Sequence[str]) -> list[list[str]]:
        pen.use()
        return [pen.lines(str(v), w, most_lines) for v, w in zip(values, text_mm, strict=True)]

    heading = laid_out(bold, [c.heading for c in columns])
    first = laid_out(body, rows[0]) if rows else []
    c_margin = doc.c_margin

    def turn_page() -> None:
        """A new page, its masthead drawn as every other (shaped, with fpdf2's cell margin),
        and the headings on top."""
        doc.c_margin = c_margin
        doc.shape(True)
        doc.add_page()
        doc.c_margin = 0.0  # the padding is the cell's margin
        doc.set_y(doc.y + grid.draw_row(bold, heading, fill=True))

    doc.c_margin = 0.0
    try:
        if doc.y + grid.height(heading) + (grid.height(first) if rows else 0.0) > (
            doc.page_break_trigger
        ):
            turn_page()
        else:
            doc.set_y(doc.y + grid.draw_row(bold, heading, fill=True))
        for n, values in enumerate(rows):
            grid.rule(doc, doc.y)  # under the headings, or the row before
            cells = first if n == 0 else laid_out(body, values)
            if doc.y + grid.height(cells) > doc.page_break_trigger:
                turn_page()
                grid.rule(doc, doc.y)
            doc.set_y(doc.y + grid.draw_row(body, cells, fill=False))
    finally:
        doc.c_margin = c_margin
        doc.shape(True)
    doc.use_font(10)
