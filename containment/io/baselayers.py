"""A district's own vector base layer: a road layer (lines) or a ward, mohalla or colony map
(polygons), read from an upload by :func:`containment.io.layers.read_layer` (the one safe way)
and made into features with a name each, in EPSG:4326."""

from __future__ import annotations

import math
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.errors import CaseFileError
from containment.i18n import _, number
from containment.io.layers import read_layer

__all__ = [
    "MAX_LAYER_VERTICES",
    "NEAR_DISTRICT_M",
    "BaseLayerKind",
    "base_layer_features",
    "require_tiles_near",
]

# Every map of the district draws the layer whole: a layer with more corners than this is
# refused (a district's roads, cut to the district and simplified to 5 m, have far fewer).
MAX_LAYER_VERTICES = 300_000
#: A layer must have some part within this distance of the district's outline: a road or ward
#: map of the district, or of a town just over its line (tens of km would be another district's).
NEAR_DISTRICT_M = 10_000.0


class BaseLayerKind(StrEnum):
    """What a base layer is: roads (lines), areas (wards, mohallas; polygons) or tiles."""

    ROADS = "roads"
    AREAS = "areas"
    TILES = "tiles"


_LABEL_FIELDS = (
    "name", "ward_name", "wardname", "ward", "ward_no", "mohalla", "colony", "road_name",
    "roadname", "work_name", "ref", "label", "title", "id",
)  # fmt: skip


def base_layer_features(
    data: bytes, name: str, district: District
) -> tuple[BaseLayerKind, gpd.GeoDataFrame]:
    """The layer's kind and its features (``label``, ``geometry`` in EPSG:4326) from an
    upload's bytes: GeoJSON, GeoPackage or a zipped shapefile. ``name`` is for messages only.

    Raises
    ------
    CaseFileError
        The file cannot be read, has no CRS, mixes lines and polygons, or holds neither; a
        coordinate is not a finite number (in the file, or once in longitude/latitude); or no
        part of it lies within :data:`NEAR_DISTRICT_M` of ``district`` (every map draws it).
    """
    layer = read_layer(data, name)
    if layer.crs is None:
        msg = _(
            "{name}: the layer has no coordinate system. Save it with one (e.g. EPSG:4326).",
            name=name,
        )
        raise CaseFileError(msg)
    shapes = layer[layer.geometry.notna() & ~layer.geometry.is_empty]
    kinds = shapes.geometry.geom_type
    lines = kinds.isin(["LineString", "MultiLineString"])
    areas = kinds.isin(["Polygon", "MultiPolygon"])
    if lines.any() and areas.any():
        msg = _(
            "{name}: holds both lines ({lines}) and polygons ({areas}). Add roads and wards as "
            "two layers.",
            name=name,
            lines=number(int(lines.sum())),
            areas=number(int(areas.sum())),
        )
        raise CaseFileError(msg)
    if not (lines.any() or areas.any()):
        msg = _(
            "{name}: holds no lines or polygons. A base layer is roads (lines) or wards, "
            "mohallas or colonies (polygons).",
            name=name,
        )
        raise CaseFileError(msg)
    kind = BaseLayerKind.ROADS if lines.any() else BaseLayerKind.AREAS
    chosen = shapes[lines if kind is BaseLayerKind.ROADS else areas]
    lower = {str(c).lower(): c for c in chosen.columns if c != "geometry"}
    field = next((lower[f] for f in _LABEL_FIELDS if f in lower), None)
    numbers = pd.Series(np.arange(1, len(chosen) + 1), index=chosen.index).astype(str)
    labels = chosen[field].astype(str).where(chosen[field].notna(), numbers) if field else numbers
    _require_finite(chosen.geometry, name, chosen.crs)
    # Counted, never simplified here: GEOS's simplification can crash the process on a line of
    # a hundred thousand tiny zigzags.
    geometry = chosen.geometry.to_crs(STORAGE_CRS)
    _require_finite(geometry, name, chosen.crs)
    _require_near(geometry, name, district)
    vertices = int(shapely.get_num_coordinates(geometry.to_numpy()).sum())
    if vertices > MAX_LAYER_VERTICES:
        msg = _(
            "{name}: has {n} corners, more than the {most} every map of the district can draw "
            "quickly. Cut it to the district, or simplify it (e.g. to 5 m) before adding it.",
            name=name,
            n=number(vertices),
            most=number(MAX_LAYER_VERTICES),
        )
        raise CaseFileError(msg)
    features = gpd.GeoDataFrame(
        {"label": labels.to_numpy()}, geometry=geometry.to_numpy(), crs=STORAGE_CRS
    )
    return kind, features.reset_index(drop=True)


