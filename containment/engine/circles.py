"""The union of many equal circles, split into its connected parts, fast and exactly.

This is the geometric heart of the zone engine, in metres and numpy arrays only.

Circles are regular polygons drawn *around* the true circle (its inscribed radius is the
radius asked for), so two points closer than twice the radius always have overlapping
polygons: a pair can never be split apart by the polygon approximation. With
:data:`CIRCLE_QUAD_SEGS` = 16 (64 sides) a polygon's area is 1.0008 πr².

The parts are known before any union is drawn. Every circle polygon is a translate of one
polygon ``P``, centrally symmetric, so the polygons around two centres meet exactly when the
offset between the centres lies in ``P - P = 2P``: always when the centres are closer than
``2r`` (the apothem of ``2P`` is a hair over it), never when they are farther than twice the
vertex radius (2.0024r), in between depending on the direction. Centres whose polygons meet, or
miss each other by less than a rounding tolerance, are linked, and the links are followed
into groups on a grid of cells (see :func:`_link_groups`). Polygons of different groups
stay apart, so the union is the union of each group's circles, and each group is one part
of it; the rare group held together only where polygons touch at a point, or nearly, is
split by its own union.

So each group is unioned on its own: a lone circle is its own part, small groups are
unioned many at once, and in a dense group most circles add nothing: a circle is skipped
when it lies wholly inside the union of a sample of the circles (see
:func:`covering_subset`). The union is exact: every skipped circle lies inside it, and it
is the union of all the circle polygons at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def _grid_cells(
    x_m: np.ndarray, y_m: np.ndarray, side_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The occupied cells of a grid of ``side_m``: their keys, first points, and each point's.

    A key is ``column << 32 | row``, both kept off zero, so the key of the cell offset by
    ``(dc, dr)`` is the key plus ``dc << 32`` plus ``dr``. Keys come sorted.
    """
    margin = 8
    column = np.floor((x_m - x_m.min()) / side_m).astype(np.int64) + margin
    row = np.floor((y_m - y_m.min()) / side_m).astype(np.int64) + margin
    keys, first, cell_of = np.unique((column << 32) + row, return_index=True, return_inverse=True)
    return keys, first, cell_of.reshape(-1)


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
    _, first, cell_of = _grid_cells(x_m, y_m, radius_m * _SAMPLING_CELLS[0])
    sampled = shapely.union_all(circle_polygons(x_m[first], y_m[first], radius_m, quad_segs))
    rest = np.ones(len(x_m), dtype=bool)
    rest[first] = False
    missing = np.flatnonzero(rest)
    for level, fraction in enumerate(_SAMPLING_CELLS):
        if level:
            _, local_first, _ = _grid_cells(x_m[missing], y_m[missing], radius_m * fraction)
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


def _overlap_slack_m(
    dx_m: np.ndarray, dy_m: np.ndarray, vertex_radius_m: float, sides: int
) -> np.ndarray:
    """How deep inside ``2P`` each offset lies (negative: how far outside).

    ``P`` is the circle polygon around the origin. Two of its translates meet exactly when
    the offset between their centres lies in ``P - P = 2P`` (``P`` is centrally symmetric),
    and the slack is the offset's distance to the edge of ``2P``: the apothem of ``2P`` minus
    the offset's reach along the nearest edge normal. A slack ``s > 0`` means the two
    polygons share a disc of diameter ``s``; ``s < 0``, that they are ``|s|`` apart or more.
    """
    step = 2 * math.pi / sides
    normal = (np.floor(np.arctan2(dy_m, dx_m) / step) + 0.5) * step
    reach_m = dx_m * np.cos(normal) + dy_m * np.sin(normal)
    slack: np.ndarray = 2 * vertex_radius_m * math.cos(math.pi / sides) - reach_m
    return slack


