"""The planning map, checked through its folium structure and rendered HTML (no browser)."""

import base64
import datetime as dt
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from containment import get_rule, plan_zones, read_cases
from containment.io.synthetic import synthetic_cases
from containment.render.mapcases import POINTS_MIN_ZOOM, case_layer_data
from containment.render.mapview import MapLayers, OwnLayer, build_map, picked_point
from containment.render.offline import ASSETS, STATIC_DIR, UnknownAssetError, serve_locally
from tests.conftest import TODAY


def _call_argument(html: str, call: str) -> str:
    """The first argument of the first ``call(`` in the page's script, as written."""
    start = html.index(call + "(") + len(call) + 1
    value, _end = json.JSONDecoder().raw_decode(html, start)
    return json.dumps(value)


def label_rows(html: str) -> list[list]:
    """The names the map writes: ``[lat, lon, text, kind, priority, min_zoom, ...]``."""
    return json.loads(_call_argument(html, "L.Containment.labelLayer"))


def legend(html: str) -> dict:
    """The legend's title, corner and rows (its first argument is the map)."""
    start = html.index(", ", html.index("L.Containment.legend(")) + 2
    value, _end = json.JSONDecoder().raw_decode(html, start)
    return value


def legend_rows(html: str) -> str:
    return json.dumps(legend(html)["entries"])


def case_data(html: str) -> dict:
    return json.loads(_call_argument(html, "L.Containment.caseLayer"))


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
    assert all(url.startswith(("/app/static/vendor/", "/app/static/map/")) for url in urls), urls
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
        "L.Containment.legend",
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
    assert "L.Containment.caseLayer" not in police_map
    assert '"Cases (count)"' not in legend_rows(police_map)
    assert '"Cases (count)"' in legend_rows(rendered)  # the planner's map, with cases, lists them


# --- places that can be found ------------------------------------------------------------------


def test_block_names_and_towns_are_always_named(dungarpur):
    rows = label_rows(build_map(dungarpur).get_root().render())
    always = {(r[2], r[3]) for r in rows if r[5] == 0}
    blocks = set(dungarpur.blocks["name"])
    assert {name for name, kind in always if kind == "block"} == blocks
    towns = {name for name, kind in always if kind == "town"}
    assert towns == {"Dungarpur", "Sagwara", "Galiyakot", "Simalwara"}  # the town cells' towns
    assert ("Aspur", "hq") in always  # a tehsil headquarters that is no town is marked too


def test_village_names_appear_only_when_zoomed_in(dungarpur):
    rows = label_rows(build_map(dungarpur).get_root().render())
    villages = [r for r in rows if r[3] == "village"]
    assert len(villages) == len(dungarpur.habitations)
    assert min(r[5] for r in villages) >= 12  # never at the zooms a whole district is seen at
    assert {r[5] for r in villages} == {12, 13}  # large villages from 12, the others from 13
    biggest = dungarpur.habitations.loc[dungarpur.habitations["population"].idxmax(), "name"]
    by_name = {r[2]: r for r in villages}
    assert by_name[biggest][4] == max(r[4] for r in villages)  # the larger win a crowded place


def test_names_outrank_each_other_in_a_stated_order(dungarpur, sample):
    _, zones = sample
    zones = zones.assign(
        name=[f"Zone {i}" for i in range(len(zones))],
        status=["notified"] + ["proposed"] * (len(zones) - 1),
    )
    rows = label_rows(build_map(dungarpur, MapLayers(zones=zones)).get_root().render())
    priority = {}
    for row in rows:
        priority.setdefault(row[3], []).append(row[4])
    assert min(priority["block"]) > max(priority["zone"])  # block names always show
    assert max(priority["zone"]) > max(priority["town"]) > max(priority["village"])


