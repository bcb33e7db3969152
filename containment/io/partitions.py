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
from containment.i18n import _

__all__ = ["read_partitions"]


def read_partitions(path: Path) -> gpd.GeoSeries:
    """The polygons of a layer, in EPSG:4326. Every problem names the file and the feature."""
    if not path.is_file():
        msg = _("{file}: no such file (the polygons to split the work by).", file=path)
        raise DistrictError(msg)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = _("{file}: cannot be read as a layer ({reason}).", file=path, reason=exc)
        raise DistrictError(msg) from exc
    if frame.crs is None:
        msg = _("{file}: has no CRS. Save it with one (e.g. EPSG:4326).", file=path)
        raise DistrictError(msg)
    if frame.empty:
        msg = _("{file}: has no features; it needs at least one polygon.", file=path)
        raise DistrictError(msg)
    geometry = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geometry)
    polygonal = np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    bad = np.flatnonzero(~polygonal | ~shapely.is_valid(geometry))
    if len(bad):
        first = int(bad[0])
        msg = (
            _(
                "{file}: feature {n} is not a polygon ({count} such features).",
                file=path,
                n=first + 1,
                count=len(bad),
            )
            if not polygonal[first]
            else _(
                "{file}: feature {n} is not a valid polygon ({reason}) ({count} such features).",
                file=path,
                n=first + 1,
                reason=shapely.is_valid_reason(geometry[first]),
                count=len(bad),
            )
        )
        raise DistrictError(msg)
    return gpd.GeoSeries(geometry, crs=frame.crs).to_crs(STORAGE_CRS)
