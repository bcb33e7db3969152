"""What the police and the public receive cannot be turned back into patients: no case located
by fitting circles to the released outlines, no case id recovered from a zone id, no case date,
no small count."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from containment import get_rule, plan_zones, write_zones
from containment.engine.crs import lonlat_to_metric
from containment.engine.zones import counted_cases
from containment.io.export import FEWER_THAN_5, PUBLIC_COLUMNS, public_zones
from containment.io.synthetic import synthetic_cases
from tests.attacks import enumerate_single_case_ids, fitted_centres, recovered

AS_OF = dt.date(2020, 5, 31)
RULES = ["rajasthan-1km", "mohfw-2020-rural", "karnataka-200m", "kerala-micro-2021"]


@pytest.fixture(scope="module")
def line_list(dungarpur):
    """A realistic day: 600 cases in hot spots over the district, as the May 2020 list was."""
    cases = synthetic_cases(dungarpur, 600, seed=2020)
    cases["case_id"] = [f"ICMR{2005000 + i}" for i in range(len(cases))]
    return cases


def _counted_m(cases, rule, district):
    counted = counted_cases(cases, rule, AS_OF)
    x, y = lonlat_to_metric(
        counted.geometry.x.to_numpy(), counted.geometry.y.to_numpy(), district.metric_crs
    )
    return np.column_stack([x, y])


@pytest.mark.parametrize("rule_name", RULES)
def test_circles_fitted_to_the_police_geojson_find_no_case(
    line_list, dungarpur, tmp_path, rule_name
):
    rule = get_rule(rule_name)
    cases_m = _counted_m(line_list, rule, dungarpur)
    plan = plan_zones(line_list, rule, as_of=AS_OF, district=dungarpur)
    path = write_zones(plan.zones, tmp_path / "police.geojson", dungarpur)
    released = public_zones(plan.zones, dungarpur).to_crs(dungarpur.metric_crs).geometry
    assert len(json.loads(path.read_text())["features"]) == len(released)
    assert recovered(cases_m, fitted_centres(released), within_m=250) == 0


@pytest.mark.parametrize("rule_name", ["rajasthan-1km", "karnataka-200m"])
def test_the_same_attack_finds_the_cases_behind_circle_outlines(line_list, dungarpur, rule_name):
    """The attack works: on the exact circles (never released) it locates most cases."""
    rule = get_rule(rule_name)
    cases_m = _counted_m(line_list, rule, dungarpur)
    circles = plan_zones(line_list, rule, as_of=AS_OF, district=dungarpur, shape="circles")
    outlines = circles.zones.to_crs(dungarpur.metric_crs).geometry
    assert recovered(cases_m, fitted_centres(outlines), within_m=250) > 0.5 * len(cases_m)


def test_even_a_circle_saved_by_hand_leaves_as_whole_units(line_list, dungarpur):
    rule = get_rule("rajasthan-1km")
    circles = plan_zones(line_list, rule, as_of=AS_OF, district=dungarpur, shape="circles")
    released = public_zones(circles.zones, dungarpur).to_crs(dungarpur.metric_crs).geometry
    assert recovered(_counted_m(line_list, rule, dungarpur), fitted_centres(released)) == 0


def test_zone_ids_cannot_be_traced_back_to_case_ids(line_list, dungarpur):
    rule = get_rule("rajasthan-1km")
    single = line_list.iloc[[0]]  # a zone of one case: its id is the easiest to attack
    candidates = [f"ICMR{n}" for n in range(2_004_000, 2_007_000)]  # holds the true id
    assert single["case_id"].iloc[0] in candidates
    old_style = enumerate_single_case_ids(
        [_old_zone_id(rule.name, single["case_id"].iloc[0])], rule.name, candidates
    )
    assert list(old_style.values()) == [single["case_id"].iloc[0]]  # the old ids gave it away
    key = b"the district store's own secret."
    plan = plan_zones(single, rule, as_of=AS_OF, district=dungarpur, id_key=key)
    assert enumerate_single_case_ids(list(plan.zones["zone_id"]), rule.name, candidates) == {}


def _old_zone_id(rule: str, case_id: str) -> str:
    from tests.attacks import unkeyed_zone_id

    return unkeyed_zone_id("CZ", rule, [case_id])


def test_small_counts_and_case_dates_never_leave(line_list, dungarpur, tmp_path):
    plan = plan_zones(line_list, get_rule("karnataka-200m"), as_of=AS_OF, district=dungarpur)
    small = plan.zones[plan.zones["case_count"] < 5]
    assert len(small) > 0
    path = write_zones(plan.zones, tmp_path / "zones.geojson", dungarpur)
    features = json.loads(path.read_text())["features"]
    counts = {f["properties"]["zone_id"]: f["properties"]["case_count"] for f in features}
    assert {counts[z] for z in small["zone_id"]} == {FEWER_THAN_5}
    fields = {key for f in features for key in f["properties"]}
    assert fields <= set(PUBLIC_COLUMNS)
    assert not fields & {"first_case_on", "last_case_on", "case_id", "reported_on"}


def _points_in(polygons, rng) -> tuple[np.ndarray, np.ndarray]:
    """A random point inside each polygon (drawn in its bounds until one falls inside)."""
    import shapely

    xs, ys = [], []
    for polygon in polygons:
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if polygon.contains(shapely.Point(x, y)):
                xs.append(x)
                ys.append(y)
                break
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("rule_name", [*RULES, "mohfw-2020-07"])
def test_where_a_case_lies_in_its_unit_changes_no_outline(dungarpur, rule_name):
    """The released outline depends only on the units the cases are in: moving every case to
    another place in its own unit gives the same zones, so no outline narrows down a home."""
    import geopandas as gpd

    rng = np.random.default_rng(31)
    units = dungarpur.unit_index.units_m
    picked = units.geometry.iloc[rng.choice(len(units), 60)]
    places = []
    for _attempt in range(2):
        x, y = _points_in(picked, rng)
        lon, lat = (
            gpd.GeoSeries(gpd.points_from_xy(x, y), crs=dungarpur.metric_crs)
            .to_crs(4326)
            .pipe(lambda g: (g.x.to_numpy(), g.y.to_numpy()))
        )
        places.append(
            gpd.GeoDataFrame(
                {"case_id": [f"C{i}" for i in range(len(x))], "reported_on": [AS_OF] * len(x)},
                geometry=gpd.points_from_xy(lon, lat),
                crs=4326,
            )
        )
    rule = get_rule(rule_name)
    here, there = (
        plan_zones(p, rule, as_of=AS_OF, district=dungarpur, id_key=b"k" * 32).zones for p in places
    )
    assert list(here["zone_id"]) == list(there["zone_id"])
    assert here.geometry.normalize().geom_equals_exact(there.geometry.normalize(), 0).all()