def _offset_cells(keys: np.ndarray, column: int, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of occupied cells ``(a, b)``, ``b`` offset from ``a`` by (column, row)."""
    target = keys + ((column << 32) + row)
    at = np.minimum(np.searchsorted(keys, target), len(keys) - 1)
    found = keys[at] == target
    return np.flatnonzero(found), at[found]


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of nodes ``0..n-1`` joined by edges ``a[k]``–``b[k]``."""
    from scipy.sparse import coo_array  # imported here: keeps importing this module light
    from scipy.sparse.csgraph import connected_components

    graph = coo_array((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    labels: np.ndarray = connected_components(graph, directed=False)[1]
    return labels.astype(np.int64)


@dataclass(frozen=True)
class _Link:
    """When two centres are linked: their circle polygons meet, or nearly do."""

    radius_m: float
    vertex_radius_m: float
    sides: int
    tolerance_m: float

    @property
    def reach_m(self) -> float:
        """No two linked centres are farther apart than this."""
        return 2 * self.vertex_radius_m + self.tolerance_m

    def linked(self, dx_m: np.ndarray, dy_m: np.ndarray) -> np.ndarray:
        """Whether centres offset by ``(dx_m, dy_m)`` are linked."""
        distance2_m2 = dx_m * dx_m + dy_m * dy_m
        linked = distance2_m2 < (2 * self.radius_m) ** 2
        between = ~linked & (distance2_m2 <= self.reach_m**2)
        slack_m = _overlap_slack_m(dx_m[between], dy_m[between], self.vertex_radius_m, self.sides)
        linked[between] = slack_m >= -self.tolerance_m
        result: np.ndarray = linked
        return result


# Centre pairs compared in one go between far cells (bounds memory, not work), and the
# number above which a pair of cells is compared through nearest neighbours instead.
_PAIRS_PER_BATCH = 1 << 20
_CROWDED_PAIRS = 1 << 14


def _crowded_cells_linked(
    xa_m: np.ndarray, ya_m: np.ndarray, xb_m: np.ndarray, yb_m: np.ndarray, link: _Link
) -> bool:
    """Whether a centre of one crowded cell links to a centre of another, without all pairs.

    A nearest neighbour closer than ``2r`` settles it; otherwise only the pairs in the thin
    ring between ``2r`` and the reach are compared.
    """
    from scipy.spatial import cKDTree  # imported here: keeps importing this module light

    tree_b = cKDTree(np.column_stack([xb_m, yb_m]))
    tree_a = cKDTree(np.column_stack([xa_m, ya_m]))
    distance_m, _ = tree_b.query(tree_a.data, distance_upper_bound=link.reach_m)
    if (distance_m < 2 * link.radius_m).any():
        return True
    near = tree_a.sparse_distance_matrix(tree_b, link.reach_m, output_type="ndarray")
    return bool(
        link.linked(xb_m[near["j"]] - xa_m[near["i"]], yb_m[near["j"]] - ya_m[near["i"]]).any()
    )


def _cells_linked(
    x_m: np.ndarray,
    y_m: np.ndarray,
    cell_of: np.ndarray,
    group_of_cell: np.ndarray,
    cell_a: np.ndarray,
    cell_b: np.ndarray,
    link: _Link,
) -> np.ndarray:
    """For pairs of cells, whether some centre of one links to some centre of the other.

    Pairs of cells are compared centre by centre, many at once. Pairs of crowded cells come
    after, one by one through nearest neighbours, and only while their groups are not yet
    joined through other links (a pair left out reads False: it changes no group).
    """
    by_cell = np.argsort(cell_of, kind="stable")
    count = np.bincount(cell_of)
    start = np.cumsum(count) - count
    work = count[cell_a] * count[cell_b]
    linked = np.zeros(len(cell_a), dtype=bool)

    light = np.flatnonzero(work <= _CROWDED_PAIRS)
    done = np.concatenate([[0], np.cumsum(work[light])])
    lo = 0
    while lo < len(light):
        hi = int(np.searchsorted(done, done[lo] + _PAIRS_PER_BATCH, side="right")) - 1
        rows = np.repeat(np.arange(lo, hi), work[light[lo:hi]])
        within = np.arange(len(rows)) - (done[rows] - done[lo])
        pair = light[rows]
        per_row = count[cell_b[pair]]
        i = by_cell[start[cell_a[pair]] + within // per_row]
        j = by_cell[start[cell_b[pair]] + within % per_row]
        linked[pair[link.linked(x_m[j] - x_m[i], y_m[j] - y_m[i])]] = True
        lo = hi

    crowded = np.flatnonzero(work > _CROWDED_PAIRS)
    if len(crowded):
        joined = _components(
            len(group_of_cell),
            group_of_cell[cell_a[linked]],
            group_of_cell[cell_b[linked]],
        )
        parent = list(range(len(group_of_cell)))

        def root(group: int) -> int:
            while parent[group] != group:
                parent[group] = parent[parent[group]]
                group = parent[group]
            return group

        for k in crowded[np.argsort(work[crowded], kind="stable")]:
            ga = root(int(joined[group_of_cell[cell_a[k]]]))
            gb = root(int(joined[group_of_cell[cell_b[k]]]))
            if ga == gb:
                continue
            a = by_cell[start[cell_a[k]] : start[cell_a[k]] + count[cell_a[k]]]
            b = by_cell[start[cell_b[k]] : start[cell_b[k]] + count[cell_b[k]]]
            if _crowded_cells_linked(x_m[a], y_m[a], x_m[b], y_m[b], link):
                linked[k] = True
                parent[ga] = gb
    return linked


def _link_groups(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Group distinct centres whose circle polygons meet, directly or through others.

    Two centres are linked when their polygons overlap, touch, or miss each other by less
    than a rounding tolerance (:func:`_overlap_slack_m`); groups are the connected
    components of the links. Polygons of two groups are apart by more than the tolerance,
    so every part of the union lies in one group, and a group whose links all overlap
    clearly is exactly one part.

    Centres go into grid cells of side just under ``r/√2``: two centres in one cell, or in
    cells side by side or corner to corner, are closer than ``2r``, hence linked. Cells
    farther apart, up to twice the vertex radius, are compared centre by centre, and only
    when they are not already in one group: inside a cluster that is almost never.

    Returns
    -------
    group_of
        For every centre, its group, numbered from 0.
    cells_in_group
        For every group, the number of cells it occupies.
    """
    vertex_radius_m = polygon_radius_m(radius_m, quad_segs)
    scale_m = vertex_radius_m + float(max(np.abs(x_m).max(), np.abs(y_m).max()))
    # Far above rounding in the coordinates, far below anything a map can show.
    link = _Link(radius_m, vertex_radius_m, 4 * quad_segs, tolerance_m=1e-9 * scale_m)
    side_m = radius_m / math.sqrt(2) * (1 - 1e-6)
    keys, _, cell_of = _grid_cells(x_m, y_m, side_m)
    n_cells = len(keys)

    close = [_offset_cells(keys, *offset) for offset in ((1, 0), (0, 1), (1, 1), (1, -1))]
    group_of_cell = _components(
        n_cells, np.concatenate([a for a, _ in close]), np.concatenate([b for _, b in close])
    )

    # Cells that may hold linked centres: nearest corners within reach (with some margin).
    reach_m = link.reach_m + link.tolerance_m
    span = math.ceil(reach_m / side_m) + 1
    far = [
        (column, row)
        for column in range(span + 1)
        for row in range(-span, span + 1)
        if (column > 0 or row > 0)
        and max(column, abs(row)) > 1
        and side_m * math.hypot(max(column - 1, 0), max(abs(row) - 1, 0)) <= reach_m
    ]
    candidates = [_offset_cells(keys, *offset) for offset in far]
    cell_a = np.concatenate([a for a, _ in candidates])
    cell_b = np.concatenate([b for _, b in candidates])
    apart = group_of_cell[cell_a] != group_of_cell[cell_b]
    cell_a, cell_b = cell_a[apart], cell_b[apart]
    if len(cell_a):
        linked = _cells_linked(x_m, y_m, cell_of, group_of_cell, cell_a, cell_b, link)
        merged = _components(
            int(group_of_cell.max()) + 1,
            group_of_cell[cell_a[linked]],
            group_of_cell[cell_b[linked]],
        )
        group_of_cell = merged[group_of_cell]
    return group_of_cell[cell_of], np.bincount(group_of_cell)


# Groups up to this size are unioned many at once, row by row of a padded array; larger
# ones one by one, and through the sampled cover when they are dense.
_SMALL_GROUP = 256
_POLYGONS_PER_BATCH = 1 << 16
# A group is dense when it has at least this many centres per occupied cell.
_DENSE_CENTRES_PER_CELL = 1.6


def _group_unions(
    x_m: np.ndarray,
    y_m: np.ndarray,
    group_of: np.ndarray,
    cells_in_group: np.ndarray,
    radius_m: float,
    quad_segs: int,
) -> np.ndarray:
    """The union of every group's circles, one geometry per group."""
    n_groups = len(cells_in_group)
    by_group = np.argsort(group_of, kind="stable")
    size = np.bincount(group_of, minlength=n_groups)
    start = np.cumsum(size) - size
    unions = np.empty(n_groups, dtype=object)

    single = np.flatnonzero(size == 1)
    at = by_group[start[single]]
    unions[single] = circle_polygons(x_m[at], y_m[at], radius_m, quad_segs)

    width = 2
    while width // 2 < _SMALL_GROUP:
        chosen = np.flatnonzero((size > width // 2) & (size <= width))
        rows = max(_POLYGONS_PER_BATCH // width, 1)
        for lo in range(0, len(chosen), rows):
            groups = chosen[lo : lo + rows]
            slot = start[groups][:, None] + np.arange(width)
            filled = np.arange(width) < size[groups][:, None]
            at = by_group[slot[filled]]
            table = np.full(slot.shape, None, dtype=object)
            table[filled] = circle_polygons(x_m[at], y_m[at], radius_m, quad_segs)
            unions[groups] = shapely.union_all(table, axis=1)
        width *= 2

    for group in np.flatnonzero(size > _SMALL_GROUP):
        members = by_group[start[group] : start[group] + size[group]]
        gx, gy = x_m[members], y_m[members]
        if size[group] >= _DENSE_CENTRES_PER_CELL * cells_in_group[group]:
            sampled, missing, _ = covering_subset(gx, gy, radius_m, quad_segs)
            edge = circle_polygons(gx[missing], gy[missing], radius_m, quad_segs)
            unions[group] = shapely.union_all(np.concatenate([[sampled], edge]))
        else:
            unions[group] = shapely.union_all(circle_polygons(gx, gy, radius_m, quad_segs))
    return unions


def _split_groups(
    x_m: np.ndarray, y_m: np.ndarray, group_of: np.ndarray, unions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parts of the union and each centre's part, splitting groups that are not one polygon.

    A group's union is several polygons only when some of its polygons merely touch or
    nearly do; a centre then lies in the part that contains it (it is well inside its own
    polygon, ``r`` from the edge).
    """
    whole = shapely.get_type_id(unions) == shapely.GeometryType.POLYGON
    if whole.all():
        return unions, group_of
    split = np.flatnonzero(~whole)
    pieces, piece_group = shapely.get_parts(unions[split], return_index=True)
    part_of_group = np.full(len(unions), -1, dtype=np.int64)
    part_of_group[whole] = np.arange(np.count_nonzero(whole))
    parts = np.concatenate([unions[whole], pieces])
    part_of = part_of_group[group_of]

    in_split = np.flatnonzero(part_of < 0)
    points = np.asarray(shapely.points(x_m[in_split], y_m[in_split]))
    piece, centre = shapely.STRtree(points).query(pieces, predicate="intersects")
    once = np.bincount(centre, minlength=len(in_split)) == 1
    if not once.all() or (split[piece_group[piece]] != group_of[in_split[centre]]).any():
        msg = "internal error: a case centre did not fall in exactly one part of the union"
        raise AssertionError(msg)
    part_of[in_split[centre]] = np.count_nonzero(whole) + piece
    return parts, part_of


def union_parts(
    x_m: np.ndarray, y_m: np.ndarray, radius_m: float, quad_segs: int = CIRCLE_QUAD_SEGS
) -> tuple[np.ndarray, np.ndarray]:
    """The connected parts of the union of circles, and the part each centre lies in.

    Centres are grouped first by which circle polygons meet (:func:`_link_groups`); a lone
    circle is its own part, small groups are unioned many at once, and dense groups through
    the sampled cover (:func:`covering_subset`). The union is the same as that of all the
    circle polygons at once.

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
    group_of, cells_in_group = _link_groups(ux, uy, radius_m, quad_segs)
    unions = _group_unions(ux, uy, group_of, cells_in_group, radius_m, quad_segs)
    parts, part_of_unique = _split_groups(ux, uy, group_of, unions)
    part_of = part_of_unique[unique_of]

    # Stable order: by the first centre (in input order) that falls in each part.
    first_seen = np.full(len(parts), len(part_of), dtype=np.int64)
    np.minimum.at(first_seen, part_of, np.arange(len(part_of)))
    order = np.argsort(first_seen, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return parts[order], rank[part_of]
