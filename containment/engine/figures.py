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
from containment.engine.units import cell_number, cells_text
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


def _unit_pairs(geometry: np.ndarray, district: District) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(zone, unit)`` of the units each zone holds, sorted by zone (stable)."""
    zone_idx, unit_idx = district.unit_index.units_in(geometry)
    order = np.argsort(zone_idx, kind="stable")
    return zone_idx[order], unit_idx[order]


def _units_per_zone(geometry: np.ndarray, district: District) -> list[np.ndarray]:
    zone_idx, unit_idx = _unit_pairs(geometry, district)
    starts = np.searchsorted(zone_idx, np.arange(len(geometry) + 1))
    return [unit_idx[starts[z] : starts[z + 1]] for z in range(len(geometry))]


def _places_texts(
    zone_idx: np.ndarray, unit_idx: np.ndarray, n: int, district: District
) -> list[str]:
    """:func:`containment.engine.units.places_text` of every zone's units, on plain arrays:
    the same words, without a table per zone (thousands of zones in a city)."""
    units = district.unit_index.units_m
    kind = units["kind"].astype(str).to_numpy()
    name = units["name"].astype(str).to_numpy()
    town = units["town"].astype(str).to_numpy()
    population = units["population"].to_numpy(dtype=float)
    cell = kind == "town_cell"
    cells_in_town = pd.Series(town[cell]).value_counts().to_dict()
    texts: list[str] = []
    starts = np.searchsorted(zone_idx, np.arange(n + 1)).tolist()
    for z in range(n):
        names: list[tuple[float, str]] = []
        towns: dict[str, list[tuple[float, int | None]]] = {}
        for u in unit_idx[starts[z] : starts[z + 1]].tolist():
            if cell[u]:
                towns.setdefault(town[u], []).append((population[u], cell_number(name[u])))
            else:
                names.append((population[u], name[u]))
        for town_name in sorted(towns):
            people = [p for p, _n in towns[town_name]]
            numbers = [n for _p, n in towns[town_name] if n is not None]
            whole = len(people) >= cells_in_town[town_name]
            label = cells_text(town_name, numbers, whole=whole)
            names.append((float(np.sum(people)), label))
        ordered = [text for _, text in sorted(names, key=lambda item: (-item[0], item[1]))]
        texts.append(", ".join(dict.fromkeys(ordered)))
    return texts


def _blocks_texts(
    geometry: np.ndarray, zone_idx: np.ndarray, unit_idx: np.ndarray, district: District
) -> list[str]:
    """The blocks of each zone's units; for a zone holding no unit, the blocks it touches."""
    unit_block = district.unit_index.units_m["block"].astype(str).to_numpy()
    names: list[set[str]] = [set() for _ in range(len(geometry))]
    for z, block in zip(zone_idx.tolist(), unit_block[unit_idx].tolist(), strict=True):
        names[z].add(block)
    empty = np.array([not found for found in names], dtype=bool)
    if empty.any():
        blocks = district.blocks_m
        block_names = blocks["name"].astype(str).to_numpy()
        tree = shapely.STRtree(blocks.geometry.to_numpy())
        hit, block = tree.query(geometry[empty], predicate="intersects")
        for z, b in zip(np.flatnonzero(empty)[hit].tolist(), block.tolist(), strict=True):
            names[z].add(block_names[b])
    return ["; ".join(sorted(found)) for found in names]


def zone_figures(zones_m: gpd.GeoDataFrame, district: District) -> gpd.GeoDataFrame:
    """Add figures to zones in the district's metric CRS; returns a new frame.

    Columns added: :data:`FIGURE_COLUMNS`. A unit counts in a zone when the zone holds its
    representative point (a zone made of units holds exactly them). Each zone's figures depend
    on that zone alone, so zones computed apart (a partition at a time) get the same figures.
    """
    if zones_m.crs != district.metric_crs:
        msg = f"zones must be in the district's metric CRS {district.metric_crs}, not {zones_m.crs}"
        raise ValueError(msg)
    zones = zones_m.copy()
    geometry = zones.geometry.to_numpy()
    n = len(zones)
    zones["area_km2"] = np.round(shapely.area(geometry) / 1e6, 4)

    units = district.unit_index.units_m
    zone_idx, unit_idx = _unit_pairs(geometry, district) if n else (np.zeros(0, int),) * 2
    for column, source in (("population_est", "population"), ("households_est", "households")):
        values = units[source].to_numpy(dtype=float)[unit_idx]
        zones[column] = np.round(np.bincount(zone_idx, weights=values, minlength=n)).astype(
            np.int64
        )
    zones["unit_count"] = np.bincount(zone_idx, minlength=n).astype(np.int64)
    zones["places"] = _places_texts(zone_idx, unit_idx, n, district)
    zones["blocks"] = _blocks_texts(geometry, zone_idx, unit_idx, district)

    facilities = district.health_facilities_m
    facility_names = facilities["name"].astype(str).to_numpy()
    inside: list[list[str]] = [[] for _ in range(n)]
    nearest_name = np.full(n, "", dtype=object)
    nearest_m = np.full(n, np.nan)
    if n and len(facilities):
        points = facilities.geometry.to_numpy()
        tree = shapely.STRtree(points)
        zone_at, fac_idx = tree.query(geometry, predicate="contains")
        for z, f in zip(zone_at.tolist(), fac_idx.tolist(), strict=True):
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
