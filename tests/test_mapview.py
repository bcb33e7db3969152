"""The planning map, checked through its folium structure and rendered HTML (no browser)."""

import datetime as dt
import re

import folium
import pytest

from containment import get_rule, plan_zones, read_cases
from containment.render.mapview import MapLayers, build_map
from containment.render.offline import ASSETS, STATIC_DIR, UnknownAssetError, serve_locally
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def sample(dungarpur):
    cases = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases
    zones = plan_zones(
        cases, get_rule("mohfw-2020-rural"), as_of=dt.date(2020, 5, 15), district=dungarpur
    )
    return cases, zones.zones


@pytest.fixture(scope="module")
def rendered(dungarpur, sample):
    cases, zones = sample
    return build_map(dungarpur, MapLayers(proposals=zones, cases=cases)).get_root().render()


def test_every_asset_is_served_by_the_app(rendered):
    urls = re.findall(r'(?:src|href)="([^"]+)"', rendered)
    assert urls, "the map loads scripts"
    assert all(url.startswith("/app/static/vendor/") for url in urls), urls
    for url in urls:
        assert (STATIC_DIR / url.removeprefix("/app/static/")).is_file(), url


def test_every_vendored_asset_exists():
    for path in filter(None, ASSETS.values()):
        assert (STATIC_DIR / path).is_file(), path


def test_an_element_with_unknown_assets_is_refused():
    fmap = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(fmap)
    with pytest.raises(UnknownAssetError, match="markerclusterjs"):
        serve_locally(fmap)


def test_online_tiles_are_offered_but_off(dungarpur):
    fmap = build_map(dungarpur)
    tiles = [c for c in fmap._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tiles) == 1
    assert tiles[0].show is False


def test_layers_can_be_switched_and_are_named(rendered):
    for name in (
        "Blocks",
        "Dungarpur district",
        "Villages (zoom in to 11+)",
        "Health facilities",
        "Rule proposals (not saved): containment",
        "Rule proposals (not saved): buffer",
        "Cases (300)",
    ):
        assert f'"{name}"' in rendered, name


def test_tools_and_legend_are_there(rendered):
    tools = (
        "L.Control.Draw",
        "L.Control.Measure",
        "L.Control.Search",
        "L.control.fullscreen",
        "map-legend",
        "L.control.scale",
        "draw:drawstart",  # the canvas goes quiet while drawing
    )
    for marker in tools:
        assert marker in rendered, marker


def test_zone_popups_show_their_figures(rendered):
    for alias in (
        "People (est.)",
        "Households (est.)",
        "Release due",
        "Blocks",
        "Facilities inside",
    ):
        assert alias in rendered


def test_cases_carry_no_identity(rendered, sample):
    cases, _ = sample
    assert not any(case_id in rendered for case_id in cases["case_id"].head(50))


def test_a_saved_zone_can_be_put_in_the_drawing_layer(dungarpur, sample):
    _, zones = sample
    fmap = build_map(dungarpur, MapLayers(editable=zones.geometry.iloc[0]))
    html = fmap.get_root().render()
    assert "L.polygon" in html
    assert "options.edit.featureGroup" in html


def test_centres_show_their_beds_in_a_popup(dungarpur):
    import geopandas as gpd
    import shapely

    centres = gpd.GeoDataFrame(
        {"name": ["CCC"], "kind": ["covid_care_centre"], "capacity": [50], "occupied": [5]},
        geometry=[shapely.Point(73.7, 23.8)],
        crs=4326,
    )
    html = build_map(dungarpur, MapLayers(centres=centres)).get_root().render()
    assert '"kind_label": "COVID care centre"' in html
    assert '"beds_free": "45"' in html  # numbers as people read them
    assert '["Centre", "Kind", "Beds", "Occupied", "Free"]' in html


def test_a_map_without_cases_neither_draws_nor_lists_them(dungarpur, sample, rendered):
    _, zones = sample
    police_map = build_map(dungarpur, MapLayers(proposals=zones), draw=False).get_root().render()
    assert "Cases (" not in police_map
    assert ">Case &nbsp;" not in police_map
    assert ">Case &nbsp;" in rendered  # the planner's map, with cases, lists them


def test_the_map_draws_its_words_in_the_apps_devanagari_font(rendered):
    faces = re.findall(r"url\((/app/static/vendor/fonts/[^)]+\.woff2)\)", rendered)
    assert any("devanagari-devanagari-400" in face for face in faces)
    assert all((STATIC_DIR / face.removeprefix("/app/static/")).is_file() for face in faces)
    assert 'font-family: "Noto Sans Devanagari"' in rendered
