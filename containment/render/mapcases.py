"""Cases for the map, made small: counts per hexagon for the zooms a whole district is seen at,
and the points themselves packed as three 16-bit numbers a case for the zooms a village is
seen at. Ten thousand cases as GeoJSON are megabytes of script; a hundred thousand packed are
600 kB, drawn on one canvas.

>>> import geopandas as gpd, shapely
>>> cases = gpd.GeoDataFrame({"reported_on": ["2020-05-01", "2020-05-03"]},
...     geometry=[shapely.Point(73.71, 23.84), shapely.Point(73.711, 23.841)], crs=4326)
>>> data = case_layer_data(cases, "EPSG:32643")
>>> [[cell[2] for cell in level["cells"]] for level in data["levels"]]
[[2], [2]]
>>> data["first"], data["points_count"]
(1588291200000, 2)
"""

from __future__ import annotations

import base64
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from containment.engine.crs import STORAGE_CRS

__all__ = ["CASE_LEVELS_M", "MAX_CASE_POINTS", "POINTS_MIN_ZOOM", "case_layer_data", "hex_counts"]

#: Cells (hexagons this wide, in metres) and the zoom up to which each is shown; from
#: :data:`POINTS_MIN_ZOOM` on, the cases themselves.
CASE_LEVELS_M: tuple[tuple[float, float], ...] = ((5000.0, 10.5), (2000.0, 12.0))
POINTS_MIN_ZOOM = 12.0
#: More cases than this are shown as counts at every zoom (500 m cells when zoomed in): the
#: page would grow by 6 bytes a case.
MAX_CASE_POINTS = 250_000
_FINEST_M = 500.0
_SQRT3 = math.sqrt(3.0)


def hex_counts(x_m: np.ndarray, y_m: np.ndarray, width_m: float) -> pd.DataFrame:
    """How many points fall in each hexagon (pointy-top, ``width_m`` across its flats), with the
    mean position of those points: columns ``x``, ``y``, ``n``, one row per hexagon with any.

    >>> hex_counts(np.array([0.0, 10.0, 5000.0]), np.array([0.0, 0.0, 0.0]), 1000.0)["n"].tolist()
    [2, 1]
    """
    if len(x_m) == 0:
        return pd.DataFrame({"x": [], "y": [], "n": []})
    size = width_m / _SQRT3  # centre to corner
    q = (_SQRT3 / 3 * x_m - y_m / 3) / size
    r = (2 / 3 * y_m) / size
    # Round the cube coordinates (q, r, -q-r) to the nearest hexagon.
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    frame = pd.DataFrame({"q": rq.astype(np.int64), "r": rr.astype(np.int64), "x": x_m, "y": y_m})
    grouped = frame.groupby(["q", "r"], sort=True)
    cells = grouped[["x", "y"]].mean()
    cells["n"] = grouped.size()
    return cells.reset_index(drop=True)


def _packed_points(
    lat: np.ndarray, lon: np.ndarray, days: np.ndarray
) -> tuple[str, float, float, float, float]:
    """Points as base64 of little-endian uint16 triples (lat, lon, day), each coordinate a step
    of 1/65,535 of the cases' extent (about 1.7 m across a district, 17 m across a state)."""
    south, north = float(lat.min()), float(lat.max())
    west, east = float(lon.min()), float(lon.max())
    dlat = max(north - south, 1e-9) / 65535
    dlon = max(east - west, 1e-9) / 65535
    packed = np.empty((len(lat), 3), dtype="<u2")
    packed[:, 0] = np.round((lat - south) / dlat)
    packed[:, 1] = np.round((lon - west) / dlon)
    packed[:, 2] = np.clip(days, 0, 65535)
    return base64.b64encode(packed.tobytes()).decode("ascii"), south, west, dlat, dlon


def case_layer_data(
    cases: gpd.GeoDataFrame,
    metric_crs: CRS | str,
    *,
    words: dict[str, str] | None = None,
    max_points: int = MAX_CASE_POINTS,
) -> dict[str, object]:
    """What :class:`containment.render.mapcanvas.CaseLayer` draws: per level, ``[lat, lon, n]``
    for each hexagon holding cases (at the mean position of its cases); the packed points (none
    when there are more than ``max_points``); the first report day (ms since 1970, UTC) the
    points' days count from; ``words`` for the tooltips (``reported`` with ``{date}``, ``one``
    and ``many`` with ``{n}``).
    """
    words = words or {"reported": "Reported {date}", "one": "{n} case", "many": "{n} cases"}
    # Straight from the coordinate arrays: no point objects made for a hundred thousand cases.
    points = cases.geometry if cases.crs == STORAGE_CRS else cases.geometry.to_crs(STORAGE_CRS)
    lon, lat = shapely.get_coordinates(points.to_numpy()).T
    to_metric = Transformer.from_crs(STORAGE_CRS, metric_crs, always_xy=True)
    from_metric = Transformer.from_crs(metric_crs, STORAGE_CRS, always_xy=True)
    x_m, y_m = to_metric.transform(lon, lat)
    reported = pd.to_datetime(cases["reported_on"])
    first = reported.min() if len(cases) else pd.Timestamp("2020-01-01")
    days = (reported - first).dt.days.to_numpy() if len(cases) else np.array([], dtype=int)
    with_points = 0 < len(cases) <= max_points
    levels_m = list(CASE_LEVELS_M) if with_points else [*CASE_LEVELS_M, (_FINEST_M, 99.0)]
    levels = []
    for width_m, max_zoom in levels_m:
        cells = hex_counts(x_m, y_m, width_m)
        cell_lon, cell_lat = from_metric.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
        rows = [
            [round(float(a), 5), round(float(b), 5), int(n)]
            for a, b, n in zip(cell_lat, cell_lon, cells["n"], strict=True)
        ]
        levels.append({"maxZoom": max_zoom, "cells": rows})
    data: dict[str, object] = {
        "levels": levels,
        "pointsMinZoom": POINTS_MIN_ZOOM,
        "first": int(pd.Timestamp(first).tz_localize(None).value // 1_000_000),
        "points": "",
        "points_count": 0,
        "south": 0.0,
        "west": 0.0,
        "dlat": 1.0,
        "dlon": 1.0,
        "words": words,
    }
    if with_points:
        packed, south, west, dlat, dlon = _packed_points(lat, lon, days)
        data.update(
            points=packed, points_count=len(cases), south=south, west=west, dlat=dlat, dlon=dlon
        )
    return data
