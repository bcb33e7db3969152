"""The union of many equal circles, split into its connected parts, fast and exactly.

This is the geometric heart of the zone engine, in metres and numpy arrays only.

Circles are regular polygons drawn *around* the true circle (its inscribed radius is the
radius asked for), so two points closer than twice the radius always have overlapping
polygons: a pair can never be split apart by the polygon approximation. With
:data:`CIRCLE_QUAD_SEGS` = 16 (64 sides) a polygon's area is 1.0008 πr².

Most of a million clustered circles add nothing to their union: a circle is skipped when it
lies wholly inside the union of a coarse sample of the circles (see :func:`covering_subset`).
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
    return shapely.polygons(centres + ring[None, :, :])


def _cells(x_m: np.ndarray, y_m: np.ndarray, side_m: float) -> tuple[np.ndarray, np.ndarray]:
    """First position in each grid cell of ``side_m``, and every point's cell."""
    ci = np.floor((x_m - x_m.min()) / side_m).astype(np.int64)
    cj = np.floor((y_m - y_m.min()) / side_m).astype(np.int64)
    _, first, cell_of = np.unique((ci << 32) + cj, return_index=True, return_inverse=True)
    return first, cell_of.reshape(-1)


def covering_subset(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS
) -> tuple[shapely.Geometry, np.ndarray, np.ndarray]:
    """A coarse union, the circles it misses, and each centre's grid cell.

    Take one centre per grid cell of ``r/√2`` and union their circles (a few thousand
    at most in a district). Every other centre whose whole polygon lies inside that coarse
    union (the centre inside it, farther than the polygon's vertex radius from its
    boundary, holes included) adds nothing to the union and is skipped. What is left
    is a thin band of centres near the edge; the union of the coarse union and their
    circles *is* the union of all circles.

    Returns
    -------
    coarse
        Union of the circles of the first centre in each cell.
    missing
        Sorted positions of the centres whose circles must still be added.
    cell_of
        For every centre, its cell. Centres of one cell are at most ``r`` apart, so
        their circles overlap and lie in one part of the union.
    """
    first, cell_of = _cells(x_m, y_m, radius_m / math.sqrt(2))
    coarse = shapely.union_all(circle_polygons(x_m[first], y_m[first], radius_m, quad_segs))
    others = np.ones(len(x_m), dtype=bool)
    others[first] = False
    candidates = np.flatnonzero(others)
    shapely.prepare(coarse)
    inside = shapely.contains_xy(coarse, x_m[candidates], y_m[candidates])
    edge = shapely.boundary(coarse)
    shapely.prepare(edge)
    deep = np.zeros(len(candidates), dtype=bool)
    inside_at = np.flatnonzero(inside)
    probes = shapely.points(x_m[candidates[inside_at]], y_m[candidates[inside_at]])
    deep[inside_at] = ~shapely.dwithin(edge, probes, polygon_radius_m(radius_m, quad_segs))
    return coarse, candidates[~deep], cell_of


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
    xy = np.column_stack([x_m, y_m])
    unique_xy, unique_of = np.unique(xy, axis=0, return_inverse=True)
    unique_of = unique_of.reshape(-1)
    ux, uy = unique_xy[:, 0], unique_xy[:, 1]

    coarse, missing, cell_of = covering_subset(ux, uy, radius_m, quad_segs)
    edge_circles = circle_polygons(ux[missing], uy[missing], radius_m, quad_segs)
    union = shapely.union_all(np.concatenate([[coarse], edge_circles]))
    parts = shapely.get_parts(union)

    # One point per cell is enough to find its part: a cell's circles all overlap.
    cells, cell_first = np.unique(cell_of, return_index=True)
    probe = shapely.points(ux[cell_first], uy[cell_first])
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
