"""Benchmark: zones made of ground units beside the circle zones, and the daily update.

1. ``plan_zones(shape="units")`` beside ``plan_zones(shape="circles")`` — the same synthetic
   clustered cases, the same process, one rule at a time — at 10k and 100k cases (median of 3
   runs at 10k, one at 100k). The goal: units at most 2x the circles' time.
2. The daily update: about 100 saved zones, described as of the day (their cases and figures)
   and compared with the next day's proposals (``compare_with_saved``), median of 5 — what the
   app does when the planner proposes again. Goal: under 1 s.
3. The circle-fitting attack on the released outlines, circles against units, on the same cases:
   how many cases a fitted centre lands within 250 m of.

Usage: python -m bench.bench_units [--sizes 10000 100000] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from containment import get_rule, load_district, plan_zones
from containment.engine.crs import lonlat_to_metric
from containment.engine.lifecycle import describe_zones
from containment.engine.update import compare_with_saved
from containment.engine.zones import counted_cases
from containment.io.export import public_zones
from containment.io.synthetic import synthetic_cases
from tests.attacks import fitted_centres, recovered

AS_OF = dt.date(2020, 5, 31)
RULES = ("rajasthan-1km", "mohfw-2020-rural", "karnataka-200m")


def _timed(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def units_beside_circles(district, sizes: list[int]) -> list[dict[str, object]]:
    rows = []
    for n in sizes:
        cases = synthetic_cases(district, n, seed=n, hotspots=40)
        for rule_name in RULES:
            rule = get_rule(rule_name)
            repeats = 3 if n <= 10_000 else 1
            circles_s = _timed(
                lambda cases=cases, rule=rule: plan_zones(
                    cases, rule, as_of=AS_OF, district=district, shape="circles"
                ),
                repeats,
            )
            units_s = _timed(
                lambda cases=cases, rule=rule: plan_zones(
                    cases, rule, as_of=AS_OF, district=district, shape="units"
                ),
                repeats,
            )
            zones = plan_zones(cases, rule, as_of=AS_OF, district=district)
            row = {
                "cases": n,
                "rule": rule_name,
                "circles_s": round(circles_s, 3),
                "units_s": round(units_s, 3),
                "ratio": round(units_s / circles_s, 2),
                "unit_zones": len(zones.zones),
            }
            print(
                f"{n:>7,} {rule_name:<18} circles {circles_s:7.2f} s  units {units_s:7.2f} s  "
                f"ratio {row['ratio']:4.2f}  ({row['unit_zones']} zones)"
            )
            rows.append(row)
    return rows


def daily_update(district) -> dict[str, object]:
    rule = get_rule("karnataka-200m")
    cases = synthetic_cases(district, 400, seed=7, hotspots=60)
    day_1 = plan_zones(cases, rule, as_of=AS_OF, district=district, id_key=b"k" * 32)
    saved = day_1.zones.assign(
        name=[f"Zone {i}" for i in range(len(day_1.zones))],
        status="proposed",
        origin="rule",
        release_after_days=rule.release_after_days,
        created_on=AS_OF,
        notified_on=None,
        released_on=None,
        order_number="",
        note="",
        version=1,
    )
    described = describe_zones(saved, cases, district, as_of=AS_OF)
    more = synthetic_cases(district, 60, seed=8, hotspots=20)
    more["case_id"] = [f"NEW-{i}" for i in range(len(more))]
    more["reported_on"] = np.datetime64(AS_OF + dt.timedelta(days=1))
    day_2 = plan_zones(
        pd.concat([cases, more], ignore_index=True), rule, as_of=AS_OF + dt.timedelta(days=1),
        district=district,
        id_key=b"k" * 32,
    )  # fmt: skip
    seconds = _timed(
        lambda: compare_with_saved(
            day_2.zones, describe_zones(saved, cases, district, as_of=AS_OF), district
        ),
        5,
    )  # the saved zones described as of the day (their figures), then the comparison
    changes = compare_with_saved(day_2.zones, described, district)
    kinds = {}
    for change in changes:
        kinds[str(change.change)] = kinds.get(str(change.change), 0) + 1
    print(
        f"daily update: {len(described)} saved zones vs {len(day_2.zones)} proposed: "
        f"{seconds:.3f} s {kinds}"
    )
    return {"saved_zones": len(described), "proposed": len(day_2.zones), "seconds": seconds,
            "changes": kinds}  # fmt: skip


def attack(district) -> list[dict[str, object]]:
    cases = synthetic_cases(district, 600, seed=2020)
    rows = []
    for rule_name in ("rajasthan-1km", "mohfw-2020-rural", "karnataka-200m"):
        rule = get_rule(rule_name)
        counted = counted_cases(cases, rule, AS_OF)
        x, y = lonlat_to_metric(
            counted.geometry.x.to_numpy(), counted.geometry.y.to_numpy(), district.metric_crs
        )
        points = np.column_stack([x, y])
        row: dict[str, object] = {"rule": rule_name, "counted": len(counted)}
        for shape in ("circles", "units"):
            plan = plan_zones(cases, rule, as_of=AS_OF, district=district, shape=shape)
            released = public_zones(plan.zones, district, as_drawn=shape == "circles")
            centres = fitted_centres(released.to_crs(district.metric_crs).geometry)
            row[shape] = recovered(points, centres, within_m=250)
        print(
            f"attack {rule_name:<18} {row['counted']} cases counted: circles locate "
            f"{row['circles']}, units {row['units']} (within 250 m)"
        )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="10k only")
    parser.add_argument("--json", type=Path, default=Path("bench/out/units.json"))
    args = parser.parse_args()
    district = load_district("dungarpur")
    result = {
        "units_beside_circles": units_beside_circles(
            district, [10_000] if args.quick else args.sizes
        ),
        "daily_update": daily_update(district),
        "attack": attack(district),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
