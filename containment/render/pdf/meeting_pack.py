"""The collector's meeting pack as a PDF: A4 landscape, the headline figures, a table per block,
the map, the zones in force (and only those) with their order numbers and release dates, the
proposed zones apart and short, what changed since a day, the trend charts, and the notes on
the reference data.

The zones in force are numbered alike in their table and on the map. Proposed zones are drawn
hatched and listed by block, never with the zones in force: the pack's headline says how many
zones are in force, and its table and map agree with it.

A city's thousands of micro-containment zones would fill hundreds of pages: past
:data:`ZONES_LISTED` zones in force, the pack lists (and numbers on the map) the ones with the
most cases, says how many more there are and where every zone is listed (the order annexures,
the public list); its table by block counts them all. Lists of names in a cell (the proposed
zones of a block, a day's changes) stop after :data:`NAMES_LISTED` names with "and N more".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.district import District
from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.engine.timeline import reported_in
from containment.field.meeting import RECENT_DAYS, block_table, headline
from containment.i18n import _, date_text, listed, n_, number
from containment.render.pdf.document import Document, Masthead, make_pdf
from containment.render.pdf.maps import PackZone, district_map_png
from containment.render.pdf.tables import Column, draw_table
from containment.render.pdf.words import date_or_dash, zone_kind_text

__all__ = ["NAMES_LISTED", "ZONES_LISTED", "Chart", "chart_section", "meeting_pack_pdf"]

#: The zones in force a pack lists one by one, at most (those with the most cases).
ZONES_LISTED = 40
#: The names a cell lists before "and N more".
NAMES_LISTED = 12


@dataclass(frozen=True)
class Chart:
    """A trend chart made elsewhere (a PNG), with its title."""

    title: str
    png: bytes


def chart_section(doc: Document, charts: Sequence[Chart | tuple[str, bytes]]) -> None:
    """Lay out trend charts two to a row, each under its title, a row never cut by a page
    break. ``charts`` are (title, PNG bytes) pairs as the chart module makes them; nothing is
    drawn for none."""
    if not charts:
        return
    doc.heading(_("Trends"), keep_with_mm=85)
    gap = 6.0
    width = (doc.epw - gap) / 2
    height = width * 0.62
    pairs = [c if isinstance(c, Chart) else Chart(*c) for c in charts]
    for start in range(0, len(pairs), 2):
        row = pairs[start : start + 2]
        title_h = doc.line_height(10) * 2
        if doc.space_left() < title_h + height:
            doc.add_page()
        top = doc.y
        for column, chart in enumerate(row):
            x = doc.l_margin + column * (width + gap)
            doc.set_xy(x, top)
            doc.use_font(10, bold=True)
            doc.multi_cell(width, doc.line_height(), chart.title, max_line_height=title_h)
            doc.png(chart.png, x=x, y=top + title_h, w=width, h=height)
        doc.set_xy(doc.l_margin, top + title_h + height + 4)
    doc.use_font(10)


def _in_force(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if zones.empty:
        return zones
    chosen = zones[zones["in_force"].astype(bool)]
    day = chosen["notified_on"].map(lambda d: d.isoformat() if isinstance(d, dt.date) else "")
    ordered: gpd.GeoDataFrame = (
        chosen.assign(_day=day).sort_values(["_day", "name"], kind="stable").drop(columns="_day")
    )
    return ordered


def _most_cases(in_force: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The :data:`ZONES_LISTED` zones in force with the most cases (then people), in the
    order of :func:`_in_force`; all of them when there are no more."""
    if len(in_force) <= ZONES_LISTED:
        return in_force
    ranked = in_force.assign(
        _cases=pd.to_numeric(in_force["case_count"], errors="coerce").fillna(0),
        _people=pd.to_numeric(in_force["population_est"], errors="coerce").fillna(0),
        _at=range(len(in_force)),
    ).sort_values(["_cases", "_people", "_at"], ascending=[False, False, True], kind="stable")
    chosen = ranked.head(ZONES_LISTED).sort_values("_at")
    listed: gpd.GeoDataFrame = chosen.drop(columns=["_cases", "_people", "_at"])
    return listed


def _names(names: Sequence[str]) -> str:
    """Names in a cell: all of them, or the first :data:`NAMES_LISTED` and how many more."""
    return listed(names, most=NAMES_LISTED)


