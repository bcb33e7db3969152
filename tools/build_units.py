#!/usr/bin/env python
"""Build the ground units of a district: village units and town cells that tile its outline.

    python tools/build_units.py geodata/dungarpur
    python tools/build_units.py geodata/dungarpur --out /tmp/units.geojson
    python tools/build_units.py geodata/<district> --census path/to/census2011_a1.csv

A zone made of units names places police can seal and never outlines the circles around
patients' homes. The method (see the "Ground units (derived)" section of SOURCES.md):

* **Village units.** Each block is cut into the Voronoi cells of the habitation points that lie in
  it, clipped to the block and the district outline, so no unit crosses a block line. Habitations
  at the same spot share one unit; habitations outside the outline are left out; a block with no
  habitation is one unit of its own; a piece of a cell cut off from its habitation (a block's
  concave edge, a town) joins the neighbouring village unit it shares the longest edge with.
* **Town cells.** For each Census 2011 tehsil with an urban population (table A-1) the town sits at
  the tehsil's HQ point as the N hexagons (about ``--cell-width`` metres across) nearest that point
  whose total area is the Census urban area. A hexagon holding a habitation point is left to the
  village (PMGSY lists it as rural) and the next nearest one is taken. Cells are carved out of the
  village units, split at block lines, and carry the Census urban population and households in
  proportion to their area, rounded by largest remainder so each town sums exactly.

Everything is computed in the district's metric CRS (``metric_crs`` in ``district.toml``) and
written as RFC 7946 GeoJSON (EPSG:4326, 6 decimals, exterior rings counter-clockwise), one
feature per line. The same inputs give the same bytes. The script reads the layers with
geopandas/pyogrio itself and needs no network.

Build settings live in ``district.toml`` under ``[build.units]`` (all optional)::

    [build.units]
    census_a1 = "dungarpur_census2011_a1.csv"   # Census 2011 table A-1 rows of the district
    cell_width_m = 450                          # town cell width, flat side to flat side
    [[build.units.extra_towns]]                 # a town that is not a tehsil HQ
    name = "Galiyakot"
    subdistrict_code = 648                      # shares this tehsil's Urban row
    share = 0.5                                 # its part of that row (default: equal split)
    locate = { file = "...facilities.geojson", field = "hab_id", value = 1225636 }

    fields = ["unit_id", "name", "kind", "block", "town", "population", "households"]
                                                # the fields written (default: all of them)
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

STORAGE_CRS = "EPSG:4326"
MANIFEST_NAME = "district.toml"
DEFAULT_CELL_WIDTH_M = 450.0
# A piece of a town cell smaller than this share of a whole cell (cut off by a block line or the
# district outline) joins the neighbouring cell rather than standing as a unit of its own.
MIN_TOWN_PIECE = 0.25
# Habitation points closer than this are one place (duplicates in the source).
SAME_PLACE_M = 0.1
# Noding grid for the overlay of blocks, Voronoi cells and town cells, in metres.
GRID_M = 0.01
COORD_DECIMALS = 6


class BuildError(Exception):
    """A district folder that cannot be built, with the file and what to fix."""


@dataclass
class Region:
    """One block (clipped to the district outline), or outline area no block covers."""

    name: str
    geom: shapely.Geometry


@dataclass
class Place:
    """One or more habitations at the same spot: one village unit."""

    ids: list[str]
    names: list[str]
    population: int
    point: shapely.Point
    region: int


@dataclass
class Town:
    name: str
    slug: str
    centre: shapely.Point
    area_m2: float
    population: int
    households: int
    source: str
    placed: str
    hexes: list[shapely.Polygon] = field(default_factory=list)
    hex_centres: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Unit:
    key: tuple[Any, ...]
    kind: str  # "village" or "town_cell"
    region: int
    geom: shapely.Geometry
    place: Place | None = None
    town: int | None = None
    hex_centre: tuple[float, float] = (0.0, 0.0)
    population: int = 0
    households: int = 0
    number: str = ""


@dataclass
class Report:
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.notes.append(text)


# ----------------------------------------------------------------------------- reading


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise BuildError(f"{path}: missing. A district folder needs a {MANIFEST_NAME}.")
    try:
        with path.open("rb") as f:
            manifest = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: not valid TOML ({exc}).") from exc
    for layer in ("outline", "blocks", "habitations"):
        if layer not in manifest.get("layers", {}):
            raise BuildError(f"{path}: missing layer [layers.{layer}].")
    return manifest


def read_layer(folder: Path, manifest: dict[str, Any], layer: str) -> gpd.GeoDataFrame:
    spec = manifest["layers"][layer]
    path = folder / spec["file"]
    if not path.is_file():
        raise BuildError(f"{path}: missing (layer {layer!r} in {MANIFEST_NAME}).")
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None:
        raise BuildError(f"{path}: has no CRS. Save it with one (e.g. EPSG:4326).")
    return frame


def field_values(frame: gpd.GeoDataFrame, spec: dict[str, Any], key: str, default: str | None):
    """The column named by ``spec[key]`` (or ``default``), or None when there is none."""
    name = spec.get(key, default)
    if name is None or name not in frame.columns:
        return None
    return frame[name]


def metric_crs(manifest: dict[str, Any], outline_lonlat: shapely.Geometry) -> CRS:
    if "metric_crs" in manifest:
        crs = CRS.from_user_input(manifest["metric_crs"])
        if not crs.is_projected:
            raise BuildError(f"metric_crs {manifest['metric_crs']!r} is not in metres.")
        return crs
    centre = outline_lonlat.centroid
    zone = int((centre.x + 180) // 6) + 1
    return CRS.from_epsg((32600 if centre.y >= 0 else 32700) + zone)


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry (dropping lines and points a clip or repair leaves)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    parts = [q for p in parts for q in shapely.get_parts(p) if not q.is_empty]
    if not parts:
        return shapely.Polygon()
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def shared_length(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return float(shapely.length(shapely.intersection(a.boundary, b.boundary)))


# ----------------------------------------------------------------------------- blocks


def build_regions(
    outline: shapely.Geometry, blocks: gpd.GeoDataFrame, names: pd.Series | None, report: Report
) -> list[Region]:
    """Blocks clipped to the outline, no overlaps; outline left over joins a touching block."""
    if names is None:
        names = pd.Series([f"Block {i + 1}" for i in range(len(blocks))], index=blocks.index)
        report.note("blocks have no name field: blocks are numbered")
    labels = names.astype("string").fillna("").str.strip()
    labels = pd.Series(
        [label or f"Block {i + 1}" for i, label in enumerate(labels)], index=blocks.index
    )
    regions: list[Region] = []
    taken = shapely.Polygon()
    for name in sorted(set(labels)):
        geoms = blocks.geometry[labels == name]
        geoms = shapely.make_valid(geoms[geoms.notna() & ~geoms.is_empty].to_numpy())
        geom = polygonal(shapely.union_all(geoms))
        geom = polygonal(shapely.difference(shapely.intersection(geom, outline), taken))
        if geom.area < 1.0:
            report.note(
                f"block {name!r} lies outside the outline (or under other blocks): no units"
            )
            continue
        regions.append(Region(name, geom))
        taken = shapely.union(taken, geom)
    rest = polygonal(shapely.difference(outline, taken))
    orphans: list[shapely.Geometry] = []
    for piece in shapely.get_parts(rest):
        if piece.is_empty:
            continue
        lengths = [
            shapely.length(shapely.intersection(piece.boundary, shapely.buffer(r.geom, GRID_M)))
            for r in regions
        ]
        distances = [shapely.distance(piece, r.geom) for r in regions]
        if lengths and (max(lengths) > 0 or min(distances) < 1.0):
            best = int(np.argmax(lengths)) if max(lengths) > 0 else int(np.argmin(distances))
            regions[best].geom = polygonal(shapely.union(regions[best].geom, piece))
        else:
            orphans.append(piece)
    if rest.area > 1.0:
        report.note(f"{rest.area / 1e6:.3f} km² of the outline is in no block")
    if orphans:
        geom = polygonal(shapely.union_all(orphans))
        regions.append(Region("", geom))
        report.note(
            f"{geom.area / 1e6:.3f} km² of the outline touches no block: units there have no block"
        )
    return regions


# ----------------------------------------------------------------------------- villages


def read_places(
    habitations: gpd.GeoDataFrame,
    spec: dict[str, Any],
    regions: list[Region],
    report: Report,
) -> list[Place]:
    """Habitations as places: located in a region, duplicates at one spot merged."""
    n = len(habitations)
    ids = field_values(habitations, spec, "id_field", "hab_id")
    if ids is None:
        report.note("habitations have no id field (id_field / hab_id): ids are row numbers")
        ids = pd.Series([str(i + 1) for i in range(n)], index=habitations.index)
    ids = ids.astype("string").fillna("").str.strip()
    names = field_values(habitations, spec, "name_field", None)
    names = (
        names.astype("string").fillna("").str.strip()
        if names is not None
        else pd.Series([""] * n, index=habitations.index)
    )
    pops = field_values(habitations, spec, "population_field", None)
    if pops is None:
        report.note("habitations have no population field: village populations are 0")
        pops = pd.Series([0] * n, index=habitations.index)
    pops = pd.to_numeric(pops, errors="coerce")
    bad_pop = pops.isna() | (pops < 0)
    if bad_pop.any():
        report.note(f"{int(bad_pop.sum())} habitations have no usable population: counted as 0")
    pops = pops.where(~bad_pop, 0).round().astype(int)

    coded = field_values(habitations, spec, "block_field", None)
    coded = coded.astype("string").fillna("").str.strip() if coded is not None else None
    moved: list[str] = []
    seen: dict[str, int] = {}
    geoms = habitations.geometry.to_numpy()
    region_tree = shapely.STRtree([r.geom for r in regions])
    rows: list[tuple[str, str, int, float, float, int]] = []
    no_geom, outside = [], []
    for i in range(n):
        hab_id = ids.iloc[i] or str(i + 1)
        if hab_id in seen:
            seen[hab_id] += 1
            hab_id = f"{hab_id}.{seen[hab_id]}"
            report.note(f"habitation id {ids.iloc[i]!r} repeats: this one is {hab_id!r}")
        else:
            seen[hab_id] = 1
        geom = geoms[i]
        if geom is None or geom.is_empty:
            no_geom.append(hab_id)
            continue
        point = geom if geom.geom_type == "Point" else shapely.point_on_surface(geom)
        hits = region_tree.query(point, predicate="intersects")
        if len(hits) == 0:
            outside.append(hab_id)
            continue
        name = names.iloc[i] or f"Habitation {hab_id}"
        region = int(min(hits))
        if coded is not None and coded.iloc[i] and coded.iloc[i] != regions[region].name:
            moved.append(hab_id)
        rows.append((hab_id, name, int(pops.iloc[i]), point.x, point.y, region))
    if no_geom:
        report.note(f"{len(no_geom)} habitations have no location, left out: {', '.join(no_geom)}")
    if moved:
        report.note(
            f"{len(moved)} habitations lie in another block than the one they are coded to: "
            "their units take the block they lie in"
        )
    if outside:
        report.note(
            f"{len(outside)} habitations lie outside the outline, left out: {', '.join(outside)}"
        )

    groups: dict[tuple[int, int], list[tuple[str, str, int, float, float, int]]] = {}
    for row in rows:
        key = (round(row[3] / SAME_PLACE_M), round(row[4] / SAME_PLACE_M))
        groups.setdefault(key, []).append(row)
    places = []
    for members in groups.values():
        members.sort(key=lambda r: (len(r[0]), r[0]))
        if len(members) > 1:
            report.note(
                "habitations at the same spot share one unit: "
                + ", ".join(f"{m[1]} ({m[0]})" for m in members)
            )
        first = members[0]
        places.append(
            Place(
                ids=[m[0] for m in members],
                names=[m[1] for m in members],
                population=sum(m[2] for m in members),
                point=shapely.Point(first[3], first[4]),
                region=first[5],
            )
        )
    places.sort(key=lambda p: (p.region, len(p.ids[0]), p.ids[0]))
    return places


def voronoi_cells(region: Region, places: list[Place]) -> list[shapely.Geometry]:
    """The Voronoi cell of each place, clipped to its region (same order as ``places``)."""
    if len(places) == 1:
        return [region.geom]
    points = shapely.MultiPoint([p.point for p in places])
    frame = shapely.buffer(shapely.envelope(shapely.union(region.geom, points)), 1000.0)
    diagram = shapely.voronoi_polygons(points, extend_to=frame, ordered=True)
    cells = list(shapely.get_parts(diagram))
    if len(cells) != len(places):  # not expected with ordered=True; be explicit if it happens
        raise BuildError(f"block {region.name!r}: Voronoi diagram lost points")
    return [polygonal(shapely.intersection(cell, region.geom)) for cell in cells]


# ----------------------------------------------------------------------------- towns


def read_census(path: Path, district_code: int | None) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"Name": str, "Category": str, "Residence": str})
    needed = {
        "District Code",
        "Sub District Code",
        "Category",
        "Name",
        "Residence",
        "Towns",
        "Households",
        "Population (Person)",
        "Area",
    }
    missing = needed - set(table.columns)
    if missing:
        raise BuildError(f"{path}: not a Census A-1 table, missing {', '.join(sorted(missing))}")
    codes = sorted(set(table["District Code"]))
    if district_code is not None:
        table = table[table["District Code"] == district_code]
    elif len(codes) > 1:
        raise BuildError(
            f"{path}: rows of several districts ({codes[:5]}…); set census_district_code "
            f"under [build.units] in {MANIFEST_NAME}"
        )
    if table.empty:
        raise BuildError(f"{path}: no rows for district code {district_code}")
    urban = table[
        (table["Category"].str.upper() == "SUB-DISTRICT")
        & (table["Residence"].str.lower() == "urban")
        & (table["Population (Person)"] > 0)
    ]
    return urban.sort_values("Sub District Code")


def split_largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` that sum exactly to ``total``.

    >>> split_largest_remainder(10, [1, 1, 1])
    [4, 3, 3]
    """
    weights_arr = np.asarray(weights, dtype=float)
    if total == 0 or len(weights_arr) == 0:
        return [0] * len(weights_arr)
    if weights_arr.sum() <= 0:
        weights_arr = np.ones_like(weights_arr)
    exact = total * weights_arr / weights_arr.sum()
    shares = np.floor(exact).astype(int)
    left = total - int(shares.sum())
    # largest remainder first; ties go to the earlier item, so the result is stable
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [int(s) for s in shares]


