"""Zones a partition at a time are the zones of one process: the same zones, ids, outlines,
figures and order, whatever the partitions, the halo or the layout of the cases."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from containment import custom_rule, get_rule, plan_zones
from containment.engine.crs import metric_to_lonlat
from containment.engine.partition import owners, plan_zones_partitioned

AS_OF = dt.date(2020, 5, 31)
KEY = b"partition-test-key-32-bytes-long"
# The same examples on every run: a failure here is a failure everywhere.
DETERMINISTIC = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RULES = [
    get_rule("karnataka-200m"),
    get_rule("rajasthan-1km"),
    get_rule("kerala-micro-2021"),
    custom_rule(containment_radius_m=400, buffer_m=600, release_after_days=28, min_cases=2),
]


def line_list(district, x_m, y_m, days):
    lon, lat = metric_to_lonlat(np.asarray(x_m), np.asarray(y_m), district.metric_crs)
    return gpd.GeoDataFrame(
        {
            "case_id": [f"P-{i:04d}" for i in range(len(lon))],
            "reported_on": pd.to_datetime(AS_OF) - pd.to_timedelta(days, unit="D"),
        },
        geometry=shapely.points(lon, lat),
        crs=4326,
    )


def assert_same_plan(one, other):
    assert_geodataframe_equal(one.zones, other.zones, check_less_precise=False)
    pd.testing.assert_series_equal(one.case_zone, other.case_zone)
    assert one.notes == other.notes
    assert one.counted == other.counted


def both(district, cases, rule, shape, partitions, halo_m=None):
    one = plan_zones(cases, rule, as_of=AS_OF, district=district, shape=shape, id_key=KEY)
    run = plan_zones_partitioned(
        cases,
        rule,
        as_of=AS_OF,
        district=district,
        shape=shape,
        id_key=KEY,
        partitions=partitions,
        halo_m=halo_m,
    )
    return one, run


def cut_box(bounds, columns, rows):
    """The box cut into rectangles at the given fractions (columns by rows): partitions,
    some of which hold no case."""
    minx, miny, maxx, maxy = bounds
    xs = minx + (maxx - minx) * np.array([0.0, *columns, 1.0])
    ys = miny + (maxy - miny) * np.array([0.0, *rows, 1.0])
    return [
        shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1])
        for i in range(len(xs) - 1)
        for j in range(len(ys) - 1)
    ]


@st.composite
def layouts(draw):
    """Up to 70 cases in a 12 km square of the district, clustered around a few hubs that
    often sit on a partition line, with the lines, the rule, the shape and the halo."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(0, 70))
    rule = draw(st.sampled_from(RULES))
    cuts = st.integers(1, 19).map(lambda k: k / 20)
    columns = sorted(draw(st.lists(cuts, min_size=0, max_size=3, unique=True)))
    rows = sorted(draw(st.lists(cuts, min_size=0, max_size=2, unique=True)))
    hubs = rng.uniform(0, 1, (draw(st.integers(1, 5)), 2))
    on_line = draw(st.booleans())
    if on_line and columns:
        hubs[:, 0] = rng.choice(columns, len(hubs))  # zones across a partition line
    spread = draw(st.sampled_from([0.005, 0.02, 0.08]))
    xy = hubs[rng.integers(0, len(hubs), n)] + rng.normal(0, spread, (n, 2))
    if n and draw(st.booleans()):  # a chain of cases across the square
        k = min(n, 25)
        xy[:k, 0] = np.linspace(0.1, 0.9, k)
        xy[:k, 1] = 0.5
    days = rng.integers(0, 40, n)  # some outside the rule's window
    halo = draw(st.sampled_from([None, "tight", "tight"]))
    shape = draw(st.sampled_from(["units", "circles"]))
    return xy, days, rule, columns, rows, halo, shape


WINDOW_M = 12_000.0


@settings(DETERMINISTIC, max_examples=100)
@given(layout=layouts())
def test_partitioned_zones_are_the_zones_of_one_process(dungarpur, layout):
    xy, days, rule, columns, rows, halo, shape = layout
    cx, cy = dungarpur.prepared_outline_m.centroid.coords[0]
    x0, y0 = cx - WINDOW_M / 2, cy - WINDOW_M / 2
    cases = line_list(dungarpur, x0 + xy[:, 0] * WINDOW_M, y0 + xy[:, 1] * WINDOW_M, days)
    boxes = cut_box((x0, y0, x0 + WINDOW_M, y0 + WINDOW_M), columns, rows)
    partitions = gpd.GeoSeries(boxes, crs=dungarpur.metric_crs)
    # "tight": a halo of just the circles' reach, so that zones of units must be computed
    # again with their neighbours; None: the default halo.
    halo_m = 4 * (rule.outer_radius_m * 1.01 + 1) if halo == "tight" else None
    one, run = both(dungarpur, cases, rule, shape, partitions, halo_m)
    assert_same_plan(one, run.plan)
    event("some zone computed again" if len(run.rounds) > 2 else "whole at the first round")
    event(f"{len({job[0] for r in run.rounds[:1] for job in r.jobs})} partitions with cases")


