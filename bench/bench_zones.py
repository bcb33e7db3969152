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

A second table measures the engine where it is weakest as well as where it shines: four
layouts of centres (metres, district CRS), each at 100 m, 1 km and 3 km, 10k and 100k
centres (1M for the clustered layout only):

* uniform   - uniformly at random inside the district outline;
* clustered - Gaussian clusters around hotspot habitations, as in the first table;
* grid      - a square grid spaced just under 2r (0.999 × 2r): every circle meets its four
              neighbours, one part full of holes, and no circle is covered by the others;
* chain     - walks of 100 centres, each step 1.9r in a slowly turning direction, starting
              uniformly in the district.

There ``union_parts`` runs beside the plain shapely pipeline on the same centres:
``shapely.buffer(points, polygon_radius_m(r), quad_segs=16)`` (the engine's own 64-gons, so
the parts must come out the same), ``union_all``, ``get_parts``, and the part of every
centre. Times are the median of 3 runs up to 10k centres, one run above. "same" checks that
both give the same number of parts, that the centres fall in matching parts, and that the
matched parts have a symmetric difference of (nearly) no area.

Usage: python bench/bench_zones.py [--sizes 1000 10000 100000 1000000] [--radius-m 3000]
       python bench/bench_zones.py --only layouts --layouts grid chain --layout-sizes 10000
       python bench/bench_zones.py --quick   (a few seconds' worth, for development)
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import functools
import gc
import json
import math
import platform
import statistics
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


def _release_freed_memory() -> None:
    """Hand memory freed by earlier runs back to the system (glibc keeps it otherwise)."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_rss_mb() -> float:
    return _status_mb("VmHWM")


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


# ---------------------------------------------------------------------------------------
# Layouts: the engine beside the plain shapely pipeline, sparse and dense.

LAYOUTS = ("uniform", "clustered", "grid", "chain")
LAYOUT_RADII_M = (100.0, 1000.0, 3000.0)
LAYOUT_SIZES = (10_000, 100_000, 1_000_000)
ONLY_CLUSTERED_FROM = 1_000_000
REPEATS_UP_TO = 10_000
GRID_SPACING = 0.999  # × 2r: every circle meets its four neighbours
CHAIN_LENGTH = 100
CHAIN_STEP = 1.9  # × r


def _uniform_in_outline_m(
    district: District, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    west, south, east, north = district.outline_m.bounds
    xs, ys, found = [], [], 0
    while found < n:
        x = rng.uniform(west, east, 2 * n)
        y = rng.uniform(south, north, 2 * n)
        inside = shapely.contains_xy(district.outline_m, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        found += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def layout_points_m(
    layout: str, district: District, n: int, radius_m: float, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` centres in metres (district CRS) laid out as ``layout`` (see the module doc)."""
    rng = np.random.default_rng(seed)
    if layout == "uniform":
        return _uniform_in_outline_m(district, n, rng)
    if layout == "clustered":
        return clustered_points_m(district, n, seed=seed)
    if layout == "grid":
        columns = math.ceil(math.sqrt(n))
        spacing_m = 2 * radius_m * GRID_SPACING
        west, south = district.outline_m.bounds[:2]
        k = np.arange(n)
        return west + (k % columns) * spacing_m, south + (k // columns) * spacing_m
    if layout == "chain":
        chains = math.ceil(n / CHAIN_LENGTH)
        start_x, start_y = _uniform_in_outline_m(district, chains, rng)
        turns = rng.normal(0, 0.5, (chains, CHAIN_LENGTH))
        heading = rng.uniform(0, 2 * np.pi, (chains, 1)) + np.cumsum(turns, axis=1)
        step_m = CHAIN_STEP * radius_m
        x = start_x[:, None] + np.cumsum(step_m * np.cos(heading), axis=1)
        y = start_y[:, None] + np.cumsum(step_m * np.sin(heading), axis=1)
        return x.ravel()[:n], y.ravel()[:n]
    msg = f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}"
    raise ValueError(msg)


def plain_union_parts(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """The plain pipeline: buffer, ``union_all``, ``get_parts``, and each centre's part."""
    points = shapely.points(x_m, y_m)
    circles = shapely.buffer(points, polygon_radius_m(radius_m), quad_segs=CIRCLE_QUAD_SEGS)
    parts = shapely.get_parts(shapely.union_all(circles))
    # Each part prepared once and asked for the centres it holds.
    part, centre = shapely.STRtree(points).query(parts, predicate="intersects")
    part_of = np.full(len(points), -1, dtype=np.int64)
    part_of[centre] = part
    return parts, part_of


def side_by_side(
    runs: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]], repeats: int
) -> dict[str, tuple[float, float, tuple[np.ndarray, np.ndarray]]]:
    """Median wall time, peak memory and last result of each run, taking turns.

    Runs alternate (a, b, a, b, ...) so that a change in the machine's load falls on both.
    Peak memory is the most the resident memory grew above where it stood at the start.
    """
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    peak_mb = dict.fromkeys(runs, 0.0)
    results: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            results.pop(name, None)  # let the previous result go before measuring
            _release_freed_memory()
            _reset_peak_rss()
            before_mb = _status_mb("VmRSS")
            start = time.perf_counter()
            results[name] = run()
            seconds[name].append(time.perf_counter() - start)
            peak_mb[name] = max(peak_mb[name], _peak_rss_mb() - before_mb)
    return {name: (statistics.median(seconds[name]), peak_mb[name], results[name]) for name in runs}


