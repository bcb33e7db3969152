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
from containment.field.meeting import RECENT_DAYS
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
    "new_cases_14d": f"New cases ({RECENT_DAYS} days)",
    "cases_to_date": "Cases to date",
    "zones_in_force": "Zones in force",
    "people_in_containment": "People in containment zones",
    "households_in_containment": "Households in containment zones",
    "zones_due_for_release": "Zones due for release",
    "beds_free": "Beds free",
    "beds_total": "Beds in centres",
}
_PACK_ZONES = [
    "name", "kind", "status", "order_number", "case_count", "population_est", "households_est",
    "release_due_on", "due_for_release", "blocks",
]  # fmt: skip


def checkpoint_list_html(
    checkpoints: gpd.GeoDataFrame, district: District, *, synthetic: bool = False
) -> str:
    """A printable list of checkpoints, by block, for the police stations."""
    block_of = district.block_at(checkpoints.geometry, outside="Outside the district")
    table = pd.DataFrame(
        {
            "Block": block_of,
            "Checkpoint": checkpoints["checkpoint_id"].to_numpy(),
            "Zone": checkpoints["zone_name"].to_numpy(),
            "Road": checkpoints["road"].to_numpy(),
            "Class": checkpoints["road_class"].to_numpy(),
            "Latitude": checkpoints.geometry.y.round(6).map("{:.6f}".format).to_numpy(),
            "Longitude": checkpoints.geometry.x.round(6).map("{:.6f}".format).to_numpy(),
        }
    ).sort_values(["Block", "Zone", "Road"], kind="stable")
    blocks = [
        (block, rows.drop(columns="Block")) for block, rows in table.groupby("Block", sort=True)
    ]
    return render_page(
        "checkpoint_list.html.j2", synthetic=synthetic, district=district.name, blocks=blocks
    )


def public_list_html(
    table: pd.DataFrame, district: District, *, as_of: dt.date, synthetic: bool = False
) -> str:
    """A printable page of the public zone list."""
    return render_page(
        "public_list.html.j2",
        synthetic=synthetic,
        district=district.name,
        as_of=day(as_of),
        zones=table,
    )
