#!/usr/bin/env python
"""Build one ``geodata/<district>/`` folder per Rajasthan district from the state's PMGSY sources.

    python tools/build_districts.py                        # every district (about 2 minutes)
    python tools/build_districts.py --only banswara --only "Sawai Madhopur"
    python tools/build_districts.py --source ../shared/geodata-src/rajasthan --out geodata

Sources (``--source``, by default ``../shared/geodata-src/rajasthan`` beside the repository; see
its ``SOURCES.md``): the PMGSY GeoSadak zips ``Bound_Block.zip``, ``Habitation.zip``,
``Facilities.zip`` and ``Proposals.zip``, the id-to-name table ``MasterData.xls`` (or a CSV with
the same columns, ``MasterData.csv``), and the Census 2011 HQ points
``rajasthan_district_hq.geojson`` and ``rajasthan_subdistrict_hq.geojson``.

Each folder gets, for its district:

* ``<slug>_district.geojson``: the outline, the union of its PMGSY blocks (blocks are joined to
  districts through MasterData's ``DISTRICT_ID``/``BLOCK_ID``); slivers between blocks under
  1 ha that no other district's block covers are filled, enclaves of other districts kept;
* ``<slug>_blocks_pmgsy.geojson``, ``<slug>_habitations_pmgsy.geojson`` (habitations coded to
  the district and lying inside its outline; the others are listed in SOURCES.md),
  ``<slug>_health_facilities_pmgsy.geojson`` (PMGSY "Medical" facilities without the veterinary
  ones, typed by keywords), ``<slug>_admin_hq_points.geojson`` (the district HQ and the tehsil
  HQs inside the outline), ``<slug>_pmgsy_road_proposals.geojson`` (when it has any);
* ``<slug>_units.geojson``, the ground units, built by ``tools/build_units.py`` (village units
  only: there is no Census A-1 table for these districts, so no town cells);
* ``district.toml`` (the manifest the app reads) and ``SOURCES.md`` (sources, licences,
  attribution, figures, what was left out and why).

GeoJSON is RFC 7946 (EPSG:4326, 6 decimals, exterior rings counter-clockwise), one feature per
line, features in id order, only the fields the app uses plus ids: the same sources give the
same bytes. No network is used.

Dungarpur keeps its richer hand-prepared folder: it is never written. When it is among the
districts asked for, it is built into a temporary folder and compared with the shipped one
(blocks, habitations, health facilities, HQ points, roads, outline area); a difference stops the
run. A folder whose ``district.toml`` was not written by this script is never overwritten either.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "geodata-src" / "rajasthan"
DEFAULT_OUT = ROOT / "geodata"
STORAGE_CRS = "EPSG:4326"
DECIMALS = 6
MANIFEST = "district.toml"
MARKER = (
    "# Built by tools/build_districts.py from the Rajasthan PMGSY sources: do not edit by hand."
)
# Folders prepared by hand with more data than this script has: never written.
KEEP = frozenset({"dungarpur"})
# Holes in a district's union of blocks smaller than this that no other district covers are
# gaps between its own blocks (digitising slivers), filled in the outline.
SLIVER_M2 = 10_000.0
OUTLINE_TOLERANCE_M = 1000
UNIT_FIELDS = ("unit_id", "name", "kind", "block", "town", "population", "households", "hab_ids")
STATE = "Rajasthan"
PMGSY_STATE_ID = 29
CENSUS_STATE_CODE = "08"

# Census 2011 table A-1, Rajasthan (State Code 8, Total): people and households. Source D of
# the Dungarpur SOURCES.md (github.com/mihirs16/Census-of-India-2011-Dataset,
# resources/data/censusindia.gov.in/census_population.csv, row "8,0,0,STATE,RAJASTHAN,Total").
STATE_POPULATION_2011 = 68_548_437
STATE_HOUSEHOLDS_2011 = 12_711_146

ZIPS = {
    "blocks": ("Bound_Block.zip", "Bound_Block.shp"),
    "habitations": ("Habitation.zip", "Habitation2.shp"),
    "facilities": ("Facilities.zip", "Facilities.shp"),
    "roads": ("Proposals.zip", "Proposals.shp"),
}
DISTRICT_HQ = "rajasthan_district_hq.geojson"
TEHSIL_HQ = "rajasthan_subdistrict_hq.geojson"
STATE_OUTLINE = "rajasthan_state.geojson"
MASTER_COLUMNS = [
    "STATE_ID",
    "STATE_NAME",
    "DISTRICT_ID",
    "DISTRICT_NAME",
    "BLOCK_ID",
    "BLOCK_NAME",
]


@dataclass(frozen=True)
class Entry:
    """One district: its folder slug, its proper name, and how the two sources spell it."""

    slug: str
    name: str
    pmgsy: str  # MasterData DISTRICT_NAME
    census: str  # Census 2011 DTNAME in the HQ files
    name_hi: str = ""  # in Devanagari, as the Government of Rajasthan writes it

    @property
    def aliases(self) -> list[str]:
        return sorted({self.pmgsy, self.census} - {self.name})


# The 33 districts of Rajasthan in the Census of India 2011. ``name`` is the usual English
# spelling of the Government of Rajasthan; the sources' own spellings are kept as aliases.
DISTRICTS = [
    Entry("ajmer", "Ajmer", "Ajmer", "Ajmer", "अजमेर"),
    Entry("alwar", "Alwar", "Alwar", "Alwar", "अलवर"),
    Entry("banswara", "Banswara", "Banswara", "Banswara", "बांसवाड़ा"),
    Entry("baran", "Baran", "Baran", "Baran", "बारां"),
    Entry("barmer", "Barmer", "Barmer", "Barmer", "बाड़मेर"),
    Entry("bharatpur", "Bharatpur", "Bharatpur", "Bharatpur", "भरतपुर"),
    Entry("bhilwara", "Bhilwara", "Bhilwara", "Bhilwara", "भीलवाड़ा"),
    Entry("bikaner", "Bikaner", "Bikaner", "Bikaner", "बीकानेर"),
    Entry("bundi", "Bundi", "Bundi", "Bundi", "बूंदी"),
    Entry("chittorgarh", "Chittorgarh", "Chittaurgarh", "Chittaurgarh", "चित्तौड़गढ़"),
    Entry("churu", "Churu", "Churu", "Churu", "चूरू"),
    Entry("dausa", "Dausa", "Dausa", "Dausa", "दौसा"),
    Entry("dholpur", "Dholpur", "Dholpur", "Dhaulpur", "धौलपुर"),
    Entry("dungarpur", "Dungarpur", "Dungarpur", "Dungarpur", "डूंगरपुर"),
    Entry("hanumangarh", "Hanumangarh", "Hanumangarh", "Hanumangarh", "हनुमानगढ़"),
    Entry("jaipur", "Jaipur", "Jaipur", "Jaipur", "जयपुर"),
    Entry("jaisalmer", "Jaisalmer", "Jaisalmer", "Jaisalmer", "जैसलमेर"),
    Entry("jalore", "Jalore", "Jalor", "Jalor", "जालोर"),
    Entry("jhalawar", "Jhalawar", "Jhalawar", "Jhalawar", "झालावाड़"),
    Entry("jhunjhunu", "Jhunjhunu", "Jhunjhunun", "Jhunjhunun", "झुंझुनूं"),
    Entry("jodhpur", "Jodhpur", "Jodhpur", "Jodhpur", "जोधपुर"),
    Entry("karauli", "Karauli", "Karauli", "Karauli", "करौली"),
    Entry("kota", "Kota", "Kota", "Kota", "कोटा"),
    Entry("nagaur", "Nagaur", "Nagaur", "Nagaur", "नागौर"),
    Entry("pali", "Pali", "Pali", "Pali", "पाली"),
    Entry("pratapgarh", "Pratapgarh", "Pratapgarh", "Pratapgarh", "प्रतापगढ़"),
    Entry("rajsamand", "Rajsamand", "Rajsamand", "Rajsamand", "राजसमंद"),
    Entry("sawai_madhopur", "Sawai Madhopur", "Sawaimadhopur", "Sawai Madhopur", "सवाई माधोपुर"),
    Entry("sikar", "Sikar", "Sikar", "Sikar", "सीकर"),
    Entry("sirohi", "Sirohi", "Sirohi", "Sirohi", "सिरोही"),
    Entry("sri_ganganagar", "Sri Ganganagar", "Sri Ganganagar", "Ganganagar", "श्रीगंगानगर"),
    Entry("tonk", "Tonk", "Tonk", "Tonk", "टोंक"),
    Entry("udaipur", "Udaipur", "Udaipur", "Udaipur", "उदयपुर"),
]

ATTRIBUTION = (
    "Boundaries, habitations, facilities and road proposals: Ministry of Rural Development, "
    "2022. PMGSY Rural Connectivity Datasets, https://geosadak-pmgsy.nic.in/opendata/ (via "
    "github.com/datameet/pmgsy-geosadak). Published under India's Government Open Data "
    "License: https://data.gov.in/government-open-data-license-india. HQ points: "
    "github.com/datta07/INDIAN-SHAPEFILES (MIT). Household size: Census of India 2011, "
    "Table A-1 (Rajasthan)."
)


class BuildError(Exception):
    """Sources that cannot be built, with the file and what to fix."""


# ----------------------------------------------------------------------------- facilities

# Tokens that mark a veterinary entry on their own; misspellings of "veterinary" are caught by
# similarity (the source has more than a hundred: vetenary, vaterinary, venternary, ...).
_VET_TOKENS = frozenset({"v", "vh", "fgvh", "vet", "vete", "vat", "vrtr", "vsc", "pashu", "pasu"})
_VET_WORDS = ("veterinary", "vetnary")


def _is_veterinary_token(token: str) -> bool:
    token = token.removeprefix("govt").removesuffix("hospital")
    if (
        token in _VET_TOKENS
        or token.startswith(("animal", "husband", "livestock"))
        or "eterin" in token
    ):
        return True
    if not token.startswith("v") or len(token) < 5:
        return False
    return max(difflib.SequenceMatcher(None, token, w).ratio() for w in _VET_WORDS) >= 0.6


_KINDS = [
    ("CHC", r"\bc ?h ?c|c[ou]m+unity|cuom+unity|\bcomm health|\bc health"),
    (
        "PHC",
        r"\bu?phc|\bp h c\b|\bp[a-z]{0,2}r[a-z]{0,2}m[a-z]{0,2}r[a-z]{0,2}y\b|prathmik|\bpch\b",
    ),
    ("Sub-centre", r"sub ?c[ae]n|sub ?health|\bshc\b|\banm\b|\bup ?swa?s?th"),
    (
        "Ayurvedic dispensary",
        r"(ayur|aurved).*(dispe|dispa|dispc|aushadh|ausadh|osdh)|aushadhalaya|osdhalaya",
    ),
    ("Homeopathic dispensary", r"homo?eo"),
    ("Unani dispensary", r"unani"),
    ("Dispensary", r"\bdi[a-z]{0,2}p[ae]n?[sc][a-z]*r[iy]|dispe|dispa|dispc"),
    ("Eye hospital", r"\beye\b"),
    ("Private hospital", r"private|\bpvt\b"),
    ("Ayurvedic hospital", r"ayur|aurved"),
    ("District hospital", r"district hosp|\bdist hosp"),
    ("Satellite hospital", r"satell|setel|satel"),
    ("Medical college", r"medical college"),
    ("Hospital (type not stated)", r"h[a-z]{0,2}sp[a-z]*t[a-z]*l|\bhosp|bedd?ed"),
    ("Health centre (type not stated)", r"health|helth|heath"),
]


def health_kind(description: str) -> str | None:
    """The kind of a PMGSY "Medical" facility from its description; None for a veterinary one.

    >>> health_kind("Community Health Centres Simalwara"), health_kind("Govt Vetenary Hospital")
    ('CHC', None)
    >>> health_kind("Adarsh Govt Primary Bokhla"), health_kind("Govt hospital")
    ('PHC', 'Hospital (type not stated)')
    """
    text = " " + re.sub(r"[^a-z0-9]+", " ", description.lower()) + " "
    if any(_is_veterinary_token(t) for t in text.split()):
        return None
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return kind
    return "Other (as described)"


# ----------------------------------------------------------------------------- reading


@dataclass
class Sources:
    folder: Path
    master: pd.DataFrame
    blocks: gpd.GeoDataFrame
    habitations: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    district_hq: gpd.GeoDataFrame
    tehsil_hq: gpd.GeoDataFrame


def _read_master(folder: Path) -> pd.DataFrame:
    xls, csv = folder / "MasterData.xls", folder / "MasterData.csv"
    if xls.is_file():
        import xlrd  # the build's only use of it: a dev dependency, not the app's

        sheet = xlrd.open_workbook(str(xls)).sheet_by_index(0)
        header = [str(c.value).strip() for c in sheet.row(0)]
        rows = [[c.value for c in sheet.row(i)] for i in range(1, sheet.nrows)]
        table = pd.DataFrame(rows, columns=header)
        path = xls
    elif csv.is_file():
        table = pd.read_csv(csv)
        path = csv
    else:
        raise BuildError(f"{xls}: missing (nor {csv.name}): the id-to-name table is needed.")
    missing = [c for c in MASTER_COLUMNS if c not in table.columns]
    if missing:
        raise BuildError(f"{path}: no column {', '.join(missing)}; columns are {list(table)}.")
    table = table[MASTER_COLUMNS].copy()
    for column in ("STATE_ID", "DISTRICT_ID", "BLOCK_ID"):
        table[column] = pd.to_numeric(table[column], errors="raise").astype(int)
    for column in ("STATE_NAME", "DISTRICT_NAME", "BLOCK_NAME"):
        table[column] = table[column].astype(str).str.strip()
    table = table[table["STATE_ID"] == PMGSY_STATE_ID]
    if table.empty:
        raise BuildError(f"{path}: no rows of STATE_ID {PMGSY_STATE_ID} ({STATE}).")
    repeated = table["BLOCK_ID"].duplicated()
    if repeated.any():
        raise BuildError(f"{path}: BLOCK_ID {table['BLOCK_ID'][repeated].iloc[0]} repeats.")
    return table.reset_index(drop=True)


def _read_zip(folder: Path, what: str) -> gpd.GeoDataFrame:
    archive, member = ZIPS[what]
    path = folder / archive
    if not path.is_file():
        raise BuildError(f"{path}: missing ({what}).")
    frame = gpd.read_file(f"/vsizip/{path.resolve()}/{member}", engine="pyogrio")
    if frame.crs is None:
        raise BuildError(f"{path}: {member} has no CRS (.prj).")
    return frame.to_crs(STORAGE_CRS)


def _read_geojson(folder: Path, name: str) -> gpd.GeoDataFrame:
    path = folder / name
    if not path.is_file():
        raise BuildError(f"{path}: missing.")
    return gpd.read_file(path, engine="pyogrio").to_crs(STORAGE_CRS)


def read_sources(folder: Path) -> Sources:
    """Every source file, read once; ids as integers."""
    blocks = _read_zip(folder, "blocks")
    habitations = _read_zip(folder, "habitations")
    facilities = _read_zip(folder, "facilities")
    roads = _read_zip(folder, "roads")
    return Sources(
        folder=folder,
        master=_read_master(folder),
        blocks=blocks,
        habitations=habitations,
        facilities=facilities,
        roads=roads,
        district_hq=_read_geojson(folder, DISTRICT_HQ),
        tehsil_hq=_read_geojson(folder, TEHSIL_HQ),
    )


# ----------------------------------------------------------------------------- geometry


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(shapely.get_parts(geom)) if p.geom_type == "Polygon"]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return shapely.Polygon()
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def on_grid(geom: shapely.Geometry) -> shapely.Geometry:
    """Snapped to the 6-decimal grid the files are written on, still valid."""
    return shapely.set_precision(geom, 10.0**-DECIMALS)


def utm_epsg(lon: float, lat: float) -> int:
    return (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) + 1


def area_m2(geoms: list[shapely.Geometry], epsg: int) -> np.ndarray:
    return gpd.GeoSeries(geoms, crs=STORAGE_CRS).to_crs(epsg).area.to_numpy()


def fill_slivers(
    outline: shapely.Geometry, others: shapely.Geometry, epsg: int
) -> tuple[shapely.Geometry, int, float]:
    """The outline with its sliver holes filled; how many, and their area in m²."""
    polygons = []
    filled, filled_m2 = 0, 0.0
    for polygon in shapely.get_parts(outline):
        holes = [shapely.Polygon(ring) for ring in polygon.interiors]
        areas = area_m2(holes, epsg) if holes else np.array([])
        keep = []
        for hole, ring, size in zip(holes, polygon.interiors, areas, strict=True):
            covered = shapely.intersection(hole, others).area / hole.area if hole.area else 0
            if size < SLIVER_M2 and covered < 0.5:
                filled += 1
                filled_m2 += float(size)
            else:
                keep.append(ring)
        polygons.append(shapely.Polygon(polygon.exterior, keep))
    return polygonal(shapely.union_all(polygons)), filled, filled_m2


def _coords(geom: shapely.Geometry) -> list[Any]:
    return np.round(shapely.get_coordinates(geom), DECIMALS).tolist()


def geojson_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    kind = geom.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": _coords(geom)[0]}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": _coords(geom)}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [_coords(g) for g in geom.geoms]}

    def polygon(p: shapely.Polygon) -> list[Any]:
        return [_coords(p.exterior), *(_coords(h) for h in p.interiors)]

    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": polygon(geom)}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [polygon(p) for p in geom.geoms]}
    raise BuildError(f"cannot write a {kind}")


def write_geojson(path: Path, records: list[dict[str, Any]]) -> None:
    """RFC 7946 GeoJSON, one feature per line; ``records`` carry a ``geometry`` (shapely)."""
    features = []
    for record in records:
        geom = record["geometry"]
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = shapely.orient_polygons(geom, exterior_cw=False)
        props = {k: v for k, v in record.items() if k != "geometry"}
        feature = {"type": "Feature", "properties": props, "geometry": geojson_geometry(geom)}
        features.append(json.dumps(feature, ensure_ascii=False, separators=(", ", ": ")))
    text = "\n".join(
        [
            "{",
            '"type": "FeatureCollection",',
            f'"name": {json.dumps(path.stem)},',
            '"features": [',
            ",\n".join(features),
            "]",
            "}",
            "",
        ]
    )
    path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- one district


def _located(point: shapely.Geometry | None) -> bool:
    """A point with longitude and latitude (the source has one at -1.8e308)."""
    if point is None or point.is_empty:
        return False
    x, y = shapely.get_coordinates(point)[0]
    return bool(abs(x) <= 180 and abs(y) <= 90)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@dataclass
class Built:
    """What a district's build made and left out, for its manifest and SOURCES.md."""

    entry: Entry
    pmgsy_id: int
    census_code: str
    lgd_code: int | None
    epsg: int
    outline: shapely.Geometry
    area_km2: float
    blocks: list[dict[str, Any]]
    habitations: list[dict[str, Any]]
    facilities: list[dict[str, Any]]
    hq: list[dict[str, Any]]
    roads: list[dict[str, Any]]
    files: dict[str, str]
    road_years: set[int] = field(default_factory=set)
    block_areas_km2: dict[int, float] = field(default_factory=dict)
    left_out_habitations: list[dict[str, Any]] = field(default_factory=list)
    left_out_facilities: int = 0
    veterinary: int = 0
    slivers: tuple[int, float] = (0, 0.0)
    notes: list[str] = field(default_factory=list)
    units: dict[str, Any] = field(default_factory=dict)


