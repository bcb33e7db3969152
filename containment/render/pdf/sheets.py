"""A sheet per zone for the police and the field teams: one A4 page (landscape) with the zone's
map — its villages and town cells named, roads, checkpoints numbered as in the annexure,
centres nearby, scale bar and north arrow — and beside it the order, the release date, the
checkpoints with their roads and the centres with their distance. One zone's sheet, or a
page per zone in one file.

No case data: a zone is its whole ground units (:class:`containment.field.orders.ZoneOrder`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from containment.engine.district import District
from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.field.orders import ZoneOrder
from containment.i18n import _, date_text, n_, number
from containment.render.pdf.document import PALETTE, Document, Masthead, make_pdf
from containment.render.pdf.maps import CENTRE, CHECKPOINT, ROAD, UNIT_LINE, zone_sheet_map
from containment.render.pdf.words import centre_kind_text, date_or_dash, km_text

__all__ = ["zone_sheets_pdf"]

_MAP_W = 178.0
_GAP = 5.0


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class _Column:
    """Lines of text down the side column, stopping before its foot."""

    def __init__(self, doc: Document, x: float, width: float, bottom: float) -> None:
        self.doc, self.x, self.width, self.bottom = doc, x, width, bottom

    def fits(self, lines: int = 1, size_pt: float = 9.0) -> bool:
        return self.doc.y + lines * self.doc.line_height(size_pt) <= self.bottom

    def text(self, text: str, *, size_pt: float = 9.0, bold: bool = False,
             colour: tuple[int, int, int] | None = None, most_lines: int = 3) -> None:  # fmt: skip
        """A paragraph of at most ``most_lines`` lines (a longer one ends with "…")."""
        doc = self.doc
        doc.use_font(size_pt, bold=bold)
        if colour:
            doc.set_text_color(*colour)
        doc.set_x(self.x)
        shown = doc.shortened(text, self.width, most_lines)
        doc.multi_cell(self.width, doc.line_height(), shown, new_x="LEFT", new_y="NEXT")
        doc.set_text_color(*PALETTE.ink)

    def space(self, mm: float = 2.0) -> None:
        self.doc.set_y(self.doc.y + mm)


def _facts(column: _Column, order: ZoneOrder) -> None:
    release = (
        _("Released on {date}", date=date_text(order.released_on))
        if order.released_on is not None
        else _("Release due on {date}", date=date_or_dash(order.release_due_on))
    )
    column.text(release, size_pt=11, bold=True, colour=PALETTE.alarm)
    if order.released_on is None:
        column.text(_(PUBLIC_RELEASE_NOTE), size_pt=7, colour=PALETTE.muted, most_lines=4)
    column.text(
        _(
            "Order {order}, notified on {date}",
            order=order.order_number or "–",
            date=date_or_dash(order.notified_on),
        )
    )
    column.text(
        _(
            "Perimeter {perimeter}, area {area} sq km",
            perimeter=km_text(order.perimeter_km),
            area=number(order.area_km2, 1),
        )
    )
    column.text(
        n_("{n} village or town cell", "{n} villages and town cells", len(order.places))
        + " · "
        + _("people (est.) {people}", people=number(order.population))
    )
    column.text(_("Blocks: {blocks}", blocks=", ".join(order.blocks) or "–"))


def _checkpoints(column: _Column, order: ZoneOrder) -> None:
    column.space(2.5)
    column.text(
        n_("{n} checkpoint", "{n} checkpoints", len(order.checkpoints)), size_pt=10.5, bold=True
    )
    if not order.checkpoints:
        column.text(_("None placed on this zone's edge."), colour=PALETTE.muted)
    for n, checkpoint in enumerate(order.checkpoints):
        if not column.fits(2):
            rest = len(order.checkpoints) - n
            column.text(n_("{n} more: see the order annexure.", "{n} more: see the order annexure.",
                           rest), colour=PALETTE.muted)  # fmt: skip
            return
        road = checkpoint.road or _("road without a name")
        column.text(f"{checkpoint.number}.  {road}")


def _centres(column: _Column, order: ZoneOrder) -> None:
    column.space(2.5)
    if not column.fits(2, 10.5):
        return
    column.text(_("Centres nearby"), size_pt=10.5, bold=True)
    if not order.centres:
        column.text(_("No centre within 10 km."), colour=PALETTE.muted)
    for centre in order.centres:
        if not column.fits(2):
            return
        distance = _("inside the zone") if centre.distance_km == 0 else km_text(centre.distance_km)
        column.text(
            _(
                "{name} — {kind}, {distance}, {beds} beds free",
                name=centre.name,
                kind=centre_kind_text(centre.kind),
                distance=distance,
                beds=number(centre.beds_free),
            )
        )


def _legend(doc: Document, x: float, y: float) -> None:
    """The map's key, drawn at (x, y): four swatches and their words."""
    doc.use_font(8.5)
    rows = [
        ("zone", _("The zone: whole villages and town cells")),
        ("unit", _("Village limits (approximate)")),
        ("road", _("Road")),
        ("checkpoint", _("Checkpoint, numbered as in the annexure")),
        ("centre", _("COVID centre")),
    ]
    for n, (kind, words) in enumerate(rows):
        top = y + n * 5.2
        if kind == "zone":
            doc.set_fill_color(255, 205, 210)
            doc.set_draw_color(183, 28, 28)
            doc.set_line_width(0.7)
            doc.rect(x, top, 7, 3.6, style="DF")
        elif kind == "unit":
            doc.set_draw_color(*_hex(UNIT_LINE))
            doc.set_line_width(0.3)
            doc.rect(x, top, 7, 3.6)
        elif kind == "road":
            doc.set_draw_color(*_hex(ROAD))
            doc.set_line_width(0.8)
            doc.line(x, top + 1.8, x + 7, top + 1.8)
        elif kind == "checkpoint":
            doc.set_draw_color(*_hex(CHECKPOINT))
            doc.set_fill_color(255, 255, 255)
            doc.set_line_width(0.4)
            doc.ellipse(x + 1.6, top - 0.1, 3.8, 3.8, style="DF")
        else:
            doc.set_fill_color(*_hex(CENTRE))
            doc.rect(x + 2, top + 0.3, 3, 3, style="F")
        doc.set_xy(x + 9, top - 0.4)
        doc.cell(0, 4.4, words)
    doc.set_line_width(0.2)
    doc.set_draw_color(*PALETTE.rule)