def locate(folder: Path, spec: dict[str, Any], crs: CRS, what: str) -> shapely.Point:
    """The coordinate-wise median of the points of a file whose field has a value."""
    path = folder / spec["file"]
    frame = gpd.read_file(path, engine="pyogrio")
    if spec["field"] not in frame.columns:
        raise BuildError(f"{path}: no field {spec['field']!r} to locate {what}")
    hits = frame[frame[spec["field"]].astype(str) == str(spec["value"])]
    hits = hits[hits.geometry.notna() & ~hits.geometry.is_empty].to_crs(crs)
    if hits.empty:
        raise BuildError(f"{path}: no point with {spec['field']} = {spec['value']!r} for {what}")
    points = shapely.point_on_surface(hits.geometry.to_numpy())
    return shapely.Point(
        float(np.median(shapely.get_x(points))), float(np.median(shapely.get_y(points)))
    )


def read_towns(
    folder: Path,
    manifest: dict[str, Any],
    census_path: Path | None,
    crs: CRS,
    report: Report,
) -> list[Town]:
    if census_path is None:
        report.note(
            "TOWN POPULATIONS UNKNOWN: no Census A-1 table (give --census or "
            "[build.units].census_a1). Only village units were built; towns count as rural land."
        )
        return []
    settings = manifest.get("build", {}).get("units", {})
    hq_spec = manifest["layers"].get("hq_points")
    hq = read_layer(folder, manifest, "hq_points").to_crs(crs) if hq_spec else None
    district_code = settings.get("census_district_code")
    if district_code is None and hq is not None and "census2011_district_code" in hq.columns:
        codes = pd.to_numeric(hq["census2011_district_code"], errors="coerce").dropna().unique()
        district_code = int(codes[0]) if len(codes) == 1 else None
    urban = read_census(census_path, district_code)

    valid = urban[urban["Area"] > 0]
    density = valid["Population (Person)"].sum() / valid["Area"].sum() if len(valid) else None
    extras = settings.get("extra_towns", [])
    for extra in extras:
        if int(extra["subdistrict_code"]) not in set(urban["Sub District Code"].astype(int)):
            report.note(f"extra town {extra['name']!r}: no Census urban row for its tehsil")
    towns: list[Town] = []
    for _, row in urban.iterrows():
        code = int(row["Sub District Code"])
        tehsil = str(row["Name"]).strip()
        population = int(row["Population (Person)"])
        hq_town = hq_point(hq, hq_spec or {}, code, tehsil)
        if hq_town is None:
            report.note(
                f"TOWN POPULATION UNPLACED: {tehsil} tehsil's urban population "
                f"({population:,}) has no subdistrict_hq point"
            )
            continue
        area_km2 = float(row["Area"])
        if not area_km2 > 0:
            if density is None:
                report.note(f"TOWN POPULATION UNPLACED: {tehsil} tehsil's urban area is unknown")
                continue
            area_km2 = population / density
            report.note(
                f"{tehsil} tehsil's urban area is missing: taken as {area_km2:.2f} km² "
                "(the district's other urban areas' density)"
            )
        members = [(hq_town[1], hq_town[0], None)]
        for extra in extras:
            if int(extra["subdistrict_code"]) == code:
                where = locate(folder, extra["locate"], crs, extra["name"])
                members.append((str(extra["name"]), where, extra.get("share")))
        n_towns = 0 if pd.isna(row["Towns"]) else int(row["Towns"])
        if n_towns > len(members):
            report.note(
                f"{tehsil} tehsil has {n_towns} towns in Census A-1 but {len(members)} located: "
                f"its whole urban row is placed at {', '.join(m[0] for m in members)}"
            )
        given = [float(m[2]) for m in members[1:] if m[2] is not None]
        if sum(given) > 1 or any(g <= 0 for g in given):
            raise BuildError(f"extra towns of tehsil {code}: shares must be > 0 and sum to <= 1")
        free = len(members) - len(given)  # the HQ town and extra towns without a share
        rest = 1.0 - sum(given)
        weights = [rest / free] + [
            float(m[2]) if m[2] is not None else rest / free for m in members[1:]
        ]
        people = split_largest_remainder(population, weights)
        homes = split_largest_remainder(int(row["Households"]), weights)
        for (name, where, _), w, p, h in zip(members, weights, people, homes, strict=True):
            if w <= 0:
                continue
            source = f"Census 2011 A-1, {tehsil} tehsil urban"
            if len(members) > 1:
                others = ", ".join(m[0] for m in members if m[0] != name)
                source += f" ({w:.0%}, shared with {others})"
            placed = "the tehsil HQ point" if where is members[0][1] else "its PMGSY facilities"
            towns.append(Town(name, slug(name), where, area_km2 * 1e6 * w, p, h, source, placed))
    towns.sort(key=lambda t: (-t.population, t.name))
    return towns


