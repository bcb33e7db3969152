"""Benchmark: zones for a country's cases in one process, and on a 2-worker Dask cluster.

The national-scale synthetic set of :mod:`bench.national` (all of Rajasthan as one map, its 33
districts as the partitions, SYNTHETIC cases around a quarter of its 44,912 habitations), 1M
and 10M cases, rule karnataka-200m (micro-containment, what India used at its 2020 peak) and
zones made of units (what the command line writes):

* one process — ``plan_zones``, as ``containment zones`` runs without options;
* cluster     — ``plan_zones_partitioned`` on a local Dask cluster of 2 worker processes
  (one thread each) on this 2-core machine, as ``containment zones … --workers 2`` runs.

Each run is a fresh process (``python -m bench.bench_cluster run …``): wall time of the zone
computation (the cluster's start-up apart), peak resident memory of that process
(``getrusage``) and, for the cluster, of each worker (asked of the workers with
``client.run``). The zones of both must be identical (same ids, outlines, figures: a digest).
Median of 3 runs at 1M; 10M once each (about half an hour a run on this machine).

From the cluster run's own measurements — the seconds of every partition's job, the serial work
of the driver (counting, owning, halos, gathering), the cases each job was given — the bench
projects the wall time on 8 and 32 machines like this one (2 workers each) and says where it
stops scaling. The machine has 2 cores shared with other work: times are noisy.

Usage: python -m bench.bench_cluster [--sizes 1000000 10000000] [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import heapq
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
RULE = "karnataka-200m"
KEY = b"bench-cluster-key-32-bytes-long!"
MACHINES = (1, 8, 32)
WORKERS_PER_MACHINE = 2
SCHEDULER_S_PER_TASK = 0.005  # Dask's documented order of magnitude: about 1 ms a task


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(zones: Any, case_zone: Any) -> str:
    h = hashlib.sha256()
    h.update(zones.drop(columns="geometry").to_csv(index=False).encode())
    for wkb in zones.geometry.to_wkb():
        h.update(wkb)
    h.update(case_zone.astype(str).to_numpy().astype("U").tobytes())
    return h.hexdigest()[:16]


def run_once(mode: str, n: int, workers: int) -> dict[str, Any]:
    """One measured run in this (fresh) process."""
    from bench.national import AS_OF, national_cases, national_map
    from containment import get_rule, plan_zones
    from containment.engine.partition import plan_zones_partitioned

    national = national_map()
    district = national.district
    district.unit_index.reach_bounds  # noqa: B018 - load the map before measuring
    cases = national_cases(district, n)
    rule = get_rule(RULE)
    as_of: dt.date = AS_OF.date()
    before_mb = _peak_rss_mb()
    row: dict[str, Any] = {"mode": mode, "cases": n, "rule": RULE}
    if mode == "single":
        started = time.perf_counter()
        plan = plan_zones(cases, rule, as_of=as_of, district=district, id_key=KEY)
        row["seconds"] = time.perf_counter() - started
    else:
        from containment.cluster import dask_runner

        started = time.perf_counter()
        with dask_runner(workers=workers) as runner:
            row["start_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            run = plan_zones_partitioned(
                cases,
                rule,
                as_of=as_of,
                district=district,
                partitions=national.districts,
                id_key=KEY,
                runner=runner,
            )
            row["seconds"] = time.perf_counter() - started
            peaks = runner.client.run(_peak_rss_mb)
        plan = run.plan
        row["worker_peak_mb"] = sorted(round(v) for v in peaks.values())
        row["halo_m"] = round(run.halo_m)
        row["partitions"] = run.partitions
        row["driver_seconds"] = round(run.driver_seconds, 2)
        row["case_unit_seconds"] = [round(s, 2) for s in run.case_unit_seconds]
        row["rounds"] = [
            {
                "stage": r.stage,
                "round": r.round,
                "open_clusters": r.open_clusters,
                "seconds": round(r.seconds, 2),
                "runner_seconds": round(r.runner_seconds, 2),
                "jobs": [
                    {"partitions": list(p), "given": g, "owned": o, "seconds": s}
                    for p, g, o, s in r.jobs
                ],
            }
            for r in run.rounds
        ]
    row["process_peak_mb"] = round(_peak_rss_mb())
    row["input_mb"] = round(before_mb)
    row["zones"] = len(plan.zones)
    row["counted"] = plan.counted
    row["digest"] = _digest(plan.zones, plan.case_zone)
    return row


def _measured(mode: str, n: int, workers: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_cluster", "run", mode, str(n), str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"mode": mode, "cases": n, "failed": done.stderr[-2000:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _makespan(costs: list[float], workers: int) -> float:
    """Longest-processing-time-first schedule of the jobs on ``workers``: its length."""
    loads = [0.0] * workers
    heapq.heapify(loads)
    for cost in sorted(costs, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + cost)
    return max(loads)


def projection(row: dict[str, Any]) -> dict[str, Any]:
    """Wall time on more machines from one cluster run's own measurements.

    Each round's jobs are scheduled longest first on the workers (their measured seconds). What
    the run spent around the jobs stays as measured: the driver's serial work (counting and
    owning the cases, cutting the jobs, putting the zones together), each round's overhead
    beyond its jobs on the measured workers (sending the jobs and gathering the zones), and the
    unit look-up with the district sent to every worker (conservatively not divided). Moving
    the cases between machines is not in a local run: it is added at 1 Gbit/s for the bytes of
    the cases the jobs are given (about 60 bytes a case).
    """
    rounds = row["rounds"]
    measured_workers = len(row["worker_peak_mb"])
    given = sum(job["given"] for r in rounds for job in r["jobs"])
    overhead = sum(
        max(0.0, r.get("runner_seconds", r["seconds"]) - _makespan(
            [j["seconds"] for j in r["jobs"]], measured_workers
        ))
        for r in rounds
    )  # fmt: skip
    unit_phase = sum(row["case_unit_seconds"])
    owned = sum(j["owned"] for r in rounds if r["round"] == 1 for j in r["jobs"])
    first = [j for r in rounds if r["round"] == 1 for j in r["jobs"]]
    result: dict[str, Any] = {
        "halo_duplication": round(sum(j["given"] for j in first) / max(1, owned), 2),
        "rounds": len(rounds),
        "largest_job_seconds": max(j["seconds"] for r in rounds for j in r["jobs"]),
        "largest_jobs_per_round_s": round(
            sum(max(j["seconds"] for j in r["jobs"]) for r in rounds), 1
        ),
        "sum_job_seconds": round(sum(j["seconds"] for r in rounds for j in r["jobs"]), 1),
        "driver_seconds": row["driver_seconds"],
        "send_and_gather_seconds": round(overhead, 1),
        "unit_phase_seconds": round(unit_phase, 1),
        "network_seconds_1gbit": round(given * 60 * 8 / 1e9, 1),
    }
    for machines in MACHINES:
        workers = machines * WORKERS_PER_MACHINE
        compute = sum(_makespan([j["seconds"] for j in r["jobs"]], workers) for r in rounds)
        tasks = sum(len(r["jobs"]) for r in rounds)
        network = result["network_seconds_1gbit"] if machines > 1 else 0.0
        result[f"{machines}_machines_s"] = round(
            row["driver_seconds"]
            + compute
            + overhead
            + unit_phase
            + tasks * SCHEDULER_S_PER_TASK
            + network,
            1,
        )
    result["floor_s"] = round(
        row["driver_seconds"]
        + result["largest_jobs_per_round_s"]
        + overhead
        + unit_phase
        + result["network_seconds_1gbit"],
        1,
    )
    return result


def _summarise(results: list[dict[str, Any]]) -> None:
    for summary in results:
        n = summary["cases"]
        for mode in ("single", "cluster"):
            last = summary.get(mode, {})
            if "failed" in last or not last:
                print(f"{n:>10,} | {mode:<7} | FAILED")
                continue
            print(
                f"{n:>10,} | {mode:<7} | {len(last['all']):>4} | {last['median_seconds']:6.1f} | "
                f"{last['process_peak_mb']:>17,} | {last.get('worker_peak_mb', '-')!s:>16} | "
                f"{last['zones']:,}"
            )
        single, cluster = summary.get("single", {}), summary.get("cluster", {})
        if "digest" in single and "digest" in cluster:
            summary["identical"] = single["digest"] == cluster["digest"]
            summary["speedup"] = round(single["median_seconds"] / cluster["median_seconds"], 2)
            print(f"  identical zones: {summary['identical']}; speed-up {summary['speedup']}x")
        if "rounds" in cluster:
            summary["projection"] = p = projection(cluster)
            print(
                f"  projection: 1 machine {p['1_machines_s']} s, 8 machines {p['8_machines_s']} s, "
                f"32 machines {p['32_machines_s']} s; floor {p['floor_s']} s = driver "
                f"{p['driver_seconds']} s + largest job per round {p['largest_jobs_per_round_s']}"
                f" s + sending/gathering {p['send_and_gather_seconds']} s + unit look-up "
                f"{p['unit_phase_seconds']} s + network {p['network_seconds_1gbit']} s; halo "
                f"x{p['halo_duplication']}, {p['rounds']} rounds"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs up to 1M (10M: once)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="100k cases, once")
    parser.add_argument("--json", type=Path, default=OUT / "cluster.json")
    parser.add_argument(
        "--summarise", action="store_true", help="print the summary of --json again, run nothing"
    )
    parser.add_argument("--modes", nargs="+", choices=["single", "cluster"], default=None)
    parser.add_argument(
        "--keep",
        type=Path,
        help="an earlier results file: sizes and modes not run now come from it",
    )
    args = parser.parse_args()
    if args.summarise:
        results = json.loads(args.json.read_text())
        _summarise(results)
        args.json.write_text(json.dumps(results, indent=2, default=str))
        return
    if args.quick:
        args.sizes, args.repeats = [100_000], 1
    from bench.national import national_map

    national_map()  # build the map once, before any measured run
    results = []
    print(f"# {RULE}, zones of units, Rajasthan's 33 districts as partitions")
    print("cases      | mode    | runs | wall s | peak MB (process) | workers' peak MB | zones")
    for n in args.sizes:
        repeats = args.repeats if n <= 1_000_000 else 1
        modes = args.modes or ["single", "cluster"]
        rows: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for _ in range(repeats):
            for mode in rows:  # taking turns, so that a change in load falls on both
                rows[mode].append(_measured(mode, n, args.workers))
        summary: dict[str, Any] = {"cases": n, "runs": repeats}
        if args.keep:
            earlier = {r["cases"]: r for r in json.loads(args.keep.read_text())}
            for mode in {"single", "cluster"} - set(modes):
                if mode in earlier.get(n, {}):
                    summary[mode] = earlier[n][mode]
        for mode, measured in rows.items():
            good = [r for r in measured if "failed" not in r]
            if not good:
                summary[mode] = {"failed": measured[-1]["failed"]}
                continue
            seconds = statistics.median(r["seconds"] for r in good)
            summary[mode] = {**good[-1], "median_seconds": round(seconds, 1), "all": good}
        _summarise([summary])
        results.append(summary)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults written to {args.json}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "run":
        mode, n, workers = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(run_once(mode, n, workers), default=str))
    else:
        main()
