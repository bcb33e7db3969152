"""The script that builds the Rajasthan districts (``tools/build_districts.py``), run on a small
synthetic copy of the state's sources made here: the same sources give the same bytes, the
folder it writes loads, what it leaves out is listed, and hand-made folders are never written.

The real sources are not in the repository (``../shared/geodata-src/rajasthan``); the shipped
folders are checked as data in ``tests/test_districts.py``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from containment import load_district

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    path = ROOT / "tools" / "build_districts.py"
    spec = importlib.util.spec_from_file_location("build_districts", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_districts"] = module
    spec.loader.exec_module(module)
    return module


build_districts = _load_script()

# Dausa (PMGSY district 136, Census 2011 code 109) as two 20 x 20 km blocks, and one block of
# Tonk (556) to the west. Lon/lat near Dausa, so UTM zone 43N is the metric CRS.
DAUSA_ID, TONK_ID = 136, 556
WEST = shapely.box(76.3, 26.7, 76.5, 26.9)  # block 1470 "Dausa"
EAST = shapely.box(76.5, 26.7, 76.7, 26.9)  # block 497 "Bandikui"
TONK = shapely.box(76.1, 26.7, 76.3, 26.9)  # block 6127 "Tonk"
HABITATIONS = [
    # HAB_ID, district, block, name, population, lon, lat
    (101, DAUSA_ID, 1470, "Amba", 500.0, 76.35, 26.75),
    (102, DAUSA_ID, 1470, "Bor", 1200.0, 76.45, 26.85),
    (103, DAUSA_ID, 497, "Chak", 300.0, 76.55, 26.8),
    (104, DAUSA_ID, 497, "Chak Kalan", 200.0, 76.55, 26.8),  # same spot: one unit
    (105, DAUSA_ID, 497, "Dhani", 800.0, 76.65, 26.72),
    (106, DAUSA_ID, 497, "Far Away", 50.0, 76.9, 26.8),  # outside the outline: left out
    (107, DAUSA_ID, 1470, "Nowhere", 70.0, -1.79e308, -1.79e308),  # no usable location
    (201, TONK_ID, 6127, "Tonkwala", 900.0, 76.2, 26.8),
]
FACILITIES = [
    # FACILITY_I, district, block, HAB_ID, description, category, lon, lat
    (1, DAUSA_ID, 1470, 101, "Primary Health Centre Amba", "Medical", 76.351, 26.751),
    (2, DAUSA_ID, 497, 103, "Community Health Centre Chak", "Medical", 76.551, 26.801),
    (3, DAUSA_ID, 497, 105, "Govt Vetenary Hospital Dhani", "Medical", 76.651, 26.721),
    (4, DAUSA_ID, 497, 105, "Govt Sr Sec School Dhani", "Education", 76.652, 26.722),
    (5, TONK_ID, 6127, 201, "PHC Tonkwala", "Medical", 76.201, 26.801),
]


def _zip_shapefile(folder: Path, archive: str, member: str, frame: gpd.GeoDataFrame) -> None:
    staging = folder / f"_{member}"
    staging.mkdir()
    frame.to_file(staging / member, driver="ESRI Shapefile", engine="pyogrio")
    with zipfile.ZipFile(folder / archive, "w") as z:
        for part in sorted(staging.iterdir()):
            z.write(part, part.name)


def _points(rows: list[tuple], columns: list[str]) -> gpd.GeoDataFrame:
    table = pd.DataFrame([r[:-2] for r in rows], columns=columns)
    geometry = [shapely.Point(r[-2], r[-1]) for r in rows]
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like ``geodata-src/rajasthan``, with the master table as CSV."""
    folder = tmp_path_factory.mktemp("rajasthan")
    blocks = gpd.GeoDataFrame(
        {
            "BLOCK_ID": [1470, 497, 6127],
            "STATE_ID": 29,
            "DISTRICT_I": [DAUSA_ID, DAUSA_ID, TONK_ID],
        },
        geometry=[WEST, EAST, TONK],
        crs="EPSG:4326",
    )
    _zip_shapefile(folder, "Bound_Block.zip", "Bound_Block.shp", blocks)
    habitations = _points(
        HABITATIONS, ["HAB_ID", "DISTRICT_I", "BLOCK_ID", "HAB_NAME", "TOT_POPULA"]
    ).assign(STATE_ID=29)
    _zip_shapefile(folder, "Habitation.zip", "Habitation2.shp", habitations)
    facilities = _points(
        FACILITIES,
        ["FACILITY_I", "DISTRICT_I", "BLOCK_ID", "HAB_ID", "FAC_DESC", "FAC_CATEGO"],
    ).assign(STATE_ID=29)
    _zip_shapefile(folder, "Facilities.zip", "Facilities.shp", facilities)
    roads = gpd.GeoDataFrame(
        {
            "MRL_ID": [9001, 9002],
            "STATE_ID": 29,
            "DISTRICT_I": [DAUSA_ID, TONK_ID],
            "BLOCK_ID": [1470, 6127],
            "WORK_NAME": ["T01-Amba to Bor", "T02-Tonk road"],
            "PROPOSED_L": [12.5, 3.0],
            "IMS_YEAR": [2019, 2020],
        },
        geometry=[
            shapely.LineString([(76.35, 26.75), (76.45, 26.85)]),
            shapely.LineString([(76.15, 26.75), (76.25, 26.85)]),
        ],
        crs="EPSG:4326",
    )
    _zip_shapefile(folder, "Proposals.zip", "Proposals.shp", roads)
    pd.DataFrame(
        {
            "STATE_ID": 29,
            "STATE_NAME": "Rajasthan",
            "DISTRICT_ID": [DAUSA_ID, DAUSA_ID, TONK_ID],
            "DISTRICT_NAME": ["Dausa", "Dausa", "Tonk"],
            "BLOCK_ID": [1470, 497, 6127],
            "BLOCK_NAME": ["Dausa", "Bandikui", "Tonk"],
        }
    ).to_csv(folder / "MasterData.csv", index=False)
    district_hq = _points(
        [
            ("Dausa", "109", 97, "Dausa", 76.34, 26.88),
            ("Tonk", "120", 116, "Tonk", 76.15, 26.72),
        ],
        ["DTNAME", "DTCODE11", "Dist_LGD", "LOC_NAME"],
    )
    district_hq.to_file(folder / "rajasthan_district_hq.geojson", driver="GeoJSON")
    tehsil_hq = _points(
        [
            ("Dausa", "109", "00560", "Dausa", "Dausa", 76.341, 26.881),
            ("Dausa", "109", "00561", "Baswa", "Baswa", 76.6, 26.85),
            ("Tonk", "120", "00600", "Tonk", "Tonk", 76.151, 26.721),
        ],
        ["dtname", "DTCODE11", "SDTCODE11", "NAME11", "LOC_NAME"],
    )
    tehsil_hq.to_file(folder / "rajasthan_subdistrict_hq.geojson", driver="GeoJSON")
    return folder


