"""What a collector's order says about each notified zone, for the order's annexure and the
sheet the police and field teams carry: the zone as whole places (every village and town cell
by name, none left out), its perimeter, its checkpoints numbered, the centres nearby, and its
dates.

Pure functions over described zones (:func:`containment.engine.lifecycle.describe_zones`), the
saved checkpoints and the centres. Nothing here is about a case: a zone is its ground units,
its outline is theirs (never an arc around a home), and no case count or case date is kept.

The checkpoints of a zone are numbered clockwise from north around the zone's centre, so the
annexure and the sheet (and any second printing) give a checkpoint the same number.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.prepared

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.lifecycle import public_release_due

__all__ = [
    "CENTRES_WITHIN_M",
    "CHECKPOINT_LIST_COLUMNS",
    "NearbyCentre",
    "NumberedCheckpoint",
    "Place",
    "ZoneOrder",
    "checkpoint_list",
    "zone_orders",
]

#: Centres this close to a zone's edge are listed on its sheet (the nearest few).
CENTRES_WITHIN_M = 10_000.0
_MOST_CENTRES = 6


@dataclass(frozen=True)
class Place:
    """A ground unit a zone holds: a village, or a cell of a town."""

    number: int
    name: str
    kind: str  # "village" or "town_cell"
    block: str
    town: str
    population: int
    households: int
    x_m: float  # a point inside it, in the district's metric CRS (for its label on a map)
    y_m: float


@dataclass(frozen=True)
class NumberedCheckpoint:
    """An entry or exit point of a zone, numbered as on every paper about the zone."""

    number: int
    checkpoint_id: str
    road: str
    road_class: str
    lon: float
    lat: float
    x_m: float
    y_m: float


@dataclass(frozen=True)
class NearbyCentre:
    """A COVID care or quarantine centre, or a dedicated hospital, near a zone."""

    name: str
    kind: str
    distance_km: float  # from the zone's edge; 0 inside it
    beds_free: int
    x_m: float
    y_m: float


@dataclass(frozen=True)
class ZoneOrder:
    """A notified zone as its order annexes it. ``outline_m`` is the zone as the whole ground
    units it holds, in the district's metric CRS."""

    zone_id: str
    name: str
    kind: str
    order_number: str
    notified_on: dt.date | None
    released_on: dt.date | None
    release_due_on: dt.date | None
    perimeter_km: float
    area_km2: float
    population: int
    households: int
    blocks: tuple[str, ...]
    places: tuple[Place, ...]
    checkpoints: tuple[NumberedCheckpoint, ...]
    centres: tuple[NearbyCentre, ...]
    outline_m: shapely.Polygon | shapely.MultiPolygon

    @property
    def villages(self) -> int:
        return sum(1 for p in self.places if p.kind != "town_cell")

    @property
    def town_cells(self) -> int:
        return sum(1 for p in self.places if p.kind == "town_cell")


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _places_of(held: np.ndarray, district: District) -> tuple[Place, ...]:
    """The places of a zone holding the units ``held`` (positions): villages by block, then
    each town's cells in order, numbered."""
    units = _unit_rows(district)
    rows = sorted((units[u] for u in held.tolist()), key=lambda r: r[0])
    return tuple(Place(number=n, **fields) for n, (_key, fields) in enumerate(rows, start=1))


@functools.cache
def _unit_rows(district: District) -> list[tuple[tuple[bool, str, str], dict[str, object]]]:
    """Each unit's sort key and its place's fields (made once per district)."""
    index = district.unit_index
    units = index.units_m
    points = index.representative_points
    rows = []
    for unit, point in zip(units.itertuples(), points, strict=True):
        town_cell = unit.kind == "town_cell"
        key = (
            town_cell,  # villages by block, then each town's cells in order
            str(unit.town) if town_cell else str(unit.block),
            str(unit.name).casefold(),
        )
        fields: dict[str, object] = {
            "name": str(unit.name),
            "kind": str(unit.kind),
            "block": str(unit.block),
            "town": str(unit.town or ""),
            "population": round(float(unit.population)),
            "households": round(float(unit.households)),
            "x_m": float(point.x),
            "y_m": float(point.y),
        }
        rows.append((key, fields))
    return rows


def _clockwise_from_north(x: np.ndarray, y: np.ndarray, centre: shapely.Point) -> np.ndarray:
    bearing = np.degrees(np.arctan2(x - centre.x, y - centre.y)) % 360.0
    return np.lexsort((x, bearing))


def _checkpoints(
    mine: gpd.GeoDataFrame, outline_m: shapely.Geometry, district: District
) -> tuple[NumberedCheckpoint, ...]:
    """The zone's own checkpoints (``mine``), numbered clockwise from north."""
    if mine.empty:
        return ()
    lonlat = mine.to_crs(STORAGE_CRS).geometry
    metric = mine.to_crs(district.metric_crs).geometry
    x, y = metric.x.to_numpy(), metric.y.to_numpy()
    order = _clockwise_from_north(x, y, shapely.centroid(outline_m))
    return tuple(
        NumberedCheckpoint(
            number=n,
            checkpoint_id=str(mine["checkpoint_id"].iloc[i]),
            road=str(mine["road"].iloc[i] or ""),
            road_class=str(mine["road_class"].iloc[i] or ""),
            lon=round(float(lonlat.x.iloc[i]), 6),
            lat=round(float(lonlat.y.iloc[i]), 6),
            x_m=float(x[i]),
            y_m=float(y[i]),
        )
        for n, i in enumerate(order, start=1)
    )


