"""Ground units: the places a zone is made of — village units and town cells that tile the
district (``geodata/<district>/…_units.geojson``, built by ``tools/build_units.py``).

A zone that leaves the system is a set of whole units, so its outline follows village limits
and town cells, never the arcs of a circle drawn around somebody's home. This module answers
the questions the engine asks of units, on whole arrays: which unit holds each point (the
nearest one for a point just over the outline), which units have people within a distance of
each point (a village by its habitation point, a town cell by its area), which units make up an
outline someone drew, and what a set of units holds (people, households, blocks, names).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.i18n import _, n_

__all__ = ["UNIT_KINDS", "UnitIndex", "cell_number", "cells_text", "places_text"]

UNIT_KINDS = ("village", "town_cell")
_MOST_NAMES = 12  # names listed before "and N more" where space is short (map popups)


@dataclass(frozen=True, eq=False)
class UnitIndex:
    """A district's units in its metric CRS, indexed for the engine's questions.

    ``units_m`` has ``unit_id``, ``name``, ``kind``, ``block``, ``town``, ``population``,
    ``households`` and polygon geometries; ``people_m`` has a point per habitation with the
    position of its unit (``unit``): where a village's people live.
    """

    units_m: gpd.GeoDataFrame
    people_m: gpd.GeoDataFrame

    @cached_property
    def _geometries(self) -> np.ndarray:
        return np.asarray(self.units_m.geometry.to_numpy())

    @cached_property
    def _unit_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self._geometries)

    @cached_property
    def _people_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.people_m.geometry.to_numpy())

    @cached_property
    def _town_cells(self) -> np.ndarray:
        return np.flatnonzero(self.units_m["kind"].to_numpy() == "town_cell")

    @cached_property
    def _town_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.units_m.geometry.to_numpy()[self._town_cells])

    @cached_property
    def representative_points(self) -> np.ndarray:
        """A point inside each unit, to tell whether a zone's outline holds it."""
        return np.asarray(shapely.point_on_surface(self.units_m.geometry.to_numpy()))

    @cached_property
    def _points_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.representative_points)

    @cached_property
    def reach_bounds(self) -> np.ndarray:
        """For each unit, the box (``minx, miny, maxx, maxy``) around its outline and its
        people: how far a circle may be and still reach it."""
        bounds = shapely.bounds(self.units_m.geometry.to_numpy()).reshape(-1, 4)
        unit = self.people_m["unit"].to_numpy()
        mine = unit >= 0
        x = self.people_m.geometry.x.to_numpy()[mine]
        y = self.people_m.geometry.y.to_numpy()[mine]
        np.minimum.at(bounds[:, 0], unit[mine], x)
        np.minimum.at(bounds[:, 1], unit[mine], y)
        np.maximum.at(bounds[:, 2], unit[mine], x)
        np.maximum.at(bounds[:, 3], unit[mine], y)
        return bounds

    def units_meeting(self, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(box, unit)`` of the units whose outline meets each box (rows of ``minx,
        miny, maxx, maxy``)."""
        if len(boxes) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        box_idx, unit_idx = self._unit_tree.query(shapely.box(*boxes.T), predicate="intersects")
        return box_idx.astype(np.int64), unit_idx.astype(np.int64)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Each unit's outline's box (``minx, miny, maxx, maxy``)."""
        return np.asarray(shapely.bounds(self._geometries)).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.units_m)

    def unit_at(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The unit holding each point, and whether it had to be the nearest one (the point
        lies outside every unit, e.g. just over the district outline)."""
        points = np.asarray(shapely.points(x_m, y_m))
        unit = np.full(len(points), -1, dtype=np.int64)
        if len(points) == 0:
            return unit, np.zeros(0, dtype=bool)
        point_idx, unit_idx = self._unit_tree.query(points, predicate="intersects")
        unit[point_idx] = unit_idx  # a point on a shared edge takes one of its units
        outside = unit < 0
        if outside.any():
            near_idx = self._unit_tree.query_nearest(points[outside], all_matches=False)
            unit[np.flatnonzero(outside)[near_idx[0]]] = near_idx[1]
        return unit, outside

    def units_near(
        self, x_m: np.ndarray, y_m: np.ndarray, distance_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(point, unit)`` of the units with people within ``distance_m`` of each point:
        a village whose habitation lies that close, a town cell whose area does."""
        points = np.asarray(shapely.points(x_m, y_m))
        if len(points) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        point_a, person = self._people_tree.query(points, predicate="dwithin", distance=distance_m)
        unit_a = self.people_m["unit"].to_numpy()[person]
        point_b, cell = self._town_tree.query(points, predicate="dwithin", distance=distance_m)
        unit_b = self._town_cells[cell]
        return (
            np.concatenate([point_a, point_b]).astype(np.int64),
            np.concatenate([unit_a, unit_b]).astype(np.int64),
        )

    def around_units(self, units: np.ndarray, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(i, unit)``: each of ``units`` itself and every unit with people within
        ``distance_m`` of any part of it (a village whose habitation lies that close, a town
        cell whose area does). The answer depends on the unit only, never on a point in it."""
        if len(units) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        polygons = self.units_m.geometry.to_numpy()[units]
        own = np.arange(len(units), dtype=np.int64)
        unit_a, person = self._people_tree.query(polygons, predicate="dwithin", distance=distance_m)
        unit_b, cell = self._town_tree.query(polygons, predicate="dwithin", distance=distance_m)
        return (
            np.concatenate([own, unit_a, unit_b]).astype(np.int64),
            np.concatenate(
                [units, self.people_m["unit"].to_numpy()[person], self._town_cells[cell]]
            ).astype(np.int64),
        )

    def units_reached(self, shapes_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(shape, unit)`` of the units with people inside each shape: a village whose
        habitation it holds, a town cell it overlaps."""
        if len(shapes_m) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        shape_a, person = self._people_tree.query(shapes_m, predicate="contains")
        unit_a = self.people_m["unit"].to_numpy()[person]
        shape_b, cell = self._town_tree.query(shapes_m, predicate="intersects")
        unit_b = self._town_cells[cell]
        return (
            np.concatenate([shape_a, shape_b]).astype(np.int64),
            np.concatenate([unit_a, unit_b]).astype(np.int64),
        )

    def units_in(self, outlines_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(outline, unit)`` of the units each outline holds (their representative
        point lies inside): for an outline made of units, exactly those units."""
        if len(outlines_m) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        outline_idx, unit_idx = self._points_tree.query(outlines_m, predicate="contains")
        return outline_idx.astype(np.int64), unit_idx.astype(np.int64)

    def outline(self, units: np.ndarray) -> shapely.Polygon | shapely.MultiPolygon:
        """The outline of a set of units (they tile the district: a coverage union; a full
        union where a units layer is not cleanly noded)."""
        chosen = self._geometries[units]
        try:
            geometry = shapely.coverage_union_all(chosen)
        except shapely.errors.GEOSException:
            geometry = shapely.union_all(chosen)
        if not isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
            geometry = shapely.union_all(chosen)
        assert isinstance(geometry, shapely.Polygon | shapely.MultiPolygon)
        return geometry

    def as_units(self, outlines_m: np.ndarray) -> list[shapely.Polygon | shapely.MultiPolygon]:
        """Each outline as the whole units it holds (their representative point inside it), or
        the units it stands for when it holds none: what may leave the system. An outline made
        of units comes back as it was."""
        outline_idx, unit_idx = self.units_in(outlines_m)
        held: list[list[int]] = [[] for _ in range(len(outlines_m))]
        for o, u in zip(outline_idx.tolist(), unit_idx.tolist(), strict=True):
            held[o].append(u)
        return [
            self.outline(np.array(sorted(units), dtype=np.int64) if units else self.snap(outline))
            for units, outline in zip(held, outlines_m, strict=True)
        ]

    def snap(self, outline_m: shapely.Geometry) -> np.ndarray:
        """The units an outline someone drew stands for: those it holds at least half of, or,
        when it holds no such unit, the unit under its centre."""
        geometry = self.units_m.geometry.to_numpy()
        candidates = self._unit_tree.query(outline_m, predicate="intersects")
        share = shapely.area(shapely.intersection(geometry[candidates], outline_m)) / np.maximum(
            shapely.area(geometry[candidates]), 1e-9
        )
        chosen = candidates[share >= 0.5]
        if len(chosen) == 0:
            centre = shapely.point_on_surface(outline_m)
            chosen, _ = self.unit_at(np.array([centre.x]), np.array([centre.y]))
        return np.sort(chosen)


def places_text(units: pd.DataFrame, *, most: int | None = None) -> str:
    """The places a set of units covers, in words, the most populous first: villages by name,
    towns as "Dungarpur town, cells 3–7, 11" or "Dungarpur town" when whole.

    ``units`` has ``name``, ``kind``, ``town``, ``population`` (and ``cells_in_town``, the
    town's cell count, to say "whole"). With ``most``, the list stops at that many names.
    """
    names: list[tuple[float, str]] = []
    villages = units[units["kind"] != "town_cell"]
    names += [
        (float(p), str(n)) for n, p in zip(villages["name"], villages["population"], strict=True)
    ]
    cells = units[units["kind"] == "town_cell"]
    for town, rows in cells.groupby("town", sort=True):
        total = int(rows["cells_in_town"].iloc[0]) if "cells_in_town" in rows else 0
        whole = bool(total) and len(rows) >= total
        numbers = [n for n in map(cell_number, rows["name"]) if n is not None]
        label = cells_text(str(town), numbers, whole=whole)
        names.append((float(rows["population"].sum()), label))
    ordered = [name for _, name in sorted(names, key=lambda item: (-item[0], item[1]))]
    unique = list(dict.fromkeys(ordered))
    if most is not None and len(unique) > most:
        return n_(
            "{names} and {n} more",
            "{names} and {n} more",
            len(unique) - most,
            names=", ".join(unique[:most]),
        )
    return ", ".join(unique)


def cell_number(name: str) -> int | None:
    """The number of a town cell from its name ("Dungarpur town, cell 07" -> 7), or None.

    >>> cell_number("Dungarpur town, cell 07"), cell_number("Bichhiwara")
    (7, None)
    """
    last = str(name).rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else None


def cells_text(town: str, numbers: list[int], *, whole: bool = False) -> str:
    """A town's cells in words, runs of numbers as ranges: "Dungarpur town, cells 3–7, 11"
    (the whole town: "Dungarpur town").

    >>> cells_text("Dungarpur", [7, 3, 4, 5, 6, 11])
    'Dungarpur town, cells 3–7, 11'
    >>> cells_text("Sagwara", [4])
    'Sagwara town, cell 4'
    """
    if whole or not numbers:
        return _("{town} town", town=town)
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    ranges = [
        str(run[0])
        if len(run) == 1
        else f"{run[0]}–{run[-1]}"
        if len(run) > 2
        else f"{run[0]}, {run[1]}"
        for run in runs
    ]
    return n_(
        "{town} town, cell {cells}",
        "{town} town, cells {cells}",
        len(ordered),
        town=town,
        cells=", ".join(ranges),
    )
