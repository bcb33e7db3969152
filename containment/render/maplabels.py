"""Which names the map writes, where, from which zoom, and which give way when they would overlap.

A row is ``[lat, lon, text, kind, priority, min_zoom]`` (and for a village, how far from its
point the name begins, in pixels, beside the circle the map draws for it) for
:class:`containment.render.mapcanvas.LabelLayer`: block names and towns always (they are how a
room finds its way round the district), zone names on their zones (notified first), ward names
from zoom 12, village names from zoom 13 (large villages from 12), the larger first.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District

__all__ = [
    "VILLAGE_LABELS_MIN_ZOOM",
    "district_labels",
    "place_labels",
    "town_extents",
    "zone_labels",
]

VILLAGE_LABELS_MIN_ZOOM = 13
_LARGE_VILLAGE = 5000  # people: named from a zoom earlier
# Blocks 1000 and towns 900 (see district_labels): a notified zone's name comes between them.
_ZONE_PRIORITY = {"notified": 950, "proposed": 600, "draft": 500, "released": 100}
_MAX_NAME = 32  # characters of a zone's name written on the map (the tooltip has all of it)

Row = list[object]


def _row(point: shapely.Point, text: object, kind: str, priority: float, min_zoom: float) -> Row:
    return [round(point.y, 5), round(point.x, 5), str(text), kind, float(priority), min_zoom]


def _short(text: str) -> str:
    return text if len(text) <= _MAX_NAME else text[: _MAX_NAME - 1].rstrip() + "…"


@functools.cache
def town_extents(district: District) -> gpd.GeoDataFrame:
    """Each town of the ground units (``name``), as the union of its cells (EPSG:4326)."""
    cells = district.units[district.units["kind"] == "town_cell"]
    if cells.empty:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs=STORAGE_CRS)
    towns = cells.dissolve(by="town").reset_index()
    return gpd.GeoDataFrame(
        {"name": towns["town"].astype(str)}, geometry=towns.geometry.to_numpy(), crs=STORAGE_CRS
    )


@functools.cache
def district_labels(district: District) -> tuple[Row, ...]:
    """Blocks, towns (at the middle of their cells), headquarters that are not a town, and
    villages (by population)."""
    rows: list[Row] = []
    for block in district.blocks.itertuples():
        rows.append(_row(block.geometry.representative_point(), block.name, "block", 1000, 0))
    towns = district.places.iloc[len(district.habitations) :]
    town_names = {str(n).casefold() for n in towns["name"]}
    for town in towns.itertuples():
        rows.append(_row(town.geometry, town.name, "town", 900, 0))
    if not district.hq_points.empty:
        seen: set[str] = set()
        for hq in district.hq_points.itertuples():
            name = str(hq.name)
            if name.casefold() in town_names or name.casefold() in seen:
                continue
            seen.add(name.casefold())
            rows.append(_row(hq.geometry, name, "hq", 850, 0))
    villages = district.habitations
    population = pd.to_numeric(villages["population"], errors="coerce").fillna(0).to_numpy()
    order = np.argsort(-population, kind="stable")
    for rank, i in enumerate(order):
        point = villages.geometry.iloc[i]
        if point is None or point.is_empty:
            continue
        big = population[i] >= _LARGE_VILLAGE
        min_zoom = VILLAGE_LABELS_MIN_ZOOM - 1 if big else VILLAGE_LABELS_MIN_ZOOM
        priority = 300 - 200 * rank / max(len(order), 1)
        row = _row(point, villages["name"].iloc[i], "village", priority, min_zoom)
        row.append(round(5 + float(np.sqrt(population[i])) / 12, 1))  # beside its circle
        rows.append(row)
    return tuple(rows)


def zone_labels(zones: gpd.GeoDataFrame) -> list[Row]:
    """Each zone's name on the zone (at a point inside it), notified before proposed before
    drafts: notified containment zones at every zoom, the others from zoom 10.5 (a district's
    worth of proposals would bury the orders in names), buffer zones from zoom 11."""
    if zones.empty or "name" not in zones:
        return []
    rows = []
    points = shapely.point_on_surface(zones.geometry.to_crs(STORAGE_CRS).to_numpy())
    for point, name, kind, status in zip(
        points, zones["name"], zones["kind"], zones.get("status", "proposed"), strict=True
    ):
        if point is None or point.is_empty or not name:
            continue
        buffer = str(kind) == "buffer"
        priority = _ZONE_PRIORITY.get(str(status), 400) - (300 if buffer else 0)
        min_zoom = 11 if buffer else 0 if str(status) == "notified" else 10.5
        rows.append(
            _row(point, _short(str(name)), "buffer" if buffer else "zone", priority, min_zoom)
        )
    return rows


def place_labels(
    frame: gpd.GeoDataFrame, labels: Iterable[object], *, kind: str = "ward", min_zoom: float = 12
) -> list[Row]:
    """Names of an area layer's features (a ward map's wards), each at a point inside it."""
    points = shapely.point_on_surface(frame.geometry.to_crs(STORAGE_CRS).to_numpy())
    return [
        _row(point, _short(str(text)), kind, 200, min_zoom)
        for point, text in zip(points, labels, strict=True)
        if point is not None and not point.is_empty and str(text)
    ]