def hq_point(
    hq: gpd.GeoDataFrame | None, spec: dict[str, Any], code: int, tehsil: str
) -> tuple[shapely.Point, str] | None:
    """The tehsil's HQ point (by Census sub-district code, else by name) and its name."""
    if hq is None or hq.empty:
        return None
    level = field_values(hq, spec, "level_field", "level")
    rows = hq[level == "subdistrict_hq"] if level is not None else hq
    names = field_values(rows, spec, "name_field", "name")
    codes = field_values(rows, spec, "subdistrict_code_field", "census2011_subdistrict_code")
    match = rows.iloc[0:0]
    if codes is not None:
        match = rows[pd.to_numeric(codes, errors="coerce") == code]
    if match.empty and names is not None:
        match = rows[names.astype(str).str.strip().str.lower() == tehsil.lower()]
    if match.empty:
        return None
    name = str(names.loc[match.index[0]]).strip() if names is not None else ""
    return shapely.point_on_surface(match.geometry.iloc[0]), name or tehsil


def hexagon(cx: float, cy: float, radius: float) -> shapely.Polygon:
    """A pointy-top hexagon (vertices at north and south)."""
    angles = np.radians([90, 150, 210, 270, 330, 30])
    return shapely.Polygon(
        np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
    )


def lay_out_town(
    town: Town,
    cell_width: float,
    outline: shapely.Geometry,
    avoid_points: shapely.Geometry,
    taken: shapely.Geometry,
    report: Report,
) -> None:
    """Choose the N whole hexagons nearest the centre whose area is the town's area."""
    n = max(1, round(town.area_m2 / (math.sqrt(3) / 2 * cell_width**2)))
    width = math.sqrt(2 * town.area_m2 / (math.sqrt(3) * n))
    radius = width / math.sqrt(3)
    shapely.prepare(outline)
    shapely.prepare(taken)
    rings = int(math.sqrt(n)) + 3
    while True:
        candidates = []
        for row in range(-rings, rings + 1):
            for col in range(-rings, rings + 1):
                cx = town.centre.x + width * (col + 0.5 * (row % 2))
                cy = town.centre.y + 1.5 * radius * row
                centre = shapely.Point(cx, cy)
                if not outline.contains(centre) or taken.contains(centre):
                    continue
                cell = hexagon(cx, cy, radius)
                if avoid_points.intersects(cell):
                    continue
                distance = round(math.hypot(cx - town.centre.x, cy - town.centre.y), 3)
                bearing = round(
                    math.degrees(math.atan2(cx - town.centre.x, cy - town.centre.y)) % 360, 6
                )
                candidates.append((distance, bearing, cx, cy, cell))
        candidates.sort(key=lambda c: (c[0], c[1]))
        enough = len(candidates) >= n and candidates[n - 1][0] < (rings - 1) * 1.5 * radius
        if enough or rings > 200:
            break
        rings *= 2
    chosen = candidates[:n]
    if len(chosen) < n:
        report.note(
            f"{town.name}: room for {len(chosen)} of {n} town cells in the district: "
            "its area is smaller than the Census figure"
        )
    town.hexes = [c[4] for c in chosen]
    town.hex_centres = [(c[2], c[3]) for c in chosen]


