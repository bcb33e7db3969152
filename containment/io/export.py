"""Writing zones to the files the police and others use; the format follows the extension.

``.geojson`` (RFC 7946: lon/lat, no ``crs`` member, 6 decimals), ``.gpkg``, ``.kml``,
``.shp.zip`` (a zipped shapefile) and ``.csv`` (attributes only). Only the public zone
columns (:data:`PUBLIC_COLUMNS`) are ever written, whatever else the frame holds, so no export
can carry a case id, a planner's note or anything else about a person.
A file is written next to its target and moved into place, so a failed write leaves any
earlier file intact.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.figures import FIGURE_COLUMNS
from containment.engine.lifecycle import public_release_dates
from containment.errors import ExportError
from containment.field.checkpoints import CHECKPOINT_COLUMNS
from containment.i18n import _

logger = logging.getLogger(__name__)

__all__ = [
    "EXPORT_FORMATS",
    "FEWER_THAN_5",
    "PUBLIC_COLUMNS",
    "SYNTHETIC_NOTE",
    "banded_count",
    "csv_text",
    "export_format",
    "public_zones",
    "write_police_package",
    "write_zones",
]

SYNTHETIC_NOTE = "SYNTHETIC training data: not real cases"
# A cell starting with one of these is a formula to Excel and LibreOffice (=HYPERLINK(...)).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# What leaves the system of a zone: no case's id, date or place. The case count is banded
# (FEWER_THAN_5 below five) and the first and last cases' dates are left out: on a small zone
# they are one person's result date. The release date stays, as the end of its week (the
# police need it; the exact day is the last case's date plus the release period).
PUBLIC_COLUMNS = (
    "zone_id",
    "name",
    "kind",
    "status",
    "order_number",
    "notified_on",
    "released_on",
    "rule",
    "as_of",
    "case_count",
    "release_due_on",
    "due_for_release",
    *FIGURE_COLUMNS,
)
FEWER_THAN_5 = "fewer than 5"

# Shapefile field names are at most 10 characters.
_SHAPEFILE_NAMES = {
    "zone_id": "zone_id",
    "kind": "kind",
    "rule": "rule",
    "as_of": "as_of",
    "case_count": "cases",
    "release_due_on": "release_on",
    "places": "places",
    "unit_count": "units",
    "area_km2": "area_km2",
    "population_est": "pop_est",
    "households_est": "hh_est",
    "blocks": "blocks",
    "facilities_inside": "facilities",
    "facility_count": "fac_count",
    "nearest_facility": "near_fac",
    "nearest_facility_m": "near_fac_m",
    "name": "name",
    "status": "status",
    "order_number": "order_no",
    "notified_on": "notified",
    "released_on": "released",
    "due_for_release": "due",
}
_SHAPEFILE_TEXT_LIMIT = 254


def _defused(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame, *, synthetic: bool = False) -> str:
    """A table as CSV text for a spreadsheet: every CSV the app and the command line write.

    A text cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``,
    ``@``...) gets a leading ``'``, so it shows as the text it is; numbers are left alone.
    With ``synthetic`` every row says it comes from training data.

    >>> print(csv_text(pd.DataFrame({"zone": ["=HYPERLINK(1)", "Ward 7"], "n": [-1, 2]})), end="")
    zone,n
    '=HYPERLINK(1),-1
    Ward 7,2
    """
    table = pd.DataFrame(frame).copy()
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].map(_defused)
    table.columns = [_defused(str(c)) for c in table.columns]
    if synthetic:
        table.insert(0, "data", SYNTHETIC_NOTE)
    return table.to_csv(index=False)


def banded_count(count: object) -> str:
    """A case count as it may leave the system: "fewer than 5" below five.

    >>> banded_count(3), banded_count(12), banded_count(banded_count(3)), banded_count(None)
    ('fewer than 5', '12', 'fewer than 5', '')
    """
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return ""
    if count == FEWER_THAN_5:
        return FEWER_THAN_5
    return FEWER_THAN_5 if int(str(count)) < 5 else str(int(str(count)))


def public_zones(
    zones: gpd.GeoDataFrame,
    district: District,
    *,
    synthetic: bool = False,
    as_drawn: bool = False,
) -> gpd.GeoDataFrame:
    """The zones as they leave the system: only :data:`PUBLIC_COLUMNS` (case counts banded,
    no case dates), dates as text, lon/lat — and each outline as the whole ground units it
    holds, so that no outline is an arc around a home whatever was saved (``as_drawn`` keeps
    the outlines as they are: the command line's circles, a planner's guide).

    With ``synthetic`` (the store holds the training sample) every zone says so in ``data``.
    """
    missing = [c for c in ("zone_id", "kind") if c not in zones.columns]
    if missing:
        msg = _("Cannot export: the zones lack the columns {columns}.", columns=", ".join(missing))
        raise ExportError(msg)
    columns = [c for c in PUBLIC_COLUMNS if c in zones.columns]
    public = zones[[*columns, "geometry"]].to_crs(STORAGE_CRS).copy()
    if not as_drawn and len(public):
        outlines_m = public.geometry.to_crs(district.metric_crs).to_numpy()
        units = district.unit_index.as_units(outlines_m)
        public["geometry"] = (
            gpd.GeoSeries(units, crs=district.metric_crs).to_crs(STORAGE_CRS).to_numpy()
        )
    if "case_count" in public:
        public["case_count"] = public["case_count"].map(banded_count).astype(object)
    if "release_due_on" in public:
        as_of = _one_day(public["as_of"]) if "as_of" in public else None
        public = public_release_dates(public, as_of)
    for column in public.columns:
        if column != "geometry" and public[column].map(lambda v: isinstance(v, dt.date)).any():
            public[column] = public[column].map(lambda v: v.isoformat() if v is not None else "")
    if synthetic:
        public.insert(0, "data", SYNTHETIC_NOTE)
    return public


def _one_day(values: pd.Series) -> dt.date | None:
    """The one day a column holds (the zones' ``as_of``), or None."""
    days = {pd.Timestamp(v).date() for v in values if isinstance(v, dt.date | str) and v}
    return days.pop() if len(days) == 1 else None


def _write_geojson(zones: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(
        zones,
        path,
        driver="GeoJSON",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "6", "WRITE_NAME": "NO"},
    )


def _write_gpkg(zones: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(zones, path, driver="GPKG", layer="zones")


def _write_kml(zones: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(
        zones, path, driver="KML", layer="zones", dataset_options={"NameField": "zone_id"}
    )


def _fit_dbf(value: str) -> str:
    """A dBase text field holds 254 bytes: cut longer values, saying so with '...'."""
    if len(value.encode()) <= _SHAPEFILE_TEXT_LIMIT:
        return value
    cut = value.encode()[: _SHAPEFILE_TEXT_LIMIT - 3].decode(errors="ignore")
    return cut + "..."


def _write_shp_zip(zones: gpd.GeoDataFrame, path: Path) -> None:
    frame = zones.rename(columns=_SHAPEFILE_NAMES)
    for column in frame.columns:
        if column != "geometry" and pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_fit_dbf)
    # GDAL writes the zip itself; the parts are named after the file (zones.shp, .dbf, ...).
    pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile", encoding="UTF-8")


def _write_csv(zones: gpd.GeoDataFrame, path: Path) -> None:
    path.write_text(csv_text(zones.drop(columns="geometry")), encoding="utf-8")


EXPORT_FORMATS: dict[str, Callable[[gpd.GeoDataFrame, Path], None]] = {
    ".geojson": _write_geojson,
    ".gpkg": _write_gpkg,
    ".kml": _write_kml,
    ".shp.zip": _write_shp_zip,
    ".csv": _write_csv,
}


def export_format(path: str | os.PathLike[str]) -> str:
    """The format key of ``path`` from its extension, e.g. ``'.shp.zip'``."""
    name = Path(path).name.lower()
    for suffix in sorted(EXPORT_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    msg = _(
        "Cannot tell the format of {file}: end the file name with one of {formats}.",
        file=repr(Path(path).name),
        formats=", ".join(EXPORT_FORMATS),
    )
    raise ExportError(msg)


def write_zones(
    zones: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    district: District,
    *,
    synthetic: bool = False,
    as_drawn: bool = False,
) -> Path:
    """Write the zones as they leave the system (:func:`public_zones`) to ``path``, in the
    format its extension names.

    Returns the path written. An existing file is replaced only once the new one is complete.
    """
    path = Path(path)
    writer = EXPORT_FORMATS[export_format(path)]
    if not path.parent.is_dir():
        msg = _(
            "Cannot write {file}: the folder {folder} does not exist.",
            file=path,
            folder=path.parent,
        )
        raise ExportError(msg)
    public = public_zones(zones, district, synthetic=synthetic, as_drawn=as_drawn)
    try:
        folder = tempfile.mkdtemp(prefix=".partial-", dir=path.parent)
    except OSError as error:
        msg = _(
            "Cannot write {file}: the folder {folder} cannot be written to ({reason}). Choose "
            "another folder.",
            file=path,
            folder=path.parent,
            reason=error.strerror or error,
        )
        raise ExportError(msg) from error
    try:
        partial = Path(folder) / f"zones{export_format(path)}"
        writer(public, partial)
        os.replace(partial, path)
        logger.info("wrote %d zones as %s", len(public), export_format(path))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return path


def write_police_package(
    zones: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    district: District,
    *,
    synthetic: bool = False,
) -> Path:
    """Zones and their checkpoints together: one GeoJSON collection, or a two-layer GeoPackage.

    In the GeoJSON every feature has ``layer`` (``zone`` or ``checkpoint``). Checkpoints keep
    only their id, zone, road and road class.
    """
    path = Path(path)
    suffix = export_format(path)
    if suffix not in (".geojson", ".gpkg"):
        msg = _("The police package is a .geojson or .gpkg file, not {suffix}.", suffix=suffix)
        raise ExportError(msg)
    points = checkpoints[[*CHECKPOINT_COLUMNS, "geometry"]].to_crs(STORAGE_CRS)
    if synthetic:
        points.insert(0, "data", SYNTHETIC_NOTE)
    zones = public_zones(zones, district, synthetic=synthetic)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        if suffix == ".gpkg":
            partial = Path(folder) / "police.gpkg"
            _write_gpkg(zones, partial)
            if len(points):
                pyogrio.write_dataframe(
                    points, partial, driver="GPKG", layer="checkpoints", append=True
                )
        else:
            partial = Path(folder) / "police.geojson"
            features = []
            for layer, frame in (("zone", zones), ("checkpoint", points)):
                if frame.empty:
                    continue
                part = Path(folder) / f"{layer}.geojson"
                _write_geojson(frame, part)
                for feature in json.loads(part.read_text(encoding="utf-8"))["features"]:
                    feature["properties"] = {"layer": layer, **feature["properties"]}
                    features.append(feature)
            partial.write_text(
                json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                encoding="utf-8",
            )
        os.replace(partial, path)
    return path
