"""The union of many equal circles, split into its connected parts, fast and exactly.

This is the geometric heart of the zone engine, in metres and numpy arrays only.

Circles are regular polygons drawn *around* the true circle (its inscribed radius is the
radius asked for), so two points closer than twice the radius always have overlapping
polygons: a pair can never be split apart by the polygon approximation. With
:data:`CIRCLE_QUAD_SEGS` = 16 (64 sides) a polygon's area is 1.0008 πr².

Most of a million clustered circles add nothing to their union: a circle is skipped when it
lies wholly inside the union of a sample of the circles (see :func:`covering_subset`).
The union is exact: every skipped circle lies inside it.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

__all__ = [
    "CIRCLE_QUAD_SEGS",
    "circle_polygons",
    "covering_subset",
    "polygon_radius_m",
    "union_parts",
]

CIRCLE_QUAD_SEGS = 16
"""Segments per quarter circle (64 sides), set explicitly: shapely's default is 8 and
geopandas' ``buffer`` passes its own ``resolution``; a rule's circle must not depend on it."""


def polygon_radius_m(radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS) -> float:
    """Vertex radius of the regular polygon whose inscribed circle has ``radius_m``.

    Examples
    --------
    >>> round(polygon_radius_m(1000.0), 3)
    1001.206
    """
    sides = 4 * quad_segs
    return radius_m / math.cos(math.pi / sides) * (1 + 1e-9)


def circle_polygons(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS
) -> np.ndarray:
    """One polygon per centre, each containing the true circle of ``radius_m``."""
    sides = 4 * quad_segs
    angles = np.linspace(0.0, 2 * np.pi, sides + 1)
    angles[-1] = 0.0  # close the ring exactly
    vertex_radius = polygon_radius_m(radius_m, quad_segs)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * vertex_radius
    centres = np.column_stack([x_m, y_m])[:, None, :]
    return np.asarray(shapely.polygons(centres + ring[None, :, :]))


def _cells(x_m: np.ndarray, y_m: np.ndarray, side_m: float) -> tuple[np.ndarray, np.ndarray]:
    """First position in each grid cell of ``side_m``, and every point's cell."""
    ci = np.floor((x_m - x_m.min()) / side_m).astype(np.int64)
    cj = np.floor((y_m - y_m.min()) / side_m).astype(np.int64)
    _, first, cell_of = np.unique((ci << 32) + cj, return_index=True, return_inverse=True)
    return first, cell_of.reshape(-1)


def _covered(
    union: shapely.Geometry, x_m: np.ndarray, y_m: np.ndarray, vertex_radius_m: float
) -> np.ndarray:
    """Which centres have their whole polygon inside ``union``.

    A polygon lies within its vertex radius of its centre, so it is inside ``union`` when
    the centre is inside and farther than that radius from every edge, holes included.
    """
    shapely.prepare(union)
    covered = shapely.contains_xy(union, x_m, y_m)
    edge = shapely.boundary(union)
    shapely.prepare(edge)
    inside_at = np.flatnonzero(covered)
    near = shapely.dwithin(edge, shapely.points(x_m[inside_at], y_m[inside_at]), vertex_radius_m)
    covered[inside_at[near]] = False
    return covered


# Sampling grids, as fractions of the radius: a coarse one first, then finer ones whose
# circles bring the sampled union ever closer to the whole union.
_SAMPLING_CELLS = (1 / math.sqrt(2), 1 / 4, 1 / 16)
_FEW_ENOUGH = 2000


