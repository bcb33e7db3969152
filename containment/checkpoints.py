"""Entry and exit checkpoints where roads cross a zone's perimeter.

One checkpoint per crossing; crossings of one zone closer than ``merge_m`` (default 50 m) are
one checkpoint. Works on any road layer in any CRS: the geometry is projected to the
district's metric CRS, the roads' name and class read from whatever fields they have.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy.cluster.hierarchy import fcluster, linkage

from containment.crs import STORAGE_CRS
from containment.district import District
from containment.errors import ContainmentError

__all__ = [
    "CHECKPOINT_COLUMNS",
    "RoadLayerError",
    "checkpoint_list_html",
    "missing_checkpoints",
    "propose_checkpoints",
    "read_roads",
    "standard_roads",
]

CHECKPOINT_COLUMNS = ("checkpoint_id", "zone_id", "zone_name", "road", "road_class")
_NAME_FIELDS = (
    "name",
    "road_name",
    "roadname",
    "work_name",
    "ref",
    "road_no",
    "road_id",
    "osm_id",
    "id",
)
_CLASS_FIELDS = ("road_class", "class", "fclass", "highway", "type", "category", "road_type")


class RoadLayerError(ContainmentError):
    """A road layer that cannot be used; the message names the file and what to do."""


def standard_roads(
    roads: gpd.GeoDataFrame, *, name_field: str | None = None, class_field: str | None = None
) -> gpd.GeoDataFrame:
    """Roads with ``road`` (name, or id) and ``road_class`` columns, lines only, in EPSG:4326."""
    if roads.crs is None:
        msg = "The road layer has no CRS. Save it with one (e.g. EPSG:4326)."
        raise RoadLayerError(msg)
    lower = {str(c).lower(): c for c in roads.columns if c != "geometry"}

    def pick(explicit: str | None, candidates: tuple[str, ...]) -> str | None:
        if explicit is not None:
            if explicit not in roads.columns:
                fields = ", ".join(lower.values())
                msg = f"The road layer has no field {explicit!r}; its fields are: {fields}."
                raise RoadLayerError(msg)
            return explicit
        return next((lower[c] for c in candidates if c in lower), None)

    name = pick(name_field, _NAME_FIELDS)
    road_class = pick(class_field, _CLASS_FIELDS)
    lines = roads[roads.geometry.notna() & ~roads.geometry.is_empty]
    kinds = lines.geometry.geom_type
    lines = lines[kinds.isin(["LineString", "MultiLineString"])]
    if lines.empty:
        msg = "The road layer has no lines. Roads must be LineString or MultiLineString features."
        raise RoadLayerError(msg)
    numbers = pd.Series(np.arange(1, len(lines) + 1), index=lines.index).map(lambda i: f"road {i}")
    return gpd.GeoDataFrame(
        {
            "road": lines[name].astype(str).where(lines[name].notna(), numbers)
            if name
            else numbers,
            "road_class": lines[road_class].fillna("").astype(str) if road_class else "",
        },
        geometry=lines.geometry.to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    ).reset_index(drop=True)


def read_roads(
    source: bytes | str | os.PathLike[str], *, name: str | None = None, **fields: str | None
) -> gpd.GeoDataFrame:
    """Read a road layer (GeoJSON, GeoPackage, Shapefile or zipped shapefile) in any CRS.

    ``source`` is a path, or an upload's bytes; then ``name`` (the browser's file name) is
    used in messages only, never as a path.
    """
    from containment.tables import read_layer

    if isinstance(source, bytes):
        shown = name or "the road layer"
        try:
            roads = read_layer(source, shown)
        except ContainmentError as exc:
            raise RoadLayerError(str(exc)) from exc
    else:
        path = Path(source)
        shown = path.name
        where = f"/vsizip/{path}" if path.name.lower().endswith(".zip") else path
        try:
            roads = gpd.read_file(where, engine="pyogrio")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = f"{shown}: cannot be read as a road layer ({exc})."
            raise RoadLayerError(msg) from exc
    try:
        return standard_roads(roads, **fields)
    except RoadLayerError as exc:
        msg = f"{shown}: {exc}"
        raise RoadLayerError(msg) from exc


def _crossings(
    zones_m: np.ndarray, roads_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points where road lines cross zone perimeters: (zone index, road index, point)."""
    perimeters = shapely.boundary(zones_m)
    zone_idx, road_idx = shapely.STRtree(roads_m).query(perimeters, predicate="intersects")
    if len(zone_idx) == 0:
        return zone_idx, road_idx, np.array([], dtype=object)
    meets = shapely.intersection(perimeters[zone_idx], roads_m[road_idx])
    parts, owner = shapely.get_parts(meets, return_index=True)
    # A road running along the perimeter meets it in a line: its middle is the crossing.
    lines = shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING
    parts[lines] = shapely.line_interpolate_point(parts[lines], 0.5, normalized=True)
    points = shapely.get_type_id(parts) == shapely.GeometryType.POINT
    return zone_idx[owner][points], road_idx[owner][points], parts[points]


