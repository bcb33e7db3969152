"""The district picker in a real browser: another district, its own store and first account, and
its map drawn from its own layers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from containment.store import SQLiteStore
from tests.e2e.helpers import WAIT_MS, log_in, running_app, wait_for_map, wait_idle

pytestmark = pytest.mark.browser
PASSWORD = "a banswara password"


def choose(page: Page, label: str, option: str) -> None:
    """Choose ``option`` in the select box ``label`` by typing it (a rerun meanwhile may close
    the list: try again)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        wait_idle(page)
        if box.input_value() == option:
            return
        box.click()
        page.keyboard.type(option)
        item = page.get_by_role("option", name=option, exact=True)
        try:
            item.wait_for(timeout=15_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
    expect(box).to_have_value(option, timeout=WAIT_MS)


def setup_code_in(log: Path, store_name: str) -> str:
    """The set-up code the server wrote to its log for the store ``store_name``, once written."""
    pattern = re.compile(rf"{re.escape(store_name)} has no users yet\..*set-up code: (\S+)")
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        found = pattern.search(log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.2)  # polling the log, not waiting for the app to settle
    raise AssertionError(f"no set-up code for {store_name} in {log}")


def test_a_district_picked_at_login_has_its_own_store_users_and_map(
    app_url, app_store, app_log, offline_page
):
    page = offline_page.page
    page.goto(app_url)
    page.get_by_role("heading", name="Containment Planner — Dungarpur").wait_for()
    choose(page, "District", "Banswara")
    page.get_by_role("heading", name="Containment Planner — Banswara").wait_for()
    page.get_by_text("This store has no users yet").wait_for()  # Dungarpur's users are not here
    wait_idle(page)  # the form is drawn for good before it is filled in
    page.get_by_label("Set-up code (from the server's log)").fill(
        setup_code_in(app_log, "banswara.sqlite")
    )
    page.get_by_label("Collector's user name").fill("bansi")
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.get_by_text("Account 'bansi' created: log in.").wait_for()
    wait_idle(page)
    log_in(page, "bansi", PASSWORD)
    page.get_by_text("Banswara district").first.wait_for()
    frame = wait_for_map(page)
    layers = frame.locator(".leaflet-control-layers").text_content() or ""
    assert "Banswara district" in layers  # its own outline, blocks and villages
    banswara = app_store.backend.path.with_name("banswara.sqlite")
    assert list(SQLiteStore(banswara).users()["username"]) == ["bansi"]
    assert "bansi" not in set(app_store.users()["username"])
    assert offline_page.external == []

    page.reload()  # the login cookie knows the district: still Banswara, still logged in
    page.get_by_text("Signed in as bansi").wait_for()
    page.get_by_text("Banswara district").first.wait_for()


def test_the_command_line_flag_serves_one_district(offline_page, tmp_path):
    page = offline_page.page
    flag = ["--district", "Sawai Madhopur"]
    with running_app(tmp_path, tmp_path / "streamlit.log", args=flag) as url:
        page.goto(url)
        page.get_by_role("heading", name="Containment Planner — Sawai Madhopur").wait_for()
        wait_idle(page)
        expect(page.get_by_role("combobox", name="District", exact=True)).to_have_count(0)
