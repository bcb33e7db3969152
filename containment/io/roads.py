"""Road layers in any CRS and format: GeoJSON, GeoPackage, shapefile or zipped shapefile, from a
path or an upload's bytes, with each road's name and class read from whatever fields it has."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from containment.engine.crs import STORAGE_CRS
from containment.errors import ContainmentError
from containment.i18n import _, listed
from containment.io.tables import read_layer

__all__ = ["RoadLayerError", "read_roads", "standard_roads"]

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
        msg = _("The road layer has no CRS. Save it with one (e.g. EPSG:4326).")
        raise RoadLayerError(msg)
    lower = {str(c).lower(): c for c in roads.columns if c != "geometry"}

    def pick(explicit: str | None, candidates: tuple[str, ...]) -> str | None:
        if explicit is not None:
            if explicit not in roads.columns:
                fields = listed(lower.values())
                msg = _(
                    "The road layer has no field {field}; its fields are: {fields}.",
                    field=repr(explicit),
                    fields=fields,
                )
                raise RoadLayerError(msg)
            return explicit
        return next((lower[c] for c in candidates if c in lower), None)

    name = pick(name_field, _NAME_FIELDS)
    road_class = pick(class_field, _CLASS_FIELDS)
    lines = roads[roads.geometry.notna() & ~roads.geometry.is_empty]
    kinds = lines.geometry.geom_type
    lines = lines[kinds.isin(["LineString", "MultiLineString"])]
    if lines.empty:
        msg = _(
            "The road layer has no lines. Roads must be LineString or MultiLineString features."
        )
        raise RoadLayerError(msg)
    numbers = pd.Series(np.arange(1, len(lines) + 1), index=lines.index).map(
        lambda i: _("road {n}", n=i)
    )
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
            msg = _("{file}: cannot be read as a road layer ({reason}).", file=shown, reason=exc)
            raise RoadLayerError(msg) from exc
    try:
        return standard_roads(roads, **fields)
    except RoadLayerError as exc:
        msg = f"{shown}: {exc}"
        raise RoadLayerError(msg) from exc
