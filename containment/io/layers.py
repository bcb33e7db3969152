"""Map layers uploaded through the app: three formats, recognised by their bytes, read safely.

An uploaded file is data from someone else's computer. GDAL opens many formats, and some of
them are instructions: a VRT file tells GDAL to open *another* file (the store, ``/etc/passwd``,
``/proc/self/environ``) and a planner's "line list" could read them back into the rejected-rows
table. So an upload is read only if its bytes are one of:

* **GeoJSON** — parsed by Python's :mod:`json` and shapely, never by GDAL. A legacy ``crs``
  member may name an EPSG code; anything else there is refused.
* **GeoPackage** — an SQLite file whose header says GeoPackage (application id ``GPKG``), opened
  with GDAL's GeoPackage driver named explicitly, with SQLite's access to other files switched
  off.
* **Zipped shapefile** — only the shapefile's own parts (``.shp .shx .dbf .prj .cpg``) are taken
  out of the zip, by their base names, into a private temporary folder, after checking what they
  unpack to; everything else in the zip is ignored.

Sizes are checked before anything is unpacked or parsed, and the number of features before they
are read, so a small zip cannot fill the server's memory.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

import geopandas as gpd
import pyogrio
import pyproj
import shapely
import shapely.errors
import shapely.geometry

from containment.engine.crs import STORAGE_CRS
from containment.errors import CaseFileError
from containment.i18n import _, number
from containment.io.columns import MAX_COLUMNS

__all__ = ["MAX_LAYER_CELLS", "MAX_LAYER_FEATURES", "MAX_UNPACKED_BYTES", "read_layer"]

#: What an uploaded layer may be (as uploaded, or unpacked from its zip: 100 MB of attributes
#: take about 250 MB of memory to read), and how many features it may hold.
MAX_UNPACKED_BYTES = 100_000_000
MAX_LAYER_FEATURES = 1_000_000
#: How many values (features × property names, see :data:`MAX_COLUMNS`) a layer's table may
#: hold: 30 million, about 250 MB. A dense file within the size limit stays under it (every
#: value costs its name in the file); a file whose features each carry different names would
#: make a table of mostly empty values, features × names, without it.
MAX_LAYER_CELLS = 30_000_000
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_GPKG_APPLICATION_ID = b"GPKG"
_EPSG = re.compile(r"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[\d.]*:)(\d{4,6})$", re.IGNORECASE)
_CRS84 = re.compile(r"^urn:ogc:def:crs:OGC:[\d.]*:CRS84$|^OGC:CRS84$", re.IGNORECASE)
_FORMATS = "a GeoJSON, a GeoPackage or a zipped shapefile"

# GDAL's SQLite drivers may otherwise reach files outside the one opened (VirtualOGR tables).
pyogrio.set_gdal_config_options({"OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO"})


def read_layer(data: bytes, name: str) -> gpd.GeoDataFrame:
    """A vector layer from an upload's bytes: GeoJSON, GeoPackage or a zipped shapefile.

    ``name`` (the browser's file name) is used in messages only, never as a path, and never to
    decide the format: the bytes do.

    Raises
    ------
    CaseFileError
        The bytes are none of the three formats, are too large, or cannot be read.
    """
    if len(data) > MAX_UNPACKED_BYTES:
        msg = (
            f"{name}: {len(data) / 1e6:,.0f} MB is more than the {MAX_UNPACKED_BYTES / 1e6:,.0f} "
            "MB an uploaded layer may be. Clip it to the district first."
        )
        raise CaseFileError(msg)
    head = data[:100].lstrip()
    if data.startswith(b"SQLite format 3\x00"):
        return _read_geopackage(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _read_zipped_shapefile(data, name)
    if head.startswith((b"{", b"\xef\xbb\xbf")):
        return _read_geojson(data, name)
    msg = f"{name}: is not {_FORMATS} (its first bytes are not any of these). Upload one of them."
    raise CaseFileError(msg)


def _read_geojson(data: bytes, name: str) -> gpd.GeoDataFrame:
    document = _parse_json(data, name)
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        msg = f"{name}: is JSON but not a GeoJSON FeatureCollection. Export the layer as GeoJSON."
        raise CaseFileError(msg)
    features = document.get("features")
    if not isinstance(features, list):
        msg = f"{name}: the GeoJSON has no list of features."
        raise CaseFileError(msg)
    _check_count(len(features), name)
    keys: set[str] = set()
    for position, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            msg = f"{name}: feature {position} is not a GeoJSON Feature."
            raise CaseFileError(msg)
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            msg = f"{name}: feature {position}: properties must be an object."
            raise CaseFileError(msg)
        keys.update(properties)  # counted before the table, which costs features × keys
    _check_columns(len(keys), len(features), name)
    crs = _geojson_crs(document.get("crs"), name)
    rows = [  # the geometry wins over a property that happens to be called "geometry"
        (feature.get("properties") or {})
        | {"geometry": _feature_geometry(feature.get("geometry"), position, name)}
        for position, feature in enumerate(features, start=1)
    ]
    if not rows:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    return gpd.GeoDataFrame(rows, crs=crs)


def _parse_json(data: bytes, name: str) -> object:
    """The upload as JSON, or a message saying why it is not."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError as exc:
        msg = _(
            "{file}: the JSON is nested too deeply to be GeoJSON (lists within lists, thousands "
            "deep). Export the layer again as GeoJSON.",
            file=name,
        )
        raise CaseFileError(msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{name}: is not valid GeoJSON ({exc}). Save it again as GeoJSON, UTF-8."
        raise CaseFileError(msg) from exc
    except ValueError as exc:  # an integer of more than 4,300 digits
        msg = _(
            "{file}: holds a number too long to read ({reason}). No coordinate or property "
            "needs that many digits: correct the value, or export the layer again.",
            file=name,
            reason=str(exc).split(";")[0],
        )
        raise CaseFileError(msg) from exc


_GEOJSON_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
)  # fmt: skip


def _feature_geometry(member: object, position: int, name: str) -> shapely.Geometry | None:
    """A feature's GeoJSON geometry as a shape (``None`` for none), or a message naming the
    feature and what is wrong with its geometry."""
    if not member:
        return None
    if not isinstance(member, dict):
        msg = _(
            "{file}: feature {n}: its geometry {value} is not a GeoJSON geometry object. "
            "Export the layer again as GeoJSON.",
            file=name,
            n=position,
            value=repr(member)[:80],
        )
        raise CaseFileError(msg)
    kind = member.get("type")
    if kind not in _GEOJSON_TYPES:
        msg = _(
            "{file}: feature {n}: {kind} is not a GeoJSON geometry type (Point, LineString, "
            "Polygon, their Multi- forms, GeometryCollection). Draw that feature as one of "
            "them, or delete it.",
            file=name,
            n=position,
            kind=repr(kind)[:80],
        )
        raise CaseFileError(msg)
    lines = (
        [member.get("coordinates")]
        if kind == "LineString"
        else member.get("coordinates")
        if kind == "MultiLineString"
        else []
    )
    if isinstance(lines, list) and any(isinstance(ln, list) and len(ln) == 1 for ln in lines):
        msg = _(
            "{file}: feature {n}: a line has only one point; a line needs two or more. Delete "
            "that feature or add its other points.",
            file=name,
            n=position,
        )
        raise CaseFileError(msg)
    try:
        return shapely.geometry.shape(member)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, AttributeError,
            IndexError, RecursionError) as exc:  # fmt: skip
        msg = _(
            "{file}: feature {n}: its {kind} geometry cannot be read ({reason}). Correct or "
            "delete that feature.",
            file=name,
            n=position,
            kind=kind,
            reason=type(exc).__name__ + ": " + str(exc)[:200],
        )
        raise CaseFileError(msg) from exc