def _centres(
    outline_m: shapely.Geometry,
    centres: gpd.GeoDataFrame,
    centres_m: gpd.GeoDataFrame,
    within_m: float,
) -> tuple[NearbyCentre, ...]:
    if centres.empty:
        return ()
    points = centres_m.geometry.to_numpy()
    distance = shapely.distance(points, outline_m)
    near = np.flatnonzero(distance <= within_m)
    near = near[np.argsort(distance[near], kind="stable")][:_MOST_CENTRES]
    free = centres["beds_free"] if "beds_free" in centres else centres["capacity"] * 0
    return tuple(
        NearbyCentre(
            name=str(centres["name"].iloc[i]),
            kind=str(centres["kind"].iloc[i]) if "kind" in centres else "",
            distance_km=round(float(distance[i]) / 1000.0, 1),
            beds_free=int(free.iloc[i]),
            x_m=float(points[i].x),
            y_m=float(points[i].y),
        )
        for i in near
    )


def zone_orders(
    zones: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    district: District,
    *,
    centres_within_m: float = CENTRES_WITHIN_M,
) -> list[ZoneOrder]:
    """What the order annexes for each zone in force (notified, not released) among ``zones``
    (described zones), in order of order number and name; the others are left out.

    Each zone is taken as the whole ground units it holds (as it leaves the system, see
    :func:`containment.io.export.public_zones`): its places are every one of those units, its
    perimeter and area those of their outline. Checkpoints are the zone's own (``zone_id``),
    numbered clockwise from north; centres are those within ``centres_within_m`` of its edge,
    the nearest first (at most six).
    """
    if zones.empty:
        return []
    zones = zones[zones["in_force"].astype(bool)]
    if zones.empty:
        return []
    zones_m = zones.to_crs(district.metric_crs)
    outlines = district.unit_index.as_units(zones_m.geometry.to_numpy())
    # Every zone's units, checkpoints and the centres at once (a city has thousands of zones).
    zone_at, unit_at = district.unit_index.units_in(np.asarray(outlines))
    order = np.argsort(zone_at, kind="stable")
    starts = np.searchsorted(zone_at[order], np.arange(len(outlines) + 1))
    held = [np.sort(unit_at[order][starts[z] : starts[z + 1]]) for z in range(len(outlines))]
    by_zone = (
        dict(tuple(checkpoints.groupby(checkpoints["zone_id"].astype(str), sort=False)))
        if len(checkpoints)
        else {}
    )
    centres_m = centres.to_crs(district.metric_crs) if len(centres) else centres
    orders = []
    for zone, outline, units in zip(zones_m.itertuples(), outlines, held, strict=True):
        places = _places_of(units, district)
        blocks = tuple(dict.fromkeys(sorted(p.block for p in places)))
        orders.append(
            ZoneOrder(
                zone_id=str(zone.zone_id),
                name=str(zone.name),
                kind=str(zone.kind),
                order_number=str(getattr(zone, "order_number", "") or ""),
                notified_on=_date(getattr(zone, "notified_on", None)),
                released_on=_date(getattr(zone, "released_on", None)),
                release_due_on=public_release_due(_date(getattr(zone, "release_due_on", None))),
                perimeter_km=round(float(shapely.length(outline)) / 1000.0, 2),
                area_km2=round(float(shapely.area(outline)) / 1e6, 2),
                population=sum(p.population for p in places),
                households=sum(p.households for p in places),
                blocks=blocks,
                places=places,
                checkpoints=_checkpoints(
                    by_zone.get(str(zone.zone_id), checkpoints.iloc[0:0]), outline, district
                ),
                centres=_centres(outline, centres, centres_m, centres_within_m),
                outline_m=outline,
            )
        )
    return sorted(orders, key=lambda o: (o.order_number, o.name.casefold(), o.zone_id))


CHECKPOINT_LIST_COLUMNS = (
    "number", "checkpoint_id", "zone_name", "road", "road_class", "village",
)  # fmt: skip


def checkpoint_list(orders: list[ZoneOrder], district: District) -> pd.DataFrame:
    """Every checkpoint of the zones in ``orders`` (as :func:`zone_orders` gives them), zone by
    zone in their order, numbered as on the zone's sheet and annexure, with the village (or
    town) it stands in: the zone's unit it touches.

    Columns: :data:`CHECKPOINT_LIST_COLUMNS`.
    """
    units = district.unit_index.units_m
    tree = shapely.STRtree(units.geometry.to_numpy())
    names = np.where(
        units["kind"].to_numpy() == "town_cell",
        units["town"].astype(str).to_numpy(),
        units["name"].astype(str).to_numpy(),
    )
    geometries = units.geometry.to_numpy()
    rows = []
    for order in orders:
        zone = shapely.prepared.prep(order.outline_m.buffer(1.0))
        for c in order.checkpoints:
            point = shapely.Point(c.x_m, c.y_m)
            near = [int(i) for i in tree.query(point, predicate="dwithin", distance=25.0)]
            inside = [i for i in near if zone.covers(geometries[i])]
            if near:  # the zone's own unit at the checkpoint, else the nearest unit
                chosen = min(
                    inside or near, key=lambda i: float(shapely.distance(geometries[i], point))
                )
            else:
                chosen = int(tree.nearest(point))
            rows.append(
                {
                    "number": c.number,
                    "checkpoint_id": c.checkpoint_id,
                    "zone_name": order.name,
                    "road": c.road,
                    "road_class": c.road_class,
                    "village": str(names[chosen]),
                }
            )
    return pd.DataFrame(rows, columns=list(CHECKPOINT_LIST_COLUMNS))
