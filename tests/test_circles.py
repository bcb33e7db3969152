"""The union of circles: the engine's claims, stated as properties."""

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from containment.engine.circles import (
    CIRCLE_QUAD_SEGS,
    circle_polygons,
    polygon_radius_m,
    union_parts,
)


@st.composite
def centres(draw):
    """Up to 80 centres in a 20 km square, often clustered, sometimes repeated."""
    n = draw(st.integers(1, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    radius_m = draw(st.sampled_from([50.0, 100.0, 1000.0, 3000.0]))
    clusters = draw(st.integers(1, 6))
    spread_m = radius_m * draw(st.sampled_from([0.2, 1.0, 3.0]))
    hubs = rng.uniform(0, 20_000, (clusters, 2))
    xy = hubs[rng.integers(0, clusters, n)] + rng.normal(0, spread_m, (n, 2))
    if draw(st.booleans()):  # several cases at one house
        xy[rng.integers(0, n, n // 3)] = xy[0]
    return xy[:, 0], xy[:, 1], radius_m


@settings(max_examples=150, deadline=None)
@given(centres())
def test_every_centre_lies_in_exactly_one_part(data):
    x, y, radius_m = data
    parts, part_of = union_parts(x, y, radius_m)
    points = shapely.points(x, y)
    hits = np.array([[p.intersects(q) for p in parts] for q in points])
    assert (hits.sum(axis=1) == 1).all()
    assert (hits.argmax(axis=1) == part_of).all()


@settings(max_examples=150, deadline=None)
@given(centres())
def test_centres_closer_than_twice_the_radius_share_a_part(data):
    x, y, radius_m = data
    _, part_of = union_parts(x, y, radius_m)
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    close = distance < 2 * radius_m
    assert (part_of[:, None] == part_of[None, :])[close].all()


@settings(max_examples=100, deadline=None)
@given(centres())
def test_union_equals_the_plain_union_of_all_circles(data):
    x, y, radius_m = data
    parts, _ = union_parts(x, y, radius_m)
    plain = shapely.union_all(circle_polygons(x, y, radius_m))
    ours = shapely.union_all(parts)
    assert len(parts) == len(shapely.get_parts(plain))
    assert shapely.symmetric_difference(ours, plain).area <= 1e-6 * plain.area


@settings(max_examples=100, deadline=None)
@given(centres())
def test_parts_do_not_overlap(data):
    x, y, radius_m = data
    parts, _ = union_parts(x, y, radius_m)
    total = sum(p.area for p in parts)
    assert total == pytest.approx(shapely.union_all(parts).area, rel=1e-9)


@pytest.mark.parametrize("radius_m", [100.0, 1000.0, 3000.0, 7000.0])
def test_a_single_circle_has_the_area_of_the_true_circle_within_one_percent(radius_m):
    parts, _ = union_parts(np.array([500_000.0]), np.array([2_600_000.0]), radius_m)
    assert parts[0].area == pytest.approx(math.pi * radius_m**2, rel=0.01)


def test_the_polygon_contains_the_true_circle():
    (polygon,) = circle_polygons(np.array([0.0]), np.array([0.0]), 1000.0)
    true_circle_points = shapely.points(
        1000 * np.cos(np.linspace(0, 2 * np.pi, 3600)),
        1000 * np.sin(np.linspace(0, 2 * np.pi, 3600)),
    )
    assert shapely.covers(polygon, true_circle_points).all()
    assert len(polygon.exterior.coords) == 4 * CIRCLE_QUAD_SEGS + 1


def test_two_cases_just_under_twice_the_radius_apart_are_one_zone():
    # Placed mid-edge, polygons drawn inside the circle (shapely's buffer) leave a gap.
    distance_m = 2 * 1000.0 - 0.01
    angle = math.pi / (4 * CIRCLE_QUAD_SEGS)
    x = np.array([0.0, distance_m * math.cos(angle)])
    y = np.array([0.0, distance_m * math.sin(angle)])
    parts, _ = union_parts(x, y, 1000.0)
    assert len(parts) == 1
    inside_polygons = shapely.buffer(shapely.points(x, y), 1000.0, quad_segs=CIRCLE_QUAD_SEGS)
    assert not inside_polygons[0].intersects(inside_polygons[1])


def test_cases_far_apart_are_separate_zones_in_input_order():
    x = np.array([10_000.0, 0.0, 10_500.0])
    parts, part_of = union_parts(x, np.zeros(3), 1000.0)
    assert len(parts) == 2
    assert part_of.tolist() == [0, 1, 0]
    assert polygon_radius_m(1000.0) > 1000.0


def test_no_centres_no_parts():
    parts, part_of = union_parts(np.array([]), np.array([]), 1000.0)
    assert len(parts) == 0
    assert len(part_of) == 0
