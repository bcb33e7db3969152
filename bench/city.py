"""A city's worth of micro-containment zones in one district store, for the city benchmark and
the tests that need many zones. SYNTHETIC: no real zone, case or order.

The model is Bengaluru on 6 August 2020, whose published list had 11,034 micro-containment
zones in force (ward, zone id, date identified, cases, date of return to normal, status
ACTIVE/EXTENDED). Here, on Dungarpur's shipped ground units (971 village units and 156 town
cells, the places a zone is made of):

* each zone is 1–3 neighbouring units (a unit picked with probability by population, town
  cells three times as likely, then 0–2 of its neighbours). Dungarpur has 1,127 units, so
  zones overlap far more than a city's street-sized zones do: each unit lies in about 20 zones.
  The costs measured here grow with the zones and the (zone, unit) pairs, both as in a city;
* zones in force (``notified``) were identified in the 28 days before the day (ACTIVE), one in
  five earlier with a case since (EXTENDED: its release date moved); ``released`` zones
  returned to normal 28 days after their last case; a few zones are ``proposed`` today;
* each zone has 1–5 cases inside it (two in three with one or two), dated to fit its status;
* names are the zone's first place and a number ("Aspur micro zone 12"), one in ten in
  Devanagari ("वार्ड 7 सूक्ष्म ज़ोन 12"); order numbers name the block, day and a serial, one
  order per block and day ("DM/COVID/SAG/0108/3").

Everything is saved in two transactions (the cases as one import, the zones with
:meth:`~containment.store.SQLStore.save_zones`). Usage::

    python -m bench.city STORE.sqlite [--zones 11034]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import containment as cp
from containment.engine.crs import STORAGE_CRS
from containment.engine.lifecycle import SavedZone, ZoneOrigin, ZoneStatus
from containment.store import SQLiteStore, SQLStore

__all__ = ["AS_OF", "CityZones", "city_zones", "fill_city"]

AS_OF = dt.date(2020, 8, 6)
RULE = "karnataka-200m"
RELEASE_AFTER_DAYS = 28


@dataclass(frozen=True)
class CityZones:
    """What :func:`city_zones` made: the zones (SYNTHETIC) and the cases inside them."""

    zones: list[SavedZone]
    cases: gpd.GeoDataFrame

    def counts(self) -> dict[str, int]:
        statuses = pd.Series([str(z.status) for z in self.zones]).value_counts()
        return {str(k): int(v) for k, v in statuses.items()} | {"cases": len(self.cases)}


def _neighbours(units_m: gpd.GeoDataFrame) -> list[np.ndarray]:
    geometry = units_m.geometry.to_numpy()
    left, right = shapely.STRtree(geometry).query(geometry, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    starts = np.searchsorted(left, np.arange(len(geometry) + 1))
    return [right[starts[u] : starts[u + 1]] for u in range(len(geometry))]


def _points_in(
    rng: np.random.Generator, outline: shapely.Geometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random points inside an outline (metric), by rejection from its bounds."""
    west, south, east, north = outline.bounds
    xs: list[float] = []
    ys: list[float] = []
    shapely.prepare(outline)
    while len(xs) < n:
        x = rng.uniform(west, east, 4 * n)
        y = rng.uniform(south, north, 4 * n)
        inside = shapely.contains_xy(outline, x, y)
        xs += x[inside].tolist()
        ys += y[inside].tolist()
    return np.array(xs[:n]), np.array(ys[:n])


