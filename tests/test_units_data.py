"""The shipped ground units (``geodata/dungarpur/dungarpur_units.geojson``) and the script that
builds them (``tools/build_units.py``): units tile the district, every habitation is in its own
village unit, town cells carry the Census urban figures exactly, and the file rebuilds
byte for byte."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "geodata" / "dungarpur"
MANIFEST = tomllib.loads((FOLDER / "district.toml").read_text())
UNITS = FOLDER / MANIFEST["layers"]["units"]["file"]
METRIC = MANIFEST["metric_crs"]
TOLERANCE = 1e-4  # 0.01 %


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_units", ROOT / "tools" / "build_units.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_units"] = module
    spec.loader.exec_module(module)
    return module


build_units = _load_builder()


def _layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(FOLDER / MANIFEST["layers"][name]["file"])


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    return gpd.read_file(UNITS)


@pytest.fixture(scope="module")
def units_m(units) -> gpd.GeoDataFrame:
    return units.to_crs(METRIC)


@pytest.fixture(scope="module")
def outline_m() -> shapely.Geometry:
    return _layer("outline").to_crs(METRIC).union_all()


def assert_tiles(units_m: gpd.GeoDataFrame, outline_m: shapely.Geometry) -> None:
    union = units_m.union_all()
    assert union.area == pytest.approx(outline_m.area, rel=TOLERANCE)
    assert units_m.area.sum() == pytest.approx(union.area, rel=TOLERANCE)  # no overlaps
    assert shapely.difference(outline_m, union).area < TOLERANCE * outline_m.area  # no gaps


def test_manifest_fields_are_in_the_file(units):
    spec = MANIFEST["layers"]["units"]
    for key in ("name_field", "population_field", "households_field", "block_field", "kind_field"):
        assert spec[key] in units.columns
    expected = {"unit_id", "name", "kind", "block", "town", "population", "households", "source"}
    assert expected <= set(units.columns)


def test_geometries_are_valid_lon_lat_polygons(units):
    assert units.crs.to_epsg() == 4326
    assert units.geometry.is_valid.all()
    assert not units.geometry.is_empty.any()
    assert set(units.geom_type) <= {"Polygon", "MultiPolygon"}
    exteriors = [p.exterior for g in units.geometry for p in shapely.get_parts(g)]
    assert all(shapely.is_ccw(ring) for ring in exteriors)  # RFC 7946 winding


def test_file_is_rfc7946_with_six_decimals():
    text = UNITS.read_text(encoding="utf-8")
    assert '"crs"' not in json.loads(text)
    assert not re.search(r"\d\.\d{7,}", text)


def test_units_tile_the_district_outline(units_m, outline_m):
    assert_tiles(units_m, outline_m)


def test_no_unit_crosses_a_block_line(units_m):
    blocks = _layer("blocks").to_crs(METRIC)
    names = blocks[MANIFEST["layers"]["blocks"]["name_field"]]
    within = dict(zip(names, blocks.geometry.buffer(1.0), strict=True))
    for unit in units_m.itertuples():
        assert within[unit.block].contains(unit.geometry), unit.unit_id


def test_every_habitation_is_in_exactly_one_village_unit_with_its_name(units_m):
    habitations = _layer("habitations").to_crs(METRIC)
    villages = units_m[units_m["kind"] == "village"]
    hits = gpd.sjoin(habitations, villages, predicate="within", how="left")
    assert hits.index.value_counts().max() == 1
    assert hits["unit_id"].notna().all()
    for row in hits.itertuples():
        assert str(row.hab_id) in row.hab_ids.split(","), row.hab_name
        assert row.hab_name in row.name
    per_unit = hits.groupby("unit_id")["population_left"].sum()
    assert (per_unit == villages.set_index("unit_id").loc[per_unit.index, "population"]).all()
    cells = units_m[units_m["kind"] == "town_cell"]
    assert gpd.sjoin(habitations, cells, predicate="intersects").empty


def test_town_cells_sum_exactly_to_the_census_urban_rows(units):
    census = pd.read_csv(FOLDER / MANIFEST["build"]["units"]["census_a1"])
    urban = census[(census["Category"] == "SUB-DISTRICT") & (census["Residence"] == "Urban")]
    urban = urban.set_index("Name")
    cells = units[units["kind"] == "town_cell"]
    totals = cells.groupby("town")[["population", "households"]].sum()
    expected = {
        ("Dungarpur",): "Dungarpur",
        ("Simalwara",): "Simalwara",
        ("Sagwara", "Galiyakot"): "Sagwara",  # Galiyakot shares Sagwara tehsil's urban row
    }
    for towns, tehsil in expected.items():
        row = urban.loc[tehsil]
        assert totals.loc[list(towns), "population"].sum() == row["Population (Person)"]
        assert totals.loc[list(towns), "households"].sum() == row["Households"]
    assert totals.loc["Dungarpur", "population"] == 47_706
    assert totals.loc["Dungarpur", "households"] == 10_347
    assert totals["population"].sum() == 88_743  # the district's urban population


def test_unit_ids_names_and_kinds(units):
    assert units["unit_id"].is_unique
    assert set(units["kind"]) == {"village", "town_cell"}
    villages = units[units["kind"] == "village"]
    cells = units[units["kind"] == "town_cell"]
    assert villages["unit_id"].str.startswith("V-").all()
    assert (villages["town"].fillna("") == "").all()
    assert cells["unit_id"].str.fullmatch(r"T-[a-z-]+-\d{2,}").all()
    assert (cells["name"] == cells["town"] + " town, cell " + cells["unit_id"].str[-2:]).all()
    size = MANIFEST["household_size"]
    expected = (villages["population"] / size + 0.5).apply(int)
    assert (villages["households"] == expected).all()


def test_a_3km_circle_at_the_hq_counts_the_whole_town(units_m):
    hq = _layer("hq_points").to_crs(METRIC)
    point = hq[hq["level"] == "district_hq"].geometry.iloc[0]
    inside = units_m[units_m.intersects(point.buffer(3000))]
    assert inside["population"].sum() >= 47_706
    assert set(inside.loc[inside["kind"] == "town_cell", "town"]) == {"Dungarpur"}


def test_the_build_script_rebuilds_the_same_bytes(tmp_path):
    out, summary = build_units.build(FOLDER, tmp_path / "units.geojson")
    assert out.read_bytes() == UNITS.read_bytes()
    assert summary["town_population"] == 88_743


# ----------------------------------------------------------------------------- synthetic

SYNTHETIC_CRS = "EPSG:32643"
X0, Y0 = 370_000, 2_630_000  # metres in UTM 43N, inside Dungarpur's zone


def _box(x1: float, y1: float, x2: float, y2: float) -> shapely.Polygon:
    return shapely.box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def _write(folder: Path, name: str, frame: gpd.GeoDataFrame) -> None:
    frame.to_crs("EPSG:4326").to_file(folder / name, driver="GeoJSON", engine="pyogrio")


def _synthetic_district(folder: Path, *, census: bool) -> None:
    """Two blocks of 5 x 5 km: West (split over two features, with a duplicate habitation and
    one outside the outline) and East (no habitation, and 100 m short of the outline)."""
    folder.mkdir()
    crs = SYNTHETIC_CRS
    outline = gpd.GeoDataFrame({"name": ["Testpur"]}, geometry=[_box(0, 0, 10_000, 5_000)], crs=crs)
    blocks = gpd.GeoDataFrame(
        {"block": ["West", "West", "East"]},
        geometry=[
            _box(0, 0, 5_000, 2_500),
            _box(0, 2_500, 5_000, 5_000),
            _box(5_000, 0, 10_000, 4_900),
        ],
        crs=crs,
    )
    points = [
        (1_000, 1_000),
        (4_000, 1_200),
        (2_500, 4_000),
        (2_500, 4_000),
        (2_000, 2_500),
        (12_000, 1_000),
    ]
    habitations = gpd.GeoDataFrame(
        {
            "hab_id": [11, 12, 13, 14, 15, 16],
            "hab_name": ["Amba", "Bor", "Chak", "Chak Kalan", "Dhani", "Far Away"],
            "population": [500, 1200, 300, 200, 800, 50],
            "block": ["West"] * 6,
        },
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in points],
        crs=crs,
    )
    hq = gpd.GeoDataFrame(
        {
            "name": ["Eastpur"],
            "level": ["subdistrict_hq"],
            "census2011_subdistrict_code": ["00901"],
        },
        geometry=[shapely.Point(X0 + 7_500, Y0 + 2_500)],
        crs=crs,
    )
    _write(folder, "outline.geojson", outline)
    _write(folder, "blocks.geojson", blocks)
    _write(folder, "habitations.geojson", habitations)
    _write(folder, "hq.geojson", hq)
    manifest = f"""