def test_each_zone_is_named_on_itself(dungarpur, sample):
    _, zones = sample
    named = zones.assign(name=[f"Zone {i}" for i in range(len(zones))], status="notified")
    rows = label_rows(build_map(dungarpur, MapLayers(zones=named)).get_root().render())
    zone_rows = {r[2]: r for r in rows if r[3] in ("zone", "buffer")}
    for zone in named.itertuples():
        row = zone_rows[zone.name]
        assert zone.geometry.buffer(1e-6).contains(shapely.Point(row[1], row[0])), zone.name
        assert row[5] == (0 if zone.kind == "containment" else 11)


def test_proposed_zones_are_named_only_from_zoom_10_5(dungarpur, sample):
    _, zones = sample
    zones = zones.assign(name=[f"Zone {i}" for i in range(len(zones))], status="proposed")
    rows = label_rows(build_map(dungarpur, MapLayers(zones=zones)).get_root().render())
    proposed = [r for r in rows if r[3] == "zone"]
    assert proposed
    assert all(r[5] == 10.5 for r in proposed)


def test_a_name_on_the_map_is_text_never_markup(dungarpur, sample):
    _, zones = sample
    attack = "</script><img src=x onerror=alert(1)> Ward"
    named = zones.head(1).assign(name=attack, status="notified")
    html = build_map(dungarpur, MapLayers(zones=named)).get_root().render()
    assert "<img src=x" not in html
    assert attack[:30] in [r[2][:30] for r in label_rows(html)]  # the script gets the characters


def test_roads_are_on_every_map_thin_and_under_the_zones(dungarpur):
    html = build_map(dungarpur, draw=False).get_root().render()
    assert '"Roads"' in html
    road = dungarpur.roads.geometry.iloc[0].coords[0]
    assert f"{road[0]:.5f}"[:7] in html
    panes = dict(re.findall(r'createPane\(\s*"([\w-]+)"\);\s*\S+\.style\.zIndex = (\d+)', html))
    assert int(panes["cm-roads"]) < 400 < int(panes["cm-labels"])  # zones are drawn at 400
    assert re.search(r'"pane": "cm-roads"', html)


def test_the_legend_is_compact_in_a_corner_beside_the_district(dungarpur, sample):
    cases, zones = sample
    html = build_map(dungarpur, MapLayers(proposals=zones, cases=cases)).get_root().render()
    shown = legend(html)
    assert shown["position"] == "bottomright"
    assert len(shown["entries"]) <= 6  # a few rows, each holding several entries
    assert '"paddingBottomRight": [170, 0]' in html  # the district is fitted beside it


# --- cases that do not swamp the zones ----------------------------------------------------------


def test_cases_are_counts_per_hexagon_until_zoomed_in(dungarpur):
    cases = synthetic_cases(dungarpur, 2000, seed=1, hotspots=10)
    data = case_layer_data(cases, dungarpur.metric_crs)
    for level in data["levels"]:
        assert sum(cell[2] for cell in level["cells"]) == len(cases)
        assert level["maxZoom"] <= POINTS_MIN_ZOOM
    coarse, fine = data["levels"]
    assert len(coarse["cells"]) < len(fine["cells"]) < len(cases)


def test_case_points_are_packed_to_within_two_metres(dungarpur):
    cases = synthetic_cases(dungarpur, 500, seed=2, hotspots=5)
    data = case_layer_data(cases, dungarpur.metric_crs)
    packed = np.frombuffer(base64.b64decode(data["points"]), dtype="<u2").reshape(-1, 3)
    lat = data["south"] + packed[:, 0] * data["dlat"]
    lon = data["west"] + packed[:, 1] * data["dlon"]
    back = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(dungarpur.metric_crs)
    assert (
        back.distance(cases.geometry.to_crs(dungarpur.metric_crs).reset_index(drop=True)).max() < 2
    )
    first = cases["reported_on"].min()
    assert (packed[:, 2] == (cases["reported_on"] - first).dt.days.to_numpy()).all()


def test_a_hundred_thousand_cases_make_no_marker_each(dungarpur):
    cases = synthetic_cases(dungarpur, 100_000, seed=3, hotspots=40)
    html = build_map(dungarpur, MapLayers(cases=cases)).get_root().render()
    assert len(html) < 2_000_000  # six bytes a case (base64: eight), counts per hexagon
    assert "circleMarker" not in html.split("L.Containment.caseLayer")[1][:2000]
    assert case_data(html)["points_count"] == 100_000