def city_zones(
    district: cp.District,
    in_force: int = 11_034,
    *,
    released: int | None = None,
    proposed: int | None = None,
    as_of: dt.date = AS_OF,
    seed: int = 0,
) -> CityZones:
    """``in_force`` notified zones (a fifth of them extended), ``released`` released ones
    (default: 7 % of ``in_force``) and ``proposed`` proposals (default: 2 %), with their cases.
    """
    rng = np.random.default_rng(seed)
    released = round(in_force * 0.07) if released is None else released
    proposed = round(in_force * 0.02) if proposed is None else proposed
    index = district.unit_index
    units = index.units_m
    weight = units["population"].to_numpy(dtype=float) * np.where(
        units["kind"].to_numpy() == "town_cell", 3.0, 1.0
    )
    neighbours = _neighbours(units)
    total = in_force + released + proposed
    seeds = rng.choice(len(units), size=total, p=weight / weight.sum())
    sizes = rng.choice([1, 2, 3], size=total, p=[0.5, 0.3, 0.2])
    statuses = np.array(
        [ZoneStatus.NOTIFIED] * in_force
        + [ZoneStatus.RELEASED] * released
        + [ZoneStatus.PROPOSED] * proposed,
        dtype=object,
    )
    rng.shuffle(statuses)
    outlines: dict[tuple[int, ...], shapely.Geometry] = {}
    chosen_units: list[tuple[int, ...]] = []
    for seed_unit, size in zip(seeds.tolist(), sizes.tolist(), strict=True):
        near = neighbours[seed_unit]
        extra = rng.choice(near, size=min(size - 1, len(near)), replace=False) if len(near) else []
        key = tuple(sorted({seed_unit, *map(int, extra)}))
        if key not in outlines:
            outlines[key] = index.outline(np.array(key, dtype=np.int64))
        chosen_units.append(key)
    keys = list(outlines)
    lonlat = dict(
        zip(
            keys,
            gpd.GeoSeries([outlines[k] for k in keys], crs=district.metric_crs)
            .to_crs(STORAGE_CRS)
            .to_numpy(),
            strict=True,
        )
    )
    names = units["name"].astype(str).to_numpy()
    towns = units["town"].astype(str).to_numpy()
    kinds = units["kind"].astype(str).to_numpy()
    blocks = units["block"].astype(str).to_numpy()
    serial: dict[tuple[str, dt.date], int] = {}
    orders: dict[tuple[str, dt.date], str] = {}
    zones: list[SavedZone] = []
    case_x: list[np.ndarray] = []
    case_y: list[np.ndarray] = []
    case_days: list[np.ndarray] = []
    case_units: list[np.ndarray] = []
    for i, (key, status) in enumerate(zip(chosen_units, statuses, strict=True)):
        first = key[0]
        place = towns[first] if kinds[first] == "town_cell" else names[first]
        block = blocks[first]
        if rng.random() < 0.1:
            name = f"वार्ड {rng.integers(1, 199)} सूक्ष्म ज़ोन {i + 1}"
        else:
            name = f"{place} micro zone {i + 1}"
        n_cases = int(rng.choice([1, 2, 3, 4, 5], p=[0.4, 0.27, 0.15, 0.1, 0.08]))
        if status is ZoneStatus.NOTIFIED:
            extended = rng.random() < 0.2
            age = int(rng.integers(29, 46)) if extended else int(rng.integers(0, 28))
            identified = as_of - dt.timedelta(days=age)
            days = [identified - dt.timedelta(days=1)] * n_cases
            if extended:  # a case since: the release date moved on
                days[-1] = as_of - dt.timedelta(days=int(rng.integers(0, 14)))
            released_on = None
        elif status is ZoneStatus.RELEASED:
            identified = as_of - dt.timedelta(days=int(rng.integers(30, 90)))
            days = [identified - dt.timedelta(days=1)] * n_cases
            released_on = identified - dt.timedelta(days=1) + dt.timedelta(RELEASE_AFTER_DAYS)
            released_on = min(released_on, as_of)
        else:
            identified = as_of - dt.timedelta(days=int(rng.integers(0, 2)))
            days = [identified] * n_cases
            released_on = None
        decided = status is not ZoneStatus.PROPOSED
        order = ""
        if decided:
            if (block, identified) not in orders:
                serial[(block, identified)] = len(serial) + 1
                orders[(block, identified)] = (
                    f"DM/COVID/{block[:3].upper()}/{identified:%d%m}/{serial[(block, identified)]}"
                )
            order = orders[(block, identified)]
        zones.append(
            SavedZone(
                zone_id=f"MZ-{block[:3].upper()}-{i + 1:05d}",
                name=name,
                kind="containment",
                origin=ZoneOrigin.DRAWN,
                rule=RULE,
                geometry=lonlat[key],
                status=status,
                release_after_days=RELEASE_AFTER_DAYS,
                order_number=order,
                notified_on=identified if decided else None,
                released_on=released_on,
                created_on=identified,
            )
        )
        x, y = _points_in(rng, outlines[key], n_cases)
        case_x.append(x)
        case_y.append(y)
        case_days.append(np.array(days, dtype="datetime64[D]"))
        case_units.append(np.full(n_cases, first))
    x, y = np.concatenate(case_x), np.concatenate(case_y)
    where = np.concatenate(case_units)
    points = gpd.GeoSeries(shapely.points(x, y), crs=district.metric_crs).to_crs(STORAGE_CRS)
    cases = gpd.GeoDataFrame(
        {
            "case_id": [f"SYN-CITY-{i + 1:06d}" for i in range(len(x))],
            "reported_on": np.concatenate(case_days).astype("datetime64[s]"),
            "status": "active",
            "village": names[where],
            "block": blocks[where],
        },
        geometry=points.to_numpy(),
        crs=STORAGE_CRS,
    )
    return CityZones(zones, cases)


def fill_city(store: SQLStore, city: CityZones) -> dict[str, float]:
    """Save the city's cases (one import, marked SYNTHETIC) and zones (one transaction) in
    ``store``; returns the seconds each took."""
    start = time.perf_counter()
    store.import_cases(city.cases, source="city benchmark (SYNTHETIC)", synthetic=True)
    imported = time.perf_counter() - start
    start = time.perf_counter()
    store.acting_as("bench", "collector").save_zones(
        [(zone, "SYNTHETIC city zone") for zone in city.zones]
    )
    return {"cases_s": imported, "zones_s": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("store", type=Path, help="an SQLite file (created if missing)")
    parser.add_argument("--zones", type=int, default=11_034, help="zones in force")
    args = parser.parse_args()
    district = cp.load_district("dungarpur")
    start = time.perf_counter()
    city = city_zones(district, args.zones)
    made = time.perf_counter() - start
    times = fill_city(SQLiteStore(args.store), city)
    print(f"made {city.counts()} in {made:.1f} s; saved: {times}")


if __name__ == "__main__":
    main()