def _require_finite(geometry: gpd.GeoSeries, name: str, crs: object) -> None:
    """Every coordinate a finite number: JSON reads ``1e400`` as infinity, and a projected
    coordinate of ``1e300`` becomes one in longitude/latitude; no map can draw either."""
    coordinates = shapely.get_coordinates(geometry.to_numpy())
    counts = shapely.get_num_coordinates(geometry.to_numpy())
    bad = ~np.isfinite(coordinates).all(axis=1)
    if not bad.any():
        return
    owner = np.repeat(np.arange(len(geometry)), counts)[int(np.flatnonzero(bad)[0])]
    feature = int(geometry.index[owner]) + 1
    if geometry.crs is not None and geometry.crs.to_epsg() == 4326 and crs != geometry.crs:
        msg = _(
            "{file}: feature {n}: its coordinates lie outside where {crs} is defined (in "
            "longitude and latitude they are not numbers). Check the layer's coordinate "
            "system, or correct that feature.",
            file=name,
            n=feature,
            crs=str(crs),
        )
    else:
        msg = _(
            "{file}: feature {n}: a coordinate is not a finite number (NaN, Infinity, or "
            "beyond 1e308). Correct or delete that feature.",
            file=name,
            n=feature,
        )
    raise CaseFileError(msg)


def _bounds_text(bounds: np.ndarray) -> str:
    west, south, east, north = (float(v) for v in bounds)
    return _(
        "longitude {west} to {east}, latitude {south} to {north}",
        west=number(west, 3),
        east=number(east, 3),
        south=number(south, 3),
        north=number(north, 3),
    )


def _require_near(geometry: gpd.GeoSeries, name: str, district: District) -> None:
    """Some part of the layer within :data:`NEAR_DISTRICT_M` of the district: a layer
    elsewhere (a wrong coordinate system, latitude and longitude swapped) draws nothing where
    the planner looks, and stretches every map to hold it."""
    lon, lat = shapely.get_coordinates(geometry.to_numpy()).T
    inside_world = (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if inside_world.all():
        metric = geometry.to_crs(district.metric_crs).to_numpy()
        if shapely.dwithin(metric, district.outline_m, NEAR_DISTRICT_M).any():
            return
    raise _far(name, district, np.asarray(geometry.total_bounds))


def require_tiles_near(
    covered: tuple[float, float, float, float], name: str, district: District
) -> None:
    """The land a tile file covers (west, south, east, north, from its tiles) within about
    :data:`NEAR_DISTRICT_M` of the district's box: tiles of another place draw nothing where
    the planner looks. By boxes in degrees (tiles are squares of the world; a world map
    with the district's detail in it is near).

    Raises
    ------
    CaseFileError
        Where the tiles lie and where the district is.
    """
    west, south, east, north = district.outline.bounds
    margin_lat = NEAR_DISTRICT_M / 111_000
    margin_lon = margin_lat / max(math.cos(math.radians(max(abs(south), abs(north)))), 0.01)
    near = shapely.box(west - margin_lon, south - margin_lat, east + margin_lon, north + margin_lat)
    if not shapely.intersects(shapely.box(*covered), near):
        raise _far(name, district, np.asarray(covered))


def _far(name: str, district: District, layer_bounds: np.ndarray) -> CaseFileError:
    msg = _(
        "{file}: no part of the layer lies within {km} km of {district} district: it spans "
        "{layer} (the district: {outline}). If it belongs here, its coordinate system is "
        "wrong (save it with the right one, e.g. EPSG:4326 or EPSG:32643), or its longitude "
        "and latitude are swapped.",
        file=name,
        km=number(NEAR_DISTRICT_M / 1000),
        district=district.name,
        layer=_bounds_text(layer_bounds),
        outline=_bounds_text(np.asarray(district.outline.bounds)),
    )
    return CaseFileError(msg)
