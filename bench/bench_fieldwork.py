"""Benchmark: checkpoints for a 10k-case day against 100k roads; sectors for 500 habitations.

* checkpoints: containment zones (rajasthan-1km) of 10,000 synthetic clustered cases, against
  100,000 synthetic road segments (200-800 m, any direction) across the district. The engine
  (``propose_checkpoints``: one spatial index, vectorised intersections, merging) beside the
  straightforward loop: for each zone, test every road against its perimeter and intersect
  (no merging); both must find the same crossings.
* sectors: one zone holding 500 synthetic habitations, split into sectors of 50 households.

Usage: python -m bench.bench_fieldwork
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import geopandas as gpd
import numpy as np
import shapely

import containment as cp
from containment.field.checkpoints import _crossings, propose_checkpoints
from containment.field.sectors import survey_sectors
from containment.io.roads import standard_roads
from containment.io.synthetic import synthetic_cases


def _roads(district: cp.District, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    west, south, east, north = district.outline_m.bounds
    x = rng.uniform(west, east, n)
    y = rng.uniform(south, north, n)
    angle = rng.uniform(0, np.pi, n)
    length = rng.uniform(200, 800, n)
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    lines = shapely.linestrings(
        np.stack([np.column_stack([x - dx, y - dy]), np.column_stack([x + dx, y + dy])], 1)
    )
    frame = gpd.GeoDataFrame(
        {"name": [f"R{i}" for i in range(n)]}, geometry=lines, crs=district.metric_crs
    )
    return standard_roads(frame)


def _loop_crossings(zones: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, district: cp.District) -> int:
    roads_m = roads.to_crs(district.metric_crs).geometry.to_numpy()
    found = 0
    for zone in zones.to_crs(district.metric_crs).geometry:
        perimeter = zone.boundary
        hits = roads_m[shapely.intersects(perimeter, roads_m)]
        for road in hits:
            found += len(shapely.get_parts(perimeter.intersection(road)))
    return found


def main() -> None:
    district = cp.load_district("dungarpur")
    cases = synthetic_cases(district, 10_000, seed=10_000, hotspots=40)
    as_of = cases["reported_on"].max().date()
    rule = cp.get_rule("rajasthan-1km")
    zones = cp.plan_zones(cases, rule, as_of=as_of, district=district).zones
    containment = zones[zones["kind"] == "containment"]
    roads = _roads(district, 100_000)
    print(f"# {len(containment)} containment zones of 10,000 cases, {len(roads):,} road segments")

    start = time.perf_counter()
    checkpoints = propose_checkpoints(containment, roads, district)
    engine_s = time.perf_counter() - start
    zones_m = containment.to_crs(district.metric_crs).geometry.to_numpy()
    crossings = len(_crossings(zones_m, roads.to_crs(district.metric_crs).geometry.to_numpy())[2])
    start = time.perf_counter()
    loop_crossings = _loop_crossings(containment, roads, district)
    loop_s = time.perf_counter() - start
    print(
        f"checkpoints  engine {engine_s:6.2f} s: {crossings} crossings, "
        f"{len(checkpoints)} checkpoints"
    )
    print(
        f"             loop   {loop_s:6.2f} s: {loop_crossings} crossings "
        f"(engine is {loop_s / engine_s:.1f}x faster)"
    )
    assert crossings == loop_crossings, "the engine and the loop must find the same crossings"

    rng = np.random.default_rng(500)
    centre = district.outline_m.centroid
    radius = 8000 * np.sqrt(rng.uniform(0, 1, 500))
    angle = rng.uniform(0, 2 * np.pi, 500)
    points = shapely.points(centre.x + radius * np.cos(angle), centre.y + radius * np.sin(angle))
    habitations = gpd.GeoDataFrame(
        {
            "name": [f"H{i}" for i in range(500)],
            "population": np.round(rng.lognormal(5.5, 0.8, 500)),
            "block": "Synthetic",
        },
        geometry=points,
        crs=district.metric_crs,
    ).to_crs(4326)
    synthetic = dataclasses.replace(district, habitations=habitations)
    zone = gpd.GeoDataFrame(
        {"zone_id": ["CZ-500"]}, geometry=[centre.buffer(8200)], crs=district.metric_crs
    )
    start = time.perf_counter()
    sectors = survey_sectors(zone, synthetic)
    sectors_s = time.perf_counter() - start
    print(
        f"sectors      {sectors_s:6.2f} s: 500 habitations, "
        f"{int(sectors['households'].sum()):,} households -> {len(sectors)} sectors, "
        f"{int(sectors['teams_needed'].sum())} teams "
        f"(median {sectors['households'].median():.0f} households per sector)"
    )
    print(f"# as of {as_of}, {dt.date.today()}")


if __name__ == "__main__":
    main()
