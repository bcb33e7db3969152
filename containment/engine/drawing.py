"""A shape drawn on the map (Leaflet.draw GeoJSON) into a valid zone outline.

Polygons and rectangles arrive as GeoJSON polygons in lon/lat. A Leaflet circle arrives as a
point with ``properties.radius`` in metres; it becomes a true circle drawn in metres in the
district's CRS, like the engine's circles. Invalid outlines are repaired when the repair is
unambiguous, otherwise refused with a message that says what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from containment.engine.circles import circle_polygons
from containment.engine.crs import lonlat_to_metric, metric_to_lonlat
from containment.engine.district import District
from containment.engine.units import places_text
from containment.errors import ContainmentError
from containment.i18n import _, number

__all__ = [
    "DrawingError",
    "DrawnShape",
    "SnappedShape",
    "drawn_shape",
    "overlapping_zones",
    "snap_to_units",
]

_SMALLEST_ZONE_M2 = 100.0  # a zone smaller than 10 m x 10 m is a slip of the mouse


#: The most corners a drawn outline may have: a hand draws tens, a browser sends what it is told.
MAX_DRAWN_CORNERS = 5_000


class DrawingError(ContainmentError):
    """A drawn shape that cannot be a zone; the message says what to do."""


@dataclass(frozen=True)
class DrawnShape:
    """A zone outline in lon/lat and what was done to make it valid (empty if nothing)."""

    geometry: shapely.Polygon | shapely.MultiPolygon
    repairs: tuple[str, ...]


def _to_metric(geometry: shapely.Geometry, district: District) -> shapely.Geometry:
    def project(coords: np.ndarray) -> np.ndarray:
        x, y = lonlat_to_metric(coords[:, 0], coords[:, 1], district.metric_crs)
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def _to_lonlat(geometry: shapely.Geometry, district: District) -> shapely.Geometry:
    def unproject(coords: np.ndarray) -> np.ndarray:
        lon, lat = metric_to_lonlat(coords[:, 0], coords[:, 1], district.metric_crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, unproject)


def _circle_radius_m(properties: object) -> float:
    """A drawn circle's radius in metres (0 for a marker), as the map sends it: a number."""
    if properties is None:
        return 0.0
    if not isinstance(properties, Mapping):
        msg = _(
            "The drawing's properties are not a set of named values ({value}). Draw it again.",
            value=type(properties).__name__,
        )
        raise DrawingError(msg)
    radius = properties.get("radius")
    if radius is None:
        return 0.0
    try:
        if isinstance(radius, bool):
            raise TypeError(radius)
        radius_m = float(radius)
        if not np.isfinite(radius_m):
            raise ValueError(radius)
    except (TypeError, ValueError, OverflowError) as exc:
        msg = _(
            "The circle's radius {value} is not a number of metres. Draw the circle again.",
            value=repr(radius)[:40],
        )
        raise DrawingError(msg) from exc
    return radius_m


