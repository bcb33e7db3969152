"""What a zone holds: area, people and households, blocks, places, and health facilities.

Pure functions on zones in the district's metric CRS. People and households come from the
ground units a zone holds (village units and town cells, :mod:`containment.engine.units`), so a
zone over a town counts the town's Census population; blocks and places are those units' too.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.district import District
from containment.engine.units import places_text
from containment.i18n import _

__all__ = ["FIGURE_COLUMNS", "place_names", "zone_figures"]

FIGURE_COLUMNS = (
    "area_km2",
    "population_est",
    "households_est",
    "blocks",
    "places",
    "unit_count",
    "facilities_inside",
    "facility_count",
    "nearest_facility",
    "nearest_facility_m",
)


def _units_per_zone(geometry: np.ndarray, district: District) -> list[np.ndarray]:
    zone_idx, unit_idx = district.unit_index.units_in(geometry)
    order = np.argsort(zone_idx, kind="stable")
    starts = np.searchsorted(zone_idx[order], np.arange(len(geometry) + 1))
    return [unit_idx[order][starts[z] : starts[z + 1]] for z in range(len(geometry))]


def zone_figures(zones_m: gpd.GeoDataFrame, district: District) -> gpd.GeoDataFrame:
    """Add figures to zones in the district's metric CRS; returns a new frame.

    Columns added: :data:`FIGURE_COLUMNS`. A unit counts in a zone when the zone holds its
    representative point (a zone made of units holds exactly them).
    """
    if zones_m.crs != district.metric_crs:
        msg = f"zones must be in the district's metric CRS {district.metric_crs}, not {zones_m.crs}"
        raise ValueError(msg)
    zones = zones_m.copy()
    geometry = zones.geometry.to_numpy()
    n = len(zones)
    zones["area_km2"] = np.round(shapely.area(geometry) / 1e6, 4)

    units = district.unit_index.units_m
    in_zone = _units_per_zone(geometry, district) if n else []
    population = units["population"].to_numpy()
    households = units["households"].to_numpy()
    zones["population_est"] = np.array(
        [round(population[u].sum()) for u in in_zone], dtype=np.int64
    )
    zones["households_est"] = np.array(
        [round(households[u].sum()) for u in in_zone], dtype=np.int64
    )
    zones["unit_count"] = np.array([len(u) for u in in_zone], dtype=np.int64)
    cells = units.groupby("town")["town"].transform("size")
    table = units.assign(cells_in_town=cells)
    zones["places"] = [places_text(table.iloc[u]) for u in in_zone]
    zones["blocks"] = [
        _blocks(g, units.iloc[u], district) for g, u in zip(geometry, in_zone, strict=True)
    ]

    facilities = district.health_facilities_m
    facility_names = facilities["name"].astype(str).to_numpy()
    inside: list[list[str]] = [[] for _ in range(n)]
    nearest_name = np.full(n, "", dtype=object)
    nearest_m = np.full(n, np.nan)
    if n and len(facilities):
        points = facilities.geometry.to_numpy()
        tree = shapely.STRtree(points)
        zone_idx, fac_idx = tree.query(geometry, predicate="contains")
        for z, f in zip(zone_idx, fac_idx, strict=True):
            inside[z].append(facility_names[f])
        (zone_near, fac_near), distance = tree.query_nearest(
            geometry, return_distance=True, all_matches=False
        )
        nearest_name[zone_near] = facility_names[fac_near]
        nearest_m[zone_near] = np.round(distance, 1)
    zones["facilities_inside"] = ["; ".join(sorted(f)) for f in inside]
    zones["facility_count"] = [len(f) for f in inside]
    zones["nearest_facility"] = nearest_name
    zones["nearest_facility_m"] = nearest_m
    return zones


def _blocks(geometry: shapely.Geometry, units: pd.DataFrame, district: District) -> str:
    """The blocks of a zone's units (or, for an outline holding no unit, those it touches)."""
    names = set(units["block"].astype(str))
    if not names:
        blocks = district.blocks_m
        names = {str(b) for b in blocks[blocks.intersects(geometry)]["name"]}
    return "; ".join(sorted(names))


def place_names(zones_m: gpd.GeoDataFrame, district: District) -> list[str]:
    """A name for each zone: its most populous unit (a town cell names its town), or the
    unit nearest to it."""
    units = district.unit_index.units_m
    in_zone = _units_per_zone(zones_m.geometry.to_numpy(), district)
    result = []
    for geometry, chosen in zip(zones_m.geometry, in_zone, strict=True):
        if len(chosen) == 0:
            chosen = district.unit_index.snap(geometry)
        best = units.iloc[chosen].sort_values("population", ascending=False).iloc[0]
        town = best["kind"] == "town_cell"
        result.append(_("{town} town", town=best["town"]) if town else str(best["name"]))
    return result
