"""A planner's day in a real browser, with no internet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def open_app(offline_page, url: str, path: str = ""):
    page = offline_page.page
    page.goto(f"{url}/{path}")
    frame = page.frame_locator(MAP_FRAME).first if path in ("", "plan", "meeting") else None
    if frame is not None:
        frame.locator(".leaflet-container .map-legend").wait_for()
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
    return page, frame


def draw_square(page, frame, *, half_px: int = 50) -> None:
    """Draw a square around the map's centre with the polygon tool, vertex by vertex."""
    frame.locator("a.leaflet-draw-draw-polygon").click()
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    vertices = frame.locator(".leaflet-editing-icon")
    for n, (dx, dy) in enumerate([(-1, -1), (1, -1), (1, 1), (-1, 1)], start=1):
        page.mouse.move(cx + dx * half_px, cy + dy * half_px, steps=4)
        page.mouse.down()
        page.mouse.up()
        expect(vertices).to_have_count(n)  # Leaflet.draw took the vertex
    frame.get_by_role("link", name="Finish").click()


def zone_picker(page):
    return page.get_by_role("combobox", name="Zone", exact=True)


def test_every_page_loads_with_no_internet(app_url, offline_page):
    page, frame = open_app(offline_page, app_url)
    assert frame.locator(".leaflet-control-layers").count() == 1
    for path, heading in [("import", "Import cases"), ("centres", "Centres"),
                          ("meeting", "meeting view"), ("export", "Export zones")]:  # fmt: skip
        page.goto(f"{app_url}/{path}")
        page.get_by_role("heading", name=re.compile(heading)).wait_for()
    assert offline_page.errors == []


def test_draw_save_notify_export_and_reload(app_url, offline_page):
    page, frame = open_app(offline_page, app_url)
    draw_square(page, frame)

    page.get_by_text("Drawn zone").wait_for()
    page.get_by_text("Population (est.)").first.wait_for()
    page.get_by_text("Households (est.)").first.wait_for()
    page.get_by_label("Zone name").fill("E2E Ward 7")
    page.get_by_role("button", name="Save zone").click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: draft").wait_for()

    page.get_by_role("button", name="Propose", exact=True).click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: proposed").wait_for()
    page.get_by_role("button", name="Notify (collector)").click()
    page.get_by_label("Order number").fill("DM/COVID/2020/117")
    page.get_by_role("button", name="Notify zone").click()
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: notified").wait_for()

    page.goto(f"{app_url}/export")
    page.get_by_text("Preview: 1 zones").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="GeoJSON (police)").click()
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

    page.reload()
    page.get_by_text("Preview: 1 zones").wait_for()
    page.goto(f"{app_url}/plan")
    expect(zone_picker(page)).to_have_value("E2E Ward 7 (containment)")
    page.get_by_text("Status: notified").wait_for()
