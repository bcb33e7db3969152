"""Where each district's people are, for the state's figures: one point per ground unit (inside
it) with the unit's population, read from the district's units layer once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import DistrictError
from containment.io.districts import MANIFEST_NAME, read_manifest_file

__all__ = ["unit_people"]


@functools.cache
def _unit_people(folder: Path) -> gpd.GeoDataFrame:
    manifest = folder / MANIFEST_NAME
    spec = read_manifest_file(manifest).get("layers", {}).get("units")
    if not spec or "file" not in spec:
        msg = f"{manifest}: missing layer [layers.units]."
        raise DistrictError(msg)
    path = folder / str(spec["file"])
    field = str(spec.get("population_field", "population"))
    try:
        units = pyogrio.read_dataframe(path, columns=[field])
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{path}: cannot be read as the units layer ({exc})."
        raise DistrictError(msg) from exc
    if field not in units:
        msg = f"{path}: no field {field!r} (named by 'population_field')."
        raise DistrictError(msg)
    units = units.to_crs(STORAGE_CRS)
    people = pd.to_numeric(units[field], errors="coerce").fillna(0).astype("int64")
    points = shapely.point_on_surface(units.geometry.to_numpy())
    return gpd.GeoDataFrame({"population": people.to_numpy()}, geometry=points, crs=STORAGE_CRS)


def unit_people(folder: Path) -> gpd.GeoDataFrame:
    """A point inside each ground unit of the district in ``folder``, with its ``population``
    (EPSG:4326). A zone is made of whole units, so the points inside it count its people."""
    return _unit_people(Path(folder))
