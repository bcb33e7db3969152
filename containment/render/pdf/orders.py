"""The papers that go with a collector's order, as PDF (A4 portrait): the public list of the
zones in force, and the annexure of each notified zone — every village and town cell it holds
(none left out, however many), its perimeter, its checkpoints numbered with their roads, its
order number and dates.

Made from :class:`containment.field.orders.ZoneOrder` records: no case count, case date or case
place is on them, so the police and the public may have them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby

from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.engine.units import cell_number, cells_text
from containment.field.orders import ZoneOrder
from containment.i18n import _, date_text, n_, number
from containment.render.pdf.document import Document, Masthead, make_pdf
from containment.render.pdf.tables import Column, draw_table
from containment.render.pdf.words import date_or_dash, km_text, place_kind_text, zone_kind_text

__all__ = ["annexures_pdf", "places_text", "public_list_pdf"]


def places_text(order: ZoneOrder) -> str:
    """Every place a zone holds, in words: its villages by name, then each town's cells by
    number, runs as ranges ("Sagwara town, cells 3–7, 11"). Nothing is left out."""
    villages = sorted((p.name for p in order.places if p.kind != "town_cell"), key=str.casefold)
    cells = sorted((p for p in order.places if p.kind == "town_cell"), key=lambda p: p.town)
    towns = [
        cells_text(town, [n for n in (cell_number(p.name) for p in group) if n is not None])
        for town, group in groupby(cells, key=lambda p: p.town)
    ]
    return ", ".join([*villages, *towns])


def _release(order: ZoneOrder) -> str:
    if order.released_on is not None:
        return _("released on {date}", date=date_text(order.released_on))
    return date_or_dash(order.release_due_on)


def public_list_pdf(
    orders: Sequence[ZoneOrder],
    *,
    district: str,
    as_of: dt.date,
    synthetic: bool = False,
) -> bytes:
    """The public list of the zones in force on ``as_of`` (A4 portrait): each zone's places
    in full, its blocks, its order and its release date."""
    columns = [
        Column(_("No."), 0.45, True),
        Column(_("Zone"), 1.2),
        Column(_("Villages and town cells"), 2.9),
        Column(_("Blocks"), 0.9),
        Column(_("Order no. and date"), 1.5),
        Column(_("Release due on"), 0.9),
    ]
    rows = [
        [
            str(n),
            order.name,
            places_text(order),
            "\n".join(order.blocks),
            f"{order.order_number or '–'}\n{date_or_dash(order.notified_on)}",
            _release(order),
        ]
        for n, order in enumerate(orders, start=1)
    ]

    def draw(doc: Document) -> None:
        doc.heading(_("Containment zones in {district} district", district=district))
        doc.paragraph(
            _(
                "In force on {date}. Movement in and out of these areas is restricted until "
                "the release date, which moves later if a new case is found.",
                date=date_text(as_of),
            )
        )
        doc.ln(2)
        if rows:
            draw_table(doc, columns, rows)
            doc.ln(2)
            doc.paragraph(_(PUBLIC_RELEASE_NOTE), size_pt=9, muted=True)
        else:
            doc.paragraph(_("No containment zone is in force on this day."))
        doc.ln(4)
        doc.paragraph(_("Issued by the District Collector, {district}.", district=district))

    title = _("Containment zones in force")
    return make_pdf(Masthead(district, title, as_of, synthetic=synthetic, landscape=False), draw)


def _annexure(doc: Document, order: ZoneOrder) -> None:
    title = (
        _("Annexure to order {order}: {zone}", order=order.order_number, zone=order.name)
        if order.order_number
        else _("Annexure: {zone}", zone=order.name)
    )
    doc.heading(title)
    release = (
        [(_("Released on"), date_text(order.released_on))]
        if order.released_on is not None
        else [(_("Release due on"), date_or_dash(order.release_due_on))]
    )
    doc.facts(
        [
            (_("Zone"), f"{order.name} ({zone_kind_text(order.kind)})"),
            (_("Order no."), order.order_number or "–"),
            (_("Notified on"), date_or_dash(order.notified_on)),
            *release,
            (_("Perimeter"), km_text(order.perimeter_km, 2)),
            (_("Area"), _("{value} sq km", value=number(order.area_km2, 2))),
            (_("Villages and town cells"), number(len(order.places))),
            (_("People (est.)"), number(order.population)),
            (_("Households (est.)"), number(order.households)),
            (_("Blocks"), ", ".join(order.blocks) or "–"),
        ]
    )
    doc.paragraph(
        _(
            "The zone is the whole villages and town cells listed below. The release date "
            "moves later if a new case is found in the zone."
        )
        + " "
        + _(PUBLIC_RELEASE_NOTE),
        size_pt=9,
        muted=True,
    )
    doc.heading(
        n_("{n} checkpoint", "{n} checkpoints", len(order.checkpoints)), level=2, keep_with_mm=20
    )
    if order.checkpoints:
        draw_table(
            doc,
            [
                Column(_("No."), 0.4, True),
                Column(_("Road"), 3.0),
                Column(_("Road class"), 1.0),
                Column(_("Latitude"), 0.9, True),
                Column(_("Longitude"), 0.9, True),
            ],
            [
                [str(c.number), c.road or "–", c.road_class or "–", f"{c.lat:.6f}", f"{c.lon:.6f}"]
                for c in order.checkpoints
            ],
        )
    else:
        doc.paragraph(_("No checkpoint has been placed on this zone's edge."), muted=True)
    doc.heading(
        n_("{n} village or town cell", "{n} villages and town cells", len(order.places)),
        level=2,
        keep_with_mm=20,
    )
    draw_table(
        doc,
        [
            Column(_("No."), 0.45, True),
            Column(_("Name"), 2.6),
            Column(_("Kind"), 0.9),
            Column(_("Block"), 1.1),
            Column(_("People (est.)"), 0.9, True),
            Column(_("Households (est.)"), 0.9, True),
        ],
        [
            [
                str(p.number),
                p.name,
                place_kind_text(p.kind),
                p.block,
                number(p.population),
                number(p.households),
            ]
            for p in order.places
        ],
    )


def annexures_pdf(
    orders: Sequence[ZoneOrder],
    *,
    district: str,
    as_of: dt.date,
    synthetic: bool = False,
) -> bytes:
    """The annexure of each zone (A4 portrait), each starting on a new page: one zone's for a
    single download, every zone's at once for all of them."""

    def draw(doc: Document) -> None:
        if not orders:
            doc.paragraph(_("No containment zone is in force on this day."))
        for n, order in enumerate(orders):
            if n:
                doc.add_page()
            _annexure(doc, order)

    title = _("Order annexure")
    return make_pdf(Masthead(district, title, as_of, synthetic=synthetic, landscape=False), draw)