def _proposed(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if zones.empty:
        return zones
    return zones[(zones["status"] == "proposed") & ~zones["in_force"].astype(bool)]


def _cards(figures: dict[str, int]) -> list[tuple[str, str]]:
    return [
        (_("New cases, last {days} days", days=RECENT_DAYS), number(figures["new_cases_14d"])),
        (_("Zones in force"), number(figures["zones_in_force"])),
        (_("People in containment zones (est.)"), number(figures["people_in_containment"])),
        (
            _("Households in containment zones (est.)"),
            number(figures["households_in_containment"]),
        ),
        (_("Cases to date"), number(figures["cases_to_date"])),
        (_("Zones due for release"), number(figures["zones_due_for_release"])),
        (_("Beds free in centres"), number(figures["beds_free"])),
        (_("Beds in centres"), number(figures["beds_total"])),
    ]


def _block_rows(table: pd.DataFrame) -> tuple[list[Column], list[list[str]]]:
    columns = [
        Column(_("Block"), 1.6),
        Column(_("New cases ({days} days)", days=RECENT_DAYS), 1.2, True),
        Column(_("Zones in force"), 1.1, True),
        Column(_("People in containment zones (est.)"), 1.5, True),
        Column(_("Households in containment zones (est.)"), 1.5, True),
        Column(_("Beds in centres"), 1.0, True),
        Column(_("Beds free"), 1.0, True),
    ]
    figures = (
        "new_cases_14d", "zones_in_force", "people_in_containment",
        "households_in_containment", "beds_total", "beds_free",
    )  # fmt: skip
    rows = [
        [str(r["block"]), *(number(int(r[f])) for f in figures)] for r in table.to_dict("records")
    ]
    return columns, rows


def _zone_rows(in_force: gpd.GeoDataFrame) -> tuple[list[Column], list[list[str]]]:
    columns = [
        Column(_("No."), 0.45, True),
        Column(_("Zone"), 2.0),
        Column(_("Kind"), 0.85),
        Column(_("Order no."), 1.6),
        Column(_("Notified on"), 0.95),
        Column(_("Release due on"), 0.95),
        Column(_("Cases"), 0.6, True),
        Column(_("People (est.)"), 0.85, True),
        Column(_("Villages and town cells"), 0.85, True),
        Column(_("Blocks"), 1.2),
    ]
    rows = []
    for n, zone in enumerate(in_force.itertuples(), start=1):
        due = date_or_dash(zone.release_due_on)
        if bool(zone.due_for_release):
            due = _("{date} — due", date=due)
        rows.append(
            [
                str(n),
                str(zone.name),
                zone_kind_text(str(zone.kind)),
                str(zone.order_number or "–"),
                date_or_dash(zone.notified_on),
                due,
                number(zone.case_count),
                number(zone.population_est),
                number(zone.unit_count),
                str(zone.blocks).replace(";", ","),
            ]
        )
    return columns, rows


def _proposed_rows(
    proposed: gpd.GeoDataFrame,
) -> tuple[list[Column], list[list[str]]]:
    """The proposed zones by block (a zone over a block line is listed under its first)."""
    columns = [
        Column(_("Block"), 1.0),
        Column(_("Zones proposed"), 0.8, True),
        Column(_("People in them (est.)"), 0.9, True),
        Column(_("Zones"), 5.0),
    ]
    by_block: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for zone in proposed.itertuples():
        block = str(zone.blocks).split(";")[0].strip() or _("outside the blocks")
        by_block[block].append((str(zone.name), int(zone.population_est)))
    rows = [
        [
            block,
            number(len(names)),
            number(sum(p for _n, p in names)),
            _names(sorted(n for n, _p in names)),
        ]
        for block, names in sorted(by_block.items())
    ]
    return columns, rows


def _changes(
    zones: gpd.GeoDataFrame, cases: gpd.GeoDataFrame, *, since: dt.date, as_of: dt.date
) -> tuple[list[Column], list[list[str]]]:
    """What happened in (since, as_of], one row per day and kind of change (names together)."""
    columns = [Column(_("Date"), 0.8), Column(_("Change"), 1.5), Column(_("Zones"), 5.0)]
    new = len(reported_in(cases, after=since, until=as_of))
    rows = [
        [
            date_text(as_of),
            _("New cases"),
            n_(
                "{n} case reported after {date}",
                "{n} cases reported after {date}",
                new,
                date=date_text(since),
            ),
        ]
    ]
    events: dict[tuple[dt.date, int, str], list[str]] = defaultdict(list)
    counts: dict[tuple[dt.date, int, str], int] = {}
    proposed: dict[dt.date, int] = defaultdict(int)

    def between(day: object) -> bool:
        return isinstance(day, dt.date) and since < day <= as_of

    kinds = (_("Proposed"), _("Notified"), _("Released"), _("Due for release"))
    for zone in zones.itertuples() if len(zones) else []:
        name = str(zone.name)
        if between(zone.created_on) and zone.status == "proposed" and not zone.in_force:
            proposed[zone.created_on] += 1
        if between(zone.notified_on):
            order = str(zone.order_number or "")
            shown = _("{name} (order {order})", name=name, order=order) if order else name
            events[(zone.notified_on, 1, kinds[1])].append(shown)
        if between(zone.released_on):
            events[(zone.released_on, 2, kinds[2])].append(name)
        if bool(zone.in_force) and between(zone.release_due_on):
            events[(zone.release_due_on, 3, kinds[3])].append(name)
    for day, count in proposed.items():  # named, by block, in their own section
        events[(day, 0, kinds[0])].append(_("named by block under the zones proposed"))
        counts[(day, 0, kinds[0])] = count
    for key, names in sorted(events.items()):
        day, _order, kind = key
        listed = _names(sorted(names))
        rows.append([date_text(day), f"{kind} ({number(counts.get(key, len(names)))})", listed])
    return columns, rows[1:] + rows[:1]  # by day, the new cases (up to as_of) last


def meeting_pack_pdf(
    district: District,
    zones: gpd.GeoDataFrame,
    cases: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    *,
    as_of: dt.date,
    since: dt.date,
    synthetic: bool = False,
    charts: Sequence[Chart | tuple[str, bytes]] = (),
) -> bytes:
    """The meeting pack as of a day, in the current language (:mod:`containment.i18n`).

    ``zones`` are described saved zones, ``cases`` the cases known (they are only counted:
    no case is named, dated or drawn), ``centres`` the centres with their beds. ``charts`` are
    the trend charts, (title, PNG) pairs, laid out in their own section. With ``synthetic``,
    every page says SYNTHETIC.
    """
    known = reported_in(cases, until=as_of)
    figures = vars(headline(zones, known, centres, district, as_of=as_of))
    in_force = _in_force(zones)
    listed = _most_cases(in_force)
    proposed = _proposed(zones)
    metric = district.metric_crs
    outlines_listed = (
        district.unit_index.as_units(listed.to_crs(metric).geometry.to_numpy())
        if len(listed)
        else []
    )
    pack_zones = [
        PackZone(n, str(z.name), str(z.kind), outline)
        for n, (z, outline) in enumerate(
            zip(listed.itertuples(), outlines_listed, strict=True), start=1
        )
    ]
    rest = in_force[~in_force["zone_id"].isin(listed["zone_id"])] if len(in_force) else in_force
    for kind, group in rest.groupby("kind", sort=True) if len(rest) else []:
        # The zones not listed, filled but not numbered: one shape per kind.
        outline = shapely.union_all(
            district.unit_index.as_units(group.to_crs(metric).geometry.to_numpy())
        )
        pack_zones.insert(0, PackZone(None, "", str(kind), outline))
    outlines_proposed: list[shapely.Geometry] = list(
        district.unit_index.as_units(proposed.to_crs(metric).geometry.to_numpy())
        if len(proposed)
        else []
    )
    if len(outlines_proposed) > ZONES_LISTED:
        outlines_proposed = [shapely.union_all(outlines_proposed)]
    map_png = district_map_png(
        district,
        pack_zones,
        outlines_proposed,
        centres.to_crs(metric).geometry if len(centres) else gpd.GeoSeries(),
        width_mm=273,
        height_mm=160,
    )
    cards = _cards(figures)
    blocks = _block_rows(block_table(zones, known, centres, district, as_of=as_of))
    zone_table = _zone_rows(listed)
    proposed_table = _proposed_rows(proposed)
    changes = _changes(zones, known, since=since, as_of=as_of)
    title = _("Containment review")

    def draw(doc: Document) -> None:
        doc.heading(_("{district}: containment review as of {date}", district=district.name,
                      date=date_text(as_of)))  # fmt: skip
        doc.figure_cards(cards)
        doc.heading(_("By block"), level=2)
        draw_table(doc, *blocks)
        doc.heading(_("Changes since {date}", date=date_text(since)), level=2)
        draw_table(doc, *changes, size_pt=9)
        doc.add_page()
        doc.heading(_("Map: the zones in force"), level=2)
        doc.png(map_png, x=doc.l_margin, y=doc.y, w=doc.epw, h=doc.space_left())
        doc.add_page()
        doc.heading(n_("{n} zone in force", "{n} zones in force", len(in_force)), level=2)
        if len(listed) < len(in_force):
            doc.paragraph(
                n_(
                    "The {listed} with the most cases, numbered as on the map; {n} more zone "
                    "in force is counted in the table by block and listed in the order "
                    "annexures and the public list.",
                    "The {listed} with the most cases, numbered as on the map; {n} more zones "
                    "in force are counted in the table by block and listed in the order "
                    "annexures and the public list.",
                    len(in_force) - len(listed),
                    listed=number(len(listed)),
                ),
                muted=True,
            )
        if len(in_force):
            draw_table(doc, *zone_table, size_pt=9)
        else:
            doc.paragraph(_("No zone is in force on this day."))
        doc.heading(
            n_(
                "{n} zone proposed, not yet notified",
                "{n} zones proposed, not yet notified",
                len(proposed),
            ),
            level=2,
        )
        if len(proposed):
            doc.paragraph(
                _("Not in force until the collector notifies them; hatched on the map."),
                muted=True,
            )
            draw_table(doc, *proposed_table, size_pt=9)
        chart_section(doc, charts)
        doc.heading(_("About the figures"), level=3)
        notes = [
            _(
                "People and households are estimates from the ground units (villages and town "
                "cells) the zones hold."
            ),
            _(PUBLIC_RELEASE_NOTE),
            *district.caveats,
            district.attribution,
        ]
        for note in notes:
            doc.paragraph(f"• {note}", size_pt=8, muted=True)

    return make_pdf(Masthead(district.name, title, as_of, synthetic=synthetic), draw)
