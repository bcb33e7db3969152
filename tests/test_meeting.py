"""The meeting view's figures and the printable pack."""

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from containment.engine.lifecycle import SavedZone, describe_zones
from containment.field.meeting import block_table, changes_since, headline, quarantine_by_block

MAY_20 = dt.date(2020, 5, 20)
BICHHIWARA_AREA = shapely.box(73.50, 23.77, 73.54, 23.80)


def zones_frame(*zones):
    return gpd.GeoDataFrame(
        [vars(z) for z in zones], geometry=[z.geometry for z in zones], crs=4326
    )


@pytest.fixture
def situation(dungarpur):
    notified = SavedZone(
        "DZ-1",
        "Bichhiwara",
        "containment",
        "drawn",
        "rajasthan-1km",
        BICHHIWARA_AREA,
        status="notified",
        order_number="DM/1",
        notified_on=dt.date(2020, 5, 10),
        created_on=dt.date(2020, 5, 9),
    )
    proposed = SavedZone(
        "DZ-2",
        "Elsewhere",
        "containment",
        "drawn",
        "rajasthan-1km",
        shapely.box(74.0, 23.6, 74.02, 23.62),
        status="proposed",
        created_on=dt.date(2020, 5, 18),
    )
    cases = gpd.GeoDataFrame(
        {
            "case_id": ["A", "B", "C"],
            "reported_on": pd.to_datetime(["2020-04-01", "2020-05-09", "2020-05-19"]),
        },
        geometry=[shapely.Point(73.52, 23.785)] * 3,
        crs=4326,
    )
    centres = gpd.GeoDataFrame(
        {"name": ["CCC"], "capacity": [100], "occupied": [30], "beds_free": [70]},
        geometry=[shapely.Point(73.52, 23.78)],
        crs=4326,
    )
    zones = describe_zones(zones_frame(notified, proposed), cases, dungarpur, as_of=MAY_20)
    return zones, cases, centres


def test_headline_counts_people_only_in_zones_in_force(dungarpur, situation):
    zones, cases, centres = situation
    figures = headline(zones, cases, centres, dungarpur, as_of=MAY_20)
    units = dungarpur.units
    inside = units[units.representative_point().within(BICHHIWARA_AREA)]
    assert figures.people_in_containment == round(inside["population"].sum()) > 0
    assert figures.households_in_containment == round(inside["households"].sum())
    assert (figures.zones_in_force, figures.new_cases_14d, figures.cases_to_date) == (1, 2, 3)
    assert (figures.beds_total, figures.beds_free) == (100, 70)


def test_the_past_is_shown_as_it_was(dungarpur, situation):
    zones, cases, centres = situation
    earlier = describe_zones(
        zones.drop(columns=["case_count"]), cases, dungarpur, as_of=dt.date(2020, 5, 5)
    )
    figures = headline(earlier, cases, centres, dungarpur, as_of=dt.date(2020, 5, 5))
    assert (figures.zones_in_force, figures.people_in_containment, figures.cases_to_date) == (
        0,
        0,
        1,
    )


def test_block_table_puts_cases_and_people_in_their_block(dungarpur, situation):
    zones, cases, centres = situation
    table = block_table(zones, cases, centres, dungarpur, as_of=MAY_20).set_index("block")
    assert table.loc["Bichhiwara", "new_cases_14d"] == 2
    assert table.loc["Bichhiwara", "zones_in_force"] == 1
    assert table.loc["Bichhiwara", "people_in_containment"] > 0
    assert table.drop(index="Bichhiwara")["people_in_containment"].sum() == 0
    assert table.loc["Bichhiwara", "beds_free"] == 70


def test_changes_since_list_what_happened(situation):
    zones, cases, _ = situation
    changes = changes_since(zones, cases, since=dt.date(2020, 5, 8), as_of=MAY_20)
    kinds = list(changes["change"])
    assert "Zone notified" in kinds
    assert "Zone drawn or proposed" in kinds
    assert changes.loc[changes["change"] == "New cases", "detail"].iloc[0].startswith("2 cases")


def test_home_quarantine_is_counted_per_block(dungarpur):
    homes = gpd.GeoDataFrame(
        {
            "hq_id": ["HQ-1", "HQ-2", "HQ-3"],
            "start_on": [dt.date(2020, 5, 1), dt.date(2020, 5, 1), dt.date(2020, 4, 1)],
            "end_on": [dt.date(2020, 5, 28), dt.date(2020, 5, 28), dt.date(2020, 4, 14)],
        },
        geometry=[
            shapely.Point(73.52, 23.785),
            shapely.Point(73.52, 23.786),
            shapely.Point(74.1, 23.9),
        ],
        crs=4326,
    )
    violations = pd.DataFrame(
        {
            "hq_id": ["HQ-1", "HQ-1", "HQ-2"],
            "checked_at": pd.to_datetime(
                ["2020-05-03 10:00", "2020-05-04 10:00", "2020-05-25 10:00"]
            ),
            "distance_m": [300.0, 800.0, 150.0],
            "action": ["warning", "", ""],
            "action_on": [dt.date(2020, 5, 4), None, None],
        }
    )
    table = quarantine_by_block(homes, violations, dungarpur, as_of=MAY_20).set_index("block")
    assert table.loc["Bichhiwara"].tolist() == [2, 2, 1]
    assert table.loc["Aspur"].tolist() == [0, 0, 0]  # HQ-3's quarantine ended in April


def test_a_zone_counts_in_the_blocks_of_its_units_not_in_a_block_it_only_touches(dungarpur):
    from containment.field.meeting import _zones_per_block

    units = dungarpur.unit_index.units_m
    tree = shapely.STRtree(units.geometry.to_numpy())
    blocks = units["block"].astype(str).to_numpy()
    for i in range(len(units)):  # a unit whose outline touches a unit of another block
        touching = tree.query(units.geometry.iloc[i], predicate="touches")
        if (blocks[touching] != blocks[i]).any():
            break
    zone = gpd.GeoDataFrame(
        {"zone_id": ["Z"]}, geometry=[units.geometry.iloc[i]], crs=dungarpur.metric_crs
    ).to_crs(4326)
    assert _zones_per_block(zone, dungarpur).to_dict() == {blocks[i]: 1}
