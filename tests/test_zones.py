"""The zone engine on constructed cases where the right answer is known."""

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from containment import ZONE_COLUMNS, custom_rule, get_rule, plan_zones
from containment.engine.crs import lonlat_to_metric, metric_to_lonlat
from tests.places import BICHHIWARA, NEAR_DUNGARPUR_TOWN

MAY_20 = dt.date(2020, 5, 20)


def cases_around(district, centre, offsets_m, dates, ids=None):
    """Cases at metre offsets (east, north) from a lon/lat centre."""
    cx, cy = lonlat_to_metric(np.array([centre[0]]), np.array([centre[1]]), district.metric_crs)
    dx, dy = np.array(offsets_m, dtype=float).reshape(-1, 2).T
    lon, lat = metric_to_lonlat(cx + dx, cy + dy, district.metric_crs)
    ids = ids or [f"C{i}" for i in range(len(lon))]
    return gpd.GeoDataFrame(
        {"case_id": ids, "reported_on": pd.to_datetime(dates)},
        geometry=shapely.points(lon, lat),
        crs=4326,
    )


def test_a_single_case_makes_one_containment_and_one_buffer_zone(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    plan = plan_zones(cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur)
    zones = plan.zones
    assert list(zones["kind"]) == ["containment", "buffer"]
    assert zones.crs.to_epsg() == 4326
    assert list(zones.columns) == [*ZONE_COLUMNS, "geometry"]
    containment, buffer = zones.iloc[0], zones.iloc[1]
    assert containment["area_km2"] == pytest.approx(math.pi * 3**2, rel=0.01)
    assert buffer["area_km2"] == pytest.approx(math.pi * (8**2 - 3**2), rel=0.01)
    assert containment["release_due_on"] == dt.date(2020, 6, 8)
    assert containment["case_count"] == buffer["case_count"] == 1


@pytest.mark.parametrize(
    ("reported_on", "counted"),
    [
        ("2020-04-22", False),  # as_of - 28 days: outside (D - W, D]
        ("2020-04-23", True),
        ("2020-05-20", True),
        ("2020-05-21", False),  # after as_of
    ],
)
def test_a_rule_counts_the_cases_of_its_release_window(dungarpur, reported_on, counted):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], [reported_on])
    plan = plan_zones(cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur)
    assert plan.counted == int(counted)
    assert len(plan.zones) == int(counted)


def test_release_follows_the_last_case_and_the_rules_window(dungarpur):
    cases = cases_around(
        dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0), (500, 0)], ["2020-05-01", "2020-05-09"]
    )
    for rule_name, release in [("mohfw-2020-urban", "2020-06-06"), ("mohfw-2020-07", "2020-05-23")]:
        plan = plan_zones(
            cases, get_rule(rule_name), as_of=dt.date(2020, 5, 10), district=dungarpur
        )
        zone = plan.zones.iloc[0]
        assert (zone["first_case_on"], zone["last_case_on"]) == (
            dt.date(2020, 5, 1),
            dt.date(2020, 5, 9),
        )
        assert zone["release_due_on"] == dt.date.fromisoformat(release)


def test_cases_closer_than_twice_the_radius_merge_and_farther_ones_do_not(dungarpur):
    rule = get_rule("rajasthan-1km")
    offsets = [(0, 0), (1990, 0), (10_000, 0)]
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, offsets, ["2020-05-11"] * 3)
    plan = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur)
    assert list(plan.zones["case_count"]) == [2, 1]
    assert plan.case_zone.iloc[0] == plan.case_zone.iloc[1] != plan.case_zone.iloc[2]


def test_every_counted_case_lies_in_exactly_one_containment_zone(dungarpur):
    rng = np.random.default_rng(7)
    offsets = rng.normal(0, 4000, (200, 2))
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, offsets, ["2020-05-11"] * 200)
    plan = plan_zones(cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur)
    containment = plan.zones[plan.zones["kind"] == "containment"]
    hits = cases.geometry.apply(lambda p: containment.intersects(p).sum())
    assert (hits == 1).all()
    assert containment["case_count"].sum() == 200
    for case_index, zone_id in plan.case_zone.items():
        zone = containment.loc[containment["zone_id"] == zone_id].geometry.iloc[0]
        assert zone.intersects(cases.geometry.loc[case_index])


