"""Coordinate reference systems: compute in metres, store in degrees.

Every distance and area in this package is computed in a projected CRS in metres (UTM 43N for
Dungarpur) and every stored or exported geometry is EPSG:4326 longitude/latitude.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

__all__ = ["STORAGE_CRS", "lonlat_to_metric", "metric_crs_for", "metric_to_lonlat"]

STORAGE_CRS = CRS.from_epsg(4326)


def metric_crs_for(west: float, south: float, east: float, north: float) -> CRS:
    """The WGS 84 / UTM zone that covers a lon/lat bounding box (geopandas'
    ``estimate_utm_crs``), for a district whose manifest names no ``metric_crs``.

    Examples
    --------
    >>> metric_crs_for(73.35, 23.33, 74.38, 24.01).to_epsg()
    32643
    """
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        msg = f"The box {west}, {south}, {east}, {north} is not lon/lat degrees."
        raise ValueError(msg)
    box = gpd.GeoSeries([shapely.box(west, south, east, north)], crs=STORAGE_CRS)
    crs: CRS = box.estimate_utm_crs(datum_name="WGS 84")
    return crs


def _transformer(source: CRS, target: CRS) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _transform(
    transformer: Transformer, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Arrays in, arrays out, whatever their length. (pyproj first tries a one-element array
    as a single point; numpy before 2.4 only warns about that conversion, and a point would come
    back as a number.)"""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Conversion of an array with ndim > 0 to a scalar")
        x, y = transformer.transform(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))


def lonlat_to_metric(lon: np.ndarray, lat: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat arrays (degrees) to x/y arrays (metres) in ``crs``."""
    return _transform(_transformer(STORAGE_CRS, crs), lon, lat)


def metric_to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Unproject x/y arrays (metres in ``crs``) to lon/lat arrays (degrees)."""
    return _transform(_transformer(crs, STORAGE_CRS), x, y)
