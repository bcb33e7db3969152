"""Printable pages (meeting pack, checkpoint list, public list): one stylesheet, names as text,
and SYNTHETIC on every page made from the training sample."""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from containment.engine.lifecycle import SavedZone, describe_zones
from containment.field.public_list import public_zone_list
from containment.render.printable import checkpoint_list_html, public_list_html

ATTACK = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
MAY_20 = dt.date(2020, 5, 20)
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


@pytest.fixture
def zones(dungarpur):
    zone = SavedZone(
        "NZ-1", f"{ATTACK} Ward", "containment", "drawn", "rajasthan-1km", WARD,
        status="notified", order_number=ATTACK, notified_on=dt.date(2020, 5, 10),
        created_on=dt.date(2020, 5, 9),
    )  # fmt: skip
    frame = gpd.GeoDataFrame([vars(zone)], geometry=[zone.geometry], crs=4326)
    cases = gpd.GeoDataFrame(
        {"case_id": ["C-1"], "reported_on": pd.to_datetime(["2020-05-09"])},
        geometry=[WARD.centroid],
        crs=4326,
    )
    return describe_zones(frame, cases, dungarpur, as_of=MAY_20), cases


@pytest.fixture
def pages(dungarpur, zones):
    described, _cases = zones
    checkpoints = gpd.GeoDataFrame(
        {"checkpoint_id": ["CP-1"], "zone_id": ["NZ-1"], "zone_name": [ATTACK],
         "road": [ATTACK], "road_class": [""]},
        geometry=[shapely.Point(73.70, 23.84)], crs=4326,
    )  # fmt: skip
    table = public_zone_list(described, dungarpur, as_of=MAY_20)

    def make(synthetic: bool) -> dict[str, str]:
        return {
            "checkpoints": checkpoint_list_html(checkpoints, dungarpur, synthetic=synthetic),
            "public": public_list_html(table, dungarpur, as_of=MAY_20, synthetic=synthetic),
        }  # fmt: skip

    return make


def test_names_in_printable_pages_are_text(pages):
    for name, page in pages(False).items():
        assert "<img" not in page, name
        assert "<script>" not in page, name
        assert "&lt;img src=x onerror=" in page, name


def test_every_page_shares_one_stylesheet(pages):
    made = pages(False)
    styles = {re.search(r"<style>(.*?)</style>", page, re.S).group(1) for page in made.values()}
    assert len(styles) == 1
    assert "@page" in styles.pop()


def test_pages_made_from_the_synthetic_sample_say_so(pages):
    for name, page in pages(True).items():
        assert "SYNTHETIC — made from training data, not real cases" in page, name
    for name, page in pages(False).items():
        assert "SYNTHETIC" not in page, name


def test_dates_are_day_month_year(pages):
    public = pages(False)["public"]
    assert "In force on 20-05-2020" in public
    assert re.search(r">10-05-2020<", public)
