"""Benchmark: containment zones for 1k to 1M synthetic clustered cases.

Three ways to the same zones, run in this one process on the same points:

* engine    - ``containment.engine.circles.union_parts`` (projection, exact skipping of covered
              circles, union, and the zone of every case);
* geopandas - the straightforward pipeline: ``to_crs``, ``buffer``, ``union_all``, ``explode``
              (circles with the same polygon radius and resolution as the engine's, so the
              zones must come out identical);
* loop      - a naive loop, one case at a time: ``zone = zone.union(circle)``
              (only on the sizes it can finish within its time budget).

A fourth row, "full plan", runs the whole of ``plan_zones`` (containment and buffer zones,
stable ids, population, blocks and facilities) for scale.

Each row gives wall time, peak resident memory of the process during that run (reset
between runs through /proc/self/clear_refs), the number of zones, and for the baselines the
speed ratio and the largest area difference of matching zones against the engine.

Usage: python bench/bench_zones.py [--sizes 1000 10000 100000 1000000] [--radius-m 3000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from containment import District, custom_rule, load_district, plan_zones
from containment.engine.circles import CIRCLE_QUAD_SEGS, polygon_radius_m, union_parts
from containment.engine.crs import STORAGE_CRS, lonlat_to_metric, metric_to_lonlat
from containment.io.synthetic import clustered_points_m

LOOP_BUDGET_S = 120.0
AS_OF = dt.date(2020, 5, 31)


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(run: Callable[[], np.ndarray | None]) -> tuple[float, float, np.ndarray | None]:
    gc.collect()
    _reset_peak_rss()
    start = time.perf_counter()
    parts = run()
    seconds = time.perf_counter() - start
    return seconds, _peak_rss_mb(), parts


def engine(cases: gpd.GeoDataFrame, crs, radius_m: float) -> np.ndarray:
    x, y = lonlat_to_metric(cases.geometry.x.to_numpy(), cases.geometry.y.to_numpy(), crs)
    parts, _ = union_parts(x, y, radius_m)
    return parts


def geopandas_pipeline(cases: gpd.GeoDataFrame, crs, radius_m: float) -> np.ndarray:
    circles = cases.to_crs(crs).buffer(polygon_radius_m(radius_m), quad_segs=CIRCLE_QUAD_SEGS)
    union = circles.union_all()
    return gpd.GeoSeries([union], crs=crs).explode(index_parts=False).to_numpy()


def per_case_loop(cases: gpd.GeoDataFrame, crs, radius_m: float) -> np.ndarray | None:
    projected = cases.to_crs(crs).geometry
    radius = polygon_radius_m(radius_m)
    start = time.perf_counter()
    zone = shapely.Polygon()
    for point in projected:
        zone = zone.union(point.buffer(radius, quad_segs=CIRCLE_QUAD_SEGS))
        if time.perf_counter() - start > LOOP_BUDGET_S:
            return None
    return shapely.get_parts(zone)


def full_plan(cases: gpd.GeoDataFrame, district: District, radius_m: float) -> np.ndarray:
    """The whole of ``plan_zones``: containment and 5 km buffer zones, ids and figures."""
    rule = custom_rule(containment_radius_m=radius_m, buffer_m=5000, release_after_days=28)
    plan = plan_zones(cases, rule, as_of=AS_OF, district=district)
    zones = plan.zones.to_crs(district.metric_crs)
    return zones[zones["kind"] == "containment"].geometry.to_numpy()


def compare(reference: np.ndarray, other: np.ndarray) -> tuple[bool, float]:
    """Same number of zones, and the largest relative area difference of matched zones."""
    if len(reference) != len(other):
        return False, float("inf")
    a = np.sort(shapely.area(reference))
    b = np.sort(shapely.area(other))
    worst = float(np.max(np.abs(a - b) / a)) if len(a) else 0.0
    return True, worst


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--radius-m", type=float, default=3000.0)
    parser.add_argument(
        "--loop-max", type=int, default=100_000, help="largest size for the naive loop"
    )
    parser.add_argument("--json", type=Path, default=Path("bench/out/zones.json"))
    args = parser.parse_args()

    district = load_district("dungarpur")
    crs = district.metric_crs
    print(
        f"# Containment zones, radius {args.radius_m:g} m, circles of {4 * CIRCLE_QUAD_SEGS} sides"
    )
    print(
        f"# {platform.machine()}, Python {platform.python_version()}, shapely "
        f"{shapely.__version__} (GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}"
    )
    print()
    columns = ("cases", "method", "time s", "peak MB", "zones", "engine is", "max area diff")
    widths = (9, 10, 8, 8, 5, 12, 13)

    def line(*cells: object) -> None:
        print(
            " | ".join(
                f"{c!s:<{w}}" if i == 1 else f"{c!s:>{w}}"
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )

    line(*columns)
    print("-" * (sum(widths) + 3 * (len(widths) - 1)))
    results = []
    for n in args.sizes:
        x, y = clustered_points_m(district, n, seed=n)
        lon, lat = metric_to_lonlat(x, y, crs)
        cases = gpd.GeoDataFrame(
            {
                "case_id": np.char.add("SYN-", np.arange(n).astype(str)),
                "reported_on": np.full(n, np.datetime64(AS_OF, "s")),
            },
            geometry=shapely.points(lon, lat),
            crs=STORAGE_CRS,
        )
        methods: list[tuple[str, Callable[[], np.ndarray | None]]] = [
            ("engine", functools.partial(engine, cases, crs, args.radius_m)),
            ("geopandas", functools.partial(geopandas_pipeline, cases, crs, args.radius_m)),
        ]
        if n <= args.loop_max:
            methods.append(("loop", functools.partial(per_case_loop, cases, crs, args.radius_m)))
        methods.append(("full plan", functools.partial(full_plan, cases, district, args.radius_m)))
        reference_parts = None
        reference_s = 0.0
        for name, run in methods:
            seconds, peak_mb, parts = measure(run)
            row = {
                "cases": n,
                "method": name,
                "seconds": round(seconds, 3),
                "peak_mb": round(peak_mb, 1),
            }
            results.append(row)
            if parts is None:
                row["finished"] = False
                line(n, name, f">{LOOP_BUDGET_S:g}", f"{peak_mb:.0f}", "-", "-", "did not finish")
                continue
            row["zones"] = len(parts)
            if reference_parts is None:
                reference_parts, reference_s = parts, seconds
                line(n, name, f"{seconds:.2f}", f"{peak_mb:.0f}", len(parts), "", "")
                continue
            same, worst = compare(reference_parts, parts)
            row.update(
                {
                    "ratio": round(seconds / reference_s, 2),
                    "same_zones": same,
                    "max_area_diff": worst,
                }
            )
            ratio = f"{seconds / reference_s:.1f}x faster" if name != "full plan" else ""
            diff = f"{worst:.2e}" if same else "ZONES DIFFER"
            line(n, name, f"{seconds:.2f}", f"{peak_mb:.0f}", len(parts), ratio, diff)
        del cases, x, y, lon, lat
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {args.json}")


if __name__ == "__main__":
    main()