def _sheet(doc: Document, order: ZoneOrder, map_png: bytes, left_out: int) -> None:
    top = doc.y
    doc.use_font(14, bold=True)
    title = doc.shortened(order.name, doc.epw, 1)
    doc.multi_cell(0, doc.line_height(), title, new_x="LMARGIN", new_y="NEXT")
    map_top = max(doc.y + 1, top + 8)
    map_h = doc.page_break_trigger - map_top
    doc.png(map_png, x=doc.l_margin, y=map_top, w=_MAP_W, h=map_h)
    doc.set_draw_color(*PALETTE.rule)
    doc.rect(doc.l_margin, map_top, _MAP_W, map_h)
    x = doc.l_margin + _MAP_W + _GAP
    legend_h = 5 * 5.2 + 2
    column = _Column(doc, x, doc.w - doc.r_margin - x, doc.page_break_trigger - legend_h - 8)
    doc.set_xy(x, map_top)
    _facts(column, order)
    _checkpoints(column, order)
    _centres(column, order)
    if left_out:
        column.space(2)
        if column.fits(2, 8):
            column.text(
                n_(
                    "{n} place name has no room on the map: every place is in the annexure.",
                    "{n} place names have no room on the map: every place is in the annexure.",
                    left_out,
                ),
                size_pt=8,
                colour=PALETTE.muted,
            )
    _legend(doc, x, doc.page_break_trigger - legend_h)


def zone_sheets_pdf(
    orders: Sequence[ZoneOrder],
    district: District,
    *,
    as_of: dt.date,
    synthetic: bool = False,
) -> bytes:
    """One A4 landscape page per zone, in the order given."""
    map_h = 210 - (24 if synthetic else 19) - 14 - 9  # the page less margins and the title
    maps = [zone_sheet_map(order, district, width_mm=_MAP_W, height_mm=map_h) for order in orders]

    def draw(doc: Document) -> None:
        doc.set_auto_page_break(False, margin=14)
        if not orders:
            doc.paragraph(_("No containment zone is in force on this day."))
        for n, (order, made) in enumerate(zip(orders, maps, strict=True)):
            if n:
                doc.add_page()
            _sheet(doc, order, made.png, made.names_left_out)

    title = _("Zone sheet")
    return make_pdf(Masthead(district.name, title, as_of, synthetic=synthetic), draw)
