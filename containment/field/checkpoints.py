"""Entry and exit checkpoints where roads cross a zone's perimeter.

One checkpoint per crossing; crossings of one zone closer than ``merge_m`` (default 50 m) are
one checkpoint. Works on any road layer in any CRS: the geometry is projected to the
district's metric CRS, the roads' name and class read from whatever fields they have.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.ids import random_id, stable_id

__all__ = ["CHECKPOINT_COLUMNS", "missing_checkpoints", "new_checkpoint_id", "propose_checkpoints"]

CHECKPOINT_COLUMNS = ("checkpoint_id", "zone_id", "zone_name", "road", "road_class")


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


def new_checkpoint_id() -> str:
    """An id for a checkpoint a planner places by hand."""
    return random_id("CP")


def _checkpoint_id(zone_id: str, point: shapely.Point) -> str:
    """The same id for a crossing of the same zone within 10 m: proposing twice adds nothing."""
    return stable_id("CP", zone_id, f"{round(point.x, -1):.0f}", f"{round(point.y, -1):.0f}")


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
            # scipy (large) is imported only when two crossings of one zone need merging.
            from scipy.cluster.hierarchy import fcluster, linkage

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
