"""House-to-house survey sectors: each containment zone split into one team's day of work.

MoHFW's micro-plan sends one team to about 50 houses (30 in difficult areas). A zone's places
— its habitations and the town cells it holds — are grouped into sectors of about that many
households, each contiguous (grown across neighbouring places) and compact (always taking the
neighbour nearest the sector's middle). Every place is in exactly one sector; a place with more
households than one team can visit is a sector of its own that needs several teams.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District

__all__ = ["HOUSEHOLDS_PER_TEAM", "SECTOR_COLUMNS", "survey_sectors", "teams_by_block"]

HOUSEHOLDS_PER_TEAM = 50
DIFFICULT_HOUSEHOLDS_PER_TEAM = 30
SECTOR_COLUMNS = (
    "sector_id",
    "zone_id",
    "zone_name",
    "block",
    "habitations",
    "habitation_count",
    "population",
    "households",
    "households_per_team",
    "teams_needed",
)


def _neighbours(xy: np.ndarray) -> list[set[int]]:
    """Which habitations are neighbours: the edges of their Delaunay triangulation."""
    n = len(xy)
    adjacent: list[set[int]] = [set() for _ in range(n)]
    if n <= 3:
        for i in range(n):
            adjacent[i] = set(range(n)) - {i}
        return adjacent
    index = {tuple(p): i for i, p in enumerate(map(tuple, xy))}
    edges = shapely.delaunay_triangles(shapely.multipoints(xy), only_edges=True)
    for edge in shapely.get_parts(edges):
        a, b = (index[tuple(p)] for p in shapely.get_coordinates(edge))
        adjacent[a].add(b)
        adjacent[b].add(a)
    return adjacent


def _grow(xy: np.ndarray, households: np.ndarray, target: float) -> list[list[int]]:
    """Group points into contiguous, compact groups of about ``target`` households."""
    adjacent = _neighbours(xy)
    unassigned = set(range(len(xy)))
    centre = xy.mean(axis=0)
    groups: list[list[int]] = []
    while unassigned:
        # Start at the edge: the remaining habitation farthest from the zone's middle.
        pool = np.array(sorted(unassigned))
        seed = int(pool[np.argmax(np.hypot(*(xy[pool] - centre).T))])
        group, total = [seed], households[seed]
        unassigned.discard(seed)
        while total < target:
            frontier = {j for i in group for j in adjacent[i]} & unassigned
            if not frontier:
                break
            middle = xy[group].mean(axis=0)
            candidates = np.array(sorted(frontier))
            nearest = int(candidates[np.argmin(np.hypot(*(xy[candidates] - middle).T))])
            if total + households[nearest] > 1.5 * target and total >= 0.5 * target:
                break
            group.append(nearest)
            total += households[nearest]
            unassigned.discard(nearest)
        groups.append(group)
    return _merge_small(groups, households, adjacent, target)


def _merge_small(
    groups: list[list[int]], households: np.ndarray, adjacent: list[set[int]], target: float
) -> list[list[int]]:
    """Fold groups under half a team's load into their smallest neighbouring group."""
    changed = True
    while changed and len(groups) > 1:
        changed = False
        sizes = [households[g].sum() for g in groups]
        for small in np.argsort(sizes):
            if sizes[small] >= 0.5 * target:
                break
            touching = {j for i in groups[small] for j in adjacent[i]}
            neighbours = [k for k, g in enumerate(groups) if k != small and touching & set(g)]
            if not neighbours:
                continue
            into = min(neighbours, key=lambda k: sizes[k])
            if sizes[into] + sizes[small] > 1.5 * target:
                continue
            groups[into] = groups[into] + groups[small]
            del groups[small]
            changed = True
            break
    return groups


