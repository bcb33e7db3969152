"""Zones of a neighbouring district that reach over the district line: what the neighbour is told.

A district's zones are made of its own ground units and stop at its outline. A case near the
line (and one accepted just over it, within the outline's tolerance) is still within the rule's
radius of the neighbour's villages: the land the rule would have sealed had there been no line
lies across it. :func:`border_alerts` gives, for one district, every zone in force of another
district whose *reach* — its outline, widened by its rule's distance for its kind (containment
radius, buffer width) — lies over this district's land: the overlap, how deep it goes from the
zone's edge, its area, and this district's blocks and villages under it.

The reach is an upper bound of what the rule asks for across the line: every case of a
containment zone lies inside it, so every place within the radius of a case is within the
radius of the zone. Only what may leave a district goes in: the zone's name, kind, rule, order
number and notified date, its outline — never a case, a case date or a planner's note.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.lifecycle import in_force
from containment.engine.rules import PRESETS
from containment.engine.units import places_text
from containment.i18n import _, date_text, n_, number

__all__ = [
    "ALERT_COLUMNS",
    "ZONE_FIELDS_SHARED",
    "alert_text",
    "border_alerts",
    "no_alerts",
    "zone_reach_m",
]

#: What a district may read of a neighbour's zones (the rest stays in the neighbour's store).
ZONE_FIELDS_SHARED = (
    "name",
    "kind",
    "rule",
    "status",
    "order_number",
    "notified_on",
    "released_on",
)
#: An alert's columns (besides ``geometry``, the overlap in EPSG:4326).
ALERT_COLUMNS = (
    "district",
    "zone",
    "kind",
    "order_number",
    "notified_on",
    "reach_m",
    "depth_km",
    "area_km2",
    "blocks",
    "places",
)
# Outlines of two districts built from different sources meet with slivers: less is no alert.
_SMALLEST_OVERLAP_M2 = 10_000.0
_SMALLEST_DEPTH_M = 50.0
# A village or town cell counts as under the overlap when this share of it is.
_UNIT_SHARE = 0.1
_MOST_PLACES = 12


def zone_reach_m(kind: str, rule: str) -> float:
    """How far beyond its edge a zone's rule reaches, in metres: the containment radius for a
    containment zone, the buffer width for a buffer zone, by the rule's name (a preset, or a
    custom rule named ``custom-<c>m-<b>m-<d>d``); 0 for a zone drawn by hand (its outline is
    all there is).

    >>> zone_reach_m("containment", "mohfw-2020-rural")
    3000
    >>> zone_reach_m("buffer", "custom-500m-1000m-28d")
    1000.0
    """
    radii: tuple[float, float] | None = None
    if rule in PRESETS:
        preset = PRESETS[rule]
        radii = (preset.containment_radius_m, preset.buffer_m)
    elif rule.startswith("custom-"):
        parts = rule.split("-")
        try:
            radii = (float(parts[1].removesuffix("m")), float(parts[2].removesuffix("m")))
        except (IndexError, ValueError):
            radii = None
    if radii is None:
        return 0.0
    return radii[1] if str(kind) == "buffer" else radii[0]


def _depth_m(overlap: shapely.Geometry, zone: shapely.Geometry) -> float:
    """How far the overlap goes from the zone's edge (the farthest of its corners)."""
    corners = shapely.get_coordinates(overlap)
    if len(corners) == 0:
        return 0.0
    return float(np.max(shapely.distance(zone, shapely.points(corners))))


def _under(units_m: gpd.GeoDataFrame, overlap: shapely.Geometry) -> pd.DataFrame:
    """The units (villages, town cells) at least :data:`_UNIT_SHARE` under the overlap."""
    hits = units_m.sindex.query(overlap, predicate="intersects")
    candidates: pd.DataFrame = units_m.iloc[np.sort(hits)]
    shared = shapely.area(shapely.intersection(candidates.geometry.to_numpy(), overlap))
    whole = np.maximum(shapely.area(candidates.geometry.to_numpy()), 1.0)
    kept: pd.DataFrame = candidates[shared / whole >= _UNIT_SHARE]
    return kept


