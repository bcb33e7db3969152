"""A small upload cannot make a huge table: a line list or a map layer is refused by how many
columns (property names) it has before any table of its rows is built, and no message lists
thousands of column names."""

from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pytest
import shapely

from containment import CaseFileError, read_cases
from containment.io import layers
from containment.io.columns import MAX_COLUMNS
from containment.io.layers import read_layer
from containment.io.tables import read_table
from tests.places import NEAR_DUNGARPUR_TOWN

LON, LAT = NEAR_DUNGARPUR_TOWN


def sparse_geojson(features: int) -> bytes:
    """Every feature with a property name of its own: a table of features × features."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {f"k{i}": 1},
                    "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                }
                for i in range(features)
            ],
        }
    ).encode()


def test_a_geojson_whose_features_have_too_many_property_names_is_refused() -> None:
    data = sparse_geojson(MAX_COLUMNS + 100)
    for read in (lambda: read_layer(data, "x.geojson"), lambda: read_table(data, name="x.geojson")):
        with pytest.raises(CaseFileError) as refused:
            read()
        message = str(refused.value)
        assert "600 different property names" in message
        assert "500" in message
        assert "k599" not in message


def test_a_sparse_layer_is_refused_by_the_size_of_the_table_it_would_make(monkeypatch) -> None:
    monkeypatch.setattr(layers, "MAX_LAYER_CELLS", 50 * 50)
    read_layer(sparse_geojson(50), "ok.geojson")  # 50 features × 50 names
    with pytest.raises(CaseFileError, match=r"60 features with 60 property names .* 3,600"):
        read_layer(sparse_geojson(60), "x.geojson")


def test_a_geopackage_with_too_many_fields_is_refused_before_it_is_read(
    tmp_path, monkeypatch
) -> None:
    frame = gpd.GeoDataFrame(
        {f"f{i}": [1] for i in range(12)}, geometry=[shapely.Point(LON, LAT)], crs=4326
    )
    frame.to_file(tmp_path / "wide.gpkg")
    monkeypatch.setattr(layers, "MAX_COLUMNS", 10)
    with pytest.raises(CaseFileError, match=r"12 different property names, more than the 10"):
        read_layer((tmp_path / "wide.gpkg").read_bytes(), "wide.gpkg")


def test_a_csv_whose_header_has_too_many_columns_is_refused_by_its_header(tmp_path) -> None:
    header = ",".join(f"c{i}" for i in range(20_000))
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + "," * 19_999 + "\n")
    with pytest.raises(CaseFileError) as refused:
        read_table(path)
    message = str(refused.value)
    assert "20,000 columns, more than the 500 a line list may have" in message
    assert "c19999" not in message
    assert len(message) < 400


def test_quoted_commas_in_a_header_are_not_counted_as_columns(tmp_path) -> None:
    header = ",".join(f'"Village, block {i}"' for i in range(MAX_COLUMNS))
    path = tmp_path / "quoted.csv"
    path.write_text(header + "\nx" + "," * (MAX_COLUMNS - 1) + "\n")
    assert read_table(path).frame.shape == (1, MAX_COLUMNS)


def test_a_workbook_with_too_many_columns_is_refused(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(MAX_COLUMNS + 1)])
    book.active.append(["x"] * (MAX_COLUMNS + 1))
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(CaseFileError, match=r"501 columns, more than the 500"):
        read_table(tmp_path / "wide.xlsx")


def test_a_message_about_columns_lists_the_first_thirty_and_counts_the_rest(
    tmp_path, dungarpur
) -> None:
    names = ["ICMR ID", "Latitude", "Longitude", *(f"extra{i}" for i in range(400))]
    path = tmp_path / "nodate.csv"
    path.write_text(",".join(names) + "\n" + f"A1,{LAT},{LON}" + "," * 400 + "\n")
    with pytest.raises(CaseFileError, match="no date column") as refused:
        read_cases(path, dungarpur)
    message = str(refused.value)
    assert "extra26 and 373 more" in message
    assert "extra27" not in message