def _geojson_crs(member: object, name: str) -> pyproj.CRS:
    """RFC 7946 GeoJSON is WGS 84; an older file may name an EPSG code in its ``crs`` member."""
    if member is None:
        return pyproj.CRS(STORAGE_CRS)
    crs_name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    text = crs_name.strip() if isinstance(crs_name, str) else ""
    if _CRS84.match(text):
        return pyproj.CRS(STORAGE_CRS)
    found = _EPSG.match(text)
    if found is None:
        msg = (
            f"{name}: its 'crs' member {text or member!r} is not an EPSG code. Save the layer "
            "in WGS 84 (EPSG:4326) or name its EPSG code."
        )
        raise CaseFileError(msg)
    try:
        return pyproj.CRS.from_epsg(int(found.group(1)))
    except pyproj.exceptions.CRSError as exc:
        msg = f"{name}: EPSG:{found.group(1)} is not a known coordinate system."
        raise CaseFileError(msg) from exc


def _read_geopackage(data: bytes, name: str) -> gpd.GeoDataFrame:
    if data[68:72] != _GPKG_APPLICATION_ID:
        msg = f"{name}: is an SQLite database but not a GeoPackage. Upload {_FORMATS}."
        raise CaseFileError(msg)
    with tempfile.TemporaryDirectory(prefix="containment-upload-") as folder:
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(data)
        return _read_with_gdal(f"GPKG:{path}", name)


