"""A planner's day in a real browser, with no internet."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import shapely
from playwright.sync_api import expect

from containment.engine.lifecycle import SavedZone
from tests.e2e.helpers import (
    draw_square,
    finish_drawing,
    open_expander,
    open_page,
    pick_zone,
    wait_for_map,
    wait_idle,
)

pytestmark = pytest.mark.browser


def open_app(offline_page, url: str, path: str = ""):
    page = offline_page.page
    open_page(page, url, path)
    return page, wait_for_map(page)


def zone_picker(page):
    return page.get_by_role("combobox", name="Zone", exact=True)


def test_every_page_loads_with_no_internet(app_url, offline_page):
    page, frame = open_app(offline_page, app_url)
    assert frame.locator(".leaflet-control-layers").count() == 1
    for path, heading in [
        ("import", "Import cases"),
        ("centres", "Centres"),
        ("field", "Field work"),
        ("meeting", "meeting view"),
        ("export", "Export zones"),
    ]:
        open_page(page, app_url, path)
        page.get_by_role("heading", name=re.compile(heading)).wait_for()
    assert offline_page.errors == []


def test_draw_save_notify_export_and_reload(app_url, app_store, offline_page):
    page, frame = open_app(offline_page, app_url)
    draw_square(page, frame)
    finish_drawing(frame)

    page.get_by_text("Drawn zone").wait_for()
    # The figures came back without the map being rebuilt: the drawing is still on it.
    assert frame.locator("body").evaluate("() => window.drawnItems.getLayers().length") == 1
    page.get_by_text("People (est.)").first.wait_for()
    page.get_by_text("Households (est.)").first.wait_for()
    expect(page.get_by_role("combobox", name="Release period")).to_have_value(
        "28 days without a new case (Rajasthan 2020: 1 km curfew zone, no buffer, 28 days)"
    )
    page.get_by_label("Zone name").fill("E2E Ward 7")
    page.get_by_role("button", name="Save zone").click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: draft").wait_for()
    saved = app_store.zones().query("name == 'E2E Ward 7'")
    assert saved[["status", "origin"]].to_numpy().tolist() == [["draft", "drawn"]]
    # The release period shown before saving: the district's working rule (not the rule picker's).
    zone = app_store.zone(saved["zone_id"].iloc[0])
    assert (zone.rule, zone.release_after_days) == ("rajasthan-1km", 28)

    page.get_by_role("button", name="Propose", exact=True).click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: proposed").wait_for()
    open_expander(page, "Notify (collector)", shows="Order number")
    page.get_by_label("Order number").fill("DM/COVID/2020/117")
    page.get_by_role("button", name="Notify zone").click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: notified").wait_for()

    open_page(page, app_url, "centres")
    page.get_by_label("Name", exact=True).fill("CCC Govt school hostel")
    page.get_by_role("button", name="Add centre").click()
    page.get_by_text("Beds free").wait_for()

    open_page(page, app_url, "meeting")
    wait_for_map(page)  # zones in force and centres (with their popups) on the map
    expect(page.get_by_test_id("stMetric").filter(has_text="Zones in force")).to_contain_text("1")

    open_page(page, app_url, "export")
    page.get_by_text("Preview: 1 zone,").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="GeoJSON (zones only)").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    (feature,) = document["features"]
    assert feature["properties"]["name"] == "E2E Ward 7"
    assert feature["properties"]["status"] == "notified"
    assert feature["properties"]["order_number"] == "DM/COVID/2020/117"
    assert "note" not in feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert 73.3 < lon < 74.4
    assert 23.3 < lat < 24.1

    page.reload()  # a new browser session: still logged in (the cookie), everything saved there
    page.get_by_text("Signed in as e2e.collector").wait_for()
    open_page(page, app_url, "export")
    page.get_by_text("Preview: 1 zone,").wait_for()
    open_page(page, app_url)
    wait_for_map(page)
    pick_zone(page, "E2E Ward 7 (containment)")
    page.get_by_text("Status: notified").wait_for()


def test_import_shows_rejected_rows_and_saves_only_on_confirmation(app_url, offline_page, tmp_path):
    line_list = tmp_path / "line-list-11-05-2020.csv"
    line_list.write_text(
        "ICMR ID,Patient Name,Latitude,Longitude,Date of Result,Village,Block,Status\n"
        "E2E-1,Ramesh,23.84,73.71,11-05-2020,,,Active\n"
        "E2E-2,Suresh,,,11-05-2020,Bichiwara,,Active\n"
        "E2E-3,Mahesh,23.84,73.71,31-02-2020,,,Active\n",
        encoding="utf-8",
    )
    page = offline_page.page
    open_page(page, app_url, "import")
    page.locator('input[type="file"]').set_input_files(str(line_list))
    page.get_by_text("3 rows, 2 accepted, 1 rejected.").wait_for()
    page.get_by_text("Identifying columns not read: Patient Name.").wait_for()
    page.get_by_text("If you save, the store gets:").wait_for()
    page.get_by_text("2 new cases").first.wait_for()
    page.get_by_role("button", name="Save 2 accepted cases").click()
    page.get_by_text("Saved: 2 new cases; 0 known cases updated; 1 row rejected.").wait_for()
    expect(page.get_by_text("If you save, the store gets:")).to_have_count(0)  # the box is empty
    assert page.get_by_text("Ramesh").count() == 0


def test_a_saved_zones_shape_is_edited_on_the_map(app_url, app_store, offline_page):
    page, frame = open_app(offline_page, app_url)
    draw_square(page, frame, half_px=40, offset_px=(-60, 90))  # inside, clear of the first zone
    finish_drawing(frame)
    page.get_by_label("Zone name").fill("E2E Mohalla 3")
    page.get_by_role("button", name="Save zone").click()
    expect(zone_picker(page)).to_have_value("E2E Mohalla 3 (containment)")  # the new zone
    (zone_id,) = app_store.zones().query("name == 'E2E Mohalla 3'")["zone_id"]
    before = app_store.zone(zone_id)

    wait_idle(page)  # until the rerun is done, the zone shown before keeps its button too
    page.get_by_role("button", name="Edit shape").click()
    page.get_by_text("Editing the shape of").wait_for()
    frame = wait_for_map(page)
    frame.locator("a.leaflet-draw-edit-edit").click()
    handle = frame.locator(".leaflet-editing-icon:not(.leaflet-middle-icon)").first  # a corner
    box = handle.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 30, box["y"] - 30, steps=8)
    page.mouse.up()
    frame.get_by_role("link", name="Save", exact=True).click()
    page.get_by_role("button", name="Save new shape").click()
    page.get_by_text("Editing the shape of").wait_for(state="detached")
    after = app_store.zone(zone_id)
    assert after.version == before.version + 1
    assert after.geometry.area > before.geometry.area  # a corner was pulled outwards
    assert after.geometry.contains(before.geometry.centroid)


def test_a_zone_drawn_beside_saved_ones_is_saved_and_opened(app_url, app_store, offline_page):
    saved = SavedZone(
        "DZ-e2e-before", "E2E earlier zone", "containment", "drawn", "rajasthan-1km",
        shapely.box(73.70, 23.83, 73.72, 23.85), created_on=dt.date(2020, 5, 15),
    )  # fmt: skip
    app_store.save_zone(saved)  # the zone picker is on the page before the drawing is saved
    page, frame = open_app(offline_page, app_url)
    draw_square(page, frame, offset_px=(-120, 60))
    finish_drawing(frame)
    page.get_by_label("Zone name").fill("E2E Ward 9")
    page.get_by_role("button", name="Save zone").click()
    page.get_by_text("Zone 'E2E Ward 9' saved as a draft.").wait_for()
    expect(zone_picker(page)).to_have_value("E2E Ward 9 (containment)")
    page.get_by_text("Status: draft").wait_for()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert len(app_store.zones().query("name == 'E2E Ward 9'")) == 1


# The layers of the map (Leaflet's, whatever the renderer) with the given class name, with their
# tooltips and bounds; the drawing's own layers (in Leaflet.draw's group) counted apart.
_LAYERS_NAMED = """(name) => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    const found = [];
    let drawn = 0;
    map.eachLayer((layer) => {
        const named = layer instanceof L.GeoJSON
            && layer.getLayers().some((part) => part.options.className === name);
        if (named) {  // the GeoJSON layer holds the tooltip, its parts the style
            const tip = layer.getTooltip();
            found.push({tooltip: tip ? String(tip.getContent()) : "",
                        bounds: layer.getBounds().toBBoxString()});
        }
        if (layer instanceof L.Polygon && layer.editing && layer.options.className !== name) {
            drawn += 1;
        }
    });
    return {found, drawn};
}"""


def test_a_drawn_shape_shows_the_units_it_is_saved_as_before_saving(app_url, offline_page):
    page, frame = open_app(offline_page, app_url)
    draw_square(page, frame, half_px=40, offset_px=(60, -40))
    finish_drawing(frame)
    page.get_by_text("Drawn zone").wait_for()
    caption = page.get_by_text(re.compile(r"Saved as the \d+ ground units? it covers"))
    caption.wait_for()
    in_map = next(f for f in page.frames if "streamlit_folium" in f.url)
    in_map.wait_for_function(f"() => ({_LAYERS_NAMED})('snapped-preview').found.length === 1")
    layers = in_map.evaluate(_LAYERS_NAMED, "snapped-preview")
    (preview,) = layers["found"]
    places = caption.inner_text().split(": ", 1)[1].rstrip(".")
    assert "Saved as these ground units: " in preview["tooltip"]
    assert places.split(",")[0] in preview["tooltip"]
    assert layers["drawn"] >= 1  # the drawing itself is still on the map, under the preview
    west, south, east, north = map(float, preview["bounds"].split(","))
    assert 73.3 < west < east < 74.4
    assert 23.3 < south < north < 24.1
    expect(page.get_by_test_id("stException")).to_have_count(0)


_MAP_ZOOM = "() => Object.values(window).find((v) => v instanceof L.Map).getZoom()"


def test_the_wheel_scrolls_the_page_over_the_map_until_the_map_is_clicked(app_url, offline_page):
    page, frame = open_app(offline_page, app_url)
    in_map = next(f for f in page.frames if "streamlit_folium" in f.url)
    zoom = in_map.evaluate(_MAP_ZOOM)
    top = frame.locator(".leaflet-container").bounding_box()["y"]
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 250)
    expect(frame.locator(".map-wheel-hint")).to_be_visible()  # how to zoom, said on the map
    page.wait_for_function(  # the page scrolled: the map moved up
        "([title, top]) => document.querySelector(`iframe[title='${title}']`)"
        ".getBoundingClientRect().top < top - 50",
        arg=["streamlit_folium.st_folium", top],
    )
    assert in_map.evaluate(_MAP_ZOOM) == zoom
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -250)
    in_map.wait_for_function(f"() => ({_MAP_ZOOM})() > {zoom}")  # clicked: the wheel zooms
