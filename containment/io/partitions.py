"""Reading the polygons a zone computation is split by (district outlines of a state, the
blocks of a district) from any file pyogrio reads."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import DistrictError

__all__ = ["read_partitions"]


def read_partitions(path: Path) -> gpd.GeoSeries:
    """The polygons of a layer, in EPSG:4326. Every problem names the file and the feature."""
    if not path.is_file():
        msg = f"{path}: no such file (the polygons to split the work by)."
        raise DistrictError(msg)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = f"{path}: cannot be read as a layer ({exc})."
        raise DistrictError(msg) from exc
    if frame.crs is None:
        msg = f"{path}: has no CRS. Save it with one (e.g. EPSG:4326)."
        raise DistrictError(msg)
    if frame.empty:
        msg = f"{path}: has no features; it needs at least one polygon."
        raise DistrictError(msg)
    geometry = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geometry)
    polygonal = np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    bad = np.flatnonzero(~polygonal | ~shapely.is_valid(geometry))
    if len(bad):
        first = int(bad[0])
        reason = (
            "is not a polygon"
            if not polygonal[first]
            else f"is not a valid polygon ({shapely.is_valid_reason(geometry[first])})"
        )
        msg = f"{path}: feature {first + 1} {reason} ({len(bad)} such features)."
        raise DistrictError(msg)
    return gpd.GeoSeries(geometry, crs=frame.crs).to_crs(STORAGE_CRS)
