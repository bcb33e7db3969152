"""Several people at once, in real browsers: roles, and two people saving the same zone."""

from __future__ import annotations

import pytest
import shapely

from containment.engine.lifecycle import SavedZone, ZoneStatus
from tests.e2e.helpers import WAIT_MS, open_page, pick_zone, wait_for_map

pytestmark = pytest.mark.browser


def test_the_police_see_zones_in_force_without_case_points(app_url, app_store, offline_page):
    page = offline_page.page
    open_page(page, app_url, user="e2e.police")
    page.get_by_role("heading", name="Dungarpur: zones in force").wait_for()
    frame = wait_for_map(page)
    layers = frame.locator(".leaflet-control-layers").inner_text()
    assert "Cases (" not in layers  # no case layer on the police map, hidden or shown
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Zones in force" in nav
    assert "Plan zones" not in nav
    assert "Import cases" not in nav
    assert "Audit trail" not in nav


def test_two_people_saving_the_same_zone_the_second_is_told_what_changed(
    app_url, app_store, browser, offline_page
):
    app_store.save_zone(
        SavedZone("DZ-race", "E2E Race ward", "containment", "drawn", "r",
                  shapely.box(73.74, 23.70, 73.75, 23.71))
    )  # fmt: skip
    planner = offline_page.page
    open_page(planner, app_url, user="e2e.planner")
    wait_for_map(planner)
    pick_zone(planner, "E2E Race ward (containment)")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        collector = context.new_page()
        collector.set_default_timeout(WAIT_MS)
        open_page(collector, app_url)
        wait_for_map(collector)
        pick_zone(collector, "E2E Race ward (containment)")
        collector.get_by_text("Status: draft").wait_for()  # both have version 1 on screen

        planner.get_by_role("button", name="Propose", exact=True).click()
        planner.get_by_text("Status: proposed").wait_for()
        collector.get_by_role("button", name="Propose", exact=True).click()
        alert = collector.get_by_text("Zone 'E2E Race ward' was changed by e2e.planner at")
        alert.wait_for()
        assert "status draft → proposed. Your change was not saved." in alert.inner_text()
        collector.get_by_text("Status: proposed").wait_for()  # and now shows their version
    finally:
        context.close()
    zone = app_store.zone("DZ-race")
    assert (zone.status, zone.version) == (ZoneStatus.PROPOSED, 2)
    assert [by for _, by, *_ in app_store.zone_history("DZ-race")] == ["system", "e2e.planner"]
