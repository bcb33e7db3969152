"""Uploaded map layers: GeoJSON, GeoPackage and zipped shapefiles are read; nothing in an upload
makes the server open another file, and no small upload unpacks into a large one."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from containment.errors import CaseFileError
from containment.io import layers
from containment.io.layers import read_layer
from containment.io.tables import read_table

ROADS = (
    Path(__file__).resolve().parent.parent
    / "geodata/dungarpur/dungarpur_pmgsy_road_proposals_2019.geojson"
)


def vrt_reading(target: Path) -> bytes:
    """A GDAL VRT file that asks GDAL to read ``target`` (the attack, not a layer)."""
    return (
        "<OGRVRTDataSource><OGRVRTLayer name='x'>"
        f"<SrcDataSource>{target}</SrcDataSource>"
        "<SrcSQL dialect='SQLITE'>SELECT 'secret' AS case_id, 73.7 AS lon, 23.8 AS lat</SrcSQL>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        "<GeometryField encoding='PointFromColumns' x='lon' y='lat'/></OGRVRTLayer>"
        "</OGRVRTDataSource>"
    ).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    return gpd.read_file(ROADS)


def test_geojson_geopackage_and_a_zipped_shapefile_are_read_alike(roads, tmp_path) -> None:
    roads.to_file(tmp_path / "r.gpkg")
    roads.to_crs(32643)[["geometry"]].to_file(tmp_path / "r.shp.zip", driver="ESRI Shapefile")
    for data in (ROADS.read_bytes(), (tmp_path / "r.gpkg").read_bytes()):
        layer = read_layer(data, "roads")
        assert len(layer) == len(roads)
        assert layer.crs.to_epsg() == 4326
    shapefile = read_layer((tmp_path / "r.shp.zip").read_bytes(), "roads.zip")
    assert len(shapefile) == len(roads)
    assert shapefile.crs.to_epsg() == 32643


def test_an_older_geojson_in_a_named_epsg_crs_is_read_in_that_crs(roads, tmp_path) -> None:
    roads.to_crs(32643).to_file(tmp_path / "r.geojson", driver="GeoJSON", RFC7946="NO")
    layer = read_layer((tmp_path / "r.geojson").read_bytes(), "r.geojson")
    assert layer.crs.to_epsg() == 32643
    assert layer.geometry.geom_equals_exact(roads.to_crs(32643).geometry, tolerance=0.01).all()


@pytest.mark.parametrize("crs", ["+init=/etc/passwd:x", "/etc/passwd", "PROJCS[...]"])
def test_a_crs_member_that_is_not_an_epsg_code_is_refused(crs) -> None:
    doc = {"type": "FeatureCollection", "crs": {"properties": {"name": crs}}, "features": []}
    with pytest.raises(CaseFileError, match="is not an EPSG code"):
        read_layer(json.dumps(doc).encode(), "r.geojson")


def test_a_vrt_that_would_read_the_store_is_refused_however_it_is_named(tmp_path) -> None:
    secret = tmp_path / "store.sqlite"
    secret.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    attack = vrt_reading(secret)
    for name in ("linelist.geojson", "cases.gpkg", "x.vrt"):
        with pytest.raises(CaseFileError, match="is not a GeoJSON, a GeoPackage or a zipped"):
            read_layer(attack, name)
    with pytest.raises(CaseFileError, match="is not a GeoJSON"):
        read_table(attack, name="linelist.geojson")
    with pytest.raises(CaseFileError, match=r"exactly one \.shp"):
        read_layer(zipped({"a.vrt": attack}), "roads.zip")


def test_gdal_connection_strings_in_a_geojson_are_only_text() -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"case_id": "CSV:/vsisubfile/0_400,/proc/self/environ"},
                "geometry": {"type": "Point", "coordinates": [73.7, 23.8]},
            }
        ],
    }
    layer = read_layer(json.dumps(doc).encode(), "x.geojson")
    assert layer.loc[0, "case_id"] == "CSV:/vsisubfile/0_400,/proc/self/environ"


def test_an_sqlite_file_that_is_not_a_geopackage_is_refused(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    with pytest.raises(CaseFileError, match="is an SQLite database but not a GeoPackage"):
        read_layer(path.read_bytes(), "cases.gpkg")


def test_only_the_shapefiles_own_parts_leave_the_zip_by_their_base_names(roads, tmp_path) -> None:
    roads[["geometry"]].to_file(tmp_path / "r.shp")
    files = {f"../../etc/r{p}": (tmp_path / f"r{p}").read_bytes() for p in (".shp", ".shx", ".dbf")}
    files["evil.vrt"] = b"<OGRVRTDataSource/>"
    layer = read_layer(zipped(files), "roads.zip")
    assert len(layer) == len(roads)
    assert not (tmp_path.parent / "etc").exists()


def test_a_zip_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(monkeypatch) -> None:
    monkeypatch.setattr(layers, "MAX_UNPACKED_BYTES", 1_000_000)
    bomb = zipped({"r.shp": b"\x00" * 600_000, "r.shx": b"\x00" * 100, "r.dbf": b" " * 600_000})
    assert len(bomb) < 10_000
    with pytest.raises(CaseFileError, match="unpacks to 1 MB, more than the 1 MB"):
        read_layer(bomb, "roads.zip")


def test_a_layer_with_more_features_than_allowed_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(layers, "MAX_LAYER_FEATURES", 3)
    point = {"type": "Point", "coordinates": [73.7, 23.8]}
    features = [{"type": "Feature", "properties": {}, "geometry": point}] * 4
    doc = {"type": "FeatureCollection", "features": features}
    with pytest.raises(CaseFileError, match="4 features is more than the 3"):
        read_layer(json.dumps(doc).encode(), "cases.geojson")


def test_a_layer_without_geometry_is_read_with_empty_geometry(tmp_path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"a": 1}, "geometry": None}
    ]}  # fmt: skip
    layer = read_layer(json.dumps(doc).encode(), "x.geojson")
    assert layer.geometry.isna().all()
    assert shapely.is_missing(layer.geometry.to_numpy()).all()


def one_feature(geometry: object, properties: object = None) -> bytes:
    feature = {"type": "Feature", "properties": properties or {"name": "a"}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            one_feature({"type": "LineString", "coordinates": [[73.7, 23.8]]}),
            r"feature 1: a line has only one point; a line needs two or more",
        ),
        (
            one_feature({"type": "MultiLineString", "coordinates": [[[73.7, 23.8]]]}),
            r"feature 1: a line has only one point",
        ),
        (
            one_feature({"type": "Circle", "coordinates": [73.7, 23.8]}),
            r"feature 1: 'Circle' is not a GeoJSON geometry type",
        ),
        (one_feature("LINESTRING (0 0, 1 1)"), r"feature 1: its geometry 'LINESTRING"),
        (
            one_feature({"type": "Polygon", "coordinates": [[[73.7, 23.8], [73.8, 23.8]]]}),
            r"feature 1: its Polygon geometry cannot be read",
        ),
        (
            b'{"type":"FeatureCollection","features":' + b"[" * 200_000 + b"]" * 200_000 + b"}",
            r"nested too deeply",
        ),
        (
            one_feature(None, {"name": 1}).replace(b'"name": 1', b'"name": 1' + b"0" * 5000),
            r"a number too long to read",
        ),
    ],
    ids=["one-point line", "one-point part", "circle", "wkt", "two-point ring", "deep", "digits"],
)
def test_a_malformed_geojson_feature_is_named_with_what_to_do(data, message) -> None:
    for read in (lambda: read_layer(data, "x.geojson"), lambda: read_table(data, name="x.geojson")):
        with pytest.raises(CaseFileError, match=message):
            read()


def test_a_property_called_geometry_does_not_replace_the_geometry() -> None:
    layer = read_layer(
        one_feature({"type": "Point", "coordinates": [73.7, 23.8]}, {"geometry": "x"}), "x"
    )
    assert layer.geometry.iloc[0] == shapely.Point(73.7, 23.8)