name = "Testpur"
household_size = 5.0
metric_crs = "{SYNTHETIC_CRS}"
[layers.outline]
file = "outline.geojson"
[layers.blocks]
file = "blocks.geojson"
name_field = "block"
[layers.habitations]
file = "habitations.geojson"
name_field = "hab_name"
population_field = "population"
block_field = "block"
[layers.hq_points]
file = "hq.geojson"
name_field = "name"
"""
    if census:
        manifest += '[build.units]\ncensus_a1 = "a1.csv"\ncell_width_m = 400\n'
        (folder / "a1.csv").write_text(
            "State Code,District Code,Sub District Code,Category,Name,Residence,Towns,"
            "Households,Population (Person),Area\n"
            "8,900,0,DISTRICT,Testpur,Urban,1,1001,5003,2.0\n"
            "8,900,901,SUB-DISTRICT,Eastpur,Urban,1,1001,5003,2.0\n"
        )
    (folder / "district.toml").write_text(manifest)


def _outline(folder: Path) -> shapely.Geometry:
    return gpd.read_file(folder / "outline.geojson").to_crs(SYNTHETIC_CRS).union_all()


def test_a_synthetic_district_without_census_gets_village_units(tmp_path, capsys):
    folder = tmp_path / "testpur"
    _synthetic_district(folder, census=False)
    assert build_units.main([str(folder)]) == 0
    printed = capsys.readouterr().out
    assert "TOWN POPULATIONS UNKNOWN" in printed
    assert "outside the outline, left out: 16" in printed
    units = gpd.read_file(folder / "testpur_units.geojson").to_crs(SYNTHETIC_CRS)
    assert units.geometry.is_valid.all()
    assert_tiles(units, _outline(folder))
    assert set(units["kind"]) == {"village"}
    east = units[units["block"] == "East"]
    assert len(east) == 1
    assert east["population"].iloc[0] == 0
    # the 100 m strip the East block leaves uncovered joins East (it shares most edge with it)
    assert east.area.iloc[0] == pytest.approx(5_000 * 5_000, rel=TOLERANCE)
    west = units[units["block"] == "West"].set_index("unit_id")
    assert len(west) == 4  # 5 located habitations, two of them at one spot
    assert west.loc["V-13", "name"] == "Chak / Chak Kalan"
    assert west.loc["V-13", "population"] == 500
    assert west.loc["V-13", "households"] == 100
    assert west.geom_type.eq("Polygon").all()


def test_a_synthetic_town_sums_to_its_census_row_and_is_carved_out(tmp_path):
    folder = tmp_path / "testpur"
    _synthetic_district(folder, census=True)
    out, summary = build_units.build(folder)
    units = gpd.read_file(out).to_crs(SYNTHETIC_CRS)
    assert_tiles(units, _outline(folder))
    cells = units[units["kind"] == "town_cell"]
    assert cells["population"].sum() == 5_003
    assert cells["households"].sum() == 1_001
    assert set(cells["town"]) == {"Eastpur"}
    assert set(cells["block"]) == {"East"}
    assert cells.area.sum() == pytest.approx(2.0e6, rel=0.01)
    assert cells["unit_id"].tolist() == [f"T-eastpur-{i:02d}" for i in range(1, len(cells) + 1)]
    # numbered in rows from the north-west
    centres = cells.geometry.centroid
    rows = (-centres.y).round(-1)
    order = list(zip(rows, centres.x, strict=True))
    assert order == sorted(order)
    east_rest = units[(units["block"] == "East") & (units["kind"] == "village")]
    assert east_rest.area.sum() == pytest.approx(25e6 - cells.area.sum(), rel=TOLERANCE)
    assert summary["town_cells"] == len(cells)


def test_the_units_file_holds_only_the_fields_the_manifest_asks_for(tmp_path):
    folder = tmp_path / "testpur"
    _synthetic_district(folder, census=False)
    manifest = folder / "district.toml"
    fields = '["unit_id", "name", "kind", "block", "town", "population", "households"]'
    manifest.write_text(manifest.read_text() + f"[build.units]\nfields = {fields}\n")
    out, summary = build_units.build(folder)
    written = json.loads(out.read_text())["features"][0]["properties"]
    assert list(written) == json.loads(fields)
    assert summary["units_km2"] == pytest.approx(50.0, rel=TOLERANCE)  # computed all the same


def test_an_unknown_field_to_write_is_named(tmp_path):
    folder = tmp_path / "testpur"
    _synthetic_district(folder, census=False)
    manifest = folder / "district.toml"
    manifest.write_text(manifest.read_text() + '[build.units]\nfields = ["name", "colour"]\n')
    with pytest.raises(build_units.BuildError, match=r"fields names \['colour'\]; the fields"):
        build_units.build(folder)
