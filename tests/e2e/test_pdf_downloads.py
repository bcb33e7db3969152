"""The PDF papers downloaded from the app, in Chromium: the meeting pack from the Meeting view,
the zone sheets from the police page — real PDFs, the expected pages, and each download in
the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from containment import i18n
from containment.engine.lifecycle import describe_zones
from containment.render.charts import meeting_charts
from containment.render.pdf.meeting_pack import meeting_pack_pdf
from containment.store import default_store_path
from tests.e2e.helpers import E2E_PASSWORD, E2E_USERS, open_page
from tests.pdfs import A4_LANDSCAPE_PT, AS_OF, Pdf, make_situation

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def situation(tmp_path_factory, dungarpur):
    """This module's store: the synthetic sample on 31-05-2020 with five zones in force and the rest
    proposed (see tests.pdfs), and the e2e users."""
    path = tmp_path_factory.mktemp("data") / default_store_path("dungarpur").name
    situation = make_situation(path, dungarpur)
    for name, role in E2E_USERS.items():
        situation.store.add_user(name, role, E2E_PASSWORD)
    return situation


@pytest.fixture(scope="module")
def app_store(situation):
    """The store the app is started on (see tests/e2e/conftest.py)."""
    return situation.store


def _exports(store) -> list[tuple[str, str]]:
    audit = store.audit(action="export")
    return list(zip(audit["username"], audit["detail"], strict=True))


def test_the_meeting_pack_downloads_as_a_pdf(app_url, situation, offline_page, dungarpur):
    page = offline_page.page
    open_page(page, app_url, "meeting")
    button = page.get_by_role("button", name="Download the meeting pack (PDF, A4 landscape)")
    with page.expect_download(timeout=120_000) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "SYNTHETIC-dungarpur-meeting-2020-05-31.pdf"
    pack = Pdf.of(Path(download.path()).read_bytes())
    store = situation.store
    described = describe_zones(store.zones(), store.cases(), dungarpur, as_of=AS_OF)
    with i18n.language("en"):
        expected = Pdf.of(
            meeting_pack_pdf(
                dungarpur, described, store.cases(), store.centres(), as_of=AS_OF,
                since=AS_OF - dt.timedelta(days=7), synthetic=True,
                charts=meeting_charts(situation.collector.trends(dungarpur, as_of=AS_OF)),
            )
        )  # fmt: skip
    assert pack.pages == expected.pages
    assert pack.sizes() == {A4_LANDSCAPE_PT}
    assert pack.has("5 zones in force")
    assert pack.has("SYNTHETIC — made from training data, not real cases")
    who, detail = _exports(store)[0]
    assert who == "e2e.collector"
    assert detail.startswith("SYNTHETIC-dungarpur-meeting-2020-05-31.pdf: ")


def test_the_police_download_every_zones_sheet(app_url, app_store, offline_page):
    page = offline_page.page
    open_page(page, app_url, "police", user="e2e.police")
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("button", name="Zone sheets, every zone (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-zone-sheets.pdf")
    sheets = Pdf.of(Path(download.path()).read_bytes())
    assert sheets.pages == 5  # one page for each zone in force
    assert sheets.sizes() == {A4_LANDSCAPE_PT}
    assert not sheets.has("SYN-")
    who, detail = _exports(app_store)[0]
    assert who == "e2e.police"
    assert detail.endswith("-zone-sheets.pdf: 5 rows")


def test_downloads_clicked_one_after_another_all_arrive(app_url, app_store, offline_page):
    """A click on a download does not run the page again: a second button clicked at once
    still holds a file to give (a rerun made its first one stale: it spun for ever)."""
    page = offline_page.page
    open_page(page, app_url, "police", user="e2e.police")
    names = [
        "Zone sheets, every zone (PDF)",
        "Police GeoJSON: notified zones with checkpoints",
        "Police GeoPackage: zones and checkpoints layers",
    ]
    got = []
    for _round in range(2):
        for name in names:
            with page.expect_download(timeout=120_000) as download_info:
                page.get_by_role("button", name=name).click()
            got.append(download_info.value.suggested_filename)
    assert len(got) == 6
    assert sorted({name.rsplit(".", 1)[-1] for name in got}) == ["geojson", "gpkg", "pdf"]