def test_buffer_zones_surround_and_never_overlap_containment_zones(dungarpur):
    offsets = [(0, 0), (2500, 0), (30_000, 0)]
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, offsets, ["2020-05-11"] * 3)
    rule = get_rule("mohfw-2020-rural")
    zones = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur).zones.to_crs(
        dungarpur.metric_crs
    )
    containment = zones[zones["kind"] == "containment"].union_all()
    buffer = zones[zones["kind"] == "buffer"].union_all()
    assert buffer.intersection(containment).area < 1.0  # m², shared edges only
    outer = shapely.union_all(
        shapely.buffer(
            cases.to_crs(dungarpur.metric_crs).geometry, rule.outer_radius_m, quad_segs=64
        )
    )
    assert (buffer.union(containment)).area == pytest.approx(outer.area, rel=0.005)


def test_no_buffer_rule_gives_no_buffer_zones(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    zones = plan_zones(cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur).zones
    assert set(zones["kind"]) == {"containment"}


def test_kerala_micro_zone_needs_five_cases_within_reach(dungarpur):
    rule = get_rule("kerala-micro-2021")
    four = cases_around(
        dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0), (20, 0), (0, 30), (40, 40)], ["2020-05-18"] * 4
    )
    plan = plan_zones(four, rule, as_of=MAY_20, district=dungarpur)
    assert (len(plan.zones), plan.counted, plan.unzoned) == (0, 4, 4)
    five = cases_around(
        dungarpur,
        NEAR_DUNGARPUR_TOWN,
        [(0, 0), (20, 0), (0, 30), (40, 40), (60, 10)],
        ["2020-05-18"] * 5,
    )
    plan = plan_zones(five, rule, as_of=MAY_20, district=dungarpur)
    assert (len(plan.zones), plan.unzoned) == (1, 0)
    assert plan.zones["case_count"].iloc[0] == 5


def test_zone_ids_are_stable_and_reveal_no_case_id(dungarpur):
    ids = ["ICMR-2005123", "ICMR-2005124", "ICMR-2005999"]
    cases = cases_around(
        dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0), (100, 0), (20_000, 0)], ["2020-05-11"] * 3, ids
    )
    rule = get_rule("mohfw-2020-urban")
    first = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur).zones
    shuffled = plan_zones(cases.iloc[[2, 0, 1]], rule, as_of=MAY_20, district=dungarpur).zones
    assert sorted(first["zone_id"]) == sorted(shuffled["zone_id"])
    assert len(set(first["zone_id"])) == len(first)
    for zone_id in first["zone_id"]:
        assert not any(part in zone_id for case_id in ids for part in (case_id, case_id[5:]))
    other_rule = plan_zones(
        cases, get_rule("mohfw-2020-07"), as_of=MAY_20, district=dungarpur
    ).zones
    assert set(other_rule["zone_id"]).isdisjoint(first["zone_id"])


def test_zones_carry_no_case_level_columns(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    cases["village"] = "Secretpur"
    zones = plan_zones(cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur).zones
    assert "case_id" not in zones.columns
    assert not zones.astype(str).apply(lambda c: c.str.contains("C0|Secretpur")).any().any()


def test_a_zone_counts_the_people_households_blocks_and_facilities_inside(dungarpur):
    cases = cases_around(dungarpur, BICHHIWARA, [(0, 0)], ["2020-05-11"])
    zone = plan_zones(
        cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur
    ).zones.iloc[0]

    habitations = dungarpur.habitations_m
    centre = cases.to_crs(dungarpur.metric_crs).geometry.iloc[0]
    within_1km = habitations[habitations.distance(centre) < 1000]
    assert zone["population_est"] == pytest.approx(within_1km["population"].sum(), abs=1)
    assert zone["households_est"] == round(zone["population_est"] / dungarpur.household_size)
    assert "Bichhiwara" in zone["blocks"].split("; ")
    assert "CHC Bichhiwara" in zone["facilities_inside"]
    assert zone["facility_count"] >= 1
    assert zone["nearest_facility_m"] == 0


def test_nearest_facility_is_measured_in_metres_from_the_zone(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    zone = plan_zones(cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur).zones
    zone_m = zone.to_crs(dungarpur.metric_crs).geometry.iloc[0]
    facilities = dungarpur.health_facilities_m
    assert zone["nearest_facility_m"].iloc[0] == pytest.approx(
        facilities.distance(zone_m).min(), abs=0.1
    )


def test_no_counted_cases_means_no_zones(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-01-01"])
    plan = plan_zones(cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur)
    assert plan.zones.empty
    assert list(plan.zones.columns) == [*ZONE_COLUMNS, "geometry"]


def test_custom_radii_make_custom_zones(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    rule = custom_rule(containment_radius_m=500, buffer_m=500, release_after_days=21)
    zones = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur).zones
    assert zones["area_km2"].tolist() == pytest.approx([math.pi * 0.25, math.pi * 0.75], rel=0.01)
    assert zones["release_due_on"].iloc[0] == dt.date(2020, 6, 1)
