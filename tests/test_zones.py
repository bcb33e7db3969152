"""The zone engine on constructed cases where the right answer is known: zones made of whole
ground units that honour the rule's radius, and the exact circles kept as the planner's guide."""

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from containment import ZONE_COLUMNS, custom_rule, get_rule, plan_zones, read_cases
from containment.engine.crs import lonlat_to_metric, metric_to_lonlat
from containment.io.synthetic import synthetic_cases
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


def test_the_circle_guide_of_a_single_case_is_a_circle_and_a_ring(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    plan = plan_zones(
        cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur, shape="circles"
    )
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


def test_circle_buffers_surround_and_never_overlap_the_circles(dungarpur):
    offsets = [(0, 0), (2500, 0), (30_000, 0)]
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, offsets, ["2020-05-11"] * 3)
    rule = get_rule("mohfw-2020-rural")
    zones = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur, shape="circles").zones.to_crs(
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


def test_zone_ids_are_stable_with_the_stores_key_and_reveal_no_case_id(dungarpur):
    ids = ["ICMR-2005123", "ICMR-2005124", "ICMR-2005999"]
    cases = cases_around(
        dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0), (100, 0), (20_000, 0)], ["2020-05-11"] * 3, ids
    )
    rule = get_rule("mohfw-2020-urban")
    key = b"a store's secret, 32 bytes long.."

    def zone_ids(frame, rule=rule, key=key):
        plan = plan_zones(frame, rule, as_of=MAY_20, district=dungarpur, id_key=key)
        return plan.zones["zone_id"]

    first = zone_ids(cases)
    assert sorted(zone_ids(cases.iloc[[2, 0, 1]])) == sorted(first)
    assert len(set(first)) == len(first)
    for zone_id in first:
        assert not any(part in zone_id for case_id in ids for part in (case_id, case_id[5:]))
    assert set(zone_ids(cases, rule=get_rule("mohfw-2020-07"))).isdisjoint(first)
    assert set(zone_ids(cases, key=b"another store's secret, 32 bytes")).isdisjoint(first)
    assert set(zone_ids(cases, key=None)).isdisjoint(first)  # no key: random ids


def test_zones_carry_no_case_level_columns(dungarpur):
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], ["2020-05-11"])
    cases["village"] = "Secretpur"
    zones = plan_zones(cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur).zones
    assert "case_id" not in zones.columns
    assert not zones.astype(str).apply(lambda c: c.str.contains("C0|Secretpur")).any().any()


def test_a_zone_counts_the_people_households_blocks_and_facilities_of_its_units(dungarpur):
    cases = cases_around(dungarpur, BICHHIWARA, [(0, 0)], ["2020-05-11"])
    zone = plan_zones(
        cases, get_rule("rajasthan-1km"), as_of=MAY_20, district=dungarpur
    ).zones.iloc[0]
    units = dungarpur.units.to_crs(dungarpur.metric_crs)
    zone_m = gpd.GeoSeries([zone.geometry], crs=4326).to_crs(dungarpur.metric_crs).iloc[0]
    held = units[units.representative_point().within(zone_m)]
    assert zone["unit_count"] == len(held)
    assert zone["population_est"] == round(held["population"].sum())
    assert zone["households_est"] == round(held["households"].sum())
    assert "Bichhiwara" in zone["places"]
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
    zones = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur, shape="circles").zones
    assert zones["area_km2"].tolist() == pytest.approx([math.pi * 0.25, math.pi * 0.75], rel=0.01)
    assert zones["release_due_on"].iloc[0] == dt.date(2020, 6, 1)


# --- zones made of places --------------------------------------------------------------------


def _units_reached(district, cases, radius_m):
    """Ids of the units the rule must hold: holding a case, or with people within the radius
    (a village by its habitation point, a town cell by its area)."""
    units = district.units.to_crs(district.metric_crs)
    points = cases.to_crs(district.metric_crs).geometry
    holding = units[units.intersects(points.union_all())]
    villages = district.habitations_m
    near = villages[villages.geometry.apply(lambda h: points.distance(h).min() <= radius_m)]
    by_people = units[units.intersects(near.geometry.union_all())] if len(near) else units.iloc[:0]
    cells = units[(units["kind"] == "town_cell") & (units.distance(points.union_all()) <= radius_m)]
    return set(holding["unit_id"]) | set(by_people["unit_id"]) | set(cells["unit_id"])


@pytest.mark.parametrize(
    ("place", "rule_name"),
    [(NEAR_DUNGARPUR_TOWN, "rajasthan-1km"), (BICHHIWARA, "mohfw-2020-urban"),
     (NEAR_DUNGARPUR_TOWN, "karnataka-200m")],
)  # fmt: skip
def test_a_zone_is_whole_units_honouring_the_radius_and_holding_its_cases(
    dungarpur, place, rule_name
):
    rng = np.random.default_rng(3)
    cases = cases_around(dungarpur, place, rng.normal(0, 1500, (12, 2)), ["2020-05-11"] * 12)
    rule = get_rule(rule_name)
    plan = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur)
    containment = plan.zones[plan.zones["kind"] == "containment"].to_crs(dungarpur.metric_crs)
    units = dungarpur.units.to_crs(dungarpur.metric_crs)
    held: set[str] = set()
    for zone in containment.itertuples():
        inside = units[units.representative_point().within(zone.geometry)]
        assert inside.union_all().symmetric_difference(zone.geometry).area < 1.0  # whole units
        assert not held & set(inside["unit_id"])  # no unit in two zones
        held |= set(inside["unit_id"])
    assert _units_reached(dungarpur, cases, rule.containment_radius_m) <= held
    for case_index, zone_id in plan.case_zone.items():
        zone = containment.loc[containment["zone_id"] == zone_id].geometry.iloc[0]
        assert zone.intersects(cases.to_crs(dungarpur.metric_crs).geometry.loc[case_index])