def survey_sectors(
    zones: gpd.GeoDataFrame,
    district: District,
    *,
    households_per_team: int = HOUSEHOLDS_PER_TEAM,
    team_size_by_zone: Mapping[str, int] | None = None,
) -> gpd.GeoDataFrame:
    """Survey sectors for each zone, from the habitations inside it.

    Parameters
    ----------
    zones
        Zones (any CRS) with ``zone_id`` and, if present, ``name``.
    households_per_team
        Households one team surveys (50 by the MoHFW micro-plan).
    team_size_by_zone
        Zone id -> households per team for difficult areas (30 by the micro-plan).

    Returns
    -------
    GeoDataFrame
        :data:`SECTOR_COLUMNS`, one row per sector, polygons (the habitations' Voronoi cells
        within the zone) in EPSG:4326. A zone with no habitation inside has no sector.
    """
    team_size_by_zone = dict(team_size_by_zone or {})
    places = _survey_places(district)
    hab_xy = shapely.get_coordinates(places.geometry.to_numpy())
    hab_names = places["name"].astype(str).to_numpy()
    hab_blocks = places["block"].astype(str).to_numpy()
    hab_population = places["population"].to_numpy(dtype=float)
    hab_households = places["households"].to_numpy(dtype=float)
    tree = shapely.STRtree(places.geometry.to_numpy())
    zones_m = zones.to_crs(district.metric_crs)
    records, geometries = [], []
    for zone in zones_m.itertuples():
        target = team_size_by_zone.get(zone.zone_id, households_per_team)
        inside = np.sort(tree.query(zone.geometry, predicate="contains"))
        if len(inside) == 0:
            continue
        # Habitations at one point are one place for the survey.
        xy, place_of = np.unique(hab_xy[inside], axis=0, return_inverse=True)
        place_of = place_of.reshape(-1)
        population = np.bincount(place_of, weights=hab_population[inside])
        households = np.bincount(place_of, weights=hab_households[inside])
        groups = _grow(xy, households, target)
        cells = _cells(xy, zone.geometry)
        for number, group in enumerate(
            sorted(groups, key=lambda g: (-xy[g][:, 1].max(), xy[g][:, 0].min())), 1
        ):
            members = inside[np.isin(place_of, group)]
            blocks = pd.Series(hab_blocks[members]).value_counts()
            records.append(
                {
                    "sector_id": f"{zone.zone_id}-S{number:02d}",
                    "zone_id": zone.zone_id,
                    "zone_name": getattr(zone, "name", zone.zone_id),
                    "block": str(blocks.index[0]),
                    "habitations": "; ".join(sorted(hab_names[members])),
                    "habitation_count": len(members),
                    "population": round(population[group].sum()),
                    "households": round(households[group].sum()),
                    "households_per_team": target,
                    "teams_needed": max(1, math.ceil(households[group].sum() / target)),
                }
            )
            geometries.append(shapely.union_all(cells[group]))
    return gpd.GeoDataFrame(
        pd.DataFrame(records, columns=list(SECTOR_COLUMNS)),
        geometry=gpd.GeoSeries(geometries, crs=district.metric_crs).to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    )


def _survey_places(district: District) -> gpd.GeoDataFrame:
    """Where the survey goes, in metres: every habitation (households from the district's
    household size) and every town cell (its Census households), as points."""
    villages = district.habitations_m[["name", "block", "population", "geometry"]].copy()
    villages["households"] = villages["population"] / district.household_size
    units = district.unit_index.units_m
    towns = units["kind"].to_numpy() == "town_cell"
    cells = gpd.GeoDataFrame(
        units.loc[towns, ["name", "block", "population", "households"]],
        geometry=district.unit_index.representative_points[towns],
        crs=district.metric_crs,
    )
    return gpd.GeoDataFrame(
        pd.concat([villages, cells], ignore_index=True), crs=district.metric_crs
    )


def _cells(xy: np.ndarray, zone: shapely.Geometry) -> np.ndarray:
    """Each place's Voronoi cell, cut to the zone."""
    if len(xy) == 1:
        return np.array([zone], dtype=object)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=zone, ordered=True)
    )
    return shapely.intersection(cells, zone)


def teams_by_block(sectors: pd.DataFrame) -> pd.DataFrame:
    """Sectors, households and survey teams needed per block."""
    if sectors.empty:
        return pd.DataFrame(columns=["block", "sectors", "households", "teams_needed"])
    return (
        sectors.groupby("block")
        .agg(
            sectors=("sector_id", "count"),
            households=("households", "sum"),
            teams_needed=("teams_needed", "sum"),
        )
        .reset_index()
    )