def test_a_zone_across_a_block_line_comes_out_whole_and_once(dungarpur):
    a, b = dungarpur.blocks_m.set_index("name").geometry[["Bichhiwara", "Dungarpur"]]
    shared = shapely.get_parts(shapely.line_merge(shapely.intersection(a.boundary, b.boundary)))
    line = max(shared, key=shapely.length)  # the longest stretch of their common line
    point = shapely.line_interpolate_point(line, 0.5, normalized=True)
    offsets = np.array([-600.0, -300.0, 0.0, 300.0, 600.0])
    cases = line_list(dungarpur, point.x + offsets, point.y + offsets * 0.1, np.zeros(5))
    one, run = both(dungarpur, cases, get_rule("rajasthan-1km"), "units", dungarpur.blocks)
    assert_same_plan(one, run.plan)
    assert len(run.plan.zones) == 1
    assert run.plan.case_zone.nunique() == 1
    owned = {job[0] for report in run.rounds for job in report.jobs}
    assert len(owned) == 2  # cases on both sides of the line: two partitions computed it


def test_a_chain_longer_than_the_halo_is_computed_again_with_its_neighbours(dungarpur):
    west, south, east, north = dungarpur.outline_m.bounds
    x = np.linspace(west + 2000, east - 2000, 400)
    y = np.full(len(x), (south + north) / 2)  # every 1 km circle meets the next
    cases = line_list(dungarpur, x, y, np.zeros(len(x)))
    partitions = gpd.GeoSeries(
        cut_box((west, south, east, north), [0.25, 0.5, 0.75], []), crs=dungarpur.metric_crs
    )
    one, run = both(dungarpur, cases, get_rule("rajasthan-1km"), "circles", partitions)
    assert_same_plan(one, run.plan)
    assert len(run.plan.zones) == 1
    first, last = run.rounds[0], run.rounds[-1]
    assert first.open_clusters >= 1
    assert last.open_clusters == 0
    assert len(last.jobs) == 1


def test_partitions_without_cases_and_no_cases_at_all(dungarpur):
    blocks = dungarpur.blocks
    cases = line_list(dungarpur, [], [], [])
    one, run = both(dungarpur, cases, get_rule("karnataka-200m"), "units", blocks)
    assert_same_plan(one, run.plan)
    assert run.plan.zones.empty
    assert run.rounds == []  # nothing to compute


def test_a_case_outside_every_partition_belongs_to_the_nearest():
    squares = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    owner, outside = owners(np.array([5.0, 10.0, 25.0, -3.0]), np.array([5.0, 5.0, 5, 5]), squares)
    assert owner.tolist() == [0, 0, 1, 0]  # the shared edge goes to the first square
    assert outside.tolist() == [False, False, True, True]


@pytest.mark.parametrize("shape", ["units", "circles"])
def test_cases_outside_every_partition_still_give_the_zones_of_one_process(dungarpur, shape):
    """Partitions covering a middle strip only: most cases (hundreds, in clumps on both sides
    and across the strip's edges) lie outside every partition and join their nearest one."""
    cx, cy = dungarpur.prepared_outline_m.centroid.coords[0]
    rng = np.random.default_rng(13)
    hubs = np.array([[-6000, 0], [-1500, 2000], [0, -3000], [1500, 0], [5000, 1000]])
    xy = hubs[rng.integers(0, len(hubs), 600)] + rng.normal(0, 900, (600, 2))
    cases = line_list(dungarpur, cx + xy[:, 0], cy + xy[:, 1], rng.integers(0, 20, 600))
    strip = [shapely.box(cx - 1500, cy - 8000, cx, cy + 8000)]
    strip.append(shapely.box(cx, cy - 8000, cx + 1500, cy + 8000))
    partitions = gpd.GeoSeries(strip, crs=dungarpur.metric_crs)
    _, outside = owners(cx + xy[:, 0], cy + xy[:, 1], np.asarray(partitions))
    assert outside.sum() > 300
    one, run = both(dungarpur, cases, get_rule("karnataka-200m"), shape, partitions)
    assert_same_plan(one, run.plan)
    assert len(run.plan.zones) > 5
    # Each partition was given the cases around its strays too: whole at the first round.
    assert (run.rounds[0].stage, run.rounds[0].open_clusters) == ("containment", 0)


def test_partitions_must_be_polygons(dungarpur):
    cases = line_list(dungarpur, [], [], [])
    with pytest.raises(ValueError, match="partitions must be one or more polygons"):
        plan_zones_partitioned(
            cases,
            get_rule("karnataka-200m"),
            as_of=AS_OF,
            district=dungarpur,
            partitions=gpd.GeoSeries([], crs=4326),
        )
