"""Exports: the right format for each extension, lon/lat, and never a case id."""

import csv
import datetime as dt
import io
import itertools
import json
import re
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from containment import EXPORT_FORMATS, ExportError, get_rule, plan_zones, read_cases, write_zones
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def sample_zones(dungarpur):
    cases = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases
    plan = plan_zones(
        cases, get_rule("mohfw-2020-rural"), as_of=dt.date(2020, 5, 15), district=dungarpur
    )
    return plan.zones


def test_geojson_is_rfc7946_lon_lat_six_decimals_no_crs(sample_zones, tmp_path, dungarpur):
    path = write_zones(sample_zones, tmp_path / "zones.geojson", dungarpur)
    document = json.loads(path.read_text())
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    assert len(document["features"]) == len(sample_zones)
    lon, lat = document["features"][0]["geometry"]["coordinates"][0][0]
    assert 73.3 < lon < 74.4
    assert 23.3 < lat < 24.1
    decimals = re.findall(r"\d+\.(\d+)", json.dumps(document["features"][0]["geometry"]))
    assert max(len(d) for d in decimals) <= 6
    properties = document["features"][0]["properties"]
    assert properties["kind"] == "containment"
    exact = sample_zones["release_due_on"].iloc[0]  # the end of its week, never before it
    shown = dt.date.fromisoformat(properties["release_due_on"])
    assert (shown.weekday(), 0 <= (shown - exact).days < 7) == (6, True)


def test_geojson_exterior_rings_are_counterclockwise(sample_zones, tmp_path, dungarpur):
    path = write_zones(sample_zones, tmp_path / "zones.geojson", dungarpur)
    frame = gpd.read_file(path)
    assert frame.geometry.apply(lambda g: g.geom_type).isin(["Polygon", "MultiPolygon"]).all()
    for feature in json.loads(path.read_text())["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        for polygon in [polygons] if geometry["type"] == "Polygon" else polygons:
            exterior = polygon[0]
            area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(exterior))
            assert area > 0


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".kml", ".shp.zip"])
def test_each_geographic_format_reads_back_with_every_zone(
    sample_zones, tmp_path, suffix, dungarpur
):
    path = write_zones(sample_zones, tmp_path / f"zones{suffix}", dungarpur)
    frame = gpd.read_file(f"/vsizip/{path}" if suffix == ".shp.zip" else path)
    assert len(frame) == len(sample_zones)
    assert frame.crs.to_epsg() == 4326
    assert frame.to_crs(32643).area.sum() / 1e6 == pytest.approx(
        sample_zones["area_km2"].sum(), rel=1e-3
    )


def test_shapefile_zip_holds_one_shapefile_with_short_field_names(
    sample_zones, tmp_path, dungarpur
):
    path = write_zones(sample_zones, tmp_path / "police.shp.zip", dungarpur)
    names = zipfile.ZipFile(path).namelist()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["cpg", "dbf", "prj", "shp", "shx"]
    frame = gpd.read_file(f"/vsizip/{path}")
    assert {"zone_id", "cases", "release_on", "pop_est"} <= set(frame.columns)


def test_csv_has_attributes_and_no_geometry(sample_zones, tmp_path, dungarpur):
    path = write_zones(sample_zones, tmp_path / "zones.csv", dungarpur)
    table = pd.read_csv(path)
    assert "geometry" not in table.columns
    assert table["zone_id"].tolist() == sample_zones["zone_id"].tolist()


@pytest.mark.parametrize("suffix", list(EXPORT_FORMATS))
def test_no_export_carries_a_case_id_even_if_the_frame_does(
    sample_zones, tmp_path, suffix, dungarpur
):
    leaky = sample_zones.copy()
    leaky["case_id"] = "SYN-000001"
    leaky["patient_name"] = "Ramesh"
    path = write_zones(leaky, tmp_path / f"zones{suffix}", dungarpur)
    raw = path.read_bytes()
    if suffix == ".shp.zip":
        archive = zipfile.ZipFile(path)
        raw = b"".join(archive.read(n) for n in archive.namelist())
    elif suffix == ".gpkg":
        raw = gpd.read_file(path).to_json().encode()
    assert b"SYN-0" not in raw
    assert b"Ramesh" not in raw


def test_unknown_extension_lists_the_formats(sample_zones, tmp_path, dungarpur):
    with pytest.raises(
        ExportError, match=r"'zones.pdf'.*\.geojson, \.gpkg, \.kml, \.shp\.zip, \.csv"
    ):
        write_zones(sample_zones, tmp_path / "zones.pdf", dungarpur)


def test_missing_folder_is_named(sample_zones, tmp_path, dungarpur):
    with pytest.raises(ExportError, match=r"the folder .*nowhere does not exist"):
        write_zones(sample_zones, tmp_path / "nowhere" / "zones.geojson", dungarpur)


def test_a_failed_write_keeps_the_earlier_file(sample_zones, tmp_path, dungarpur):
    path = tmp_path / "zones.geojson"
    write_zones(sample_zones, path, dungarpur)
    before = path.read_bytes()
    broken = sample_zones.drop(columns="kind")
    with pytest.raises(ExportError, match="lack the columns kind"):
        write_zones(broken, path, dungarpur)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zones.geojson"]


def test_the_police_package_carries_zones_and_checkpoints(sample_zones, dungarpur, tmp_path):
    from containment.field.checkpoints import propose_checkpoints
    from containment.io.export import write_police_package
    from containment.io.roads import standard_roads

    containment = sample_zones[sample_zones["kind"] == "containment"]
    checkpoints = propose_checkpoints(containment, standard_roads(dungarpur.roads), dungarpur)
    path = write_police_package(containment, checkpoints, tmp_path / "police.geojson", dungarpur)
    document = json.loads(path.read_text())
    layers = [f["properties"]["layer"] for f in document["features"]]
    assert layers.count("zone") == len(containment)
    assert layers.count("checkpoint") == len(checkpoints) > 0
    assert "crs" not in document
    package = write_police_package(containment, checkpoints, tmp_path / "police.gpkg", dungarpur)
    assert len(gpd.read_file(package, layer="zones")) == len(containment)
    assert len(gpd.read_file(package, layer="checkpoints")) == len(checkpoints)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_shown_as_text(start):
    from containment.io.export import csv_text

    frame = pd.DataFrame({"zone": [f'{start}HYPERLINK("http://x.example","click")'], "n": [-3]})
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows[1][0].startswith("'")
    assert rows[1][1] == "-3"  # numbers stay numbers


def test_the_audit_trail_on_the_command_line_defuses_formulas(store, store_url, tmp_path):
    from tests.test_cli_store import PASSWORD, containment

    store.add_user("meena", "collector", PASSWORD)
    store.record("export", "zones", '=HYPERLINK("http://x.example","open me").geojson: 1 rows')
    out = tmp_path / "audit.csv"
    result = containment("audit", "--user", "meena", "-o", str(out), "--database", store_url)
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(out.read_text("utf-8"))) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert '\'=HYPERLINK("http://x.example","open me").geojson: 1 rows' in cells


def test_zones_exported_while_the_sample_is_loaded_say_synthetic(sample_zones, tmp_path, dungarpur):
    for suffix in (".geojson", ".csv", ".gpkg"):
        path = write_zones(sample_zones, tmp_path / f"zones{suffix}", dungarpur, synthetic=True)
        back = gpd.read_file(path) if suffix != ".csv" else pd.read_csv(path)
        assert set(back["data"]) == {"SYNTHETIC training data: not real cases"}, suffix