def covering_subset(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS
) -> tuple[shapely.Geometry, np.ndarray, np.ndarray]:
    """The union of a sample of the circles, the centres it misses, and each centre's cell.

    Take one centre per grid cell of ``r/√2`` and union their circles (a few thousand at
    most in a district). Every other centre whose whole polygon lies inside that sampled
    union adds nothing and is skipped. Sample the remaining centres again on finer grids,
    each time growing the union and skipping what it covers. What is left is the few
    centres on the very edge; the sampled union together with their circles *is* the union
    of all circles, exactly.

    Returns
    -------
    sampled
        Union of the sampled circles.
    missing
        Sorted positions of the centres whose circles must still be added.
    cell_of
        For every centre, its cell in the coarse grid. Centres of one cell are at most
        ``r`` apart, so their circles overlap and lie in one part of the union.
    """
    vertex_radius_m = polygon_radius_m(radius_m, quad_segs)
    first, cell_of = _cells(x_m, y_m, radius_m * _SAMPLING_CELLS[0])
    sampled = shapely.union_all(circle_polygons(x_m[first], y_m[first], radius_m, quad_segs))
    rest = np.ones(len(x_m), dtype=bool)
    rest[first] = False
    missing = np.flatnonzero(rest)
    for level, fraction in enumerate(_SAMPLING_CELLS):
        if level:
            local_first, _ = _cells(x_m[missing], y_m[missing], radius_m * fraction)
            picked = missing[local_first]
            circles = circle_polygons(x_m[picked], y_m[picked], radius_m, quad_segs)
            sampled = shapely.union_all(np.concatenate([[sampled], circles]))
            rest = np.ones(len(missing), dtype=bool)
            rest[local_first] = False
            missing = missing[rest]
        missing = missing[~_covered(sampled, x_m[missing], y_m[missing], vertex_radius_m)]
        if len(missing) <= _FEW_ENOUGH:
            break
    return sampled, missing, cell_of


def _unique_points(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct centres (many cases share a house), and which one each input centre is."""
    order = np.lexsort((y_m, x_m))
    xs, ys = x_m[order], y_m[order]
    starts = np.ones(len(xs), dtype=bool)
    starts[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
    unique_of = np.empty(len(xs), dtype=np.int64)
    unique_of[order] = np.cumsum(starts) - 1
    return xs[starts], ys[starts], unique_of


def union_parts(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS
) -> tuple[np.ndarray, np.ndarray]:
    """The connected parts of the union of circles, and the part each centre lies in.

    Parameters
    ----------
    x_m, y_m
        Centres in a projected CRS, metres.
    radius_m
        Radius of every circle, metres.

    Returns
    -------
    parts
        Polygons, ordered by their lowest centre position (so the order is stable).
    part_of
        For every centre, the position of its part in ``parts``.

    Examples
    --------
    >>> parts, part_of = union_parts(np.array([0.0, 1500.0, 9000.0]), np.zeros(3), 1000.0)
    >>> len(parts), part_of.tolist()
    (2, [0, 0, 1])
    """
    x_m = np.asarray(x_m, dtype=float)
    y_m = np.asarray(y_m, dtype=float)
    if len(x_m) == 0:
        return np.array([], dtype=object), np.zeros(0, dtype=np.int64)
    ux, uy, unique_of = _unique_points(x_m, y_m)

    sampled, missing, cell_of = covering_subset(ux, uy, radius_m, quad_segs)
    edge_circles = circle_polygons(ux[missing], uy[missing], radius_m, quad_segs)
    union = shapely.union_all(np.concatenate([[sampled], edge_circles]))
    parts = shapely.get_parts(union)

    # One point per cell is enough to find its part: a cell's circles all overlap.
    cells, cell_first = np.unique(cell_of, return_index=True)
    probe = np.asarray(shapely.points(ux[cell_first], uy[cell_first]))
    tree = shapely.STRtree(parts)
    probe_idx, part_idx = tree.query(probe, predicate="intersects")
    if len(probe_idx) != len(probe) or len(np.unique(probe_idx)) != len(probe):
        msg = "internal error: a case centre did not fall in exactly one part of the union"
        raise AssertionError(msg)
    part_of_cell = np.empty(len(cells), dtype=np.int64)
    part_of_cell[probe_idx] = part_idx
    part_of_unique = part_of_cell[cell_of]
    part_of = part_of_unique[unique_of]

    # Stable order: by the first centre (in input order) that falls in each part.
    first_seen = np.full(len(parts), len(part_of), dtype=np.int64)
    np.minimum.at(first_seen, part_of, np.arange(len(part_of)))
    order = np.argsort(first_seen, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return parts[order], rank[part_of]
