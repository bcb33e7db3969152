"""Reading line lists: every bad row is reported with its row, field and reason."""

import datetime as dt
import re
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from containment import CaseFileError, read_cases
from containment.cli import app as cli_app
from tests.conftest import TODAY
from tests.places import BICHHIWARA, JAIPUR, NEAR_DUNGARPUR_TOWN, UDAIPUR

HEADER = [
    "ICMR ID",
    "Patient Name",
    "Mobile No",
    "Latitude",
    "Longitude",
    "Date of Result",
    "Village",
    "Block",
    "Status",
]
LON, LAT = NEAR_DUNGARPUR_TOWN


def good_row(case_id="ICMR-1", **changes):
    row = {
        "ICMR ID": case_id,
        "Patient Name": "Ramesh Kumar",
        "Mobile No": "9829012345",
        "Latitude": LAT,
        "Longitude": LON,
        "Date of Result": "11-05-2020",
        "Village": "",
        "Block": "",
        "Status": "Active",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def read(write_csv, dungarpur, *rows):
    return read_cases(write_csv([HEADER, *rows]), dungarpur, today=TODAY)


def test_good_rows_load_as_lon_lat_points(write_csv, dungarpur):
    result = read(write_csv, dungarpur, good_row("A"), good_row("B", Status="Recovered"))
    assert result.rejected == ()
    assert list(result.cases["case_id"]) == ["A", "B"]
    assert result.cases.crs.to_epsg() == 4326
    assert result.cases.geometry.iloc[0].equals(shapely.Point(LON, LAT))
    assert list(result.cases["status"]) == ["active", "recovered"]


def test_dates_are_read_day_first(write_csv, dungarpur):
    result = read(write_csv, dungarpur, good_row(**{"Date of Result": "03-05-2020"}))
    assert result.cases["reported_on"].iloc[0] == pd.Timestamp("2020-05-03")


BAD_ROWS = [
    pytest.param(
        {"Latitude": "", "Longitude": "", "Village": ""},
        "latitude",
        "no coordinates and no village",
        id="no-location",
    ),
    pytest.param(
        {"Longitude": ""}, "longitude", r"missing \(latitude is given\)", id="one-coordinate"
    ),
    pytest.param({"Latitude": "23.8N"}, "latitude", "'23.8N' is not a number", id="non-numeric"),
    pytest.param(
        {"Latitude": 95, "Longitude": 73.7},
        "latitude",
        "95 is outside -90..90",
        id="latitude-range",
    ),
    pytest.param(
        {"Latitude": 23.8, "Longitude": 190},
        "longitude",
        "190 is outside -180..180",
        id="longitude-range",
    ),
    pytest.param({"Latitude": 0, "Longitude": 0}, "latitude", "0, 0 is a placeholder", id="zero"),
    pytest.param(
        {"Latitude": LON, "Longitude": LAT},
        "latitude",
        "latitude and longitude swapped: swap the two columns",
        id="swapped",
    ),
    pytest.param(
        {"Latitude": JAIPUR[1], "Longitude": JAIPUR[0]},
        "latitude",
        r"outside Dungarpur, 3\d\d\.\d km from its boundary",
        id="far-outside",
    ),
    pytest.param(
        {"Latitude": UDAIPUR[1], "Longitude": UDAIPUR[0]},
        "latitude",
        r"outside Dungarpur, \d+\.\d km from its boundary",
        id="neighbouring-district",
    ),
    pytest.param(
        {"Latitude": 2637000, "Longitude": 277000},
        "latitude",
        "look like metres in a projected CRS",
        id="utm-metres",
    ),
    pytest.param(
        {"Date of Result": "31-02-2020"}, "reported_on", "is not a real date", id="impossible-date"
    ),
    pytest.param(
        {"Date of Result": "11-05-2021"}, "reported_on", "is in the future", id="future-date"
    ),
    pytest.param({"Date of Result": "yesterday"}, "reported_on", "is not a date", id="not-a-date"),
    pytest.param({"Date of Result": ""}, "reported_on", "missing", id="missing-date"),
    pytest.param({"Status": "zombie"}, "status", "unknown status 'zombie'", id="unknown-status"),
    pytest.param({"ICMR ID": ""}, "case_id", "missing", id="missing-case-id"),
    pytest.param(
        {"Latitude": "", "Longitude": "", "Village": "Nowhereville"},
        "village",
        "not found",
        id="unknown-village",
    ),
    pytest.param(
        {"Latitude": "", "Longitude": "", "Village": "Barliya"},
        "village",
        "matches 2 habitations.*add the block",
        id="ambiguous-village",
    ),
]


@pytest.mark.parametrize(("changes", "field", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_and_good_rows_still_load(
    write_csv, dungarpur, changes, field, reason
):
    result = read(write_csv, dungarpur, good_row("GOOD-1"), good_row("BAD", **changes))
    assert list(result.cases["case_id"]) == ["GOOD-1"]
    (problem,) = result.rejected
    assert (problem.row, problem.field) == (3, field)
    assert re.search(reason, problem.reason), problem.reason
    assert str(problem).startswith(f"row 3: {field}: ")


def test_duplicate_case_id_names_the_first_row(write_csv, dungarpur):
    result = read(write_csv, dungarpur, good_row("A"), good_row("B"), good_row("a"))
    (problem,) = result.rejected
    assert str(problem) == "row 4: case_id: duplicate case id (first seen in row 2)"


def test_a_corrected_copy_of_a_rejected_row_is_not_a_duplicate(write_csv, dungarpur):
    rows = [good_row("A", **{"Date of Result": "31-02-2020"}), good_row("A")]
    result = read(write_csv, dungarpur, *rows)
    assert [str(p) for p in result.rejected] == [
        "row 2: reported_on: '31-02-2020' is not a real date (day 31, month 2, year 2020)"
    ]
    assert list(result.cases["row"]) == [3]


def test_empty_row_in_the_middle_is_reported(write_csv, dungarpur):
    result = read(write_csv, dungarpur, good_row("A"), [""] * len(HEADER), good_row("B"))
    assert [str(p) for p in result.rejected] == ["row 3: row: empty row"]
    assert result.accepted_count == 2


def test_village_without_coordinates_is_placed_at_its_habitation(write_csv, dungarpur):
    rows = [
        good_row("A", Latitude="", Longitude="", Village="Bichiwara"),  # spelling variant
        good_row("B", Latitude="", Longitude="", Village="Barliya", Block="Aspur"),
    ]
    result = read(write_csv, dungarpur, *rows)
    assert result.rejected == ()
    first = result.cases.geometry.iloc[0]
    assert (round(first.x, 6), round(first.y, 6)) == BICHHIWARA
    assert list(result.cases["placed_by"]) == ["village", "village"]


def test_fuzzy_village_match_is_reported_not_silent(write_csv, dungarpur):
    result = read(
        write_csv, dungarpur, good_row("A", Latitude="", Longitude="", Village="Aasan Tekri")
    )
    assert result.accepted_count == 1
    (note,) = result.notes
    assert "taken as 'Aasan Tekari'" in note.reason


def test_identifying_columns_never_reach_cases_or_messages(write_csv, dungarpur):
    rows = [good_row("A"), good_row("B", Latitude="bad"), good_row("A")]
    result = read(write_csv, dungarpur, *rows)
    assert set(result.columns.identifying) == {"Patient Name", "Mobile No"}
    assert "Patient Name" not in result.cases.columns
    text = result.summary() + "\n".join(str(p) for p in result.rejected)
    for value in ("Ramesh", "9829012345"):
        assert value not in text
        assert not result.cases.astype(str).apply(lambda c, v=value: c.str.contains(v)).any().any()


def test_case_ids_are_not_echoed_in_messages(write_csv, dungarpur):
    result = read(write_csv, dungarpur, good_row("SECRET-77"), good_row("SECRET-77"))
    assert "SECRET-77" not in str(result.rejected[0])


def test_columns_are_recognised_by_their_usual_spellings(write_csv, dungarpur):
    header = ["SRF ID", "lat", "lng", "Result Date", "Village Name", "Block Name", "Current Status"]
    path = write_csv([header, ["X1", LAT, LON, "11/05/2020", "", "", "Discharged"]])
    result = read_cases(path, dungarpur, today=TODAY)
    assert result.rejected == ()
    assert result.cases["status"].iloc[0] == "recovered"


def test_an_explicit_column_mapping_wins(write_csv, dungarpur):
    header = ["Case", "GPS North", "GPS East", "Tested +ve on"]
    path = write_csv([header, ["X1", LAT, LON, "11-05-2020"]])
    mapping = {
        "case_id": "Case",
        "latitude": "GPS North",
        "longitude": "GPS East",
        "reported_on": "Tested +ve on",
    }
    assert read_cases(path, dungarpur, columns=mapping, today=TODAY).accepted_count == 1


def test_a_mapping_to_a_missing_column_says_which_columns_exist(write_csv, dungarpur):
    path = write_csv([HEADER, good_row()])
    with pytest.raises(CaseFileError, match=r"names 'GPS' for 'latitude'.*columns are: ICMR ID"):
        read_cases(path, dungarpur, columns={"latitude": "GPS"}, today=TODAY)


def test_a_file_without_a_date_column_says_how_to_map_one(write_csv, dungarpur):
    path = write_csv([["ICMR ID", "Latitude", "Longitude"], ["A", LAT, LON]])
    with pytest.raises(CaseFileError, match=r"no date column found.*reported_on="):
        read_cases(path, dungarpur, today=TODAY)


def test_future_means_after_today(write_csv, dungarpur):
    path = write_csv([HEADER, good_row(**{"Date of Result": "02-06-2020"})])
    assert read_cases(path, dungarpur, today=dt.date(2020, 6, 2)).accepted_count == 1
    assert read_cases(path, dungarpur, today=dt.date(2020, 6, 1)).accepted_count == 0


# --- files that cannot be read at all --------------------------------------------------------


def test_empty_file(tmp_path, dungarpur):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"")
    with pytest.raises(CaseFileError, match=r"cases.csv: the file is empty"):
        read_cases(path, dungarpur)


def test_header_without_rows(write_csv, dungarpur):
    with pytest.raises(CaseFileError, match="has a header but no rows"):
        read_cases(write_csv([HEADER]), dungarpur)


def test_wrong_encoding(tmp_path, dungarpur):
    path = tmp_path / "cases.csv"
    path.write_bytes("ICMR ID,Village\nA,Bh\u00fbra\n".encode("cp1252"))
    with pytest.raises(CaseFileError, match=r"not UTF-8 text.*CSV UTF-8"):
        read_cases(path, dungarpur)


def test_not_a_table(tmp_path, dungarpur):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CaseFileError, match=r"cases.csv: not UTF-8 text|not a CSV text file"):
        read_cases(path, dungarpur)


def test_ragged_csv(tmp_path, dungarpur):
    path = tmp_path / "cases.csv"
    path.write_text('ICMR ID,Latitude\nA,23.8\nB,23.8,73.7,"extra\n')
    with pytest.raises(CaseFileError, match="not a well-formed CSV table"):
        read_cases(path, dungarpur)


def test_too_large(write_csv, dungarpur):
    path = write_csv([HEADER, *[good_row(f"A{i}") for i in range(50)]])
    with pytest.raises(CaseFileError, match="more than the 0 MB a line list may be"):
        read_cases(path, dungarpur, max_bytes=1000)


def test_unsupported_format(tmp_path, dungarpur):
    path = tmp_path / "cases.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CaseFileError, match=r"cannot read \.pdf.*\.csv, \.xlsx"):
        read_cases(path, dungarpur)


def test_xlsx_that_is_not_a_workbook(tmp_path, dungarpur):
    path = tmp_path / "cases.xlsx"
    path.write_text("ICMR ID,Latitude\n")
    with pytest.raises(CaseFileError, match=r"not an Excel .xlsx workbook"):
        read_cases(path, dungarpur)


# --- other formats ---------------------------------------------------------------------------


def test_xlsx_with_date_cells_and_text_dates(tmp_path, dungarpur):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ICMR ID", "Latitude", "Longitude", "Date of Result"])
    sheet.append(["A", LAT, LON, dt.datetime(2020, 5, 11)])
    sheet.append(["B", LAT, LON, "12-05-2020"])
    sheet.append(["C", LAT, LON, "31-02-2020"])
    path = tmp_path / "cases.xlsx"
    workbook.save(path)
    result = read_cases(path, dungarpur, today=TODAY)
    assert list(result.cases["reported_on"].dt.day) == [11, 12]
    assert [str(p) for p in result.rejected] == [
        "row 4: reported_on: '31-02-2020' is not a real date (day 31, month 2, year 2020)"
    ]


def test_an_xlsx_declaring_a_smaller_sheet_than_it_holds_loses_no_row(tmp_path, dungarpur):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ICMR ID", "Latitude", "Longitude", "Date of Result"])
    for case_id in "ABCDE":
        sheet.append([case_id, LAT, LON, "11-05-2020"])
    saved = tmp_path / "saved.xlsx"
    workbook.save(saved)
    # Rewritten as some programs write it: a <dimension> of A1:D3 for a sheet of six rows.
    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D3"', data)
                assert b'<dimension ref="A1:D3"' in data
            target.writestr(entry, data)
    result = read_cases(path, dungarpur, today=TODAY)
    assert (result.total_rows, list(result.cases["case_id"])) == (5, list("ABCDE"))


def test_uploaded_bytes_are_read_like_a_file(dungarpur):
    data = b"ICMR ID,Latitude,Longitude,Date of Result\nA,23.84,73.71,11-05-2020\n"
    result = read_cases(data, dungarpur, name="upload.csv", today=TODAY)
    assert result.accepted_count == 1


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_geo_files_in_any_crs_use_their_point_geometry(tmp_path, dungarpur, suffix):
    frame = gpd.GeoDataFrame(
        {
            "case_id": ["A", "B", "C"],
            "date": ["11-05-2020", "12-05-2020", "13-05-2020"],
            "name": ["Ramesh", "Suresh", "Mahesh"],
        },
        geometry=[
            shapely.Point(LON, LAT),
            shapely.Point(*JAIPUR),
            shapely.box(73.7, 23.8, 73.8, 23.9),
        ],
        crs=4326,
    ).to_crs(32643)
    path = tmp_path / f"cases{suffix}"
    frame.to_file(path, engine="pyogrio")
    result = read_cases(path, dungarpur, today=TODAY)
    assert list(result.cases["case_id"]) == ["A"]
    assert result.cases.geometry.iloc[0].distance(shapely.Point(LON, LAT)) < 1e-6
    assert [p.field for p in result.rejected] == ["latitude", "geometry"]
    assert str(result.rejected[1]).startswith("feature 3: geometry: Polygon geometry")
    assert result.columns.identifying == ("name",)


def test_geojson_that_is_not_json(tmp_path, dungarpur):
    path = tmp_path / "cases.geojson"
    path.write_text("this is not json")
    with pytest.raises(CaseFileError, match=r"cases\.geojson: is not a GeoJSON, a GeoPackage"):
        read_cases(path, dungarpur)


def test_sample_line_list_is_clean(dungarpur):
    result = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY)
    assert result.rejected == ()
    assert 200 <= result.accepted_count <= 1000
    assert result.cases["reported_on"].between("2020-04-01", "2020-05-31").all()
    assert (result.cases["placed_by"] == "village").sum() > 10


