"""Tables on a PDF page: a row is never cut across two pages (it moves to the next one whole),
the headings repeat at the top of every page the table runs onto, numbers are aligned right.

A cell's text wraps within its column, a long word too. A cell so long that its row would not
fit on a page (a name of thousands of characters) is shortened to what fits and ends with
"…", so the table still prints; nothing shorter is ever cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf.enums import TableBordersLayout, TableHeadingsDisplay, VAlign
from fpdf.fonts import FontFace

from containment.render.pdf.document import PALETTE, Document

__all__ = ["Column", "draw_table"]

_PADDING_MM = (1.0, 1.6)  # top and bottom, left and right
_MOST_OF_A_PAGE = 0.6  # a row may take this share of a page's height at most


@dataclass(frozen=True)
class Column:
    """A column: its heading, its share of the table's width, and whether it holds numbers."""

    heading: str
    weight: float = 1.0
    numeric: bool = False


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
    new page if not even its headings and first row fit where it is.
    """
    width = width_mm or doc.epw
    total = sum(c.weight for c in columns)
    widths = [width * c.weight / total for c in columns]
    doc.use_font(size_pt)
    most_lines = max(
        1, int(_MOST_OF_A_PAGE * (doc.h - doc.t_margin - doc.b_margin) / doc.line_height())
    )
    heading = FontFace(emphasis="BOLD", fill_color=PALETTE.heading_fill)
    doc.set_draw_color(*PALETTE.rule)
    with doc.table(
        width=width,
        col_widths=widths,
        align="LEFT",
        v_align=VAlign.T,
        line_height=doc.line_height(),
        headings_style=heading,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        padding=_PADDING_MM,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
    ) as table:
        top = table.row()
        for column in columns:
            top.cell(column.heading, align="R" if column.numeric else "L")
        for values in rows:
            row = table.row()
            for column, value, cell_w in zip(columns, values, widths, strict=True):
                text = doc.shortened(str(value), cell_w - 2 * _PADDING_MM[1], most_lines)
                row.cell(text, align="R" if column.numeric else "L")
    doc.use_font(10)
