"""Checkpoints where roads cross zone perimeters, on constructed roads and on Dungarpur's."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
import shapely

from containment import get_rule, plan_zones
from containment.engine.circles import circle_polygons
from containment.engine.crs import lonlat_to_metric
from containment.field.checkpoints import missing_checkpoints, propose_checkpoints
from containment.io.roads import RoadLayerError, read_roads, standard_roads
from tests.places import NEAR_DUNGARPUR_TOWN


@pytest.fixture
def zone(dungarpur):
    """A 1 km circle near Dungarpur town, and its centre in metres."""
    x, y = lonlat_to_metric(
        np.array([NEAR_DUNGARPUR_TOWN[0]]), np.array([NEAR_DUNGARPUR_TOWN[1]]), dungarpur.metric_crs
    )
    circle = circle_polygons(x, y, 1000.0)[0]
    frame = gpd.GeoDataFrame(
        {"zone_id": ["CZ-1"], "name": ["Ward 7"]}, geometry=[circle], crs=dungarpur.metric_crs
    )
    return frame, (float(x[0]), float(y[0]))


def roads_m(dungarpur, *lines, **columns):
    return standard_roads(
        gpd.GeoDataFrame(
            columns, geometry=[shapely.LineString(c) for c in lines], crs=dungarpur.metric_crs
        )
    )


def test_a_straight_road_through_a_circle_gives_two_checkpoints(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(dungarpur, [(x - 5000, y), (x + 5000, y)], name=["NH 48"], highway=["trunk"])
    checkpoints = propose_checkpoints(zones, roads, dungarpur)
    assert len(checkpoints) == 2
    assert set(checkpoints["road"]) == {"NH 48"}
    assert set(checkpoints["road_class"]) == {"trunk"}
    assert set(checkpoints["zone_name"]) == {"Ward 7"}
    on_perimeter = checkpoints.to_crs(dungarpur.metric_crs).distance(zones.boundary.iloc[0])
    assert (on_perimeter < 0.01).all()


def test_crossings_30_m_apart_merge_at_50_m_and_not_at_10_m(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(
        dungarpur,
        [(x - 5000, y), (x + 5000, y)],
        [(x - 5000, y + 30), (x + 5000, y + 30)],
        name=["a", "b"],
    )
    merged = propose_checkpoints(zones, roads, dungarpur, merge_m=50)
    assert len(merged) == 2
    assert set(merged["road"]) == {"a; b"}
    assert len(propose_checkpoints(zones, roads, dungarpur, merge_m=10)) == 4


def test_a_road_inside_or_outside_the_zone_needs_no_checkpoint(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(dungarpur, [(x - 100, y), (x + 100, y)], [(x + 3000, y), (x + 4000, y)])
    assert propose_checkpoints(zones, roads, dungarpur).empty


def test_a_road_ending_inside_gives_one_checkpoint(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(dungarpur, [(x, y), (x + 5000, y)], name=["village road"])
    assert len(propose_checkpoints(zones, roads, dungarpur)) == 1


def test_checkpoint_ids_are_stable(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(dungarpur, [(x - 5000, y), (x + 5000, y)])
    first = propose_checkpoints(zones, roads, dungarpur)["checkpoint_id"].tolist()
    again = propose_checkpoints(zones, roads, dungarpur)["checkpoint_id"].tolist()
    assert first == again
    assert len(set(first)) == 2


def test_removed_checkpoints_leave_their_crossing_flagged(dungarpur, zone):
    zones, (x, y) = zone
    roads = roads_m(dungarpur, [(x - 5000, y), (x + 5000, y)], name=["NH 48"])
    checkpoints = propose_checkpoints(zones, roads, dungarpur)
    assert missing_checkpoints(zones, roads, checkpoints, dungarpur).empty
    open_roads = missing_checkpoints(zones, roads, checkpoints.iloc[:1], dungarpur)
    assert list(open_roads["road"]) == ["NH 48"]
    assert list(open_roads["zone_name"]) == ["Ward 7"]


@pytest.mark.parametrize(("suffix", "crs"), [(".geojson", 4326), (".gpkg", 32643), (".shp", 3857)])
def test_any_road_layer_in_any_crs(dungarpur, zone, tmp_path, suffix, crs):
    zones, (x, y) = zone
    roads = gpd.GeoDataFrame(
        {"NAME": ["SH 10"], "fclass": ["secondary"]},
        geometry=[shapely.LineString([(x - 5000, y), (x + 5000, y)])],
        crs=dungarpur.metric_crs,
    ).to_crs(crs)
    path = tmp_path / f"roads{suffix}"
    roads.to_file(path, engine="pyogrio")
    checkpoints = propose_checkpoints(zones, read_roads(path), dungarpur)
    assert len(checkpoints) == 2
    assert set(checkpoints["road"]) == {"SH 10"}
    assert set(checkpoints["road_class"]) == {"secondary"}


def test_a_road_layer_without_lines_is_refused(tmp_path, dungarpur):
    path = tmp_path / "roads.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(73.7, 23.8)], crs=4326).to_file(path, engine="pyogrio")
    with pytest.raises(RoadLayerError, match=r"roads.geojson: The road layer has no lines"):
        read_roads(path)


def test_dungarpur_roads_cross_zones_of_the_sample_day(dungarpur):
    from containment import read_cases
    from tests.conftest import TODAY

    cases = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases
    zones = plan_zones(
        cases, get_rule("mohfw-2020-rural"), as_of=dt.date(2020, 5, 15), district=dungarpur
    ).zones
    containment = zones[zones["kind"] == "containment"]
    roads = standard_roads(dungarpur.roads)
    checkpoints = propose_checkpoints(containment, roads, dungarpur)
    assert len(checkpoints) > 0
    assert checkpoints["road"].str.startswith("T").all()  # PMGSY work names, e.g. "T03-Dungarpur…"
    assert missing_checkpoints(containment, roads, checkpoints, dungarpur).empty


def test_an_uploaded_road_layer_is_read_from_memory_whatever_its_name(tmp_path):
    from containment.io.roads import read_roads

    roads = gpd.GeoDataFrame(
        {"name": ["MDR 12"]}, geometry=[shapely.LineString([(73.7, 23.8), (73.8, 23.9)])], crs=4326
    )
    data = roads.to_json().encode()
    target = tmp_path / "geodata" / "dungarpur_district.geojson"
    target.parent.mkdir()
    for hostile in (f"../../../../..{target}", str(target), "C:\\\\Windows\\\\x.geojson"):
        read = read_roads(data, name=hostile)
        assert list(read["road"]) == ["MDR 12"]
    assert not target.exists()  # nothing was written where the name pointed
    assert list(tmp_path.iterdir()) == [target.parent]
