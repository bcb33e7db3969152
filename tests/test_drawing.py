"""Drawn shapes (Leaflet.draw GeoJSON) into zone outlines."""

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.geometry

from containment.engine.crs import lonlat_to_metric
from containment.engine.drawing import DrawingError, drawn_shape, overlapping_zones
from tests.places import JAIPUR, NEAR_DUNGARPUR_TOWN

LON, LAT = NEAR_DUNGARPUR_TOWN


def polygon(*ring):
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [list(ring)]},
    }


SQUARE = polygon(
    [LON, LAT], [LON + 0.02, LAT], [LON + 0.02, LAT + 0.02], [LON, LAT + 0.02], [LON, LAT]
)


def area_m2(geometry, district):
    def project(coords):
        return np.column_stack(lonlat_to_metric(coords[:, 0], coords[:, 1], district.metric_crs))

    return shapely.transform(geometry, project).area


def test_a_polygon_is_taken_as_drawn(dungarpur):
    shape = drawn_shape(SQUARE, dungarpur)
    assert shape.repairs == ()
    assert shape.geometry.equals_exact(shapely.geometry.shape(SQUARE["geometry"]), tolerance=1e-9)


def test_a_leaflet_circle_becomes_a_true_metric_circle(dungarpur):
    circle = {
        "type": "Feature",
        "properties": {"radius": 750.0},
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
    }
    shape = drawn_shape(circle, dungarpur)
    assert shape.geometry.geom_type == "Polygon"
    assert area_m2(shape.geometry, dungarpur) == pytest.approx(math.pi * 750**2, rel=0.01)
    assert shape.geometry.contains(shapely.Point(LON, LAT))


def test_a_self_crossing_outline_with_one_clear_area_is_repaired(dungarpur):
    # A square whose last edge doubles back across the first corner: one area, a spike.
    looped = polygon(
        [LON, LAT],
        [LON + 0.05, LAT],
        [LON + 0.05, LAT + 0.05],
        [LON, LAT + 0.05],
        [LON + 0.02, LAT + 0.03],
        [LON + 0.03, LAT + 0.06],
        [LON, LAT],
    )
    shape = drawn_shape(looped, dungarpur)
    assert shape.geometry.is_valid
    assert shape.geometry.geom_type == "Polygon"
    assert "crossed itself" in shape.repairs[0]


def test_a_bow_tie_is_refused_because_its_repair_is_ambiguous(dungarpur):
    bow_tie = polygon(
        [LON, LAT], [LON + 0.02, LAT + 0.02], [LON + 0.02, LAT], [LON, LAT + 0.02], [LON, LAT]
    )
    with pytest.raises(DrawingError, match=r"crosses itself.*2 areas.*Redraw"):
        drawn_shape(bow_tie, dungarpur)


def test_a_shape_partly_outside_is_cut_at_the_boundary(dungarpur):
    west = dungarpur.outline.bounds[0]
    ring = [[west - 0.1, 23.80], [west + 0.2, 23.80], [west + 0.2, 23.85], [west - 0.1, 23.85]]
    straddling = polygon(*ring, ring[0])
    shape = drawn_shape(straddling, dungarpur)
    assert dungarpur.outline.buffer(1e-7).covers(shape.geometry)  # 1e-7 degrees: about 1 cm
    assert "cut at the district boundary" in shape.repairs[0]


def test_a_shape_wholly_outside_is_refused_with_the_distance(dungarpur):
    lon, lat = JAIPUR
    far = polygon([lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat])
    with pytest.raises(DrawingError, match=r"outside Dungarpur \(3\d\d\.\d km from its boundary\)"):
        drawn_shape(far, dungarpur)


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        ({}, "has no shape"),
        (
            {"geometry": {"type": "Point", "coordinates": [LON, LAT]}, "properties": {}},
            "A marker is not a zone",
        ),
        (
            {"geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.1, LAT]]}},
            "LineString",
        ),
        (polygon([LON, LAT], [LON + 1e-6, LAT], [LON, LAT + 1e-6], [LON, LAT]), "too small"),
        ({"geometry": {"type": "Polygon", "coordinates": "nonsense"}}, "could not be read"),
    ],
)
def test_shapes_that_cannot_be_zones_are_refused_with_what_to_do(dungarpur, feature, message):
    with pytest.raises(DrawingError, match=message):
        drawn_shape(feature, dungarpur)


def test_a_sliver_outside_the_district_is_told_in_plain_words_not_as_0_percent(dungarpur):
    west, south, _east, north = dungarpur.outline.bounds
    piece = shapely.box(west, south, west + 0.1, north).intersection(dungarpur.outline)
    largest = max(getattr(piece, "geoms", [piece]), key=lambda p: p.area)
    # The district's own edge, drawn a couple of metres too wide.
    wide = largest.buffer(0.00002, join_style="mitre")
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(wide)}
    (repair,) = drawn_shape(feature, dungarpur).repairs
    assert repair == (
        "A thin strip of the shape (under 1%) lay outside Dungarpur; it was cut at the "
        "district boundary."
    )


def test_a_drawn_zone_over_a_zone_in_force_is_found_and_one_beside_it_is_not(dungarpur):
    ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    zones = gpd.GeoDataFrame(
        {"name": ["Ward 7", "Ward 9"]},
        geometry=[ward, shapely.box(73.72, 23.83, 73.74, 23.85)],  # Ward 9 shares an edge
        crs="EPSG:4326",
    )
    over = overlapping_zones(shapely.box(73.71, 23.83, 73.72, 23.85), zones, dungarpur)
    assert [name for name, _ in over] == ["Ward 7"]
    assert over[0][1] == pytest.approx(1.02 * 2.22, rel=0.05)  # km²: 0.01° × 0.02° at 23.8° N
    assert overlapping_zones(ward, zones.iloc[0:0], dungarpur) == []


def test_an_outline_with_more_corners_than_a_hand_draws_is_refused(dungarpur):
    n = 100_000  # GEOS's simplification of such a zigzag crashes the process
    lon = 73.70 + 0.02 * np.arange(n) / n
    lat = 23.83 + 0.0001 * (np.arange(n) % 2)
    ring = [*zip(lon.tolist(), lat.tolist(), strict=True), (73.72, 23.85), (73.70, 23.85)]
    feature = {"geometry": shapely.geometry.mapping(shapely.Polygon(ring))}
    with pytest.raises(DrawingError, match="corners, more than the 5,000 a drawn zone may have"):
        drawn_shape(feature, dungarpur)


def circle(properties: object) -> dict:
    return {"geometry": {"type": "Point", "coordinates": [LON, LAT]}, "properties": properties}


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"radius": "abc"}, r"radius 'abc' is not a number of metres"),
        ({"radius": math.inf}, r"radius inf is not a number of metres"),
        ({"radius": math.nan}, r"radius nan is not a number of metres"),
        ({"radius": [500]}, r"radius \[500\] is not a number of metres"),
        ({"radius": True}, r"radius True is not a number of metres"),
        ({"radius": {"m": 5}}, r"is not a number of metres"),
        ([500], r"properties are not a set of named values \(list\)"),
        ("radius", r"properties are not a set of named values \(str\)"),
    ],
)
def test_a_tampered_circle_is_refused_with_what_to_do(dungarpur, properties, message):
    with pytest.raises(DrawingError, match=message):
        drawn_shape(circle(properties), dungarpur)


def test_a_circle_radius_sent_as_text_of_a_number_is_read(dungarpur):
    shape = drawn_shape(circle({"radius": "750"}), dungarpur)
    assert area_m2(shape.geometry, dungarpur) == pytest.approx(math.pi * 750**2, rel=0.01)
