"""The collector manages users on the Users page, in a real browser: adds a planner, disables
and enables them, resets their password. The new planner logs in; a disabled one cannot; every
change is in the audit trail."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.helpers import WAIT_MS, open_page, wait_idle

pytestmark = pytest.mark.browser

FIRST_PASSWORD = "asha's first password"
NEW_PASSWORD = "asha's second password"


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox ``label`` (a rerun meanwhile closes its list: again)."""
    picker = page.get_by_role("combobox", name=label, exact=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        wait_idle(page)
        if picker.input_value() == option:
            wait_idle(page)  # the rerun the choice started is over: the buttons act on it
            return
        picker.click()
        page.keyboard.press("ArrowDown")
        try:
            page.get_by_role("option", name=option, exact=True).wait_for(timeout=15_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        page.get_by_role("option", name=option, exact=True).dispatch_event("click")
    expect(picker).to_have_value(option, timeout=1)


def says(page: Page, text: str) -> None:
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=WAIT_MS)


def try_login(browser, url: str, user: str, password: str) -> Page:
    """A login from another browser (its own cookies), left on whatever the app answered."""
    other = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    other.set_default_timeout(WAIT_MS)
    other.goto(url)
    other.get_by_label("User name", exact=True).fill(user)
    other.get_by_role("textbox", name="Password").fill(password)
    other.get_by_role("button", name="Log in").click()
    return other


def test_the_collector_adds_disables_enables_and_resets_a_planner(
    app_url, app_store, offline_page, browser
):
    page = offline_page.page
    open_page(page, app_url, "users")
    page.get_by_role("heading", name="Users").wait_for()
    wait_idle(page)

    choose(page, "Role", "planner")
    fields = {
        page.get_by_label("User name", exact=True): "Asha",
        page.get_by_label(re.compile(r"^Password \(at least")): FIRST_PASSWORD,
        page.get_by_label("Password again", exact=True): FIRST_PASSWORD,
    }
    for field, value in fields.items():
        field.fill(value)
    for field, value in fields.items():
        expect(field).to_have_value(value)
    page.get_by_role("button", name="Add user").click()
    says(page, "asha added as planner.")

    first = try_login(browser, app_url, "asha", FIRST_PASSWORD)
    first.get_by_text("Signed in as asha").wait_for()  # the new planner works
    first.context.close()

    choose(page, "User", "asha")
    page.get_by_role("button", name="Disable", exact=True).click()
    says(page, "asha disabled: their sessions have ended.")
    refused = try_login(browser, app_url, "asha", FIRST_PASSWORD)
    refused.get_by_text("The account 'asha' is disabled").wait_for()
    assert refused.get_by_text("Signed in as asha").count() == 0
    refused.context.close()

    choose(page, "User", "asha")
    page.get_by_role("button", name="Enable", exact=True).click()
    says(page, "asha may log in again.")

    choose(page, "User", "asha")
    for field in (
        page.get_by_label(re.compile(r"^New password \(at least")),
        page.get_by_label("New password again", exact=True),
    ):
        field.fill(NEW_PASSWORD)
        expect(field).to_have_value(NEW_PASSWORD)
    page.get_by_role("button", name="Reset the password").click()
    says(page, "Password of asha reset: their sessions have ended.")

    again = try_login(browser, app_url, "asha", NEW_PASSWORD)
    again.get_by_text("Signed in as asha").wait_for()
    again.context.close()

    trail = app_store.audit()
    mine = trail[trail["subject"].astype(str) == "user asha"]
    assert {"user added", "user disabled", "user enabled", "password reset"} <= set(mine["action"])
    assert {"login", "login refused"} <= set(trail.loc[trail["username"] == "asha", "action"])