def no_alerts() -> gpd.GeoDataFrame:
    """An empty table of alerts, with :data:`ALERT_COLUMNS`."""
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ALERT_COLUMNS}, geometry=[], crs=STORAGE_CRS
    )


def border_alerts(
    district: District,
    zones: gpd.GeoDataFrame,
    *,
    neighbour: str,
    as_of: dt.date,
) -> gpd.GeoDataFrame:
    """The zones of ``neighbour`` in force on ``as_of`` whose reach lies over ``district``.

    Parameters
    ----------
    district
        The district told (its outline, blocks and ground units).
    zones
        The neighbour's zones (EPSG:4326) with at least :data:`ZONE_FIELDS_SHARED`; those not
        in force on ``as_of`` (proposed, drafts, released, notified later) are left out here.
    neighbour
        The neighbour's name, as the alert shows it.

    Returns
    -------
    GeoDataFrame
        One row per zone reaching over the line, :data:`ALERT_COLUMNS` and the overlap
        (EPSG:4326), deepest first. ``depth_km`` is measured from the zone's edge.
    """
    empty = no_alerts()
    if zones.empty:
        return empty
    live = zones[in_force(zones, as_of).to_numpy()]
    if live.empty:
        return empty
    territory = district.prepared_outline_m
    zones_m = live.to_crs(district.metric_crs).geometry.to_numpy()
    units_m = district.units.to_crs(district.metric_crs)
    rows, overlaps = [], []
    for zone, zone_m in zip(live.itertuples(index=False), zones_m, strict=True):
        reach_m = zone_reach_m(str(zone.kind), str(zone.rule))
        reach = shapely.buffer(zone_m, reach_m, quad_segs=16) if reach_m else zone_m
        if not shapely.intersects(territory, reach):
            continue
        overlap = shapely.intersection(territory, reach)
        depth_m = _depth_m(overlap, zone_m)
        if overlap.area < _SMALLEST_OVERLAP_M2 or depth_m < _SMALLEST_DEPTH_M:
            continue
        under = _under(units_m, overlap)
        blocks = sorted({str(b) for b in under["block"]}) or sorted(
            set(district.block_at(gpd.GeoSeries([overlap], crs=district.metric_crs)))
        )
        rows.append(
            {
                "district": neighbour,
                "zone": str(zone.name),
                "kind": str(zone.kind),
                "order_number": str(zone.order_number or ""),
                "notified_on": zone.notified_on,
                "reach_m": reach_m,
                "depth_km": round(depth_m / 1000, 2),
                "area_km2": round(overlap.area / 1e6, 2),
                "blocks": "; ".join(blocks),
                "places": places_text(under, most=_MOST_PLACES) if len(under) else "",
            }
        )
        overlaps.append(overlap)
    if not rows:
        return empty
    alerts = gpd.GeoDataFrame(rows, geometry=list(overlaps), crs=district.metric_crs).to_crs(
        STORAGE_CRS
    )
    return alerts.sort_values("depth_km", ascending=False, kind="stable").reset_index(drop=True)


def alert_text(alert: pd.Series, district_name: str) -> str:
    """One alert as the neighbour reads it, e.g. "Zone 'Ward 7' of Banswara, notified on
    12-05-2020: its rule's radius may reach up to 1.2 km into Sagwara block (Dungarpur), 3.4 km²
    to check (order 45/2020)." — an upper bound: the zone's outline widened by its rule's
    radius, for the zone keeps its cases' places to itself."""
    blocks = [b for b in str(alert["blocks"]).split("; ") if b]
    where = n_(
        "{blocks} block",
        "{blocks} blocks",
        len(blocks),
        blocks=", ".join(blocks) or district_name,
    )
    order = str(alert["order_number"] or "")
    text = _(
        "Zone {zone} of {neighbour}, notified on {day}: its rule's radius may reach up to {km} "
        "km into {where} ({district}), {area} km² to check",
        zone=repr(str(alert["zone"])),
        neighbour=alert["district"],
        km=number(float(alert["depth_km"]), 1),
        where=where,
        district=district_name,
        area=number(float(alert["area_km2"]), 1),
        day=date_text(alert["notified_on"]),
    )
    if order:
        text += _(" (order {order})", order=order)
    if alert["places"]:
        text += _(": {places}", places=alert["places"])
    return text + "."
