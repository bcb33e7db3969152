"""Loading a district folder: its layers and the small ``district.toml`` manifest.

A district is data, not code: adding one means adding a folder under ``geodata/``; nothing here
names Dungarpur except the default. Layers may be in any CRS and any format pyogrio reads; they
are held in EPSG:4326 (the :class:`~containment.engine.district.District` projects them to the
district's metric CRS on demand). Every problem names the file to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from containment.engine.crs import STORAGE_CRS, metric_crs_for
from containment.engine.district import (
    DEFAULT_OUTLINE_TOLERANCE_M,
    DEFAULT_WORKING_RULE,
    District,
)
from containment.engine.rules import PRESETS
from containment.errors import DistrictError
from containment.i18n import _
from containment.io.districts import (
    MANIFEST_NAME,
    find_district,
    geodata_root,
    read_manifest_file,
)

__all__ = ["DEFAULT_DISTRICT", "District", "district_slug", "geodata_root", "load_district"]

DEFAULT_DISTRICT = "dungarpur"

# layer -> (required?, {standard column: manifest key naming the source field})
_LAYERS: dict[str, tuple[bool, dict[str, str]]] = {
    "outline": (True, {}),
    "blocks": (True, {"name": "name_field"}),
    "habitations": (
        True,
        {"name": "name_field", "population": "population_field", "block": "block_field"},
    ),
    "health_facilities": (
        True,
        {"name": "name_field", "kind": "kind_field", "block": "block_field"},
    ),
    "hq_points": (False, {"name": "name_field"}),
    "roads": (False, {"name": "name_field"}),
    "units": (
        True,
        {
            "name": "name_field",
            "population": "population_field",
            "households": "households_field",
            "block": "block_field",
            "kind": "kind_field",
        },
    ),
}
_BUILD_UNITS = "python tools/build_units.py {folder}"
_BUILD_DISTRICT = "python tools/build_districts.py --only {slug}"
_BUILT_MARKER = "# Built by tools/build_districts.py"


def _resolve_folder(district: str | os.PathLike[str]) -> Path:
    """A path to a district folder, or a shipped district's slug, name or alias."""
    path = Path(district)
    if path.is_dir():
        return path
    return find_district(str(district)).folder


def district_slug(district: str | os.PathLike[str]) -> str:
    """The short name that keys a district's store: the folder name of a path, else the slug
    of the shipped district called ``district`` (an unknown name lists the known ones).

    >>> district_slug("Sri Ganganagar"), district_slug("DUNGARPUR")
    ('sri_ganganagar', 'dungarpur')
    """
    return _resolve_folder(district).resolve().name.lower()


def _read_manifest(folder: Path) -> dict[str, Any]:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        msg = f"{manifest}: missing. A district folder needs a {MANIFEST_NAME} manifest."
        raise DistrictError(msg)
    data = read_manifest_file(manifest)
    for key in ("name", "household_size", "layers"):
        if key not in data:
            msg = f"{manifest}: missing required key {key!r}."
            raise DistrictError(msg)
    size = data["household_size"]
    if not isinstance(size, int | float) or not 1 <= size <= 20:
        msg = f"{manifest}: household_size must be a number of people per household, got {size!r}."
        raise DistrictError(msg)
    return data


def _read_layer(
    folder: Path, layer: str, spec: dict[str, Any], fields: dict[str, str]
) -> gpd.GeoDataFrame:
    if "file" not in spec:
        msg = f"{folder / MANIFEST_NAME}: layer {layer!r} has no 'file'."
        raise DistrictError(msg)
    path = folder / spec["file"]
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = f"{path}: cannot be read as a layer ({exc})."
        raise DistrictError(msg) from exc
    if frame.crs is None:
        msg = f"{path}: has no CRS. Save it with one (e.g. EPSG:4326)."
        raise DistrictError(msg)
    frame = frame.to_crs(STORAGE_CRS)
    empty = frame.geometry.is_empty | frame.geometry.isna()
    if empty.any():
        first = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        msg = f"{path}: feature {first} has no geometry ({int(empty.sum())} such features)."
        raise DistrictError(msg)
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        first = int(np.flatnonzero(invalid.to_numpy())[0]) + 1
        reason = shapely.is_valid_reason(frame.geometry.iloc[first - 1])
        msg = f"{path}: feature {first} has an invalid geometry ({reason})."
        raise DistrictError(msg)
    for column, key in fields.items():
        source_field = spec.get(key)
        if source_field is None:
            msg = f"{folder / MANIFEST_NAME}: layer {layer!r} needs {key!r}."
            raise DistrictError(msg)
        if source_field not in frame.columns:
            available = ", ".join(c for c in frame.columns if c != "geometry")
            msg = f"{path}: no field {source_field!r} (named by {key!r}); fields are: {available}."
            raise DistrictError(msg)
        frame[column] = frame[source_field]
    return frame