# ----------------------------------------------------------------------------- assembly


def overlay(
    regions: list[Region],
    village_cells: list[tuple[Place, shapely.Geometry]],
    towns: list[Town],
    outline: shapely.Geometry,
) -> list[Unit]:
    """Node every edge once and give each face to a town cell or a village unit."""
    town_seeds = [
        (t, h, hex_geom) for t, town in enumerate(towns) for h, hex_geom in enumerate(town.hexes)
    ]
    town_geoms = [polygonal(shapely.intersection(g, outline)) for _, _, g in town_seeds]
    lines = [r.geom.boundary for r in regions]
    lines += [g.boundary for _, g in village_cells if not g.is_empty]
    lines += [g.boundary for g in town_geoms if not g.is_empty]
    noded = shapely.union_all(lines, grid_size=GRID_M)
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    points = shapely.point_on_surface(faces)

    region_tree = shapely.STRtree([r.geom for r in regions])
    town_tree = shapely.STRtree(town_geoms)
    cell_tree = shapely.STRtree([g for _, g in village_cells])
    place_index = {id(p): i for i, (p, _) in enumerate(village_cells)}
    empty_regions = set(range(len(regions))) - {p.region for p, _ in village_cells}

    def best(face: shapely.Geometry, hits: np.ndarray, geoms: list[shapely.Geometry]) -> int:
        if len(hits) == 1:
            return int(hits[0])
        areas = [shapely.area(shapely.intersection(face, geoms[i])) for i in hits]
        return int(hits[int(np.argmax(areas))])

    units: dict[tuple[Any, ...], Unit] = {}
    groups: dict[tuple[Any, ...], list[shapely.Geometry]] = {}
    for face, point in zip(faces, points, strict=True):
        hits = region_tree.query(point, predicate="intersects")
        if len(hits) == 0:
            continue  # a hole of the outline
        r = best(face, np.sort(hits), [g.geom for g in regions])
        hits = town_tree.query(point, predicate="intersects")
        if len(hits):
            s = int(np.min(hits))  # the earlier (larger) town wins an overlap
            t, h, _ = town_seeds[s]
            key: tuple[Any, ...] = ("T", t, h, r)
            if key not in units:
                units[key] = Unit(
                    key,
                    "town_cell",
                    r,
                    shapely.Polygon(),
                    town=t,
                    hex_centre=towns[t].hex_centres[h],
                )
        elif r in empty_regions:
            key = ("E", r)
            units.setdefault(key, Unit(key, "village", r, shapely.Polygon()))
        else:
            hits = np.array(
                [
                    i
                    for i in cell_tree.query(point, predicate="intersects")
                    if village_cells[i][0].region == r
                ],
                dtype=int,
            )
            if len(hits) == 0:  # a sliver at the noding grid: nearest cell of the region
                same = [i for i, (p, _) in enumerate(village_cells) if p.region == r]
                hits = np.array([min(same, key=lambda i: village_cells[i][1].distance(point))])
            c = best(face, np.sort(hits), [g for _, g in village_cells])
            place = village_cells[c][0]
            key = ("V", place_index[id(place)])
            units.setdefault(key, Unit(key, "village", r, shapely.Polygon(), place=place))
        groups.setdefault(key, []).append(face)
    for key, unit in units.items():
        unit.geom = polygonal(shapely.coverage_union_all(groups[key]))
    return list(units.values())