def test_unit_buffers_hold_what_the_outer_radius_reaches_beyond_the_containment(dungarpur):
    offsets = [(0, 0), (2500, 0), (30_000, 0)]
    cases = cases_around(dungarpur, NEAR_DUNGARPUR_TOWN, offsets, ["2020-05-11"] * 3)
    rule = get_rule("mohfw-2020-rural")
    zones = plan_zones(cases, rule, as_of=MAY_20, district=dungarpur).zones.to_crs(
        dungarpur.metric_crs
    )
    containment = zones[zones["kind"] == "containment"].union_all()
    buffer = zones[zones["kind"] == "buffer"].union_all()
    assert buffer.intersection(containment).area < 1.0  # m², shared edges only
    units = dungarpur.units.to_crs(dungarpur.metric_crs).set_index("unit_id")
    reached = _units_reached(dungarpur, cases, rule.outer_radius_m)
    assert units.loc[sorted(reached)].union_all().difference(buffer.union(containment)).area < 1.0


def test_a_zone_near_the_town_counts_the_town(dungarpur):
    hq = dungarpur.hq_points
    town = hq[hq["name"] == "Dungarpur"].geometry.iloc[0]
    cases = cases_around(dungarpur, (town.x, town.y), [(0, 0)], ["2020-05-11"])
    zone = plan_zones(cases, get_rule("mohfw-2020-urban"), as_of=MAY_20, district=dungarpur)
    containment = zone.zones.iloc[0]
    assert containment["population_est"] >= 47_706  # Dungarpur town, Census 2011 urban
    assert "Dungarpur town" in containment["places"]


def test_the_units_of_a_district_without_them_are_asked_for_by_name(tmp_path, dungarpur):
    import shutil

    from containment import DistrictError, load_district

    folder = tmp_path / "dungarpur"
    shutil.copytree(dungarpur.folder, folder)
    manifest = folder / "district.toml"
    text = manifest.read_text()
    start = text.index("[layers.units]")
    end = text.index("\n[", start + 1)
    manifest.write_text(text[:start] + text[end + 1 :])
    with pytest.raises(DistrictError, match=r"missing layer \[layers.units\]\. .*build_units"):
        load_district(folder)


def test_a_case_just_over_the_outline_counts_in_the_nearest_unit_with_a_note(dungarpur):
    from tests.test_cases import _outside_devsomnath

    lon, lat = _outside_devsomnath(dungarpur, [300])
    cases = gpd.GeoDataFrame(
        {"case_id": ["DS0"], "reported_on": pd.to_datetime(["2020-05-11"])},
        geometry=shapely.points(lon, lat),
        crs=4326,
    )
    plan = plan_zones(cases, get_rule("karnataka-200m"), as_of=MAY_20, district=dungarpur)
    assert plan.notes == (
        "1 case outside every ground unit (just over the district's outline) counted in the "
        "nearest unit; the zone holds that unit, not the point over the line",
    )
    zone = plan.zones[plan.zones["kind"] == "containment"].to_crs(dungarpur.metric_crs)
    assert len(zone) == 1
    assert zone.distance(cases.to_crs(dungarpur.metric_crs).geometry.iloc[0]).iloc[0] < 400


def test_a_table_of_lon_and_lat_gives_the_zones_of_its_points(dungarpur, tmp_path):
    """What the command line hands the engine (a million points are not made for it): the
    same zones, ids, outlines and case zones as from the GeoDataFrame of the same line list."""
    sample = synthetic_cases(dungarpur, 400, seed=7, hotspots=6)
    path = tmp_path / "cases.csv"
    sample.assign(latitude=sample.geometry.y, longitude=sample.geometry.x).drop(
        columns="geometry"
    ).to_csv(path, index=False)
    read = read_cases(path, dungarpur, today=dt.date(2020, 12, 31))
    assert read.accepted_count == 400
    rule, key = get_rule("mohfw-2020-rural"), b"a store's secret, 32 bytes long.."
    as_of = pd.Timestamp(read.table["reported_on"].max()).date()

    from_points = plan_zones(read.cases, rule, as_of=as_of, district=dungarpur, id_key=key)
    from_table = plan_zones(read.located(), rule, as_of=as_of, district=dungarpur, id_key=key)

    assert len(from_points.zones) > 1
    pd.testing.assert_frame_equal(
        from_table.zones.drop(columns="geometry"), from_points.zones.drop(columns="geometry")
    )
    assert from_table.zones.geometry.geom_equals_exact(from_points.zones.geometry, 0).all()
    pd.testing.assert_series_equal(from_table.case_zone, from_points.case_zone)


def test_a_table_without_points_or_lon_and_lat_is_refused_saying_what_to_give(dungarpur):
    table = pd.DataFrame({"case_id": ["A"], "reported_on": [pd.Timestamp("2020-05-11")]})
    with pytest.raises(ValueError, match="no geometry and no lat or lon column"):
        plan_zones(table, get_rule("mohfw-2020-rural"), as_of=MAY_20, district=dungarpur)
