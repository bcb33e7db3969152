"""Benchmark: the state control room read while 33 districts' planners save, on one PostGIS.

Every district of Rajasthan gets a schema of its own in the test database (a fresh prefix),
with 500 synthetic cases, 20 notified zones and a user who redraws them (a collector:
notified zones are hers to change). Three runs of
``--seconds`` each (60 by default), side by side in this process's session:

1. one district alone: ``--planners`` processes save zones in Dungarpur only;
2. the state: the same processes, each saving in its share of the 33 districts in turn;
3. the state, read: as 2, with ``--readers`` processes loading the State page's data
   (:meth:`Workspace.state_overview`, uncached: the page caches it for a minute) in a loop.

Reported: saves per second and save latency p50/p99 in each run, and the state read's p50/p99.
The machine has 2 cores shared with other work: the figures are noisy; compare the runs as
ratios, not the seconds.

Usage: python -m bench.bench_state [--seconds 60] [--planners 4] [--readers 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import multiprocessing as mp
import os
import random
import time
import uuid

import geopandas as gpd
import numpy as np
import psycopg
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.lifecycle import SavedZone
from containment.i18n import IST
from containment.io.neighbours import district_outlines
from containment.service import Service
from containment.store import SQLStore
from containment.store.backends import PostGISBackend

PASSWORD = "a long bench password"
TEST_URL = os.environ.get(
    "CONTAINMENT_TEST_DATABASE_URL",
    "postgresql://containment_test:containment_test@127.0.0.1:5432/containment_test",
)


def _open(prefix: str, slug: str) -> SQLStore:
    return SQLStore(PostGISBackend(TEST_URL, slug, schema_prefix=prefix, pool_size=1))


def _squares(outline: shapely.Geometry, rng: random.Random, n: int) -> list[shapely.Polygon]:
    west, south, east, north = outline.bounds
    found: list[shapely.Polygon] = []
    while len(found) < n:
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if outline.contains(shapely.Point(x, y)):
            found.append(shapely.box(x - 0.01, y - 0.01, x + 0.01, y + 0.01))
    return found


def _seed(prefix: str, slug: str, outline: shapely.Geometry) -> None:
    store = _open(prefix, slug)
    rng = random.Random(slug)
    today = dt.datetime.now(IST).date()
    points = [s.centroid for s in _squares(outline, rng, 500)]
    store.import_cases(
        gpd.GeoDataFrame(
            {
                "case_id": [f"{slug}-{i}" for i in range(len(points))],
                "reported_on": [today - dt.timedelta(days=rng.randrange(40)) for _ in points],
                "status": "active",
                "village": "",
                "block": "",
                "placed_by": "coordinates",
            },
            geometry=points,
            crs=STORAGE_CRS,
        ),
        source="bench (SYNTHETIC)",
    )
    for i, square in enumerate(_squares(outline, rng, 20)):
        store.save_zone(
            SavedZone(f"Z-{i}", f"Zone {i}", "containment", "drawn", "rajasthan-1km", square,
                      status="notified", order_number=f"B/{i}", notified_on=today,
                      created_on=today)
        )  # fmt: skip
    store.add_user("planner", "collector", PASSWORD)  # redraws zones in force: the collector's
    store.backend.close()


def _planner(
    prefix: str, slugs: list[str], mine: list[int], seconds: float, results: mp.Queue
) -> None:
    """Redraw zones ``mine`` of each district in ``slugs`` in turn (no two processes share a
    zone: the figures are of saves, not of conflicts)."""
    rng = random.Random(os.getpid())
    desks = []
    for slug in slugs:
        store = _open(prefix, slug)
        service = Service(store)
        ws = service.workspace(service.login("planner", PASSWORD).token)
        desks.append((store, ws, [f"Z-{i}" for i in mine]))
    outline = shapely.box(73.5, 23.4, 74.2, 23.9)
    latencies = []
    end, turn = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        _store, ws, zones = desks[turn % len(desks)]
        turn += 1
        start = time.perf_counter()
        zone = ws.zone(rng.choice(zones))
        ws.save_zone(dataclasses.replace(zone, geometry=_squares(outline, rng, 1)[0]))
        latencies.append(time.perf_counter() - start)
    results.put(("save", latencies))
    for store, _ws, _zones in desks:
        store.backend.close()


def _reader(prefix: str, seconds: float, results: mp.Queue) -> None:
    store = _open(prefix, "state")
    service = Service(store)
    ws = service.workspace(service.login("rajya", PASSWORD).token)
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        ws.state_overview()
        latencies.append(time.perf_counter() - start)
    results.put(("read", latencies))
    store.backend.close()


def _run(
    prefix: str, shares: list[tuple[list[str], list[int]]], readers: int, seconds: float
) -> dict[str, list]:
    results: mp.Queue = mp.Queue()
    workers = [
        mp.Process(target=_planner, args=(prefix, slugs, mine, seconds, results))
        for slugs, mine in shares
    ]
    workers += [mp.Process(target=_reader, args=(prefix, seconds, results)) for _ in range(readers)]
    for worker in workers:
        worker.start()
    found: dict[str, list] = {"save": [], "read": []}
    for _ in workers:
        kind, latencies = results.get(timeout=seconds + 600)
        found[kind].extend(latencies)
    for worker in workers:
        worker.join()
    return found


def _ms(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q) * 1000:.0f} ms" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--planners", type=int, default=4)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    prefix = f"b{uuid.uuid4().hex[:8]}_"
    outlines = district_outlines()
    slugs = list(outlines["slug"])
    print(f"seeding {len(slugs)} district schemas ({prefix}*) ...", flush=True)
    try:
        for slug, outline in zip(slugs, outlines.geometry, strict=True):
            _seed(prefix, slug, outline)
        state = _open(prefix, "state")
        state.add_user("rajya", "state", PASSWORD)
        state.backend.close()
        n = args.planners
        one = [(["dungarpur"], list(range(k, 20, n))) for k in range(n)]
        spread = [(slugs[k::n], list(range(20))) for k in range(n)]
        print(f"{args.planners} planner processes, {args.readers} state readers, "
              f"{args.seconds:g} s a run, 2-core machine", flush=True)  # fmt: skip
        print("| run | saves/s | save p50 | save p99 | state reads | read p50 | read p99 |")
        print("|---|---|---|---|---|---|---|")
        for name, shares, readers in (
            ("one district alone", one, 0),
            ("33 districts", spread, 0),
            ("33 districts + state readers", spread, args.readers),
        ):
            found = _run(prefix, shares, readers, args.seconds)
            saves, reads = found["save"], found["read"]
            print(
                f"| {name} | {len(saves) / args.seconds:.1f} | {_ms(saves, 50)} | "
                f"{_ms(saves, 99)} | {len(reads)} | {_ms(reads, 50)} | {_ms(reads, 99)} |",
                flush=True,
            )
    finally:
        with psycopg.connect(TEST_URL, autocommit=True) as con:
            for slug in [*slugs, "state"]:
                con.execute(f'DROP SCHEMA IF EXISTS "{prefix}{slug}" CASCADE')


if __name__ == "__main__":
    main()
