"""Benchmark: many users at once through the service layer, PostGIS beside the embedded SQLite.

Each simulated user is a process of its own that logs in through :class:`Service` and works
for ``--seconds`` (60 by default) on loopback:

* 20 planners save zones: 70 % redraw one of their own zones, 20 % add a new one, 10 % rename
  a zone all planners share (a real race: on a conflict they reload and try again);
* 50 readers load the map: what a page load reads from the store (revision, zones, cases,
  centres, checkpoints), uncached.

The store starts with 10,000 synthetic cases and 100 zones. Reported per backend: throughput,
latency percentiles per operation, conflicts, and the final check — every acknowledged save is
in the zone's history with what was saved, each zone is at its last acknowledged version, and
no zone id is duplicated. PostGIS is the test database (``scripts/start-test-postgis.sh``); the
SQLite run is the baseline, side by side, with the same load.

Usage: python -m bench.bench_store [--seconds 60] [--planners 20] [--readers 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import shapely

import containment as cp
from containment.engine.lifecycle import SavedZone
from containment.io.synthetic import synthetic_cases
from containment.service import Service
from containment.store import ConflictError, SQLiteStore, SQLStore
from containment.store.backends import PostGISBackend

PASSWORD = "a long bench password"
TEST_URL = os.environ.get(
    "CONTAINMENT_TEST_DATABASE_URL",
    "postgresql://containment_test:containment_test@127.0.0.1:5432/containment_test",
)
SHARED_ZONES = 5


def _open(target: str, *, pool_size: int = 1) -> SQLStore:
    if target.startswith("postgresql://"):
        url, prefix = target.split("#")
        return SQLStore(PostGISBackend(url, "dungarpur", schema_prefix=prefix, pool_size=pool_size))
    return SQLiteStore(target)


def _square(rng: random.Random, half: float = 0.004) -> shapely.Polygon:
    x, y = rng.uniform(73.5, 74.2), rng.uniform(23.4, 23.9)
    return shapely.box(x - half, y - half, x + half, y + half)


def _seed(target: str, planners: int) -> None:
    store = _open(target, pool_size=2)
    district = cp.load_district("dungarpur")
    store.import_cases(synthetic_cases(district, 10_000, seed=1, hotspots=40), source="bench")
    rng = random.Random(0)
    for k in range(planners):
        store.add_user(f"planner{k}", "planner", PASSWORD)
    store.add_user("reader", "police", PASSWORD)
    store.add_user("collector", "collector", PASSWORD)
    for i in range(100):
        owner = f"planner{i % planners}" if i >= SHARED_ZONES else "shared"
        store.save_zone(
            SavedZone(f"Z-{owner}-{i}", f"Zone {i}", "containment", "drawn", "bench",
                      _square(rng))
        )  # fmt: skip
    store.backend.close()


def _planner(target: str, k: int, seconds: float, results: mp.Queue) -> None:
    store = _open(target)
    ws = Service(store).workspace(Service(store).login(f"planner{k}", PASSWORD).token)
    rng = random.Random(k)
    mine = [z for z in store.zones()["zone_id"] if z.startswith(f"Z-planner{k}-")]
    shared = [z for z in store.zones()["zone_id"] if z.startswith("Z-shared-")]
    latencies: dict[str, list[float]] = {"redraw": [], "add": [], "rename shared": []}
    acknowledged: list[tuple[str, int, str, str]] = []  # zone, version, name, outline WKB hex
    conflicts = 0
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        roll = rng.random()
        start = time.perf_counter()
        if roll < 0.7 and mine:
            op, zone = "redraw", ws.zone(rng.choice(mine))
            saved = ws.save_zone(dataclasses.replace(zone, geometry=_square(rng)))
        elif roll < 0.9:
            op, n = "add", n + 1
            saved = ws.save_zone(
                SavedZone(f"N-{k}-{n}-{uuid.uuid4().hex[:6]}", f"New {k}.{n}", "containment",
                          "drawn", "bench", _square(rng))
            )  # fmt: skip
            mine.append(saved.zone_id)
        else:
            op, zone_id = "rename shared", rng.choice(shared)
            while True:
                zone = ws.zone(zone_id)
                try:
                    saved = ws.save_zone(dataclasses.replace(zone, name=f"Shared by {k}.{n}"))
                    break
                except ConflictError:
                    conflicts += 1  # someone saved first: reload, and make the change again
        latencies[op].append(time.perf_counter() - start)
        acknowledged.append(
            (saved.zone_id, saved.version, saved.name, shapely.to_wkb(saved.geometry, hex=True))
        )
        n += 1
    results.put(("planner", latencies, acknowledged, conflicts, _max_rss_mb()))
    store.backend.close()


def _reader(target: str, seconds: float, results: mp.Queue) -> None:
    store = _open(target)
    ws = Service(store).workspace(Service(store).login("reader", PASSWORD).token)
    planner_view = Service(store).workspace(Service(store).login("collector", PASSWORD).token)
    latencies: dict[str, list[float]] = {"load map": []}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        planner_view.revision()
        planner_view.zones()
        planner_view.cases()
        ws.centres()
        ws.checkpoints()
        latencies["load map"].append(time.perf_counter() - start)
    results.put(("reader", latencies, [], 0, _max_rss_mb()))
    store.backend.close()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check(target: str, acknowledged: list[tuple[str, int, str, str]]) -> str:
    store = _open(target, pool_size=2)
    zones = store.zones()
    problems = []
    if zones["zone_id"].duplicated().any():
        problems.append("duplicate zone ids")
    history = {}
    for zone_id in {a[0] for a in acknowledged}:
        for z, *_ in store.zone_history(zone_id):
            history[(zone_id, z.version)] = (z.name, shapely.to_wkb(z.geometry, hex=True))
    missing = [a for a in acknowledged if history.get((a[0], a[1])) != (a[2], a[3])]
    if missing:
        problems.append(f"{len(missing)} acknowledged saves not in the history as saved")
    last = {}
    for zone_id, version, *_ in acknowledged:
        last[zone_id] = max(version, last.get(zone_id, 0))
    current = dict(zip(zones["zone_id"], zones["version"], strict=True))
    behind = [z for z, v in last.items() if current.get(z) != v]
    if behind:
        problems.append(f"{len(behind)} zones not at their last acknowledged version")
    store.backend.close()
    return "; ".join(problems) or (
        f"all {len(acknowledged):,} acknowledged saves kept as saved, every zone at its last "
        f"acknowledged version, no duplicate ids ({len(zones)} zones)"
    )


def run(target: str, label: str, seconds: float, planners: int, readers: int) -> None:
    _seed(target, planners)
    ctx = mp.get_context("fork")
    results: mp.Queue = ctx.Queue()
    workers = [ctx.Process(target=_planner, args=(target, k, seconds, results))
               for k in range(planners)]  # fmt: skip
    workers += [ctx.Process(target=_reader, args=(target, seconds, results))
                for _ in range(readers)]  # fmt: skip
    started = time.perf_counter()
    for w in workers:
        w.start()
    gathered = [results.get(timeout=seconds + 300) for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    latencies: dict[str, list[float]] = {}
    acknowledged, conflicts, rss = [], 0, []
    for _, lat, acks, conf, mem in gathered:
        for op, values in lat.items():
            latencies.setdefault(op, []).extend(values)
        acknowledged += acks
        conflicts += conf
        rss.append(mem)
    print(f"\n{label}: {planners} planners + {readers} readers for {seconds:.0f} s "
          f"(wall {elapsed:.1f} s with logins)")  # fmt: skip
    print(f"  {'operation':<15}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for op, values in latencies.items():
        ms = np.array(values) * 1000
        p50, p95, p99 = np.percentile(ms, [50, 95, 99]) if len(ms) else (0, 0, 0)
        print(f"  {op:<15}{len(ms):>8,}{len(ms) / seconds:>9.1f}{p50:>9.1f}{p95:>9.1f}"
              f"{p99:>9.1f}")  # fmt: skip
    saves = len(acknowledged)
    print(f"  saves acknowledged: {saves:,} ({saves / seconds:.1f}/s); conflicts met and "
          f"retried: {conflicts}; peak memory per user process {max(rss):.0f} MB")  # fmt: skip
    print(f"  final state: {_check(target, acknowledged)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--planners", type=int, default=20)
    parser.add_argument("--readers", type=int, default=50)
    args = parser.parse_args()
    prefix = f"bench{uuid.uuid4().hex[:8]}_"
    import psycopg

    try:
        run(f"{TEST_URL}#{prefix}", "PostGIS (loopback)", args.seconds, args.planners,
            args.readers)  # fmt: skip
    finally:
        with psycopg.connect(TEST_URL, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{prefix}dungarpur" CASCADE')
    with tempfile.TemporaryDirectory() as folder:
        run(str(Path(folder) / "dungarpur.sqlite"), "SQLite (embedded, baseline)", args.seconds,
            args.planners, args.readers)  # fmt: skip


if __name__ == "__main__":
    main()