def test_more_cases_than_the_page_should_carry_are_only_counted(dungarpur):
    cases = synthetic_cases(dungarpur, 3000, seed=4, hotspots=10)
    data = case_layer_data(cases, dungarpur.metric_crs, max_points=1000)
    assert data["points"] == ""
    assert data["points_count"] == 0
    assert data["levels"][-1]["maxZoom"] > 20  # counts at every zoom, in small cells
    assert sum(c[2] for c in data["levels"][-1]["cells"]) == 3000


# --- the district's own layers, and the clicked point -------------------------------------------


def test_own_layers_are_drawn_under_everything(dungarpur):
    wards = gpd.GeoDataFrame(
        {"label": ["Ward <b>7</b>"]}, geometry=[shapely.box(73.70, 23.83, 73.72, 23.85)], crs=4326
    )
    roads = gpd.GeoDataFrame(
        {"label": ["NH 48"]}, geometry=[shapely.LineString([(73.7, 23.8), (73.8, 23.9)])], crs=4326
    )
    own = (
        OwnLayer("Wards", "areas", features=wards),
        OwnLayer("Town roads", "roads", features=roads),
        OwnLayer("Survey <i>tiles</i>", "tiles", url="/tiles/L-1/{z}/{x}/{y}", format="png",
                 min_zoom=10, max_zoom=16, attribution="<script>x</script>"),
        OwnLayer("Streets", "tiles", url="/tiles/L-2/{z}/{x}/{y}", format="pbf",
                 vector_layers=("roads", "water")),
    )  # fmt: skip
    html = build_map(dungarpur, MapLayers(own=own), draw=False).get_root().render()
    assert ("Ward <b>7</b>", "ward") in {(r[2], r[3]) for r in label_rows(html)}
    assert '"Town roads"' in html
    assert '"Wards"' in html
    assert '"/tiles/L-1/{z}/{x}/{y}"' in html
    assert '"maxNativeZoom": 16' in html
    # Leaflet writes layer names and attributions as markup: they arrive escaped.
    assert "Survey \\u0026lt;i\\u0026gt;tiles" in html
    assert "<i>tiles" not in html
    assert "<script>x</script>" not in html
    assert 'L.Containment.vectorTiles("/tiles/L-2/{z}/{x}/{y}"' in html
    assert "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in html


def test_the_clicked_point_is_marked(dungarpur):
    fmap = build_map(dungarpur, draw=False)
    group = picked_point(73.71, 23.84, "New <centre>")
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert "[23.84, 73.71]" in html
    assert "New &lt;centre&gt;" in html
    assert "New <centre>" not in html


def test_the_map_draws_its_words_in_the_apps_devanagari_font(rendered):
    faces = re.findall(r"url\((/app/static/vendor/fonts/[^)]+\.woff2)\)", rendered)
    assert any("devanagari-devanagari-400" in face for face in faces)
    assert all((STATIC_DIR / face.removeprefix("/app/static/")).is_file() for face in faces)
    assert 'font-family: "Noto Sans Devanagari"' in rendered


def test_a_zone_popup_gives_its_dates_day_first_and_wraps_inside_the_map(dungarpur, sample):
    _, zones = sample
    notified = zones.head(1).assign(
        status="notified",
        order_number="DM/COVID/2020/14",
        notified_on=dt.date(2020, 5, 31),
        facilities_inside="; ".join(f"Primary Health Centre number {n}" for n in range(20)),
    )
    html = build_map(dungarpur, MapLayers(zones=notified)).get_root().render()
    assert "31-05-2020" in html
    assert "2020-05-31" not in html
    assert "Notified on" in html
    assert '"maxWidth": 320' in html or "maxWidth: 320" in html or '"maxWidth":320' in html
    assert "overflow-wrap: anywhere" in html


def test_the_scale_bar_is_in_kilometres_only(rendered):
    assert "imperial: false" in rendered
