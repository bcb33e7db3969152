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

# The same examples on every run: a failure here is a failure everywhere.
DETERMINISTIC = settings(deadline=None, derandomize=True)
SIDES = 4 * CIRCLE_QUAD_SEGS


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


@settings(DETERMINISTIC, max_examples=150)
@given(centres())
def test_every_centre_lies_in_exactly_one_part(data):
    x, y, radius_m = data
    parts, part_of = union_parts(x, y, radius_m)
    points = shapely.points(x, y)
    hits = np.array([[p.intersects(q) for p in parts] for q in points])
    assert (hits.sum(axis=1) == 1).all()
    assert (hits.argmax(axis=1) == part_of).all()


@settings(DETERMINISTIC, max_examples=150)
@given(centres())
def test_centres_closer_than_twice_the_radius_share_a_part(data):
    x, y, radius_m = data
    _, part_of = union_parts(x, y, radius_m)
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    close = distance < 2 * radius_m
    assert (part_of[:, None] == part_of[None, :])[close].all()


@settings(DETERMINISTIC, max_examples=100)
@given(centres())
def test_union_equals_the_plain_union_of_all_circles(data):
    x, y, radius_m = data
    parts, _ = union_parts(x, y, radius_m)
    plain = shapely.union_all(circle_polygons(x, y, radius_m))
    ours = shapely.union_all(parts)
    assert len(parts) == len(shapely.get_parts(plain))
    assert shapely.symmetric_difference(ours, plain).area <= 1e-6 * plain.area


@settings(DETERMINISTIC, max_examples=100)
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


# The sparse side: circles that barely meet, in lines, grids and chains.


def critical_spacings_m(radius_m):
    """Distances at which two circle polygons go from overlapping to apart, and near them.

    Along a vertex direction the polygons reach twice the vertex radius; along an edge's
    normal, twice the apothem (a hair over ``2r``).
    """
    vertex_m = polygon_radius_m(radius_m)
    apothem_m = vertex_m * math.cos(math.pi / SIDES)
    return {
        "well under 2r": 1.9 * radius_m,
        "just under 2r": 2 * radius_m * (1 - 1e-9),
        "2r": 2 * radius_m,
        "2 apothems": 2 * apothem_m,
        "just over 2 apothems": 2 * apothem_m * (1 + 1e-7),
        "just under 2 vertex radii": 2 * vertex_m * (1 - 1e-7),
        "a hair under 2 vertex radii": 2 * vertex_m * (1 - 1e-9),
        "2 vertex radii": 2 * vertex_m,
        "a hair over 2 vertex radii": 2 * vertex_m * (1 + 1e-9),
        "well over 2 vertex radii": 2.1 * radius_m,
    }


SPACINGS = st.sampled_from(list(critical_spacings_m(1.0)))
"""Names of the critical spacings, to draw from."""

# Directions from one centre to the next: toward a vertex, along an edge normal, between.
ANGLES = (0.0, math.pi / SIDES, math.pi / 2, 0.3)
# Centres near the origin, and in the range of UTM coordinates (coarser doubles).
ORIGINS_M = ((0.0, 0.0), (500_000.0, 2_600_000.0))


def placed(draw, x, y):
    """Rotate offsets by one of :data:`ANGLES`, move them to an origin, maybe repeat some."""
    angle = draw(st.sampled_from(ANGLES))
    x0, y0 = draw(st.sampled_from(ORIGINS_M))
    xs = x0 + x * math.cos(angle) - y * math.sin(angle)
    ys = y0 + x * math.sin(angle) + y * math.cos(angle)
    if len(xs) > 1 and draw(st.booleans()):  # several cases at one house
        copies = draw(st.lists(st.integers(0, len(xs) - 1), min_size=1, max_size=10))
        xs, ys = np.concatenate([xs, xs[copies]]), np.concatenate([ys, ys[copies]])
    return xs, ys