def _build(sources: Path, out: Path, *only: str) -> int:
    args = ["--source", str(sources), "--out", str(out)]
    for name in only:
        args += ["--only", name]
    return build_districts.main(args)


@pytest.fixture(scope="module")
def dausa(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geodata")
    assert _build(sources, out, "Dausa") == 0
    return out / "dausa"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_sources_give_the_same_bytes(sources, dausa, tmp_path):
    assert _build(sources, tmp_path, "dausa") == 0
    again = _files(tmp_path / "dausa")
    assert again == _files(dausa)
    assert set(again) == {
        "SOURCES.md",
        "district.toml",
        "dausa_district.geojson",
        "dausa_blocks_pmgsy.geojson",
        "dausa_habitations_pmgsy.geojson",
        "dausa_health_facilities_pmgsy.geojson",
        "dausa_admin_hq_points.geojson",
        "dausa_pmgsy_road_proposals.geojson",
        "dausa_units.geojson",
    }


def test_the_built_folder_loads_as_a_district(dausa):
    district = load_district(dausa)
    assert district.name == "Dausa"
    assert district.metric_crs.to_epsg() == 32643
    assert sorted(district.blocks["name"]) == ["Bandikui", "Dausa"]
    assert district.outline_m.area / 1e6 == pytest.approx(
        gpd.GeoSeries([shapely.box(76.3, 26.7, 76.7, 26.9)], crs=4326).to_crs(32643).area[0] / 1e6,
        rel=1e-5,  # the box's middle vertices bend its edges a little in metres
    )
    assert sorted(district.habitations["hab_id"]) == [101, 102, 103, 104, 105]
    assert sorted(district.health_facilities["kind"]) == ["CHC", "PHC"]  # no vet, no school
    assert list(district.roads["work_name"]) == ["T01-Amba to Bor"]
    assert set(zip(district.hq_points["name"], district.hq_points["level"], strict=True)) == {
        ("Dausa", "district_hq"),
        ("Dausa", "subdistrict_hq"),
        ("Baswa", "subdistrict_hq"),
    }
    units = district.units
    assert set(units["kind"]) == {"village"}
    assert units["population"].sum() == 500 + 1200 + 300 + 200 + 800
    chak = units[units["unit_id"] == "V-103"].iloc[0]
    assert (chak["name"], chak["population"]) == ("Chak / Chak Kalan", 500)
    assert chak["households"] == round(500 / 5.393)


def test_only_the_fields_the_app_reads_and_ids_are_written(dausa):
    def fields(name: str) -> list[str]:
        text = (dausa / name).read_text()
        return list(json.loads(text)["features"][0]["properties"])

    assert fields("dausa_habitations_pmgsy.geojson") == [
        "hab_id",
        "hab_name",
        "population",
        "block_name",
    ]
    assert fields("dausa_units.geojson") == [
        "unit_id",
        "name",
        "kind",
        "block",
        "town",
        "population",
        "households",
        "hab_ids",
    ]
    lines = (dausa / "dausa_habitations_pmgsy.geojson").read_text().splitlines()
    assert sum(line.startswith('{"type": "Feature"') for line in lines) == 5  # one per line
    assert '"coordinates": [76.35, 26.75]' in lines[4]


def test_the_manifest_says_what_the_district_lacks(dausa):
    manifest = tomllib.loads((dausa / "district.toml").read_text())
    assert manifest["household_size"] == pytest.approx(68_548_437 / 12_711_146, abs=0.001)
    assert "state average" in manifest["household_size_source"]
    caveats = " ".join(manifest["caveats"])
    assert "no town cells" in caveats
    assert "Rajasthan's Census 2011 average" in caveats
    assert "1 veterinary entries removed" in caveats
    assert "2 habitation(s) coded to Dausa" in caveats
    assert manifest["outline_tolerance_m"] == 1000
    assert "Government Open Data License" in manifest["attribution"]


def test_what_is_left_out_is_listed_with_the_reason(dausa):
    sources_md = (dausa / "SOURCES.md").read_text()
    assert "HAB_ID 106 Far Away, block 497, pop 50:" in sources_md
    assert "m outside the outline" in sources_md
    assert "HAB_ID 107 Nowhere, block 1470, pop 70: no usable location" in sources_md
    assert "Ministry of Rural Development, 2022" in sources_md


def test_a_hand_made_folder_is_never_written(sources, tmp_path):
    hand_made = tmp_path / "dausa"
    hand_made.mkdir()
    (hand_made / "district.toml").write_text('name = "Dausa, by hand"\n')
    assert _build(sources, tmp_path, "dausa") == 1
    assert (hand_made / "district.toml").read_text() == 'name = "Dausa, by hand"\n'


def test_an_unknown_district_lists_the_known_ones(sources, tmp_path, capsys):
    assert _build(sources, tmp_path, "Atlantis") == 1
    assert "no district 'Atlantis'; known: ajmer, alwar," in capsys.readouterr().err


def test_a_fresh_build_is_compared_with_a_shipped_folder(dausa, tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for name, data in _files(dausa).items():
        (shipped / name).write_bytes(data)
    assert build_districts.compare_with_shipped(dausa, shipped) == []
    path = shipped / "dausa_health_facilities_pmgsy.geojson"
    path.write_text(path.read_text().replace('"facility_type": "CHC"', '"facility_type": "PHC"'))
    (problem,) = build_districts.compare_with_shipped(dausa, shipped)
    assert (
        problem
        == "health_facilities facility_id 2: facility_type 'CHC' built, 'PHC' shipped (1 such)"
    )


@pytest.mark.parametrize(
    ("description", "kind"),
    [
        ("ADRASH PRIMARY HEALTH CENTRE ANTRI", "PHC"),
        ("Cuommunity Health Center Gamdi Ahada", "CHC"),
        ("Acharya Mahapragya Eye Hospital Vagdari", "Eye hospital"),
        ("Govt Ayurved hospital", "Ayurvedic hospital"),
        ("Diepensary", "Dispensary"),
        ("Hospital", "Hospital (type not stated)"),
        ("Veterinary Hospitsl", None),
        ("VH RANASAR", None),
        ("Animal Husbandary Sub Center Asela", None),
        ("pasu dhan vikash cendra deolan", None),
        ("Govt Vatinary Hospital", None),
        ("PHC Vishma", "PHC"),  # a village starting with v is not a vet
    ],
)
def test_health_facilities_are_typed_and_veterinary_ones_found(description, kind):
    assert build_districts.health_kind(description) == kind
