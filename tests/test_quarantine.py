"""Home quarantine: a check-in 99 m from home is inside the fence, 101 m is a violation."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from containment.engine.crs import lonlat_to_metric, metric_to_lonlat
from containment.errors import CaseFileError
from containment.field.quarantine import geofence_violations
from containment.io.homes import read_checkins, read_homes
from tests.places import NEAR_DUNGARPUR_TOWN

HOME = NEAR_DUNGARPUR_TOWN


def at_distance(district, metres, *, bearing_deg=60.0):
    x, y = lonlat_to_metric(np.array([HOME[0]]), np.array([HOME[1]]), district.metric_crs)
    angle = np.radians(bearing_deg)
    lon, lat = metric_to_lonlat(
        x + metres * np.sin(angle), y + metres * np.cos(angle), district.metric_crs
    )
    return float(lon[0]), float(lat[0])


@pytest.fixture
def homes():
    return gpd.GeoDataFrame(
        {"hq_id": ["HQ-1"], "start_on": [dt.date(2020, 5, 1)], "end_on": [dt.date(2020, 5, 14)]},
        geometry=[shapely.Point(HOME)],
        crs=4326,
    )


def checkins(*rows):
    return pd.DataFrame(rows, columns=["hq_id", "checked_at", "lon", "lat"])


@pytest.mark.parametrize(
    ("metres", "violation"), [(99.0, False), (100.0, False), (101.0, True), (2500.0, True)]
)
def test_the_geofence_is_100_m(dungarpur, homes, metres, violation):
    lon, lat = at_distance(dungarpur, metres)
    found = geofence_violations(
        homes, checkins(("HQ-1", dt.datetime(2020, 5, 3, 10), lon, lat)), dungarpur
    )
    assert len(found) == int(violation)
    if violation:
        assert found["distance_m"].iloc[0] == pytest.approx(metres, abs=0.5)


def test_the_radius_is_configurable(dungarpur, homes):
    lon, lat = at_distance(dungarpur, 150)
    rows = checkins(("HQ-1", dt.datetime(2020, 5, 3, 10), lon, lat))
    assert len(geofence_violations(homes, rows, dungarpur, radius_m=200)) == 0
    assert len(geofence_violations(homes, rows, dungarpur, radius_m=100)) == 1


def test_check_ins_outside_the_quarantine_period_do_not_count(dungarpur, homes):
    lon, lat = at_distance(dungarpur, 5000)
    rows = checkins(
        ("HQ-1", dt.datetime(2020, 4, 30, 23), lon, lat),
        ("HQ-1", dt.datetime(2020, 5, 15, 8), lon, lat),
        ("HQ-1", dt.datetime(2020, 5, 14, 23), lon, lat),
    )
    found = geofence_violations(homes, rows, dungarpur)
    assert list(found["checked_at"]) == [pd.Timestamp("2020-05-14 23:00")]


def test_check_in_file_rows_are_checked(tmp_path):
    path = tmp_path / "checkins.csv"
    path.write_text(
        "ID,Time,Lat,Lon\n"
        "HQ-1,2020-05-03 10:00,23.84,73.71\n"
        "HQ-9,2020-05-03 10:00,23.84,73.71\n"
        "HQ-1,yesterday,23.84,73.71\n"
        "HQ-1,2020-05-03 11:00,north,73.71\n"
    )
    rows, problems = read_checkins(
        path.read_bytes(), name="checkins.csv", known_ids={"HQ-1"}, today=dt.date(2020, 6, 1)
    )
    assert len(rows) == 1
    assert [str(p) for p in problems] == [
        "row 3: id: 'HQ-9' is not a registered home",
        "row 4: time: 'yesterday' is not a date; write day-month-year, e.g. 11-05-2020",
        "row 5: latitude: 'north', '73.71' are not coordinates in decimal degrees",
    ]


def test_homes_are_read_by_column_name_with_strict_dates_inside_the_district(dungarpur):
    data = (
        b"Start Date,End Date,Longitude,Latitude,HQ ID\n"  # any order: read by name
        b"01-05-2020,14-05-2020,73.71,23.84,HQ-1\n"
        b"01-05-2020,14-05-2020,23.84,73.71,HQ-2\n"  # swapped: every check-in would be far off
        b"05/13/2020,14-05-2020,73.71,23.84,HQ-3\n"  # month first
        b"10-05-2020,01-05-2020,73.71,23.84,HQ-4\n"
    )
    homes, problems = read_homes(data, dungarpur, name="homes.csv", today=dt.date(2020, 6, 1))
    assert list(homes["hq_id"]) == ["HQ-1"]
    assert homes.geometry.iloc[0].x == pytest.approx(73.71)
    assert homes["start_on"].iloc[0] == dt.date(2020, 5, 1)
    assert [(p.row, p.field) for p in problems] == [(3, "latitude"), (4, "start"), (5, "end")]
    assert "latitude and longitude swapped" in problems[0].reason
    assert "'05/13/2020' is not a real date" in problems[1].reason


def test_a_homes_file_without_a_needed_column_names_the_columns_it_has(dungarpur):
    with pytest.raises(CaseFileError, match=r"homes.csv: no column for end .*Its columns are: "):
        read_homes(b"ID,Lat,Lon,Start\nHQ-1,23.84,73.71,01-05-2020\n", dungarpur,
                   name="homes.csv", today=dt.date(2020, 6, 1))  # fmt: skip
