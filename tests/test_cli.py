"""The command line, as a planner types it."""

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape
from typer.testing import CliRunner

from containment.cli import app

runner = CliRunner()
HEADER = "ICMR ID,Patient Name,Latitude,Longitude,Date of Result,Village,Block,Status\n"


@pytest.fixture
def line_list(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        HEADER
        + "A1,Ramesh,23.84,73.71,11-05-2020,,,Active\n"
        + "A2,Suresh,,,12-05-2020,Bichiwara,,Recovered\n"
        + "A3,Mahesh,23.84,73.71,31-02-2020,,,Active\n"
        + "A4,Naresh,73.71,23.84,12-05-2020,,,Active\n"
    )
    return path


def test_validate_prints_one_line_per_rejected_row_and_exits_1(line_list):
    result = runner.invoke(app, ["validate", str(line_list), "--today", "2020-06-01"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "row 4: reported_on: '31-02-2020' is not a real date (day 31, month 2, year 2020)"
    )
    assert lines[1].startswith("row 5: latitude: ")
    assert "swapped" in lines[1]
    assert "4 rows, 2 accepted, 2 rejected." in result.stdout
    assert "Ramesh" not in result.stdout


def test_validate_exits_0_when_every_row_is_good(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "A1,,23.84,73.71,11-05-2020,,,Active\n")
    result = runner.invoke(app, ["validate", str(path), "--today", "2020-06-01"])
    assert result.exit_code == 0
    assert "1 row, 1 accepted, 0 rejected." in result.stdout


def test_validate_exits_2_when_the_file_cannot_be_read(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "empty.csv: the file is empty." in result.stderr


def test_zones_writes_the_file_and_still_reports_rejected_rows(line_list, tmp_path):
    output = tmp_path / "zones.geojson"
    result = runner.invoke(
        app,
        [
            "zones",
            str(line_list),
            "--rule",
            "mohfw-2020-rural",
            "--as-of",
            "2020-05-15",
            "--output",
            str(output),
            "--today",
            "2020-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "row 4: reported_on:" in result.stdout
    assert "2 cases counted, 2 containment and 2 buffer zones" in result.stdout
    document = json.loads(output.read_text())
    kinds = [f["properties"]["kind"] for f in document["features"]]
    assert kinds == ["containment", "containment", "buffer", "buffer"]
    assert b"A1" not in output.read_bytes()


def test_zones_with_custom_radii(line_list, tmp_path):
    output = tmp_path / "zones.csv"
    result = runner.invoke(
        app,
        [
            "zones",
            str(line_list),
            "--containment-m",
            "500",
            "--buffer-m",
            "0",
            "-o",
            str(output),
            "--as-of",
            "2020-05-15",
            "--today",
            "2020-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Rule custom-500m-0m-28d" in result.stdout
    assert output.read_text().count("custom-500m-0m-28d") == 2


def test_zones_with_an_unknown_rule_exits_2(line_list, tmp_path):
    result = runner.invoke(
        app, ["zones", str(line_list), "--rule", "who", "-o", str(tmp_path / "z.geojson")]
    )
    assert result.exit_code == 2
    assert "Unknown rule 'who'" in result.stderr


def test_zones_with_an_unknown_format_exits_2_and_writes_nothing(line_list, tmp_path):
    result = runner.invoke(
        app, ["zones", str(line_list), "-o", str(tmp_path / "z.pdf"), "--today", "2020-06-01"]
    )
    assert result.exit_code == 2
    assert "Cannot tell the format of 'z.pdf'" in result.stderr
    assert list(tmp_path.iterdir()) == [line_list]


def test_column_mapping_from_the_command_line(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Case,North,East,When\nA1,23.84,73.71,11-05-2020\n")
    result = runner.invoke(
        app,
        [
            "validate",
            str(path),
            "--today",
            "2020-06-01",
            "--column",
            "latitude=North",
            "--column",
            "longitude=East",
            "--column",
            "reported_on=When",
            "--column",
            "case_id=Case",
        ],
    )
    assert result.exit_code == 0, result.output


def test_rules_lists_every_preset_with_its_source():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for name in (
        "mohfw-2020-urban",
        "mohfw-2020-rural",
        "mohfw-2020-07",
        "rajasthan-1km",
        "kerala-micro-2021",
    ):
        assert name in result.stdout
    assert "MoHFW" in result.stdout


def test_zones_into_a_folder_that_cannot_be_written_is_one_line_and_exit_2(line_list):
    result = runner.invoke(
        app, ["zones", str(line_list), "--today", "2020-06-01", "-o", "/sys/zones.geojson"]
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(
        "error: Cannot write /sys/zones.geojson: the folder /sys cannot be written to ("
    )
    assert error.endswith("). Choose another folder.")


def test_zones_with_circles_warns_and_writes_the_exact_circles(line_list, tmp_path, dungarpur):
    output = tmp_path / "circles.geojson"
    args = ["zones", str(line_list), "--containment-m", "500", "--buffer-m", "0"]
    args += ["--as-of", "2020-05-15", "--today", "2020-06-01", "-o"]
    units = runner.invoke(app, [*args, str(tmp_path / "units.geojson")])
    circles = runner.invoke(app, [*args, str(output), "--circles"])
    assert circles.exit_code == 0, circles.output
    assert "--circles writes the exact circles around the cases" in circles.stderr
    assert "never send this file to the police" in circles.stderr
    assert "exact circles" not in units.stderr
    # The first case's zone is its 500 m circle: every vertex 500 m from the case.
    zone = next(
        shape(f["geometry"])
        for f in json.loads(output.read_text())["features"]
        if shapely.contains_xy(shape(f["geometry"]), 73.71, 23.84)
    )
    outline = gpd.GeoSeries([zone], crs=4326).to_crs(dungarpur.metric_crs).iloc[0]
    case = gpd.GeoSeries([shapely.Point(73.71, 23.84)], crs=4326).to_crs(dungarpur.metric_crs)
    distances = [case.iloc[0].distance(shapely.Point(xy)) for xy in outline.exterior.coords]
    assert 495 < min(distances) <= max(distances) < 505


@pytest.mark.parametrize("cases", ["0", "-5"])
def test_synthetic_with_no_cases_says_how_many_it_needs(tmp_path, cases):
    result = runner.invoke(app, ["synthetic", str(tmp_path / "s.csv"), "--cases", cases])
    assert result.exit_code == 2  # as every other refused command
    assert f"must be 1 or more (not {cases})" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, ValueError | IndexError)
    assert not (tmp_path / "s.csv").exists()
