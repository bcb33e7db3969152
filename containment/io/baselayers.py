"""A district's own vector base layer: a road layer (lines) or a ward, mohalla or colony map
(polygons), read from an upload by :func:`containment.io.layers.read_layer` (the one safe way)
and made into features with a name each, in EPSG:4326."""

from __future__ import annotations

from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import CaseFileError
from containment.i18n import _, number
from containment.io.layers import read_layer

__all__ = ["MAX_LAYER_VERTICES", "BaseLayerKind", "base_layer_features"]

# Every map of the district draws the layer whole: a layer with more corners than this is
# refused (a district's roads, cut to the district and simplified to 5 m, have far fewer).
MAX_LAYER_VERTICES = 300_000


class BaseLayerKind(StrEnum):
    """What a base layer is: roads (lines), areas (wards, mohallas; polygons) or tiles."""

    ROADS = "roads"
    AREAS = "areas"
    TILES = "tiles"


_LABEL_FIELDS = (
    "name", "ward_name", "wardname", "ward", "ward_no", "mohalla", "colony", "road_name",
    "roadname", "work_name", "ref", "label", "title", "id",
)  # fmt: skip


def base_layer_features(data: bytes, name: str) -> tuple[BaseLayerKind, gpd.GeoDataFrame]:
    """The layer's kind and its features (``label``, ``geometry`` in EPSG:4326) from an
    upload's bytes: GeoJSON, GeoPackage or a zipped shapefile. ``name`` is for messages only.

    Raises
    ------
    CaseFileError
        The file cannot be read, has no CRS, mixes lines and polygons, or holds neither.
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
    # Counted, never simplified here: GEOS's simplification can crash the process on a line of
    # a hundred thousand tiny zigzags.
    geometry = chosen.geometry.to_crs(STORAGE_CRS)
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