@st.composite
def grids(draw):
    """Up to 8 × 8 centres on a square grid at or near a critical spacing."""
    radius_m = draw(st.sampled_from([50.0, 1000.0, 3000.0]))
    spacing_m = critical_spacings_m(radius_m)[draw(SPACINGS)]
    columns, rows = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    k = np.arange(columns * rows)
    return (*placed(draw, (k % columns) * spacing_m, (k // columns) * spacing_m), radius_m)


@st.composite
def chains(draw):
    """A walk of up to 60 steps, each at a critical spacing, turning a little each time."""
    radius_m = draw(st.sampled_from([50.0, 1000.0, 3000.0]))
    spacings_m = critical_spacings_m(radius_m)
    steps_m = np.array([spacings_m[n] for n in draw(st.lists(SPACINGS, max_size=60))])
    turn = st.sampled_from([0.0, 0.5, -0.5, 2.0])
    heading = np.cumsum(draw(st.lists(turn, min_size=len(steps_m), max_size=len(steps_m))))
    x = np.concatenate([[0.0], np.cumsum(steps_m * np.cos(heading))])
    y = np.concatenate([[0.0], np.cumsum(steps_m * np.sin(heading))])
    return (*placed(draw, x, y), radius_m)


@st.composite
def sparse_scatters(draw):
    """Up to 80 centres spread thin: on average 0.2 to 4 others within ``2r`` of each."""
    n = draw(st.integers(1, 80))
    radius_m = draw(st.sampled_from([50.0, 100.0, 1000.0, 3000.0]))
    neighbours = draw(st.sampled_from([0.2, 1.0, 4.0]))
    side_m = math.sqrt(n * math.pi * (2 * radius_m) ** 2 / neighbours)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (*placed(draw, *rng.uniform(0, side_m, (2, n))), radius_m)


@st.composite
def pairs(draw):
    """Two centres at a critical spacing, or one alone."""
    radius_m = draw(st.sampled_from([50.0, 1000.0, 3000.0]))
    if draw(st.booleans()):
        return (*placed(draw, np.zeros(1), np.zeros(1)), radius_m)
    spacing_m = critical_spacings_m(radius_m)[draw(SPACINGS)]
    return (*placed(draw, np.array([0.0, spacing_m]), np.zeros(2)), radius_m)


def assert_same_as_the_plain_union(x, y, radius_m):
    """The parts are those of the union of all the circle polygons at once, in stable order."""
    parts, part_of = union_parts(x, y, radius_m)
    plain = shapely.union_all(circle_polygons(x, y, radius_m))
    assert len(parts) == len(shapely.get_parts(plain))
    assert shapely.symmetric_difference(shapely.union_all(parts), plain).area <= 1e-9 * plain.area

    centre, part = shapely.STRtree(parts).query(shapely.points(x, y), predicate="intersects")
    assert np.bincount(centre, minlength=len(x)).tolist() == [1] * len(x)
    assert (part_of[centre] == part).all()

    close = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) < 2 * radius_m
    assert (part_of[:, None] == part_of[None, :])[close].all()
    first_centre = [np.flatnonzero(part_of == k)[0] for k in range(len(parts))]
    assert first_centre == sorted(first_centre)


@settings(DETERMINISTIC, max_examples=150)
@given(grids())
def test_grids_at_the_critical_spacings_make_the_parts_of_the_plain_union(data):
    assert_same_as_the_plain_union(*data)


@settings(DETERMINISTIC, max_examples=100)
@given(chains())
def test_chains_at_the_critical_spacings_make_the_parts_of_the_plain_union(data):
    assert_same_as_the_plain_union(*data)


@settings(DETERMINISTIC, max_examples=100)
@given(sparse_scatters())
def test_sparse_scatters_make_the_parts_of_the_plain_union(data):
    assert_same_as_the_plain_union(*data)


@settings(DETERMINISTIC, max_examples=100)
@given(pairs())
def test_two_centres_at_the_critical_spacings_make_the_parts_of_the_plain_union(data):
    assert_same_as_the_plain_union(*data)


@pytest.mark.parametrize(
    ("angle", "parts_expected"),
    [
        pytest.param(0.0, 1, id="toward a vertex: the polygons reach 2.0024r"),
        pytest.param(math.pi / SIDES, 2, id="along an edge normal: they reach 2r"),
    ],
)
def test_two_crowded_clusters_just_over_2r_apart_meet_only_where_the_polygons_do(
    angle, parts_expected
):
    # 1,100 centres each within a metre: more pairs than are compared at once, so the
    # clusters are compared through nearest neighbours and the ring between 2r and reach.
    radius_m = 1000.0
    rng = np.random.default_rng(7)
    a = rng.normal(0, 0.1, (2, 1100))
    b = rng.normal(0, 0.1, (2, 1100)) + np.array(
        [[2001.5 * math.cos(angle)], [2001.5 * math.sin(angle)]]
    )
    x = 500_000 + np.concatenate([a[0], b[0]])
    y = 2_600_000 + np.concatenate([a[1], b[1]])
    parts, _ = union_parts(x, y, radius_m)
    assert len(parts) == parts_expected
    assert_same_as_the_plain_union(x, y, radius_m)