def absorb_fragments(units: list[Unit], min_town_piece: float, report: Report) -> list[Unit]:
    """Give cut-off pieces to the neighbour in the same block that shares the longest edge.

    A village keeps the part holding its habitation; a town cell keeps its largest part if that
    is at least ``min_town_piece`` m². Pieces with no neighbour in the block stay where they are.
    """
    moved = 0
    for _ in range(10):
        cores: list[shapely.Geometry] = []
        loose: list[tuple[int, shapely.Geometry]] = []
        for i, unit in enumerate(units):
            parts = sorted(shapely.get_parts(unit.geom), key=lambda p: -p.area)
            keep = parts[0]
            if unit.place is not None:
                keep = next((p for p in parts if p.intersects(unit.place.point)), parts[0])
            elif unit.kind == "town_cell" and keep.area < min_town_piece:
                keep = None
            cores.append(keep if keep is not None else shapely.Polygon())
            loose += [(i, p) for p in parts if p is not keep]
        if not loose:
            break
        tree = shapely.STRtree(cores)
        gains: dict[int, list[shapely.Geometry]] = {}
        taken_from: dict[int, list[shapely.Geometry]] = {}
        for owner, piece in loose:
            source = units[owner]
            best, best_key = None, None
            for j in tree.query(piece, predicate="intersects"):
                other = units[j]
                if j == owner or other.region != source.region or cores[j].is_empty:
                    continue
                length = shared_length(piece, cores[j])
                if length <= 0:
                    continue
                if source.kind == "village":
                    rank = other.kind == "village"
                else:
                    rank = other.kind == "town_cell" and other.town == source.town
                key = (rank, length, -j)
                if best_key is None or key > best_key:
                    best, best_key = int(j), key
            if best is not None:
                gains.setdefault(best, []).append(piece)
                taken_from.setdefault(owner, []).append(piece)
        if not gains:
            break
        for i, pieces in taken_from.items():
            rest = [
                p for p in shapely.get_parts(units[i].geom) if not any(p.equals(q) for q in pieces)
            ]
            units[i].geom = (
                polygonal(shapely.coverage_union_all(rest)) if rest else shapely.Polygon()
            )
            moved += len(pieces)
        for j, pieces in gains.items():
            units[j].geom = polygonal(shapely.coverage_union_all([units[j].geom, *pieces]))
        units = [u for u in units if not u.geom.is_empty]
    if moved:
        report.note(f"{moved} cut-off pieces joined a neighbouring unit of the same block")
    return units