def _pmgsy_id(sources: Sources, entry: Entry) -> int:
    ids = sources.master.loc[sources.master["DISTRICT_NAME"] == entry.pmgsy, "DISTRICT_ID"]
    if ids.nunique() != 1:
        raise BuildError(
            f"MasterData: district {entry.pmgsy!r} ({entry.name}) found {ids.nunique()} times."
        )
    return int(ids.iloc[0])


def build_layers(sources: Sources, entry: Entry, folder: Path) -> Built:
    """Write the district's layers (all but units) into ``folder``; return what was made."""
    s = entry.slug
    district_id = _pmgsy_id(sources, entry)
    master = sources.master[sources.master["DISTRICT_ID"] == district_id]
    block_names = dict(zip(master["BLOCK_ID"], master["BLOCK_NAME"], strict=True))
    if len(set(block_names.values())) != len(block_names):
        raise BuildError(f"MasterData: two blocks of {entry.pmgsy} share a name.")

    # --- blocks and outline
    raw = sources.blocks[sources.blocks["BLOCK_ID"].astype(int).isin(block_names)]
    wrong = raw[raw["DISTRICT_I"].astype(int) != district_id]
    if len(wrong):
        raise BuildError(
            f"Bound_Block: block {int(wrong['BLOCK_ID'].iloc[0])} is district "
            f"{int(wrong['DISTRICT_I'].iloc[0])} there, {district_id} in MasterData."
        )
    missing = sorted(set(block_names) - set(raw["BLOCK_ID"].astype(int)))
    if missing:
        raise BuildError(f"Bound_Block: no polygon for block(s) {missing} of {entry.pmgsy}.")
    by_block: dict[int, shapely.Geometry] = {}
    for block_id, geom in zip(raw["BLOCK_ID"].astype(int), raw.geometry, strict=True):
        piece = polygonal(shapely.make_valid(geom))
        if block_id in by_block:
            piece = polygonal(shapely.union(by_block[block_id], piece))
        by_block[block_id] = piece
    order = sorted(by_block, key=lambda b: (block_names[b], b))
    block_geoms = [polygonal(on_grid(by_block[b])) for b in order]
    union = shapely.union_all(block_geoms)
    centre = union.centroid
    epsg = utm_epsg(centre.x, centre.y)
    others = sources.blocks[~sources.blocks["BLOCK_ID"].astype(int).isin(block_names)]
    others_union = shapely.union_all(
        shapely.make_valid(others.geometry[others.intersects(union.envelope)].to_numpy())
    )
    outline, n_slivers, sliver_m2 = fill_slivers(union, others_union, epsg)
    outline = polygonal(on_grid(outline))
    outline_m2 = float(area_m2([outline], epsg)[0])
    block_areas = area_m2(block_geoms, epsg)

    hq_rows = sources.district_hq[sources.district_hq["DTNAME"].str.strip() == entry.census]
    if len(hq_rows) != 1:
        raise BuildError(f"{DISTRICT_HQ}: district {entry.census!r} found {len(hq_rows)} times.")
    hq_row = hq_rows.iloc[0]
    census_code = str(hq_row["DTCODE11"]).strip()
    lgd = pd.to_numeric(hq_row.get("Dist_LGD"), errors="coerce")
    lgd_code = None if pd.isna(lgd) else int(lgd)

    built = Built(
        entry=entry,
        pmgsy_id=district_id,
        census_code=census_code,
        lgd_code=lgd_code,
        epsg=epsg,
        outline=outline,
        area_km2=round(outline_m2 / 1e6, 2),
        blocks=[],
        habitations=[],
        facilities=[],
        hq=[],
        roads=[],
        files={},
        slivers=(n_slivers, sliver_m2),
    )
    shapely.prepare(outline)

    # --- habitations
    habs = sources.habitations
    habs = habs[pd.to_numeric(habs["DISTRICT_I"], errors="coerce") == district_id]
    habs = habs.assign(HAB_ID=habs["HAB_ID"].astype(int)).sort_values("HAB_ID", kind="stable")
    if habs["HAB_ID"].duplicated().any():
        raise BuildError(
            f"Habitation2: HAB_ID {habs['HAB_ID'][habs['HAB_ID'].duplicated()].iloc[0]} repeats."
        )
    outline_m = gpd.GeoSeries([outline], crs=STORAGE_CRS).to_crs(epsg).iloc[0]
    count = {b: [0, 0] for b in order}
    for row in habs.itertuples():
        block_id = int(row.BLOCK_ID)
        point = row.geometry
        population = pd.to_numeric(row.TOT_POPULA, errors="coerce")
        base = {
            "hab_id": int(row.HAB_ID),
            "hab_name": _text(row.HAB_NAME).strip(),
            "population": None if pd.isna(population) else round(float(population)),
            "block_id_pmgsy": block_id,
            "block_name": block_names.get(block_id, ""),
        }
        reason = ""
        if not _located(point):
            reason = "no usable location"
        else:
            point = on_grid(point)
            if not outline.contains(point):
                where = gpd.GeoSeries([point], crs=STORAGE_CRS).to_crs(epsg).iloc[0]
                reason = f"{where.distance(outline_m):,.0f} m outside the outline"
        if not reason and base["population"] is None:
            reason = "no population"
        if not reason and block_id not in block_names:
            reason = f"coded to block {block_id}, not one of the district's"
        if reason:
            built.left_out_habitations.append({**base, "reason": reason})
            continue
        written = {k: v for k, v in base.items() if k != "block_id_pmgsy"}
        built.habitations.append({**written, "geometry": point})
        count[block_id][0] += 1
        count[block_id][1] += base["population"]

    for block_id, geom, size in zip(order, block_geoms, block_areas, strict=True):
        built.blocks.append(
            {"block_id_pmgsy": block_id, "block_name": block_names[block_id], "geometry": geom}
        )
        built.block_areas_km2[block_id] = round(float(size) / 1e6, 2)
    built.notes += _block_notes(block_names, order, count)

    # --- health facilities
    facs = sources.facilities
    facs = facs[(facs["DISTRICT_I"].astype(int) == district_id)]
    facs = facs[facs["FAC_CATEGO"].astype(str).str.strip() == "Medical"]
    facs = facs.assign(FACILITY_I=facs["FACILITY_I"].astype(int))
    facs = facs.sort_values("FACILITY_I", kind="stable")
    for row in facs.itertuples():
        description = _text(row.FAC_DESC).strip()
        kind = health_kind(description)
        if kind is None:
            built.veterinary += 1
            continue
        point = row.geometry
        if not _located(point) or not outline.contains(on_grid(point)):
            built.left_out_facilities += 1
            continue
        block_id = int(row.BLOCK_ID)
        built.facilities.append(
            {
                "facility_id": int(row.FACILITY_I),
                "description": description,
                "facility_type": kind,
                "hab_id": int(row.HAB_ID),
                "block_name": block_names.get(block_id, ""),
                "geometry": on_grid(point),
            }
        )

    # --- HQ points: the district HQ, and the tehsil HQs inside the outline
    district_point = on_grid(hq_row.geometry)
    if not outline.contains(district_point):
        built.notes.append(
            f"The district HQ point ({_text(hq_row['LOC_NAME'])}) lies outside the PMGSY outline."
        )
    built.hq.append(
        {
            "name": _text(hq_row["LOC_NAME"]).strip() or entry.name,
            "level": "district_hq",
            "unit_name": f"{entry.name} (district)",
            "census2011_state_code": CENSUS_STATE_CODE,
            "census2011_district_code": census_code,
            "census2011_subdistrict_code": None,
            "lgd_district_code": lgd_code,
            "geometry": district_point,
        }
    )
    tehsils = sources.tehsil_hq.sort_values("SDTCODE11", kind="stable")
    own = tehsils["DTCODE11"].astype(str).str.strip() == census_code
    outside_own, foreign = [], []
    for row, mine in zip(tehsils.itertuples(), own, strict=True):
        point = on_grid(row.geometry)
        inside = outline.contains(point)
        if mine and not inside:
            outside_own.append(_text(row.NAME11))
        if not inside:
            continue
        if not mine:
            foreign.append(f"{_text(row.NAME11)} ({_text(row.dtname)})")
        built.hq.append(
            {
                "name": _text(row.LOC_NAME).strip() or _text(row.NAME11).strip(),
                "level": "subdistrict_hq",
                "unit_name": f"{_text(row.NAME11).strip()} (tehsil)",
                "census2011_state_code": CENSUS_STATE_CODE,
                "census2011_district_code": _text(row.DTCODE11).strip(),
                "census2011_subdistrict_code": _text(row.SDTCODE11).strip(),
                "lgd_district_code": None,
                "geometry": point,
            }
        )
    if outside_own:
        built.notes.append(
            f"Tehsil HQ(s) of Census 2011 {entry.census} outside the PMGSY outline, left out: "
            + ", ".join(outside_own)
            + "."
        )
    if foreign:
        built.notes.append(
            "Tehsil HQ(s) of another Census 2011 district inside the PMGSY outline, kept: "
            + ", ".join(foreign)
            + "."
        )

    # --- roads
    roads = sources.roads[sources.roads["DISTRICT_I"].astype(int) == district_id]
    roads = roads.assign(MRL_ID=roads["MRL_ID"].astype(int)).sort_values("MRL_ID", kind="stable")
    for row in roads.itertuples():
        geom = on_grid(row.geometry) if row.geometry is not None else None
        if geom is None or geom.is_empty:
            built.notes.append(f"Road proposal MRL_ID {int(row.MRL_ID)} has no line, left out.")
            continue
        built.roads.append(
            {"mrl_id": int(row.MRL_ID), "work_name": _text(row.WORK_NAME).strip(), "geometry": geom}
        )
        built.road_years.add(int(row.IMS_YEAR))

    # --- write
    files = {
        "outline": f"{s}_district.geojson",
        "blocks": f"{s}_blocks_pmgsy.geojson",
        "habitations": f"{s}_habitations_pmgsy.geojson",
        "health_facilities": f"{s}_health_facilities_pmgsy.geojson",
        "hq_points": f"{s}_admin_hq_points.geojson",
    }
    if built.roads:
        files["roads"] = f"{s}_pmgsy_road_proposals.geojson"
    files["units"] = f"{s}_units.geojson"
    built.files = files
    outline_record = {
        "district": entry.name,
        "state": STATE,
        "census2011_state_code": CENSUS_STATE_CODE,
        "census2011_district_code": census_code,
        "lgd_district_code": lgd_code,
        "pmgsy_district_id": district_id,
        "area_km2_computed": built.area_km2,
        "geometry_source": f"union of the {len(order)} PMGSY blocks (Bound_Block.shp)",
        "geometry": outline,
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_geojson(folder / files["outline"], [outline_record])
    write_geojson(folder / files["blocks"], built.blocks)
    write_geojson(folder / files["habitations"], built.habitations)
    write_geojson(folder / files["health_facilities"], built.facilities)
    write_geojson(folder / files["hq_points"], built.hq)
    if built.roads:
        write_geojson(folder / files["roads"], built.roads)
    return built


def _block_notes(names: dict[int, str], order: list[int], count: dict[int, list[int]]) -> list[str]:
    empty = [names[b] for b in order if count[b][0] == 0]
    if not empty:
        return []
    return [
        f"Block(s) with no habitation listed: {', '.join(empty)}; each is one unit of its own "
        "with no people."
    ]


# ----------------------------------------------------------------------------- manifest


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def household_size() -> float:
    return round(STATE_POPULATION_2011 / STATE_HOUSEHOLDS_2011, 3)


def caveats(built: Built) -> list[str]:
    e = built.entry
    n_blocks = len(built.blocks)
    towns = [h["name"] for h in built.hq]
    town_list = ", ".join(dict.fromkeys(towns))
    people = sum(h["population"] for h in built.habitations)
    items = [
        f"Blocks are the {n_blocks} older PMGSY development blocks, not the 2020 panchayat "
        "samitis.",
        "Habitations are rural only: the towns are not among them (the district and tehsil "
        f"headquarters {town_list}, and others). There is no Census town table for {e.name} "
        "here, so the ground units have no town cells: a town's land lies in the nearest "
        "village units, and its people are counted in no unit, zone or figure.",
        "Village units are approximate village limits (Voronoi cells of the habitation points "
        "within each block), not surveyed boundaries: check a zone's edge on the ground.",
        "Habitation population is a relative weight of unknown census year, not a 2020 "
        f"count: all units together hold {people:,} people, rural habitations only.",
        f"Households are estimated with Rajasthan's Census 2011 average of {household_size()} "
        f"people per household ({STATE_POPULATION_2011:,} people in "
        f"{STATE_HOUSEHOLDS_2011:,} households), not a figure for {e.name}.",
        "Health facilities are rural PMGSY records typed by keywords in their descriptions "
        f"({built.veterinary} veterinary entries removed): the district hospital and town "
        "hospitals are missing.",
        "There are no COVID care or quarantine centre locations: the district enters them.",
    ]
    if built.roads:
        years = sorted(built.road_years)
        works = len({r["mrl_id"] for r in built.roads})
        items.append(
            f"Roads are {works} PMGSY road-upgrade proposals (of {', '.join(map(str, years))}), "
            "not a main-road layer: checkpoints found on them are incomplete; upload a road "
            "layer for field work."
        )
    else:
        items.append(
            f"There is no road layer: PMGSY lists no road proposal for {e.name}. Upload a road "
            "layer to find checkpoints."
        )
    left = built.left_out_habitations
    if left:
        lost = sum(h["population"] or 0 for h in left)
        items.append(
            f"{len(left)} habitation(s) coded to {e.name} lie outside its PMGSY outline or "
            f"have no location or population, and are left out ({lost:,} people; listed in "
            "SOURCES.md)."
        )
    parts = shapely.get_num_geometries(built.outline)
    holes = sum(shapely.get_num_interior_rings(p) for p in shapely.get_parts(built.outline))
    if parts > 1 or holes:
        shape = []
        if parts > 1:
            shape.append(f"{parts} separate parts")
        if holes:
            shape.append(f"{holes} enclave(s) of neighbouring districts")
        items.append(
            f"The PMGSY outline has {' and '.join(shape)}: a case there may belong to the "
            "neighbour."
        )
    items += built.notes
    return items


def write_manifest(folder: Path, built: Built) -> None:
    e = built.entry
    lines = [
        MARKER,
        f"# {e.name} district, {STATE}. Sources, licences and caveats: SOURCES.md in this folder.",
        f"name = {_toml(e.name)}",
        f"name_hi = {_toml(e.name_hi)}",
        f"state = {_toml(STATE)}",
    ]
    if e.aliases:
        lines.append(f"aliases = [{', '.join(_toml(a) for a in e.aliases)}]")
    lines += [
        "# No Census figure for the district here: Rajasthan's (Census 2011, table A-1).",
        f"household_size = {household_size()}",
        "household_size_source = "
        + _toml(
            f"Census of India 2011, table A-1, Rajasthan (state average, not {e.name}'s): "
            f"{STATE_POPULATION_2011:,} people in {STATE_HOUSEHOLDS_2011:,} households"
        ),
        f'metric_crs = "EPSG:{built.epsg}"  # WGS 84 / UTM zone {built.epsg % 100}N',
        "# Cases up to this far outside the outline are accepted with a note (the PMGSY outline",
        "# is generalised); cases farther out are refused.",
        f"outline_tolerance_m = {OUTLINE_TOLERANCE_M}",
        f"attribution = {_toml(ATTRIBUTION)}",
        "caveats = [",
        *(f"    {_toml(c)}," for c in caveats(built)),
        "]",
        "",
    ]
    layers = {
        "outline": {},
        "blocks": {"name_field": "block_name"},
        "habitations": {
            "name_field": "hab_name",
            "population_field": "population",
            "block_field": "block_name",
            "id_field": "hab_id",
        },
        "health_facilities": {
            "name_field": "description",
            "kind_field": "facility_type",
            "block_field": "block_name",
        },
        "hq_points": {"name_field": "name"},
        "units": {
            "name_field": "name",
            "population_field": "population",
            "households_field": "households",
            "block_field": "block",
            "kind_field": "kind",
        },
        "roads": {"name_field": "work_name"},
    }
    for layer, spec in layers.items():
        if layer not in built.files:
            continue
        lines.append(f"[layers.{layer}]")
        if layer == "units":
            lines.append(
                "# Ground units (derived): village units tiling the district, built by "
                "tools/build_units.py."
            )
        lines.append(f"file = {_toml(built.files[layer])}")
        lines += [f"{k} = {_toml(v)}" for k, v in spec.items()]
        lines.append("")
    lines += [
        "# Settings of tools/build_units.py, which builds [layers.units] (the app ignores them).",
        "[build.units]",
        "# No Census A-1 table: village units only. Written: the fields the app reads, and ids.",
        f"fields = [{', '.join(_toml(f) for f in UNIT_FIELDS)}]",
        "",
    ]
    (folder / MANIFEST).write_text("\n".join(lines), encoding="utf-8")


# ----------------------------------------------------------------------------- SOURCES.md


def _kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KB"


def write_sources(folder: Path, built: Built, source: Path) -> None:
    e, f = built.entry, built.files
    habs = built.habitations
    people = sum(h["population"] for h in habs)
    per_block = {b["block_name"]: [0, 0] for b in built.blocks}
    for h in habs:
        per_block[h["block_name"]][0] += 1
        per_block[h["block_name"]][1] += h["population"]
    kinds = pd.Series([x["facility_type"] for x in built.facilities], dtype=object)
    kind_counts = kinds.value_counts().sort_index() if len(kinds) else pd.Series(dtype=int)
    u = built.units
    rows = [
        ("outline", "Polygon" if built.outline.geom_type == "Polygon" else "MultiPolygon", 1),
        ("blocks", "Polygon", len(built.blocks)),
        ("habitations", "Point", len(habs)),
        ("health_facilities", "Point", len(built.facilities)),
        ("hq_points", "Point", len(built.hq)),
        ("roads", "LineString", len(built.roads)),
        ("units", "Polygon", u.get("units", 0)),
    ]
    spelled = ""
    if e.aliases:
        spelled = (
            f" PMGSY spells the district *{e.pmgsy}*, the Census of India 2011 *{e.census}*; "
            "both find it in the app and on the command line."
        )
    out = [
        f"> **Shipped with Containment Planner.** This folder is the {e.name} district of the app, "
        "built by `tools/build_districts.py` from the Rajasthan source files of the project's "
        "reference-data collection (`geodata-src/rajasthan/`). Do not edit it by hand: rebuild "
        f"with `python tools/build_districts.py --only {e.slug}`.",
        "",
        f"# {e.name} district ({STATE}): reference geodata, with sources",
        "",
        f"PMGSY district id {built.pmgsy_id}; Census 2011 district code {built.census_code}"
        + (f"; LGD code {built.lgd_code}" if built.lgd_code is not None else "")
        + f".{spelled}",
        "",
        "Every feature comes from a public dataset; nothing was digitised, geocoded or typed in "
        "by hand. The only changes are filtering to the district, dissolving the outline, "
        "joining names across source tables, dropping veterinary facilities, and derived fields "
        "marked *(derived)*.",
        "",
        "* CRS: every file is RFC 7946 GeoJSON in EPSG:4326 (6 decimals, about 0.1 m), one "
        f"feature per line. Areas are computed in EPSG:{built.epsg} (UTM zone "
        f"{built.epsg % 100}N, the `metric_crs`).",
        "* Every geometry is valid; every habitation, facility and HQ point lies inside the "
        "outline.",
        "",
        "## Files",
        "",
        "| file | geometry | features | size |",
        "|---|---|---|---|",
    ]
    for layer, geometry, n in rows:
        if layer in f and (folder / f[layer]).is_file():
            out.append(f"| `{f[layer]}` | {geometry} | {n} | {_kb(folder / f[layer])} |")
    out += [
        "",
        "## Source A: PMGSY GeoSadak open data (every layer but the HQ points)",
        "",
        "* Repo `datameet/pmgsy-geosadak`, HEAD `ae9940c94ea61ebb1503952622b990aa1f0ec9d6`: "
        "`data/Bound_Block/Rajasthan.zip` (`Bound_Block.shp`), `data/Habitation/Rajasthan.zip` "
        "(`Habitation2.shp`), `data/Facilities/Rajasthan.zip` (`Facilities.shp`), "
        "`data/Proposals/Rajasthan.zip` (`Proposals.shp`) and `data/MasterData.xls` (state, "
        "district and block ids to names).",
        "* Publisher: Ministry of Rural Development, PMGSY GeoSadak, "
        "https://geosadak-pmgsy.nic.in/OpenData (2022).",
        "* **License: Government Open Data License – India (GODL)**, "
        "https://data.gov.in/government-open-data-license-india. Use, adaptation and "
        "redistribution are allowed; **attribution is required**: "
        '"Ministry of Rural Development, 2022. PMGSY Rural Connectivity Datasets, '
        "https://geosadak-pmgsy.nic.in/opendata/. Published under India's Government Open Data "
        'License: https://data.gov.in/government-open-data-license-india"',
        '* The terms add that the data are "collected for a very specific purpose with only '
        'required adequate levels of accuracy", and that missing entities do not mean they are '
        "missing on the ground.",
        "",
        f"### `{f['outline']}`: district outline *(derived)*",
        f"* The union of the district's {len(built.blocks)} PMGSY block polygons (blocks joined "
        f"to the district through MasterData.xls: `DISTRICT_ID` {built.pmgsy_id}). "
        f"Area {built.area_km2:,.2f} km².",
    ]
    n_slivers, sliver_m2 = built.slivers
    if n_slivers:
        out.append(
            f"* {n_slivers} sliver hole(s) between the district's own blocks (together "
            f"{sliver_m2:,.0f} m², each under {SLIVER_M2 / 1e4:g} ha and in no other district's "
            "block) are filled; the block polygons are kept as they are."
        )
    parts = shapely.get_num_geometries(built.outline)
    holes = sum(shapely.get_num_interior_rings(p) for p in shapely.get_parts(built.outline))
    if parts > 1 or holes:
        out.append(
            f"* The outline has {parts} part(s) and {holes} hole(s), as the PMGSY blocks have "
            "them (exclaves, and enclaves of neighbouring districts)."
        )
    out += [
        "* Fields: `district`, `state`, `census2011_state_code`, `census2011_district_code`, "
        "`lgd_district_code`, `pmgsy_district_id`, `area_km2_computed` *(derived)*, "
        "`geometry_source`.",
        "",
        f"### `{f['blocks']}`: blocks, {len(built.blocks)} features",
        "* Fields: `block_id_pmgsy`, `block_name` (MasterData.xls). Areas below *(derived)*.",
        "* **These are the older PMGSY development blocks, not the 2020 panchayat samitis**, "
        "and not Census 2011 tehsils.",
        "",
        "| block | id | area km² | habitations | habitation population |",
        "|---|---|---|---|---|",
    ]
    for b in built.blocks:
        n, p = per_block[b["block_name"]]
        out.append(
            f"| {b['block_name']} | {b['block_id_pmgsy']} | "
            f"{built.block_areas_km2[b['block_id_pmgsy']]:,.2f} | {n} | {p:,} |"
        )
    out += [
        "",
        f"### `{f['habitations']}`: habitations with population, {len(habs)} points",
        f"* Source: `Habitation2.shp`, `DISTRICT_I == {built.pmgsy_id}`, points inside the "
        f"outline. Population (`TOT_POPULA`) totals {people:,}.",
        "* Fields: `hab_id` (PMGSY), `hab_name`, `population`, `block_name` (the block the "
        "source codes it to).",
        "* **Rural habitations only**: the towns are not in this layer. The census year behind "
        "`population` is not documented (in Dungarpur it is about 87% of the Census 2011 rural "
        "total): use it as a relative weight, not as 2020 population. A PMGSY habitation is "
        "not exactly a Census village.",
    ]
    left = built.left_out_habitations
    if left:
        out.append(f"* Left out: {len(left)} habitation(s) coded to the district:")
        for h in left:
            pop = "no population" if h["population"] is None else f"pop {h['population']:,}"
            out.append(
                f"  * HAB_ID {h['hab_id']} {h['hab_name'] or '(no name)'}, block "
                f"{h['block_id_pmgsy']}, {pop}: {h['reason']}"
            )
    out += [
        "",
        f"### `{f['health_facilities']}`: health facilities, {len(built.facilities)} points",
        f"* Source: `Facilities.shp`, `DISTRICT_I == {built.pmgsy_id}` and `FAC_CATEGO == "
        f'"Medical"`. **{built.veterinary} veterinary and animal-husbandry entries are removed** '
        "(descriptions naming veterinary care in any of the source's spellings, `VH`, animal "
        "husbandry, pashu).",
        "* Fields: `facility_id` (`FACILITY_I`), `description` (`FAC_DESC`, verbatim, with the "
        "source's typos), `facility_type` *(derived by keywords in the description)*, `hab_id`, "
        "`block_name`.",
        "* By type: " + (", ".join(f"{k} {v}" for k, v in kind_counts.items()) or "none") + ".",
    ]
    if built.left_out_facilities:
        out.append(
            f"* Left out: {built.left_out_facilities} health facilities outside the outline or "
            "with no location."
        )
    out += [
        "* **Caveat:** PMGSY records rural facilities only: the district hospital and town "
        "hospitals are not in this data; sub-centres are mostly absent; some entries may be "
        "duplicates. The dataset dates from about 2022, not 2020.",
        "",
    ]
    if built.roads:
        years = sorted(built.road_years)
        works = len({r["mrl_id"] for r in built.roads})
        out += [
            f"### `{f['roads']}`: PMGSY road-upgrade proposals, {len(built.roads)} lines",
            f"* Source: `Proposals.shp`, `DISTRICT_I == {built.pmgsy_id}`: {works} works "
            f"(`mrl_id`), proposal year (`IMS_YEAR`) {', '.join(map(str, years))}.",
            "* Fields: `mrl_id` (the work), `work_name`.",
            "* **Caveat:** these are upgrade proposals, not the road network; the PMGSY rural "
            "road network (`Road_DRRP`) was not available.",
            "",
        ]
    else:
        out += [
            "### Roads: none",
            "* `Proposals.shp` lists no road proposal for this district, and the PMGSY rural "
            "road network (`Road_DRRP`) was not available: the district has no road layer.",
            "",
        ]
    out += [
        "## Source B: datta07/INDIAN-SHAPEFILES (HQ points)",
        "",
        "* Repo `datta07/INDIAN-SHAPEFILES`, HEAD `1ebf2076e8b43eb51739a847c2911127a70f3b59`, "
        "folder `STATES/RAJASTHAN/`. **License: MIT (© 2022)**; the README names no upstream "
        "source: treat the provenance as unknown and credit the repo.",
        f"* `{f['hq_points']}`, {len(built.hq)} points: the district HQ "
        f"({built.hq[0]['name']}) and the Census 2011 tehsil HQs that lie inside the outline"
        + (": " + ", ".join(h["name"] for h in built.hq[1:]) if len(built.hq) > 1 else "")
        + ".",
        "* Fields: `name`, `level` (`district_hq` or `subdistrict_hq`), `unit_name`, "
        "`census2011_state_code`, `census2011_district_code`, `census2011_subdistrict_code`, "
        "`lgd_district_code` (district HQ only).",
        "* They say where the towns are; no town population comes with them.",
        "",
        "## Source C: Census of India 2011, table A-1 (household size only)",
        "",
        f"* Rajasthan: {STATE_POPULATION_2011:,} people in {STATE_HOUSEHOLDS_2011:,} households, "
        f"{household_size()} per household (`household_size` in `district.toml`), from "
        "`github.com/mihirs16/Census-of-India-2011-Dataset`, "
        "`resources/data/censusindia.gov.in/census_population.csv` (a scrape of table A-1; the "
        "repo has no licence file: the figures are official Census of India statistics, cite "
        "the Census). **It is the state average**: no figure for the district was at hand.",
        "",
        f"## Ground units (derived): `{f['units']}`",
        "",
        f"* Built by `tools/build_units.py` (`python tools/build_units.py geodata/{e.slug}`) "
        "from the outline, blocks and habitations above; the method is the one described in "
        '`geodata/dungarpur/SOURCES.md` (section "Ground units"): each block is cut into the '
        "Voronoi cells of its habitation points, clipped to the block; habitations at the same "
        "spot share a unit; a block with no habitation is one unit; cut-off pieces join the "
        "neighbour in the same block with the longest shared edge.",
        "* Fields: `unit_id` (`V-<hab_id>`, the smallest if several habitations share the "
        "unit; `V-none-<block>` for a block with no habitation), `name` (the habitation names), "
        "`kind` (`village`), `block` (the block the unit lies in), `town` (empty), "
        "`population` (the habitations' PMGSY population), `households` (population / "
        f"{household_size()}, rounded), `hab_ids`.",
        "* **Village units only.** There is no Census A-1 table for this district here, so "
        "there are no town cells: towns lie inside village units and their people are in no "
        "unit's population.",
        f"* {u.get('units', 0):,} units holding {u.get('population', 0):,} people and "
        f"{u.get('households', 0):,} households (population / {household_size()}); "
        f"{u.get('units_km2', 0):,.2f} km² against the outline's {u.get('outline_km2', 0):,.2f} "
        "km².",
    ]
    if u.get("notes"):
        out.append("* Build notes:")
        out += [f"  * {note}" for note in u["notes"]]
    out += [
        "",
        "## Caveats (as shown in the app)",
        "",
        *(f"* {c}" for c in caveats(built)),
        "",
        "## Attribution text",
        "",
        f"> {ATTRIBUTION}",
        "",
    ]
    (folder / "SOURCES.md").write_text("\n".join(out), encoding="utf-8")


# ----------------------------------------------------------------------------- units


def _build_units_module() -> ModuleType:
    name = "build_units"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("build_units.py"))
    if spec is None or spec.loader is None:
        raise BuildError("tools/build_units.py: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- Dungarpur check


def _ids(folder: Path, manifest: dict[str, Any], layer: str, id_field: str) -> pd.DataFrame:
    spec = manifest["layers"][layer]
    frame = gpd.read_file(folder / spec["file"], engine="pyogrio")
    return frame.drop(columns="geometry").set_index(id_field).sort_index()


def compare_with_shipped(built_folder: Path, shipped_folder: Path) -> list[str]:
    """What a fresh build of a hand-prepared district disagrees on with the shipped folder."""
    with (built_folder / MANIFEST).open("rb") as f:
        new = tomllib.load(f)
    with (shipped_folder / MANIFEST).open("rb") as f:
        old = tomllib.load(f)
    problems = []
    checks = [
        ("blocks", "block_id_pmgsy", ["block_name"]),
        ("habitations", "hab_id", ["hab_name", "population", "block_name"]),
        ("health_facilities", "facility_id", ["description", "facility_type", "block_name"]),
        ("roads", "mrl_id", ["work_name"]),
    ]
    for layer, id_field, columns in checks:
        a = _ids(built_folder, new, layer, id_field)
        b = _ids(shipped_folder, old, layer, id_field)
        if len(a) != len(b) or list(a.index) != list(b.index):
            extra = sorted(set(a.index) - set(b.index))[:5]
            gone = sorted(set(b.index) - set(a.index))[:5]
            problems.append(f"{layer}: {len(a)} built, {len(b)} shipped (new {extra}, gone {gone})")
            continue
        for column in columns:
            differ = a[column].astype(str) != b[column].astype(str)
            if differ.any():
                first = differ[differ].index[0]
                problems.append(
                    f"{layer} {id_field} {first}: {column} {a.loc[first, column]!r} built, "
                    f"{b.loc[first, column]!r} shipped ({int(differ.sum())} such)"
                )
    hq = [
        gpd.read_file(folder / manifest["layers"]["hq_points"]["file"], engine="pyogrio")
        for folder, manifest in ((built_folder, new), (shipped_folder, old))
    ]
    built_hq, shipped_hq = (sorted(zip(h["name"], h["level"], strict=True)) for h in hq)
    if built_hq != shipped_hq:
        problems.append("hq_points: names or levels differ")
    areas = []
    for folder, manifest in ((built_folder, new), (shipped_folder, old)):
        outline = gpd.read_file(folder / manifest["layers"]["outline"]["file"])
        areas.append(float(outline.to_crs(old["metric_crs"]).area.sum()))
    if abs(areas[0] - areas[1]) > 0.01e6:
        problems.append(f"outline: {areas[0] / 1e6:.2f} km² built, {areas[1] / 1e6:.2f} shipped")
    return problems


# ----------------------------------------------------------------------------- main


def find_entries(wanted: list[str] | None) -> list[Entry]:
    if not wanted:
        return list(DISTRICTS)
    chosen = []
    for text in wanted:
        key = text.strip().lower()
        match = [
            d
            for d in DISTRICTS
            if key in {d.slug, d.name.lower(), d.pmgsy.lower(), d.census.lower()}
        ]
        if not match:
            known = ", ".join(d.slug for d in DISTRICTS)
            raise BuildError(f"no district {text!r}; known: {known}")
        chosen += [m for m in match if m not in chosen]
    return chosen


def _check_master(sources: Sources) -> None:
    listed = {d.pmgsy for d in DISTRICTS}
    unknown = sorted(set(sources.master["DISTRICT_NAME"]) - listed)
    if unknown:
        raise BuildError(
            f"MasterData: district(s) {unknown} are not in DISTRICTS of tools/build_districts.py:"
            " add them (slug, name, PMGSY and Census spellings)."
        )


def _writable(target: Path, entry: Entry) -> None:
    if entry.slug in KEEP:
        raise BuildError(f"{target}: prepared by hand; this script never writes it.")
    manifest = target / MANIFEST
    if manifest.is_file() and not manifest.read_text(encoding="utf-8").startswith(MARKER):
        raise BuildError(f"{manifest}: not written by this script; move the folder away first.")


def build_one(sources: Sources, entry: Entry, target: Path, *, units: bool = True) -> Built:
    """Build a district into ``target`` (replaced as a whole, never half-written)."""
    staging = target.with_name(f".{target.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    built = build_layers(sources, entry, staging)
    write_manifest(staging, built)
    if units:
        _, summary = _build_units_module().build(staging)
        summary.pop("seconds", None)
        built.units = summary
        write_manifest(staging, built)  # caveats are final now
    write_sources(staging, built, sources.folder)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="raw source folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="geodata folder to write")
    parser.add_argument(
        "--only", action="append", help="a district (slug or name); repeat for more"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        entries = find_entries(args.only)
        sources = read_sources(args.source)
        _check_master(sources)
        print(f"read the sources in {time.perf_counter() - started:.1f} s")
        for entry in entries:
            t0 = time.perf_counter()
            target = args.out / entry.slug
            if entry.slug in KEEP:
                if not (target / MANIFEST).is_file():
                    raise BuildError(f"{target}: the hand-prepared folder is missing (git).")
                with tempfile.TemporaryDirectory() as tmp:
                    fresh = build_one(sources, entry, Path(tmp) / entry.slug, units=False)
                    problems = compare_with_shipped(Path(tmp) / entry.slug, target)
                if problems:
                    print(f"{entry.slug}: a fresh build disagrees with the shipped folder:")
                    for problem in problems:
                        print(f"  - {problem}")
                    return 1
                print(
                    f"{entry.slug}: kept as shipped; a fresh build agrees ("
                    f"{len(fresh.blocks)} blocks, {len(fresh.habitations)} habitations, "
                    f"{len(fresh.facilities)} health facilities) "
                    f"[{time.perf_counter() - t0:.1f} s]"
                )
                continue
            _writable(target, entry)
            built = build_one(sources, entry, target)
            size = sum(p.stat().st_size for p in target.iterdir())
            print(
                f"{entry.slug}: {len(built.blocks)} blocks, {len(built.habitations)} "
                f"habitations, {len(built.facilities)} health facilities, {len(built.hq)} HQ "
                f"points, {len(built.roads)} road lines, {built.units.get('units', 0)} units, "
                f"{built.units.get('population', 0):,} people; {size / 1e6:.2f} MB "
                f"[{time.perf_counter() - t0:.1f} s]"
            )
    except BuildError as error:
        print(f"build_districts: {error}", file=sys.stderr)
        return 1
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