def test_reading_keeps_all_rows_accounted_for(write_csv, dungarpur):
    rows = [good_row(f"A{i}", Status="zombie" if i % 3 == 0 else "Active") for i in range(30)]
    result = read(write_csv, dungarpur, *rows)
    assert result.accepted_count + len(result.rejected) == result.total_rows == 30


def test_unused_columns_are_listed(write_csv, dungarpur):
    path = write_csv([[*HEADER, "Remarks"], [*good_row(), "ok"]])
    result = read_cases(path, dungarpur, today=TODAY)
    assert "Remarks" in result.columns.ignored
    assert "Other columns not used: Remarks." in result.summary()


def _workbook_with_sheet(rows: bytes, repeat: int) -> bytes:
    """An .xlsx whose first sheet is ``rows`` repeated: small to send, big to unpack."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["ICMR ID", "Date of Result", "Village"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, source.read(item.filename))
                continue
            with archive.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                for _ in range(repeat):
                    sheet.write(rows)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_small_workbook_that_unpacks_to_millions_of_cells_is_refused_at_once(dungarpur):
    row = b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c><c t="n"><v>3</v></c></row>'
    data = _workbook_with_sheet(row * 100_000, 40)  # 12 million cells in about 1 MB
    assert len(data) < 2_000_000
    with pytest.raises(
        CaseFileError, match=r"bomb.xlsx: the workbook unpacks to 296 MB, more than the 250 MB"
    ):
        read_cases(data, dungarpur, name="bomb.xlsx")


def test_a_workbook_with_more_cells_than_an_upload_may_have_is_refused(dungarpur):
    from containment.io.tables import _read_xlsx

    row = b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    data = _workbook_with_sheet(row, 600)  # 1,200 cells
    with pytest.raises(CaseFileError, match=r"more than 1,000 cells \(rows × columns\)"):
        _read_xlsx(data, "big.xlsx", max_cells=1000)
    assert len(_read_xlsx(data, "big.xlsx", max_cells=2000).frame) == 599


@pytest.mark.parametrize("typed", ["01-01-0001", "15-05-1900", "15-05-2002", "29-01-2020"])
def test_dates_before_the_first_case_in_india_are_refused_as_typos(write_csv, dungarpur, typed):
    path = write_csv([["ICMR ID", "Latitude", "Longitude", "Date of Result"],
                      ["A1", 23.84, 73.71, typed], ["A2", 23.84, 73.71, "30-01-2020"]])  # fmt: skip
    result = read_cases(path, dungarpur, today=TODAY)
    assert [str(p) for p in result.rejected] == [
        f"row 2: reported_on: {typed} is before 30-01-2020, the first case in India: correct "
        "the year, or set an earlier start if the date is right"
    ]
    assert list(result.cases["case_id"]) == ["A2"]


def test_an_earlier_start_accepts_earlier_dates(write_csv, dungarpur):
    path = write_csv([["ICMR ID", "Latitude", "Longitude", "Date of Result"],
                      ["A1", 23.84, 73.71, "15-12-2019"]])  # fmt: skip
    result = read_cases(path, dungarpur, today=TODAY, earliest=dt.date(2019, 12, 1))
    assert result.rejected == ()
    cli = CliRunner().invoke(
        cli_app, ["validate", str(path), "--today", "2020-06-01", "--epidemic-start", "2019-12-01"]
    )
    assert cli.exit_code == 0, cli.output


def _outside_devsomnath(dungarpur, distances_m):
    """Points this far outside the outline, beyond Devsomnath (on the border, Dungarpur block)."""
    from containment.engine.crs import metric_to_lonlat

    villages = dungarpur.habitations_m
    home = villages[villages["name"] == "Devsomnath"].geometry.iloc[0]
    edge = dungarpur.outline_m.boundary
    on_edge = edge.interpolate(edge.project(home))
    dx, dy = on_edge.x - home.x, on_edge.y - home.y
    unit = (dx / np.hypot(dx, dy), dy / np.hypot(dx, dy))
    x = np.array([on_edge.x + unit[0] * d for d in distances_m])
    y = np.array([on_edge.y + unit[1] * d for d in distances_m])
    lon, lat = metric_to_lonlat(x, y, dungarpur.metric_crs)
    return lon, lat


def test_a_cluster_just_over_the_generalised_outline_is_accepted_and_gets_its_zone(
    write_csv, dungarpur
):
    from containment import get_rule, plan_zones

    distances = [100, 150, 220, 300, 360, 430, 500]  # the Devsomnath cluster of May 2020
    lon, lat = _outside_devsomnath(dungarpur, [*distances, 5000])
    rows = [["ICMR ID", "Latitude", "Longitude", "Date of Result"]] + [
        [f"DS{i}", f"{la:.6f}", f"{lo:.6f}", "20-05-2020"]
        for i, (lo, la) in enumerate(zip(lon, lat, strict=True))
    ]
    result = read_cases(write_csv(rows), dungarpur, today=TODAY)
    assert list(result.cases["case_id"]) == [f"DS{i}" for i in range(7)]
    assert len(result.notes) == 7
    assert all("outside Dungarpur's outline, within the 1.6 km" in n.reason for n in result.notes)
    (far,) = result.rejected
    assert (far.row, far.field) == (9, "latitude")
    assert re.search(r"is outside Dungarpur, [2-5]\.\d km from its boundary$", far.reason)
    assert "7 accepted rows lie just outside the district's outline" in result.summary()
    plan = plan_zones(
        result.cases, get_rule("rajasthan-1km"), as_of=dt.date(2020, 5, 20), district=dungarpur
    )
    assert len(plan.zones) == 1
    assert plan.zones["case_count"].iloc[0] == 7
    zone = plan.zones.to_crs(dungarpur.metric_crs).geometry.iloc[0]
    assert not dungarpur.outline_m.covers(zone)  # drawn whole, over the district line


def test_the_outline_tolerance_is_set_per_district(tmp_path, write_csv, dungarpur):
    import shutil

    from containment import load_district

    folder = tmp_path / "dungarpur"
    shutil.copytree(dungarpur.folder, folder)
    manifest = folder / "district.toml"
    manifest.write_text(
        manifest.read_text().replace("outline_tolerance_m = 1600", "outline_tolerance_m = 200")
    )
    strict = load_district(folder)
    lon, lat = _outside_devsomnath(dungarpur, [150, 300])
    rows = [["ICMR ID", "Latitude", "Longitude", "Date of Result"]] + [
        [f"DS{i}", f"{la:.6f}", f"{lo:.6f}", "20-05-2020"]
        for i, (lo, la) in enumerate(zip(lon, lat, strict=True))
    ]
    result = read_cases(write_csv(rows), strict, today=TODAY)
    assert list(result.cases["case_id"]) == ["DS0"]
    assert [p.row for p in result.rejected] == [3]


def test_a_row_naming_a_town_is_placed_in_that_town(write_csv, dungarpur):
    rows = [
        ["ICMR ID", "Date of Result", "Village", "Block"],
        ["T1", "20-05-2020", "Dungarpur", ""],
        ["T2", "20-05-2020", "Sagwara", "Sagwara"],
    ]
    result = read_cases(write_csv(rows), dungarpur, today=TODAY)
    assert not result.rejected
    cells = dungarpur.units[dungarpur.units["kind"] == "town_cell"]
    for case, town in zip(result.cases.itertuples(), ["Dungarpur", "Sagwara"], strict=True):
        town_cells = cells[cells["town"] == town]
        assert town_cells.contains(case.geometry).any(), town  # inside the town's own cells
        assert case.placed_by == "village"