def same_parts(
    ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray]
) -> tuple[bool, float]:
    """Whether both give the same parts, and the area of their symmetric difference (m²).

    Parts are matched through the centres: each of our parts must hold exactly the centres
    of one of theirs. Matched parts that are not equal vertex for vertex are compared by
    the area of their symmetric difference.
    """
    (our_parts, our_of), (their_parts, their_of) = ours, theirs
    if len(our_parts) != len(their_parts) or (their_of < 0).any():
        return False, float("inf")
    pairs = np.unique(np.column_stack([our_of, their_of]), axis=0)
    if len(pairs) != len(our_parts) or len(np.unique(pairs[:, 1])) != len(pairs):
        return False, float("inf")
    a = shapely.normalize(our_parts[pairs[:, 0]])
    b = shapely.normalize(their_parts[pairs[:, 1]])
    differ = ~shapely.equals_exact(a, b, tolerance=1e-6)
    area_m2 = float(shapely.area(shapely.symmetric_difference(a[differ], b[differ])).sum())
    return area_m2 <= 1e-9 * float(shapely.area(a).sum()), area_m2


def run_layouts(
    district: District,
    layouts: list[str],
    radii_m: list[float],
    sizes: list[int],
    json_path: Path,
) -> None:
    print("# Layouts: union_parts beside buffer -> union_all -> get_parts, same centres")
    columns = ("layout", "radius m", "centres", "engine s", "plain s", "engine is")
    columns += ("engine +MB", "plain +MB", "parts", "same")
    widths = (9, 8, 9, 8, 8, 13, 10, 9, 7, 14)

    def line(*cells: object) -> None:
        print(
            " | ".join(
                f"{c!s:<{w}}" if i == 0 else f"{c!s:>{w}}"
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ),
            flush=True,
        )

    line(*columns)
    print("-" * (sum(widths) + 3 * (len(widths) - 1)))
    results = []
    for layout in layouts:
        for radius_m in radii_m:
            for n in sizes:
                if n >= ONLY_CLUSTERED_FROM and layout != "clustered":
                    continue
                x, y = layout_points_m(layout, district, n, radius_m, seed=n)
                repeats = 3 if n <= REPEATS_UP_TO else 1
                measured = side_by_side(
                    {
                        "engine": functools.partial(union_parts, x, y, radius_m),
                        "plain": functools.partial(plain_union_parts, x, y, radius_m),
                    },
                    repeats,
                )
                engine_s, engine_mb, ours = measured["engine"]
                plain_s, plain_mb, theirs = measured["plain"]
                same, area_m2 = same_parts(ours, theirs)
                ratio = plain_s / engine_s
                verdict = "yes" if same else f"NO ({area_m2:.2g} m²)"
                line(
                    layout,
                    f"{radius_m:g}",
                    n,
                    f"{engine_s:.2f}",
                    f"{plain_s:.2f}",
                    f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x SLOWER",
                    f"{engine_mb:.0f}",
                    f"{plain_mb:.0f}",
                    len(ours[0]),
                    verdict,
                )
                results.append(
                    {
                        "layout": layout,
                        "radius_m": radius_m,
                        "centres": n,
                        "runs": repeats,
                        "engine_seconds": round(engine_s, 3),
                        "plain_seconds": round(plain_s, 3),
                        "plain_over_engine": round(ratio, 2),
                        "engine_peak_growth_mb": round(engine_mb, 1),
                        "plain_peak_growth_mb": round(plain_mb, 1),
                        "parts": len(ours[0]),
                        "same_parts": same,
                        "symmetric_difference_m2": area_m2,
                    }
                )
                del x, y, measured, ours, theirs
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {json_path}")


def run_zones(
    district: District, sizes: list[int], radius_m: float, loop_max: int, json_path: Path
) -> None:
    crs = district.metric_crs
    print(f"# Containment zones, radius {radius_m:g} m, circles of {4 * CIRCLE_QUAD_SEGS} sides")
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
    for n in sizes:
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
            ("engine", functools.partial(engine, cases, crs, radius_m)),
            ("geopandas", functools.partial(geopandas_pipeline, cases, crs, radius_m)),
        ]
        if n <= loop_max:
            methods.append(("loop", functools.partial(per_case_loop, cases, crs, radius_m)))
        methods.append(("full plan", functools.partial(full_plan, cases, district, radius_m)))
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
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {json_path}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["zones", "layouts"], help="run one table only")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="development run: zones up to 10k, layouts at 10k and 100 m / 1 km only",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--radius-m", type=float, default=3000.0)
    parser.add_argument(
        "--loop-max", type=int, default=100_000, help="largest size for the naive loop"
    )
    parser.add_argument("--json", type=Path, default=Path("bench/out/zones.json"))
    parser.add_argument("--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS))
    parser.add_argument("--layout-radii-m", type=float, nargs="+", default=list(LAYOUT_RADII_M))
    parser.add_argument(
        "--layout-sizes",
        type=int,
        nargs="+",
        default=list(LAYOUT_SIZES),
        help=f"sizes from {ONLY_CLUSTERED_FROM:,} up run for the clustered layout only",
    )
    parser.add_argument("--layouts-json", type=Path, default=Path("bench/out/zones_layouts.json"))
    args = parser.parse_args()
    if args.quick:
        args.sizes = [size for size in args.sizes if size <= 10_000]
        args.loop_max = min(args.loop_max, 1_000)
        args.layout_sizes = [10_000]
        args.layout_radii_m = [100.0, 1000.0]

    district = load_district("dungarpur")
    print(
        f"# {platform.machine()}, Python {platform.python_version()}, shapely "
        f"{shapely.__version__} (GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}"
    )
    print()
    if args.only in (None, "zones"):
        run_zones(district, args.sizes, args.radius_m, args.loop_max, args.json)
        print()
    if args.only in (None, "layouts"):
        run_layouts(
            district, args.layouts, args.layout_radii_m, args.layout_sizes, args.layouts_json
        )


if __name__ == "__main__":
    main()
