"""A national-scale synthetic set for the cluster benchmark: the whole of Rajasthan as one
map, and millions of SYNTHETIC cases around its villages.

How it is made (reproducible; cached under ``bench/out/national/``):

* The map: the 248 PMGSY blocks of Rajasthan (``Bound_Block.zip`` in
  ``../shared/geodata-src/rajasthan/``) and their 44,912 habitations (``Habitation.zip``).
  The 33 district outlines — the partitions — are the blocks dissolved by their district id
  (``DISTRICT_I``; names are not needed, so ``MasterData.xls`` is not read). Ground units are
  village units only: the Voronoi cell of each habitation (habitations at one spot merged)
  within the block holding it, carrying its population (households: population / 5). There
  are no town cells (no town figures for the state here). Health facilities are the
  ``Medical`` points of ``Facilities.zip``. One metric CRS for the state: UTM 43N.
* The cases: a quarter of the habitations (11,228), picked with probability by population,
  are hotspots; hotspot sizes follow a Pareto law (a few large outbreaks, many small ones);
  each case lies around its hotspot's habitation, Gaussian with a spread drawn per hotspot
  between 100 m and 400 m; all are reported within the last 28 days (all counted). 10 million
  cases on one state's map is a denser load (29 cases per km²) than India's 10 million over the
  country in 2020: a worst case for the engine, not a forecast.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from containment import District
from containment.engine.crs import STORAGE_CRS, metric_to_lonlat

SOURCE = Path(
    os.environ.get(
        "CONTAINMENT_RAJASTHAN_SOURCE",
        Path(__file__).resolve().parents[2] / "shared" / "geodata-src" / "rajasthan",
    )
)
CACHE = Path(__file__).resolve().parent / "out" / "national"
METRIC_CRS = CRS.from_epsg(32643)
HOTSPOT_SHARE = 0.25
SPREAD_M = (100.0, 400.0)
AS_OF = pd.Timestamp("2020-08-31")


def _blocks() -> gpd.GeoDataFrame:
    blocks = gpd.read_file(SOURCE / "Bound_Block.zip").to_crs(STORAGE_CRS)
    blocks["name"] = [
        f"{d}-{b}" for d, b in zip(blocks["DISTRICT_I"], blocks["BLOCK_ID"], strict=True)
    ]
    blocks["geometry"] = shapely.make_valid(blocks.geometry.to_numpy())
    return blocks[["name", "DISTRICT_I", "geometry"]]


def _units(blocks_m: gpd.GeoDataFrame, habitations_m: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A village unit per habitation spot: its Voronoi cell within the block holding it."""
    hab_idx, block_idx = shapely.STRtree(blocks_m.geometry.to_numpy()).query(
        habitations_m.geometry.to_numpy(), predicate="within"
    )
    first = np.full(len(habitations_m), -1)
    first[hab_idx[::-1]] = block_idx[::-1]
    placed = habitations_m.assign(block_at=first)
    placed = placed[placed["block_at"] >= 0]
    rows = []
    for b, group in placed.groupby("block_at", sort=True):
        block = blocks_m.geometry.iloc[int(b)]
        xy = np.round(np.column_stack([group.geometry.x, group.geometry.y]), 1)
        spots, spot_of = np.unique(xy, axis=0, return_inverse=True)
        spot_of = spot_of.reshape(-1)
        population = np.bincount(spot_of, weights=group["population"].to_numpy(float))
        names = group["name"].to_numpy()[np.unique(spot_of, return_index=True)[1]]
        if len(spots) == 1:
            cells = [block]
        else:
            points = shapely.multipoints(spots)
            diagram = shapely.voronoi_polygons(
                points, extend_to=shapely.buffer(shapely.envelope(block), 1000), ordered=True
            )
            cells = shapely.intersection(np.asarray(shapely.get_parts(diagram)), block)
        for k, cell in enumerate(cells):
            cell = shapely.make_valid(cell)
            polygons = [p for p in shapely.get_parts(cell) if isinstance(p, shapely.Polygon)]
            if not polygons:
                continue
            rows.append(
                {
                    "unit_id": f"{blocks_m['name'].iloc[int(b)]}-{k}",
                    "name": str(names[k]),
                    "kind": "village",
                    "block": blocks_m["name"].iloc[int(b)],
                    "town": "",
                    "population": float(population[k]),
                    "households": float(population[k]) / 5,
                    "geometry": shapely.MultiPolygon(polygons)
                    if len(polygons) > 1
                    else polygons[0],
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


def _build(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    blocks = _blocks()
    districts = blocks.dissolve("DISTRICT_I").reset_index()
    districts["name"] = [f"district {d}" for d in districts["DISTRICT_I"]]
    habitations = gpd.read_file(SOURCE / "Habitation.zip").to_crs(STORAGE_CRS)
    habitations = gpd.GeoDataFrame(
        {
            "name": habitations["HAB_NAME"].astype(str),
            "population": habitations["TOT_POPULA"].astype(float).fillna(0.0),
            "block": [
                f"{d}-{b}"
                for d, b in zip(habitations["DISTRICT_I"], habitations["BLOCK_ID"], strict=True)
            ],
        },
        geometry=habitations.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )
    facilities = gpd.read_file(SOURCE / "Facilities.zip")
    facilities = facilities[facilities["FAC_CATEGO"] == "Medical"].to_crs(STORAGE_CRS)
    facilities = gpd.GeoDataFrame(
        {
            "name": facilities["FAC_DESC"].astype(str),
            "kind": facilities["FAC_DESC"].astype(str),
            "block": [
                f"{d}-{b}"
                for d, b in zip(facilities["DISTRICT_I"], facilities["BLOCK_ID"], strict=True)
            ],
        },
        geometry=facilities.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )
    units = _units(blocks.to_crs(METRIC_CRS), habitations.to_crs(METRIC_CRS)).to_crs(STORAGE_CRS)
    for name, frame in (
        ("blocks", blocks[["name", "geometry"]]),
        ("districts", districts[["name", "geometry"]]),
        ("habitations", habitations),
        ("facilities", facilities),
        ("units", units),
    ):
        frame.to_parquet(folder / f"{name}.parquet")
    (folder / "made.json").write_text(
        json.dumps(
            {"blocks": len(blocks), "districts": len(districts), "habitations": len(habitations)}
        )
    )


@dataclass(frozen=True)
class NationalSet:
    district: District
    districts: gpd.GeoDataFrame


def national_map(folder: Path = CACHE) -> NationalSet:
    """The state as one map (a :class:`District`) and its 33 district outlines."""
    if not (folder / "made.json").is_file():
        _build(folder)

    def read(name: str) -> gpd.GeoDataFrame:
        return gpd.read_parquet(folder / f"{name}.parquet")

    blocks = read("blocks")
    empty = gpd.GeoDataFrame({"name": pd.Series([], dtype=str)}, geometry=[], crs=STORAGE_CRS)
    district = District(
        name="Rajasthan (national-scale synthetic set)",
        state="Rajasthan",
        folder=folder,
        household_size=5.0,
        household_size_source="assumed for the benchmark",
        metric_crs=METRIC_CRS,
        outline=shapely.union_all(blocks.geometry.to_numpy()),
        blocks=blocks,
        habitations=read("habitations"),
        health_facilities=read("facilities"),
        hq_points=empty,
        roads=empty,
        attribution="Ministry of Rural Development, 2022. PMGSY Rural Connectivity Datasets.",
        caveats=("SYNTHETIC benchmark map: village units are Voronoi cells, no towns.",),
        sample_cases=None,
        units=read("units"),
    )
    return NationalSet(district, read("districts"))


def national_cases(district: District, n: int, *, seed: int = 2020) -> gpd.GeoDataFrame:
    """``n`` SYNTHETIC cases around hotspot habitations (module doc), all reported in the
    28 days up to :data:`AS_OF`."""
    rng = np.random.default_rng(seed)
    habitations = district.habitations_m
    weights = np.nan_to_num(habitations["population"].to_numpy(dtype=float)) + 1
    hotspots = int(len(habitations) * HOTSPOT_SHARE)
    chosen = rng.choice(len(habitations), size=hotspots, replace=False, p=weights / weights.sum())
    sizes = rng.pareto(1.5, hotspots) + 1
    which = rng.choice(hotspots, size=n, p=sizes / sizes.sum())
    spread = rng.uniform(*SPREAD_M, hotspots)[which]
    x = habitations.geometry.x.to_numpy()[chosen][which] + rng.normal(0, 1, n) * spread
    y = habitations.geometry.y.to_numpy()[chosen][which] + rng.normal(0, 1, n) * spread
    lon, lat = metric_to_lonlat(x, y, district.metric_crs)
    days = rng.integers(0, 28, n)
    return gpd.GeoDataFrame(
        {
            "case_id": np.char.add("SYN-", np.arange(n).astype(str)).astype(object),
            "reported_on": (AS_OF - pd.to_timedelta(days, unit="D")).to_numpy(),
        },
        geometry=shapely.points(lon, lat),
        crs=STORAGE_CRS,
    )
