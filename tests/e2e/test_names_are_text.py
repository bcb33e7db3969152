"""Names are text: a store and a district whose names are attacks, every page that draws a
map opened as each role, in Chromium — no dialog, no script run, the map drawn, the names shown
as the characters they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import containment as cp
from containment.engine.lifecycle import SavedZone
from containment.field.centres import Centre
from tests.e2e.helpers import ROOT, map_frame, open_page, wait_for_map

pytestmark = pytest.mark.browser

# Each would run as the viewer (the collector, the police) if a page took it for markup.
RUN = "top.__xss=(top.__xss||0)+1;alert(1)"
IMG = f'<img src=x onerror="{RUN}">'
SCRIPT = f"</script><script>{RUN}</script>"
TEMPLATE = "${" + RUN + "}`"
PIXEL = "![seen](http://tracker.example/pixel.png)"  # Markdown: a request off this machine
# Markdown that Streamlit would turn into links and icons: bare links, a mail address, an icon.
LINKS = "www.phish.example x@phish.example https://phish.example/a :material/warning:"

ZONE_NAME = f"{IMG} {PIXEL} {LINKS} Ward"
CENTRE_NAME = f"{IMG}{TEMPLATE} CCC"
VILLAGE_NAME = f"{IMG} Vas"
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the shipped district whose village inside the ward has an attack for a name."""
    root = tmp_path_factory.mktemp("geodata")
    folder = root / "dungarpur"
    shutil.copytree(ROOT / "geodata" / "dungarpur", folder)
    path = folder / "dungarpur_habitations_pmgsy.geojson"
    villages = gpd.read_file(path)
    nearest = (
        villages.to_crs(32643)
        .distance(gpd.GeoSeries([WARD.centroid], crs=4326).to_crs(32643).iloc[0])
        .idxmin()
    )
    villages.loc[nearest, "hab_name"] = VILLAGE_NAME
    villages.to_file(path, driver="GeoJSON")
    return {"CONTAINMENT_GEODATA": str(root)}


@pytest.fixture(scope="module")
def seeded(app_store) -> None:
    district = cp.load_district("dungarpur")
    sample = cp.read_cases(district.sample_cases, district)
    app_store.import_cases(sample.cases, source="sample_cases_SYNTHETIC.csv", synthetic=True)
    last, first = sample.cases["reported_on"].max().date(), sample.cases["reported_on"].min().date()
    notified = SavedZone(
        "NZ-x", ZONE_NAME, "containment", "drawn", "rajasthan-1km", WARD, status="notified",
        order_number=SCRIPT, notified_on=last, note=TEMPLATE, created_on=first,
    )  # fmt: skip
    app_store.save_zone(notified)
    app_store.save_zone(
        SavedZone("DZ-x", SCRIPT, "containment", "drawn", "rajasthan-1km", WARD.buffer(0.02))
    )
    app_store.save_centre(
        Centre("C-x", CENTRE_NAME, "covid_care_centre", 73.71, 23.84, 40, 3, note=SCRIPT)
    )
    point = shapely.Point(73.70, 23.84)
    app_store.save_checkpoints(
        gpd.GeoDataFrame(
            {
                "checkpoint_id": ["CP-x"],
                "zone_id": ["NZ-x"],
                "zone_name": [ZONE_NAME],
                "road": [f"{SCRIPT}{TEMPLATE}"],
                "road_class": [IMG],
            },
            geometry=[point],
            crs=4326,
        )
    )


def _no_script_ran(page) -> None:
    for frame in page.frames:
        assert frame.evaluate("() => window.top.__xss === undefined"), frame.url
    # Names shown in the page's own text (warnings, captions) make no link or icon either.
    assert page.locator("a[href*='phish.example'], a[href*='tracker.example']").count() == 0
    assert page.locator("[data-testid='stMarkdownContainer'] img").count() == 0


_OPEN_ZONE_POPUP = """() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    let text = null;
    map.eachLayer((layer) => {
        const props = layer.feature && layer.feature.properties;
        if (props && String(props.name || '').includes('Ward') && layer.getBounds) {
            layer.fire('click', {latlng: layer.getBounds().getCenter()}, true);
        }
    });
    const popup = document.querySelector('.leaflet-popup-content');
    return popup ? popup.innerText : null;
}"""


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("e2e.planner", ""),
        ("e2e.planner", "field"),
        ("e2e.planner", "meeting"),
        ("e2e.collector", ""),
        ("e2e.collector", "meeting"),
        ("e2e.collector", "centres"),
        ("e2e.police", "police"),
    ],
)
def test_every_map_shows_attacks_as_text(app_url, seeded, offline_page, user, path):
    page = offline_page.page
    open_page(page, app_url, path, user=user)
    if path == "centres":
        page.get_by_text("Click on the map").click()
    frame = wait_for_map(page)
    # the map and its shapes drew (names are drawn on a canvas, not as HTML markers)
    assert frame.locator(".leaflet-interactive, .leaflet-marker-icon").count() >= 1
    _no_script_ran(page)
    if path in ("", "police", "meeting"):
        shown = next(f for f in page.frames if "streamlit_folium" in f.url).evaluate(
            _OPEN_ZONE_POPUP
        )
        assert shown is not None
        assert "<img src=x onerror=" in shown
        assert map_frame(page).locator(".leaflet-popup-content img").count() == 0
    _no_script_ran(page)


@pytest.mark.parametrize(("user", "path"), [("e2e.collector", "export"), ("e2e.police", "export")])
def test_the_export_preview_and_its_map_show_attacks_as_text(
    app_url, seeded, offline_page, user, path
):
    page = offline_page.page
    open_page(page, app_url, path, user=user)
    page.get_by_text("Map of the exported zones").click()
    svg = page.locator("svg[aria-label^='Map of']")
    svg.wait_for()
    assert svg.locator("img").count() == 0
    assert IMG in svg.locator("title").first.text_content()
    _no_script_ran(page)


def test_the_audit_trail_shows_attacks_as_text(app_url, seeded, offline_page):
    page = offline_page.page
    open_page(page, app_url, "audit")
    page.get_by_role("heading", name="Audit trail").wait_for()
    page.get_by_text("entries").first.wait_for()
    _no_script_ran(page)
    assert (
        Path(ROOT / "geodata" / "dungarpur" / "dungarpur_habitations_pmgsy.geojson")
        .read_text(encoding="utf-8")
        .count(VILLAGE_NAME)
        == 0
    )  # the shipped data was not touched