def _checkpoint_id(zone_id: str, point: shapely.Point) -> str:
    key = f"{zone_id}:{round(point.x, -1):.0f}:{round(point.y, -1):.0f}"
    return "CP-" + hashlib.blake2b(key.encode(), digest_size=4).hexdigest()


def propose_checkpoints(
    zones: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, district: District, *, merge_m: float = 50.0
) -> gpd.GeoDataFrame:
    """One checkpoint per road crossing of each zone's perimeter, near crossings merged.

    ``zones`` needs ``zone_id`` (and ``name`` if it has one); ``roads`` is a
    :func:`standard_roads` frame. Returns :data:`CHECKPOINT_COLUMNS` and point geometries in
    EPSG:4326, each on a road and on the perimeter.
    """
    columns = {c: pd.Series(dtype=object) for c in CHECKPOINT_COLUMNS}
    if zones.empty or roads.empty:
        return gpd.GeoDataFrame(columns, geometry=[], crs=STORAGE_CRS)
    zones_m = zones.to_crs(district.metric_crs).geometry.to_numpy()
    roads_m = roads.to_crs(district.metric_crs).geometry.to_numpy()
    zone_idx, road_idx, points = _crossings(zones_m, roads_m)
    names = zones["name"].astype(str).to_numpy() if "name" in zones else zones["zone_id"].to_numpy()
    road_names = roads["road"].astype(str).to_numpy()
    road_classes = roads["road_class"].astype(str).to_numpy()
    records, geometries = [], []
    for z in np.unique(zone_idx):
        here = np.flatnonzero(zone_idx == z)
        xy = shapely.get_coordinates(points[here])
        if len(here) > 1:
            groups = fcluster(linkage(xy, method="single"), t=merge_m, criterion="distance")
        else:
            groups = np.ones(1, dtype=int)
        for group in np.unique(groups):
            members = here[groups == group]
            centre = xy[groups == group].mean(axis=0)
            chosen = members[np.argmin(np.hypot(*(xy[groups == group] - centre).T))]
            zone_id = str(zones["zone_id"].iloc[z])
            records.append(
                {
                    "checkpoint_id": _checkpoint_id(zone_id, points[chosen]),
                    "zone_id": zone_id,
                    "zone_name": names[z],
                    "road": "; ".join(dict.fromkeys(road_names[road_idx[members]])),
                    "road_class": "; ".join(
                        filter(None, dict.fromkeys(road_classes[road_idx[members]]))
                    ),
                }
            )
            geometries.append(points[chosen])
    frame = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=list(CHECKPOINT_COLUMNS)),
        geometry=gpd.GeoSeries(geometries, crs=district.metric_crs).to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    )
    return frame


def missing_checkpoints(
    zones: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    district: District,
    *,
    merge_m: float = 50.0,
) -> pd.DataFrame:
    """Road crossings of each zone's perimeter with no checkpoint within ``merge_m``.

    Returns one row per uncovered crossing (``zone_id``, ``zone_name``, ``road``): the zones a
    planner left open, on purpose or not.
    """
    proposed = propose_checkpoints(zones, roads, district, merge_m=merge_m)
    if proposed.empty:
        return pd.DataFrame(columns=["zone_id", "zone_name", "road"])
    proposed_m = proposed.to_crs(district.metric_crs)
    if checkpoints.empty:
        covered = np.zeros(len(proposed), dtype=bool)
    else:
        kept_m = checkpoints.to_crs(district.metric_crs)
        covered = np.zeros(len(proposed), dtype=bool)
        for zone_id, group in proposed_m.groupby("zone_id"):
            mine = kept_m[kept_m["zone_id"] == zone_id]
            if mine.empty:
                continue
            tree = shapely.STRtree(mine.geometry.to_numpy())
            near, _ = tree.query(group.geometry.to_numpy(), predicate="dwithin", distance=merge_m)
            covered[
                np.flatnonzero(proposed_m["zone_id"].to_numpy() == zone_id)[np.unique(near)]
            ] = True
    return pd.DataFrame(proposed.loc[~covered, ["zone_id", "zone_name", "road"]]).reset_index(
        drop=True
    )


def checkpoint_list_html(
    checkpoints: gpd.GeoDataFrame, district: District, *, synthetic: bool = False
) -> str:
    """A printable list of checkpoints, by block, for the police stations."""
    from containment.render.pages import render_page

    block_of = district.block_at(checkpoints.geometry, outside="Outside the district")
    table = pd.DataFrame(
        {
            "Block": block_of,
            "Checkpoint": checkpoints["checkpoint_id"].to_numpy(),
            "Zone": checkpoints["zone_name"].to_numpy(),
            "Road": checkpoints["road"].to_numpy(),
            "Class": checkpoints["road_class"].to_numpy(),
            "Latitude": checkpoints.geometry.y.round(6).map("{:.6f}".format).to_numpy(),
            "Longitude": checkpoints.geometry.x.round(6).map("{:.6f}".format).to_numpy(),
        }
    ).sort_values(["Block", "Zone", "Road"], kind="stable")
    blocks = [
        (block, rows.drop(columns="Block")) for block, rows in table.groupby("Block", sort=True)
    ]
    return render_page(
        "checkpoint_list.html.j2", synthetic=synthetic, district=district.name, blocks=blocks
    )