# ----------------------------------------------------------------------------- output


def geojson_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    def ring(r: shapely.LinearRing) -> list[list[float]]:
        return np.round(shapely.get_coordinates(r), COORD_DECIMALS).tolist()

    def polygon(p: shapely.Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior), *(ring(h) for h in p.interiors)]

    if geom.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": polygon(geom)}
    return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in geom.geoms]}


def write_geojson(path: Path, name: str, records: list[dict[str, Any]]) -> None:
    lines = [
        "{",
        '"type": "FeatureCollection",',
        f'"name": {json.dumps(name)},',
        '"features": [',
    ]
    features = []
    for record in records:
        props = {k: v for k, v in record.items() if k != "geometry"}
        feature = {"type": "Feature", "properties": props, "geometry": record["geometry"]}
        features.append(json.dumps(feature, ensure_ascii=False, separators=(", ", ": ")))
    lines.append(",\n".join(features))
    lines += ["]", "}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def to_lonlat(units: list[Unit], crs: CRS) -> list[shapely.Geometry]:
    series = gpd.GeoSeries([u.geom for u in units], crs=crs).to_crs(STORAGE_CRS)
    geoms = shapely.set_precision(series.to_numpy(), 10.0**-COORD_DECIMALS)
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    return [polygonal(g) for g in geoms]


# ----------------------------------------------------------------------------- main


def build(
    folder: Path,
    out: Path | None = None,
    census: Path | None = None,
    cell_width: float | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Build the units file of a district folder. Returns its path and a summary."""
    started = time.perf_counter()
    report = Report()
    manifest = read_manifest(folder)
    settings = manifest.get("build", {}).get("units", {})
    household_size = float(manifest.get("household_size", 0)) or None
    if household_size is None:
        raise BuildError(f"{folder / MANIFEST_NAME}: missing household_size")
    if census is None and settings.get("census_a1"):
        census = folder / settings["census_a1"]
    if census is not None and not census.is_file():
        raise BuildError(f"{census}: Census A-1 table missing")
    cell_width = float(cell_width or settings.get("cell_width_m", DEFAULT_CELL_WIDTH_M))
    default = folder / manifest["layers"].get("units", {}).get(
        "file", f"{folder.resolve().name}_units.geojson"
    )
    out = out or default

    outline_frame = read_layer(folder, manifest, "outline")
    outline_lonlat = shapely.union_all(
        shapely.make_valid(outline_frame.to_crs(STORAGE_CRS).geometry.to_numpy())
    )
    crs = metric_crs(manifest, outline_lonlat)
    outline = polygonal(
        shapely.union_all(shapely.make_valid(outline_frame.to_crs(crs).geometry.to_numpy()))
    )
    if outline.is_empty:
        raise BuildError(f"{folder}: the outline layer has no polygon")
    blocks = read_layer(folder, manifest, "blocks").to_crs(crs)
    block_spec = manifest["layers"]["blocks"]
    regions = build_regions(
        outline, blocks, field_values(blocks, block_spec, "name_field", None), report
    )
    habitations = read_layer(folder, manifest, "habitations").to_crs(crs)
    places = read_places(habitations, manifest["layers"]["habitations"], regions, report)

    village_cells: list[tuple[Place, shapely.Geometry]] = []
    for r, region in enumerate(regions):
        inside = [p for p in places if p.region == r]
        if not inside:
            report.note(f"block {region.name!r} has no habitation: it is one unit")
            continue
        village_cells += list(zip(inside, voronoi_cells(region, inside), strict=True))

    towns = read_towns(folder, manifest, census, crs, report)
    avoid = shapely.MultiPoint([p.point for p in places]) if places else shapely.Point()
    taken = shapely.Polygon()
    for town in towns:
        lay_out_town(town, cell_width, outline, avoid, taken, report)
        taken = shapely.union(taken, shapely.union_all(town.hexes))

    units = overlay(regions, village_cells, towns, outline)
    nominal = {t: towns[t].area_m2 / max(1, len(towns[t].hexes)) for t in range(len(towns))}
    min_piece = min(nominal.values(), default=0.0) * MIN_TOWN_PIECE
    units = absorb_fragments(units, min_piece, report)
    records = make_records(units, regions, towns, household_size, crs, report)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_geojson(out, default.stem, only_fields(records, settings.get("fields"), folder))

    summary = summarise(records, towns, outline, places, report)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    summary["bytes"] = out.stat().st_size
    return out, summary


def only_fields(
    records: list[dict[str, Any]], fields: list[str] | None, folder: Path
) -> list[dict[str, Any]]:
    """The records with only ``fields`` (``[build.units].fields``) and their geometry."""
    if fields is None:
        return records
    known = [k for k in records[0] if k != "geometry"] if records else []
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise BuildError(
            f"{folder / MANIFEST_NAME}: [build.units].fields names {unknown}; "
            f"the fields are {known}"
        )
    return [{**{f: r[f] for f in fields}, "geometry": r["geometry"]} for r in records]


def make_records(
    units: list[Unit],
    regions: list[Region],
    towns: list[Town],
    household_size: float,
    crs: CRS,
    report: Report,
) -> list[dict[str, Any]]:
    villages = [u for u in units if u.kind == "village"]
    villages.sort(
        key=lambda u: (
            regions[u.region].name,
            u.place is None,
            village_name(u, regions),
            u.place.ids[0] if u.place else "",
        )
    )
    cells: list[Unit] = []
    for t, town in enumerate(towns):
        mine = [u for u in units if u.town == t]
        # rows of the hexagon grid from north-west; pieces of one hexagon north first
        mine.sort(key=lambda u: cell_order(u))
        areas = [u.geom.area for u in mine]
        people = split_largest_remainder(town.population, areas)
        homes = split_largest_remainder(town.households, areas)
        digits = max(2, len(str(len(mine))))
        for number, (u, p, h) in enumerate(zip(mine, people, homes, strict=True), start=1):
            u.population, u.households, u.number = p, h, f"{number:0{digits}d}"
        cells += mine
        if mine:
            report.note(
                f"{town.name} town: {len(mine)} cells, {sum(areas) / 1e6:.2f} km² "
                f"(Census {town.area_m2 / 1e6:.2f} km²), {town.population:,} people, "
                f"{town.households:,} households"
            )
    ordered = villages + cells
    geoms = to_lonlat(ordered, crs)
    records = []
    used: set[str] = set()
    for unit, geom in zip(ordered, geoms, strict=True):
        block = regions[unit.region].name
        if unit.kind == "town_cell":
            town = towns[unit.town]
            unit_id = f"T-{town.slug}-{unit.number}"
            record = {
                "unit_id": unit_id,
                "name": f"{town.name} town, cell {unit.number}",
                "kind": "town_cell",
                "block": block,
                "town": town.name,
                "population": unit.population,
                "households": unit.households,
                "area_km2": round(unit.geom.area / 1e6, 4),
                "hab_ids": "",
                "source": f"{town.source}; by area; hexagons around {town.placed}",
            }
        elif unit.place is None:
            unit_id = f"V-none-{slug(block)}"
            record = {
                "unit_id": unit_id,
                "name": village_name(unit, regions),
                "kind": "village",
                "block": block,
                "town": "",
                "population": 0,
                "households": 0,
                "area_km2": round(unit.geom.area / 1e6, 4),
                "hab_ids": "",
                "source": "block area with no listed habitation",
            }
        else:
            place = unit.place
            unit_id = f"V-{place.ids[0]}"
            record = {
                "unit_id": unit_id,
                "name": village_name(unit, regions),
                "kind": "village",
                "block": block,
                "town": "",
                "population": place.population,
                "households": math.floor(place.population / household_size + 0.5),
                "area_km2": round(unit.geom.area / 1e6, 4),
                "hab_ids": ",".join(place.ids),
                "source": "habitation population; limits: Voronoi cell within the block",
            }
        if unit_id in used:
            raise BuildError(f"unit id {unit_id!r} repeats")
        used.add(unit_id)
        record["geometry"] = geojson_geometry(geom)
        records.append(record)
    return records


def cell_order(unit: Unit) -> tuple[float, float, float, float]:
    inside = shapely.point_on_surface(unit.geom)
    x, y = unit.hex_centre
    return (-round(y, 1), round(x, 1), -round(inside.y, 1), round(inside.x, 1))


def village_name(unit: Unit, regions: list[Region]) -> str:
    if unit.place is None:
        block = regions[unit.region].name
        if not block:
            return "Outside all blocks"
        label = block if block.lower().startswith("block") else f"{block} block"
        return f"{label}, no habitation listed"
    return " / ".join(unit.place.names)


def summarise(
    records: list[dict[str, Any]],
    towns: list[Town],
    outline: shapely.Geometry,
    places: list[Place],
    report: Report,
) -> dict[str, Any]:
    kinds = pd.Series([r["kind"] for r in records])
    population = sum(r["population"] for r in records)
    return {
        "units": len(records),
        "village_units": int((kinds == "village").sum()),
        "town_cells": int((kinds == "town_cell").sum()),
        "habitations_used": sum(len(p.ids) for p in places),
        "population": population,
        "households": sum(r["households"] for r in records),
        "town_population": sum(t.population for t in towns),
        "outline_km2": round(outline.area / 1e6, 2),
        "units_km2": round(sum(r["area_km2"] for r in records), 2),
        "towns": [t.name for t in towns],
        "notes": report.notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="district folder holding district.toml")
    parser.add_argument("--out", type=Path, help="output GeoJSON (default: [layers.units].file)")
    parser.add_argument("--census", type=Path, help="Census 2011 A-1 CSV (default: [build.units])")
    parser.add_argument(
        "--cell-width", type=float, help=f"town cell width in m (default {DEFAULT_CELL_WIDTH_M:g})"
    )
    args = parser.parse_args(argv)
    try:
        out, summary = build(args.folder, args.out, args.census, args.cell_width)
    except BuildError as exc:
        print(f"build_units: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({summary['bytes'] / 1024:.0f} KB) in {summary['seconds']} s")
    print(
        f"{summary['units']} units: {summary['village_units']} village units, "
        f"{summary['town_cells']} town cells; {summary['habitations_used']} habitations"
    )
    print(
        f"population {summary['population']:,} (towns {summary['town_population']:,}), "
        f"households {summary['households']:,}; units {summary['units_km2']} km², "
        f"outline {summary['outline_km2']} km²"
    )
    for note in summary["notes"]:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
