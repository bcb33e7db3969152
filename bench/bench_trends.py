"""Benchmark: the community-spread signal and the meeting's trends at 10k and 100k cases.

The signal decides, for every case, whether a zone was in force at its place as its report day
began. Two ways, side by side in the same process on the same cases and zone history:

* ``outside_every_zone`` (what the app uses): one spatial query of all the zones' in-force
  periods (each version of each zone, with its days) against the case points, then a
  comparison of dates per (case, period) pair;
* ``outside_every_zone_by_day`` (the baseline, the plain way): for each day a case was reported,
  the union of the zones in force at its start, and that day's cases tested against it.

Both must give the same answer (checked). Also timed: ``in_force_periods`` from the versions,
and the whole of ``trends()`` — curve, growth, zones and people sealed per day, beds, signal —
what the Meeting view computes for one working date.

The zone history is made the way a district's grew in 2020: synthetic clustered cases over 61
days; cases are grouped by 3 km cell, and a cell's first case gets a zone notified two days
later (1 km around the cases so far); each later week with new cases in a cell whose zone is
in force grows that zone by a new version (the outline redrawn around all its cases); a zone is
released 28 days after its last case, and a case after that opens a new zone. At 10k cases
that is 374 zones and 1,517 versions, at 100k 401 zones and 2,446 versions (the number of zones
follows the number of foci, not of cases; versions grow with the weeks a focus stays active).
Peak memory of the signal is Python's (tracemalloc: numpy arrays of the pairs it examines;
GEOS's own allocations are not counted).

The machine has 2 shared cores: times are medians of repeats (5 at 10k, 3 at 100k), and what
matters is the ratio to the baseline measured beside it.

Usage: python -m bench.bench_trends [--sizes 10000 100000] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment import load_district
from containment.engine.district import District
from containment.engine.history import in_force_periods
from containment.engine.timeline import report_days
from containment.field.spread import outside_every_zone, outside_every_zone_by_day
from containment.field.trends import trends
from containment.io.synthetic import synthetic_cases

AS_OF = dt.date(2020, 5, 31)
CELL_M = 3000.0
RADIUS_M = 1000.0
NOTIFY_AFTER_DAYS = 2
RELEASE_AFTER_DAYS = 28


def _timed(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def zone_history(cases: gpd.GeoDataFrame, district: District) -> gpd.GeoDataFrame:
    """Saved versions of zones grown from the cases as described in the module."""
    points = cases.to_crs(district.metric_crs).geometry
    x, y = points.x.to_numpy(), points.y.to_numpy()
    days = report_days(cases)
    cell = np.floor(x / CELL_M).astype(np.int64) * 1_000_003 + np.floor(y / CELL_M).astype(np.int64)
    order = np.lexsort((days, cell))
    rows: list[dict[str, object]] = []
    zone_number = 0

    def outline(idx: np.ndarray) -> shapely.Geometry:
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x[idx], y[idx]])))
        return shapely.buffer(hull, RADIUS_M, quad_segs=8)

    def save(zone: str, version: int, status: str, saved: np.datetime64, notified, released, g):
        rows.append(
            {
                "zone_id": zone,
                "version": version,
                "kind": "containment",
                "status": status,
                "notified_on": notified,
                "released_on": released,
                "saved_at": pd.Timestamp(saved, tz="UTC"),
                "deleted": False,
                "geometry": g,
            }
        )

    for members in np.split(order, np.flatnonzero(np.diff(cell[order])) + 1):
        member_days = days[members]
        start = 0
        while start < len(members):
            # a zone lives until 28 days after its last case without a new one
            end = start + 1
            while (
                end < len(members)
                and (member_days[end] - member_days[end - 1]).astype(int) <= RELEASE_AFTER_DAYS
            ):
                end += 1
            zone_number += 1
            zone = f"Z{zone_number}"
            first = member_days[start]
            notified = first + np.timedelta64(NOTIFY_AFTER_DAYS, "D")
            notified_date = pd.Timestamp(notified).date()
            known = members[start:end][member_days[start:end] <= notified]
            version = 1
            save(zone, version, "notified", notified, notified_date, None, outline(known))
            week = notified + np.timedelta64(7, "D")
            last = member_days[end - 1]
            while week <= last:
                grown = members[start:end][member_days[start:end] <= week]
                if len(grown) > len(known):
                    version += 1
                    save(zone, version, "notified", week, notified_date, None, outline(grown))
                    known = grown
                week += np.timedelta64(7, "D")
            released = last + np.timedelta64(RELEASE_AFTER_DAYS, "D")
            if released <= np.datetime64(AS_OF, "D"):
                version += 1
                g = outline(known)
                save(zone, version, "released", released, notified_date,
                     pd.Timestamp(released).date(), g)  # fmt: skip
            start = end
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=district.metric_crs)
    return frame.to_crs(4326)


def signal_beside_baseline(district: District, sizes: list[int]) -> list[dict[str, object]]:
    rows = []
    for n in sizes:
        cases = synthetic_cases(district, n, seed=n, hotspots=40)
        versions = zone_history(cases, district)
        repeats = 5 if n <= 10_000 else 3
        periods_s = _timed(lambda v=versions: in_force_periods(v), repeats)
        periods = in_force_periods(versions)
        fast = outside_every_zone(cases, periods)
        plain = outside_every_zone_by_day(cases, periods)
        if not np.array_equal(fast, plain):
            msg = f"{n} cases: the two ways disagree on {int((fast != plain).sum())} cases"
            raise AssertionError(msg)
        fast_s = _timed(lambda c=cases, p=periods: outside_every_zone(c, p), repeats)
        tracemalloc.start()
        outside_every_zone(cases, periods)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        plain_s = _timed(lambda c=cases, p=periods: outside_every_zone_by_day(c, p), repeats)
        occupancy = pd.DataFrame(
            {
                "centre_id": ["C1", "C2"],
                "on_day": [dt.date(2020, 4, 1), dt.date(2020, 4, 15)],
                "capacity": [100, 50],
                "occupied": [10, 5],
                "saved_at": pd.to_datetime(["2020-04-01", "2020-04-15"], utc=True),
            }
        )
        trends_s = _timed(
            lambda c=cases, p=periods, o=occupancy: trends(c, p, o, district, as_of=AS_OF),
            repeats,
        )
        row = {
            "cases": n,
            "zones": int(versions["zone_id"].nunique()),
            "versions": len(versions),
            "periods": len(periods),
            "days": len(np.unique(report_days(cases))),
            "outside_share": round(float(fast.mean()), 3),
            "in_force_periods_s": round(periods_s, 4),
            "signal_s": round(fast_s, 4),
            "signal_peak_mb": round(peak_mb, 1),
            "baseline_by_day_s": round(plain_s, 4),
            "speedup": round(plain_s / fast_s, 1),
            "trends_s": round(trends_s, 3),
            "repeats": repeats,
        }
        print(
            f"{n:>7,} cases, {row['zones']:>4} zones ({row['versions']} versions): "
            f"signal {fast_s:7.3f} s ({peak_mb:.0f} MB)  by day {plain_s:7.3f} s  "
            f"({row['speedup']}x)  "
            f"periods {periods_s:6.3f} s  whole trends {trends_s:6.2f} s  "
            f"[{row['outside_share']:.0%} outside]"
        )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="10k only")
    parser.add_argument("--json", type=Path, default=Path("bench/out/trends.json"))
    args = parser.parse_args()
    district = load_district("dungarpur")
    sizes = [10_000] if args.quick else args.sizes
    print("The community-spread signal: one spatial query beside a union per day (medians)")
    result = {"signal": signal_beside_baseline(district, sizes)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
