"""The public zone list: zones in force, the places they cover, dates; never case data."""

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.lifecycle import SavedZone, describe_zones
from containment.field.public_list import public_zone_list
from containment.render.printable import public_list_html
from tests.places import BICHHIWARA

AREA = shapely.box(
    BICHHIWARA[0] - 0.01, BICHHIWARA[1] - 0.01, BICHHIWARA[0] + 0.01, BICHHIWARA[1] + 0.01
)
MAY_20 = dt.date(2020, 5, 20)


def test_the_list_names_places_and_dates_but_no_cases(dungarpur):
    zones = [
        SavedZone(
            "DZ-1",
            "Bichhiwara ward",
            "containment",
            "drawn",
            "rajasthan-1km",
            AREA,
            status="notified",
            order_number="DM/1",
            notified_on=dt.date(2020, 5, 10),
            created_on=dt.date(2020, 5, 9),
        ),
        SavedZone(
            "DZ-2", "Draft zone", "containment", "drawn", "rajasthan-1km", AREA, created_on=MAY_20
        ),
    ]
    frame = gpd.GeoDataFrame(
        [vars(z) for z in zones], geometry=[z.geometry for z in zones], crs=4326
    )
    cases = gpd.GeoDataFrame(
        {"case_id": ["SECRET-1"], "reported_on": pd.to_datetime(["2020-05-09"])},
        geometry=[shapely.Point(BICHHIWARA)],
        crs=4326,
    )
    described = describe_zones(frame, cases, dungarpur, as_of=MAY_20)
    table = public_zone_list(described, dungarpur, as_of=MAY_20)
    assert list(table.columns) == ["Zone", "Area", "Notified on", "Release due on"]
    assert list(table["Zone"]) == ["Bichhiwara ward"]
    assert "Bichhiwara" in table["Area"].iloc[0]
    assert "block Bichhiwara" in table["Area"].iloc[0]
    # Due on Saturday 06-06-2020 (the case of 9 May + 28 days); shown as its week's end, so
    # that the date does not give the one case's result date away.
    assert table["Release due on"].iloc[0] == "07-06-2020"
    page = public_list_html(table, dungarpur, as_of=MAY_20)
    assert "SECRET-1" not in page
    assert "Bichhiwara ward" in page
    assert "@page" in page
