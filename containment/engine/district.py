"""A district's reference layers as the engine uses them, held in EPSG:4326 and projected to
the district's metric CRS on demand. Loaded from a folder by :mod:`containment.io.district`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from containment.engine.crs import STORAGE_CRS
from containment.engine.units import UnitIndex

__all__ = ["DEFAULT_OUTLINE_TOLERANCE_M", "DEFAULT_WORKING_RULE", "District"]

# Cases this close outside the outline are accepted with a note: outlines are generalised (the
# PMGSY district polygon cuts through villages on the border), and a positive case is never
# dropped for it.
DEFAULT_OUTLINE_TOLERANCE_M = 1000.0
# The rule a district works with unless its manifest says (``working_rule``): the national
# micro-plan for rural districts. A drawn zone's release period defaults to this rule's.
DEFAULT_WORKING_RULE = "mohfw-2020-rural"


@dataclass(frozen=True, eq=False)
class District:
    """Reference layers of one district, in EPSG:4326, with their standard columns.

    ``blocks`` has ``name``; ``habitations`` has ``name``, ``population`` and ``block``;
    ``health_facilities`` has ``name``, ``kind`` and ``block``; ``roads`` and ``hq_points``
    (possibly empty) have ``name``; ``units`` (the ground units zones are made of) has
    ``unit_id``, ``name``, ``kind`` (``village`` or ``town_cell``), ``block``, ``town``,
    ``population`` and ``households``. Every layer keeps its source fields too.
    ``working_rule`` is the preset the district works with (its manifest's ``working_rule``).
    """

    name: str
    state: str
    folder: Path
    household_size: float
    household_size_source: str
    metric_crs: CRS
    outline: shapely.Polygon | shapely.MultiPolygon
    blocks: gpd.GeoDataFrame
    habitations: gpd.GeoDataFrame
    health_facilities: gpd.GeoDataFrame
    hq_points: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    attribution: str
    caveats: tuple[str, ...]
    sample_cases: Path | None
    units: gpd.GeoDataFrame
    outline_tolerance_m: float = DEFAULT_OUTLINE_TOLERANCE_M
    working_rule: str = DEFAULT_WORKING_RULE

    @cached_property
    def unit_index(self) -> UnitIndex:
        """The ground units in metres, with where each village's people live."""
        units_m = self.units.to_crs(self.metric_crs).reset_index(drop=True)
        people = self.habitations_m[["geometry"]].reset_index(drop=True)
        index = UnitIndex(units_m, people.assign(unit=-1))
        unit, _ = index.unit_at(people.geometry.x.to_numpy(), people.geometry.y.to_numpy())
        return UnitIndex(units_m, people.assign(unit=unit))

    @cached_property
    def places(self) -> gpd.GeoDataFrame:
        """Every place a line list may name instead of coordinates: the habitations, then each
        town of the ground units (at the middle of its cells, in the block most of them are in).
        ``name``, ``block`` and a point (EPSG:4326)."""
        villages = self.habitations[["name", "block", "geometry"]]
        cells = self.units[self.units["kind"] == "town_cell"]
        if cells.empty:
            return villages.reset_index(drop=True)
        cells_m = cells.to_crs(self.metric_crs)
        towns = []
        for town, group in cells_m.groupby("town", sort=True):
            centre = shapely.point_on_surface(shapely.union_all(group.geometry.to_numpy()))
            towns.append(
                {"name": str(town), "block": group["block"].mode().iloc[0], "geometry": centre}
            )
        towns_frame = gpd.GeoDataFrame(towns, geometry="geometry", crs=self.metric_crs)
        combined = gpd.GeoDataFrame(
            [*villages.to_dict("records"), *towns_frame.to_crs(STORAGE_CRS).to_dict("records")],
            geometry="geometry",
            crs=STORAGE_CRS,
        )
        return combined.reset_index(drop=True)

    @cached_property
    def outline_m(self) -> shapely.Polygon | shapely.MultiPolygon:
        """The district outline in the metric CRS."""
        outline: shapely.Polygon | shapely.MultiPolygon = (
            gpd.GeoSeries([self.outline], crs=STORAGE_CRS).to_crs(self.metric_crs).iloc[0]
        )
        return outline

    @cached_property
    def blocks_m(self) -> gpd.GeoDataFrame:
        return self.blocks.to_crs(self.metric_crs)

    @cached_property
    def habitations_m(self) -> gpd.GeoDataFrame:
        return self.habitations.to_crs(self.metric_crs)

    @cached_property
    def health_facilities_m(self) -> gpd.GeoDataFrame:
        return self.health_facilities.to_crs(self.metric_crs)

    def block_at(self, points: gpd.GeoSeries, *, outside: str = "outside") -> np.ndarray:
        """The name of the block each point lies in (``outside`` for points in none)."""
        names = np.full(len(points), outside, dtype=object)
        if len(points):
            point_idx, block_idx = self._blocks_tree.query(
                points.to_crs(STORAGE_CRS).to_numpy(), predicate="within"
            )
            names[point_idx] = self.blocks["name"].astype(str).to_numpy()[block_idx]
        return names

    @cached_property
    def _blocks_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.blocks.geometry.to_numpy())

    @cached_property
    def prepared_outline_m(self) -> shapely.Polygon | shapely.MultiPolygon:
        geometry = self.outline_m
        shapely.prepare(geometry)
        return geometry
