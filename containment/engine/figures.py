"""What a zone holds: area, people and households, blocks, and health facilities.

Pure functions on zones in the district's metric CRS. Population comes from the habitation
points inside a zone; households divide it by the district's household size.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from containment.engine.district import District

__all__ = ["place_names", "zone_figures"]


def zone_figures(zones_m: gpd.GeoDataFrame, district: District) -> gpd.GeoDataFrame:
    """Add figures to zones in the district's metric CRS; returns a new frame.

    Columns added: ``area_km2``, ``population_est``, ``households_est``, ``blocks``,
    ``facilities_inside``, ``facility_count``, ``nearest_facility``, ``nearest_facility_m``.
    """
    if zones_m.crs != district.metric_crs:
        msg = f"zones must be in the district's metric CRS {district.metric_crs}, not {zones_m.crs}"
        raise ValueError(msg)
    zones = zones_m.copy()
    geometry = zones.geometry.to_numpy()
    n = len(zones)
    zones["area_km2"] = np.round(shapely.area(geometry) / 1e6, 4)

    habitations = district.habitations_m
    population = np.zeros(n)
    if n and len(habitations):
        zone_idx, hab_idx = shapely.STRtree(habitations.geometry.to_numpy()).query(
            geometry, predicate="contains"
        )
        np.add.at(population, zone_idx, habitations["population"].to_numpy()[hab_idx])
    zones["population_est"] = population.round().astype(np.int64)
    zones["households_est"] = np.round(population / district.household_size).astype(np.int64)

    blocks = district.blocks_m
    touched: list[list[str]] = [[] for _ in range(n)]
    if n:
        zone_idx, block_idx = shapely.STRtree(blocks.geometry.to_numpy()).query(
            geometry, predicate="intersects"
        )
        names = blocks["name"].astype(str).to_numpy()
        for z, b in zip(zone_idx, block_idx, strict=True):
            touched[z].append(names[b])
    zones["blocks"] = ["; ".join(sorted(set(t))) for t in touched]

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


def place_names(zones_m: gpd.GeoDataFrame, district: District) -> list[str]:
    """A name for each zone from the most populous habitation inside it (or nearest to it)."""
    habitations = district.habitations_m
    names = habitations["name"].astype(str).to_numpy()
    population = habitations["population"].to_numpy()
    tree = shapely.STRtree(habitations.geometry.to_numpy())
    result = []
    for geometry in zones_m.geometry:
        inside = tree.query(geometry, predicate="contains")
        if len(inside):
            result.append(str(names[inside[np.argmax(population[inside])]]))
        else:
            result.append(str(names[tree.query_nearest(geometry)[0]]))
    return result