def _check_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every layer file the manifest names is there; the message names each one missing."""
    missing = []
    for layer, spec in manifest["layers"].items():
        if layer not in _LAYERS or not isinstance(spec, dict):
            continue
        if "file" not in spec:
            msg = f"{folder / MANIFEST_NAME}: layer {layer!r} has no 'file'."
            raise DistrictError(msg)
        path = folder / str(spec["file"])
        if not path.is_file():
            missing.append((layer, path))
    if not missing:
        return
    named = "; ".join(
        f"{path}: missing (layer {layer!r} in {MANIFEST_NAME})" for layer, path in missing
    )
    fixes = [f"put the file back (a shipped district: `git checkout -- {folder}`)"]
    if any(layer == "units" for layer, _ in missing):
        fixes.append(f"build the units with `{_BUILD_UNITS.format(folder=folder)}`")
    text = (folder / MANIFEST_NAME).read_text(encoding="utf-8")
    if text.startswith(_BUILT_MARKER):
        fixes.append(f"rebuild the folder with `{_BUILD_DISTRICT.format(slug=folder.name)}`")
    msg = f"{named}. District {manifest['name']!r} cannot be loaded: {' or '.join(fixes)}."
    raise DistrictError(msg)


def _units(units: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """The units layer checked: known kinds, numbers of people and households."""
    kinds = set(units["kind"].astype(str))
    if not kinds <= {"village", "town_cell"}:
        msg = f"{path}: unit kinds must be village or town_cell, not {sorted(kinds)}."
        raise DistrictError(msg)
    for column in ("population", "households"):
        values = pd.to_numeric(units[column], errors="coerce")
        if values.isna().any() or (values < 0).any():
            bad = int(np.flatnonzero((values.isna() | (values < 0)).to_numpy())[0]) + 1
            msg = f"{path}: feature {bad} has no usable {column} (a number, 0 or more)."
            raise DistrictError(msg)
        units[column] = values.astype(float)
    if "unit_id" not in units:
        units["unit_id"] = [f"U-{i}" for i in range(len(units))]
    if "town" not in units:
        units["town"] = ""
    units["town"] = units["town"].fillna("").astype(str)
    return units.reset_index(drop=True)


def _empty_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": pd.Series([], dtype=object)}, geometry=[], crs=STORAGE_CRS)


def load_district(district: str | os.PathLike[str] = DEFAULT_DISTRICT) -> District:
    """Load a district by folder name under ``geodata/`` or by path.

    Raises
    ------
    DistrictError
        When the folder, its manifest or a layer is missing or malformed; the message names
        the file.

    Examples
    --------
    >>> d = load_district("dungarpur")
    >>> d.name, len(d.blocks), d.metric_crs.to_epsg()
    ('Dungarpur', 5, 32643)
    """
    folder = _resolve_folder(district)
    manifest = _read_manifest(folder)
    specs = manifest["layers"]
    _check_files(folder, manifest)
    frames: dict[str, gpd.GeoDataFrame] = {}
    for layer, (required, fields) in _LAYERS.items():
        if layer not in specs:
            if required:
                msg = f"{folder / MANIFEST_NAME}: missing layer [layers.{layer}]."
                if layer == "units":
                    msg += (
                        " Zones are made of the district's ground units: build them with "
                        f"`{_BUILD_UNITS.format(folder=folder)}`."
                    )
                raise DistrictError(msg)
            frames[layer] = _empty_layer()
            continue
        frames[layer] = _read_layer(folder, layer, specs[layer], fields)

    habitations = frames["habitations"]
    population = pd.to_numeric(habitations["population"], errors="coerce")
    if population.isna().any() or (population < 0).any():
        bad = int(np.flatnonzero((population.isna() | (population < 0)).to_numpy())[0]) + 1
        msg = (
            f"{folder / specs['habitations']['file']}: feature {bad} has no usable population "
            "(need a number of people, 0 or more)."
        )
        raise DistrictError(msg)
    habitations["population"] = population.astype(float)

    outline_frame = frames["outline"]
    outline = shapely.union_all(outline_frame.geometry.to_numpy())
    if not isinstance(outline, shapely.Polygon | shapely.MultiPolygon):
        msg = (
            f"{folder / specs['outline']['file']}: the outline is a {outline.geom_type}; it must "
            "be polygons."
        )
        raise DistrictError(msg)
    if "metric_crs" in manifest:
        metric_crs = CRS.from_user_input(manifest["metric_crs"])
    else:
        metric_crs = metric_crs_for(*outline.bounds)
    if not metric_crs.is_projected:
        msg = f"{folder / MANIFEST_NAME}: metric_crs {manifest['metric_crs']!r} is not in metres."
        raise DistrictError(msg)

    sample = manifest.get("samples", {}).get("cases")
    tolerance = manifest.get("outline_tolerance_m", DEFAULT_OUTLINE_TOLERANCE_M)
    if not isinstance(tolerance, int | float) or not 0 <= tolerance <= 20_000:
        msg = (
            f"{folder / MANIFEST_NAME}: outline_tolerance_m must be metres between 0 and "
            f"20000, got {tolerance!r}."
        )
        raise DistrictError(msg)
    working_rule = manifest.get("working_rule", DEFAULT_WORKING_RULE)
    if working_rule not in PRESETS:
        msg = _(
            "{file}: working_rule {rule} is not a rule preset; use one of {presets}.",
            file=folder / MANIFEST_NAME,
            rule=repr(working_rule),
            presets=", ".join(PRESETS),
        )
        raise DistrictError(msg)
    return District(
        name=str(manifest["name"]),
        state=str(manifest.get("state", "")),
        folder=folder,
        household_size=float(manifest["household_size"]),
        household_size_source=str(manifest.get("household_size_source", "")),
        metric_crs=metric_crs,
        outline=outline,
        blocks=frames["blocks"],
        habitations=habitations,
        health_facilities=frames["health_facilities"],
        hq_points=frames["hq_points"],
        roads=frames["roads"],
        attribution=str(manifest.get("attribution", "")).strip(),
        caveats=tuple(manifest.get("caveats", ())),
        sample_cases=folder / sample if sample else None,
        units=_units(frames["units"], folder / specs["units"]["file"]),
        outline_tolerance_m=float(tolerance),
        working_rule=str(working_rule),
    )
