"""The printable pages: the collector's meeting pack, the police's checkpoint list by block and
the public zone list, with the static map they share. Figures come from :mod:`containment.field`;
the pages are Jinja2 templates (:mod:`containment.render.pages`), so every name is text."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import markupsafe
import pandas as pd
import shapely

from containment.engine.district import District
from containment.field.public_list import PUBLIC_LIST_COLUMNS
from containment.i18n import N_, _, current_language
from containment.render.labels import ZONE_LABELS, display_table
from containment.render.pages import (
    MapDot,
    MapLabel,
    MapShape,
    day,
    render_page,
    render_svg_map,
)

__all__ = ["checkpoint_list_html", "public_list_html", "svg_map"]


_ZONE_FILL = {"containment": "#e53935", "buffer": "#fb8c00"}


def svg_map(
    district: District, zones: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, *, width_px: int = 900
) -> markupsafe.Markup:
    """A static map (SVG) of blocks, zones and centres, for print: no script, no network."""
    outline = district.outline_m
    west, south, east, north = shapely.bounds(outline).tolist()
    scale = width_px / (east - west)

    def xy(x: float, y: float) -> tuple[float, float]:
        return round((x - west) * scale, 1), round((north - y) * scale, 1)

    def path(geometry: shapely.Geometry) -> str:
        parts = []
        for polygon in shapely.get_parts(geometry):
            for ring in [polygon.exterior, *polygon.interiors]:
                points = " L ".join("{} {}".format(*xy(x, y)) for x, y in ring.coords)
                parts.append(f"M {points} Z")
        return " ".join(parts)

    shapes = [
        MapShape(path(block.geometry), "#fafafa", "#78909c")
        for block in district.blocks_m.itertuples()
    ]
    for kind in ("buffer", "containment"):
        chosen = zones[zones["kind"] == kind] if len(zones) else zones
        if chosen.empty:
            continue
        chosen_m = chosen.to_crs(district.metric_crs)
        outlines = district.unit_index.as_units(chosen_m.geometry.to_numpy())  # never arcs
        for name, outline in zip(chosen_m["name"], outlines, strict=True):
            colour = _ZONE_FILL[kind]
            shapes.append(MapShape(path(outline), colour, colour, 1.5, 0.45, str(name)))
    shapes.append(MapShape(path(outline), "none", "#263238", 2.5))
    labels = [
        MapLabel(*xy(p.x, p.y), str(name))
        for name, p in zip(
            district.blocks_m["name"], district.blocks_m.representative_point(), strict=True
        )
    ]
    dots = [
        MapDot(*xy(c.geometry.x, c.geometry.y), str(c.name))
        for c in (centres.to_crs(district.metric_crs).itertuples() if len(centres) else [])
    ]
    return render_svg_map(
        district=district.name,
        width=width_px,
        height=round((north - south) * scale),
        shapes=shapes,
        labels=labels,
        dots=dots,
    )


_LABELS = {
    "new_cases_14d": N_("New cases (14 days)"),
    "cases_to_date": N_("Cases to date"),
    "zones_in_force": N_("Zones in force"),
    "people_in_containment": N_("People in containment zones"),
    "households_in_containment": N_("Households in containment zones"),
    "zones_due_for_release": N_("Zones due for release"),
    "beds_free": N_("Beds free"),
    "beds_total": N_("Beds in centres"),
}
_BLOCKS = {
    "block": N_("Block"),
    **{
        key: _LABELS[key]
        for key in (
            "new_cases_14d", "zones_in_force", "people_in_containment",
            "households_in_containment", "beds_total", "beds_free",
        )
    },
}  # fmt: skip
_PACK_ZONES = {
    c: ZONE_LABELS[c]
    for c in [
        "name", "kind", "status", "order_number", "case_count", "population_est",
        "households_est", "release_due_on", "due_for_release", "blocks",
    ]
}  # fmt: skip
_CHANGES = {"date": N_("Date"), "change": N_("Change"), "detail": N_("Detail")}
_CHECKPOINTS = {
    "checkpoint": N_("Checkpoint"),
    "zone": N_("Zone"),
    "road": N_("Road"),
    "class": N_("Road type"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
}


def checkpoint_list_html(
    checkpoints: gpd.GeoDataFrame, district: District, *, synthetic: bool = False
) -> str:
    """A printable list of checkpoints, by block, for the police stations."""
    block_of = district.block_at(checkpoints.geometry, outside=_("Outside the district"))
    table = pd.DataFrame(
        {
            "block": block_of,
            "checkpoint": checkpoints["checkpoint_id"].to_numpy(),
            "zone": checkpoints["zone_name"].to_numpy(),
            "road": checkpoints["road"].to_numpy(),
            "class": checkpoints["road_class"].to_numpy(),
            "latitude": checkpoints.geometry.y.to_numpy(),
            "longitude": checkpoints.geometry.x.to_numpy(),
        }
    ).sort_values(["block", "zone", "road"], kind="stable")
    blocks = [
        (block, display_table(rows, _CHECKPOINTS, digits={"latitude": 6, "longitude": 6}))
        for block, rows in table.groupby("block", sort=True)
    ]
    return render_page(
        "checkpoint_list.html.j2",
        synthetic=synthetic,
        lang=current_language(),
        district=district.name,
        blocks=blocks,
    )


def public_list_html(
    table: pd.DataFrame, district: District, *, as_of: dt.date, synthetic: bool = False
) -> str:
    """A printable page of the public zone list."""
    return render_page(
        "public_list.html.j2",
        synthetic=synthetic,
        lang=current_language(),
        district=district.name,
        as_of=day(as_of),
        zones=display_table(table, {column: column for column in PUBLIC_LIST_COLUMNS}),
    )