def _read_zipped_shapefile(data: bytes, name: str) -> gpd.GeoDataFrame:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{name}: the zip cannot be opened ({exc})."
        raise CaseFileError(msg) from exc
    parts = [m for m in members if PurePosixPath(m.filename).suffix.lower() in _SHAPEFILE_PARTS]
    shapes = [m for m in parts if m.filename.lower().endswith(".shp")]
    if len(shapes) != 1:
        found = ", ".join(PurePosixPath(m.filename).name for m in members[:8]) or "nothing"
        msg = (
            f"{name}: a zipped shapefile must hold exactly one .shp with its .shx and .dbf "
            f"(found {found}). Zip one layer's files, or upload a GeoPackage."
        )
        raise CaseFileError(msg)
    stem = PurePosixPath(shapes[0].filename).stem
    parts = [m for m in parts if PurePosixPath(m.filename).stem == stem]
    unpacked = sum(m.file_size for m in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        msg = (
            f"{name}: the shapefile unpacks to {unpacked / 1e6:,.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB an upload may. Clip it to the district first."
        )
        raise CaseFileError(msg)
    with tempfile.TemporaryDirectory(prefix="containment-upload-") as folder:
        for member in parts:
            suffix = PurePosixPath(member.filename).suffix.lower()
            target = Path(folder) / f"layer{suffix}"  # our own name, never the zip's path
            with archive.open(member) as source, target.open("wb") as out:
                _copy_at_most(source, out, member.file_size, name)
        return _read_with_gdal(str(Path(folder) / "layer.shp"), name)


def _read_with_gdal(path: str, name: str) -> gpd.GeoDataFrame:
    try:
        info = pyogrio.read_info(path)
        _check_count(int(info["features"]), name)
        _check_columns(len(info["fields"]), int(info["features"]), name)
        layer = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        reason = str(exc).replace(path, "the file").split(";")[0].strip(" .")
        msg = f"{name}: cannot be read (GDAL: {reason}). Upload {_FORMATS}."
        raise CaseFileError(msg) from exc
    if not isinstance(layer, gpd.GeoDataFrame):  # a table without geometry
        layer = gpd.GeoDataFrame(
            layer, geometry=gpd.GeoSeries([None] * len(layer)), crs=STORAGE_CRS
        )
    return layer


def _check_columns(columns: int, features: int, name: str) -> None:
    """Refuse a layer whose table would be too wide, or too large for the few values it holds:
    a table of features costs features × property names, however few values are filled in."""
    if columns > MAX_COLUMNS:
        msg = _(
            "{file}: its features have {n} different property names, more than the {most} a "
            "layer may have. Keep only the properties needed (e.g. the name, case ID, date) and "
            "save it again.",
            file=name,
            n=number(columns),
            most=number(MAX_COLUMNS),
        )
        raise CaseFileError(msg)
    if features * columns > MAX_LAYER_CELLS:
        msg = _(
            "{file}: {features} features with {n} property names make a table of {cells} "
            "values, more than the {most} an upload may. Keep only the properties needed, or "
            "clip the layer to the district.",
            file=name,
            features=number(features),
            n=number(columns),
            cells=number(features * columns),
            most=number(MAX_LAYER_CELLS),
        )
        raise CaseFileError(msg)


def _check_count(features: int, name: str) -> None:
    if features > MAX_LAYER_FEATURES:
        msg = (
            f"{name}: {features:,} features is more than the {MAX_LAYER_FEATURES:,} an upload "
            "may hold. Clip the layer to the district first."
        )
        raise CaseFileError(msg)


def _copy_at_most(source: IO[bytes], out: IO[bytes], size: int, name: str) -> None:
    """Copy a zip member, stopping if it unpacks to more than the size its header declared."""
    copied = 0
    while chunk := source.read(1 << 20):
        copied += len(chunk)
        if copied > size:
            msg = f"{name}: a file in the zip unpacks to more than its header says. Zip it again."
            raise CaseFileError(msg)
        out.write(chunk)