def drawn_shape(feature: Mapping[str, Any], district: District) -> DrawnShape:
    """Turn one drawn GeoJSON feature into a valid zone outline inside the district.

    Raises
    ------
    DrawingError
        For a line or marker, an empty or tiny shape, a self-crossing outline whose repair is
        ambiguous, or a shape wholly outside the district.
    """
    geometry_json = feature.get("geometry") if isinstance(feature, Mapping) else None
    if not geometry_json:
        msg = _("The drawing has no shape. Draw a polygon, rectangle or circle.")
        raise DrawingError(msg)
    try:
        geometry = shape(geometry_json)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        msg = _("The drawing could not be read as a shape ({reason}). Draw it again.", reason=exc)
        raise DrawingError(msg) from exc
    corners = int(shapely.get_num_coordinates(geometry))
    if corners > MAX_DRAWN_CORNERS:  # no hand draws this; GEOS may crash simplifying it
        msg = _(
            "The drawing has {n} corners, more than the {most} a drawn zone may have. Draw it "
            "again with fewer.",
            n=number(corners),
            most=number(MAX_DRAWN_CORNERS),
        )
        raise DrawingError(msg)
    lon, lat = geometry.bounds[0::2] if not geometry.is_empty else (0, 0)
    if not geometry.is_empty and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        msg = _("The drawing is not in longitude/latitude. Draw it on the map again.")
        raise DrawingError(msg)

    repairs: list[str] = []
    if geometry.geom_type == "Point":
        radius_m = _circle_radius_m(feature.get("properties"))
        if radius_m <= 0:
            msg = _("A marker is not a zone. Draw a polygon, rectangle or circle.")
            raise DrawingError(msg)
        centre = _to_metric(geometry, district)
        assert isinstance(centre, shapely.Point)
        metric = circle_polygons(np.array([centre.x]), np.array([centre.y]), radius_m)[0]
    elif geometry.geom_type in ("Polygon", "MultiPolygon"):
        metric = _to_metric(geometry, district)
    else:
        msg = _(
            "A {shape} is not a zone. Draw a polygon, rectangle or circle.",
            shape=geometry.geom_type,
        )
        raise DrawingError(msg)

    if metric.is_empty:
        msg = _("The shape is empty. Draw a polygon, rectangle or circle.")
        raise DrawingError(msg)
    if not metric.is_valid:
        reason = shapely.is_valid_reason(metric).split("[")[0].lower()
        fixed = shapely.make_valid(metric, method="structure", keep_collapsed=False)
        polygons = [g for g in shapely.get_parts(fixed) if g.geom_type == "Polygon"]
        if len(polygons) != 1:
            msg = _(
                "The outline crosses itself ({reason}), which splits it into {n} areas. Redraw "
                "it so that no edge crosses another.",
                reason=reason,
                n=len(polygons),
            )
            raise DrawingError(msg)
        metric = polygons[0]
        repairs.append(_("The outline crossed itself ({reason}); it was repaired.", reason=reason))
    if metric.is_empty or metric.area < _SMALLEST_ZONE_M2:
        msg = _("The shape is empty or too small to be a zone (under 100 m²). Draw it again.")
        raise DrawingError(msg)

    outline = district.outline_m
    if not metric.intersects(outline):
        distance_km = metric.distance(outline) / 1000
        msg = _(
            "The shape lies outside {district} ({km} km from its boundary). Draw the zone "
            "inside the district.",
            district=district.name,
            km=number(distance_km, 1),
        )
        raise DrawingError(msg)
    if not outline.covers(metric):
        outside_share = 1 - metric.intersection(outline).area / metric.area
        metric = metric.intersection(outline)
        repairs.append(_outside_words(outside_share, district.name))
    outline_lonlat = _to_lonlat(metric, district)
    if not isinstance(outline_lonlat, shapely.Polygon | shapely.MultiPolygon):
        msg = _("The shape does not make an area inside the district. Draw it again.")
        raise DrawingError(msg)
    return DrawnShape(geometry=outline_lonlat, repairs=tuple(repairs))


def _outside_words(share: float, district: str) -> str:
    """How much of a drawn shape was cut off at the district boundary, in plain words (a
    sliver is not "0%").

    >>> _outside_words(0.004, "Dungarpur")[:56]
    'A thin strip of the shape (under 1%) lay outside Dungarp'
    >>> _outside_words(0.3, "Dungarpur")
    'About 30% of the shape lay outside Dungarpur; it was cut at the district boundary.'
    """
    if share < 0.01:
        return _(
            "A thin strip of the shape (under 1%) lay outside {district}; it was cut at the "
            "district boundary.",
            district=district,
        )
    if share > 0.99:
        return _(
            "Almost all of the shape (over 99%) lay outside {district}; what was inside is "
            "kept. Check that the zone is drawn where you meant.",
            district=district,
        )
    return _(
        "About {share}% of the shape lay outside {district}; it was cut at the district boundary.",
        share=number(round(share * 100)),
        district=district,
    )


@dataclass(frozen=True)
class SnappedShape:
    """A drawn outline as the whole ground units it stands for (lon/lat), and their names."""

    geometry: shapely.Polygon | shapely.MultiPolygon
    unit_count: int
    places: str


def snap_to_units(
    outline: shapely.Polygon | shapely.MultiPolygon, district: District
) -> SnappedShape:
    """The units a drawn outline stands for (those it covers at least half of; the one under
    its centre if none): a zone that leaves the system follows village limits and town cells,
    not a line drawn around somebody's house."""
    index = district.unit_index
    units = index.snap(_to_metric(outline, district))
    snapped = _to_lonlat(index.outline(units), district)
    assert isinstance(snapped, shapely.Polygon | shapely.MultiPolygon)
    table = index.units_m.assign(
        cells_in_town=index.units_m.groupby("town")["town"].transform("size")
    )
    return SnappedShape(snapped, len(units), places_text(table.iloc[units], most=12))


# Zones made of the same units share their edges; sharing more ground than this is an overlap.
_OVERLAP_M2 = 1_000.0


def overlapping_zones(
    outline: shapely.Polygon | shapely.MultiPolygon,
    zones: gpd.GeoDataFrame,
    district: District,
) -> list[tuple[str, float]]:
    """The zones of ``zones`` (lon/lat, with ``name``) whose ground ``outline`` shares, with the
    shared area in km², largest first; shared edges are not an overlap."""
    if zones.empty:
        return []
    drawn = _to_metric(outline, district)
    metric = zones.to_crs(district.metric_crs)
    shared = shapely.area(shapely.intersection(metric.geometry.to_numpy(), drawn))
    found = [
        (str(name), float(area) / 1e6)
        for name, area in zip(zones["name"], shared, strict=True)
        if area > _OVERLAP_M2
    ]
    return sorted(found, key=lambda item: -item[1])
