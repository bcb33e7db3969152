"""Hindi and English in the browser: a user switches to हिन्दी, the app answers in Hindi in
the app's own Devanagari font (served by the app, no network), and keeps the choice with the
user across a reload and a new login, until they switch back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import E2E_PASSWORD, E2E_USER, WAIT_MS, log_in, map_frame, wait_idle

pytestmark = pytest.mark.browser

FONT = "Noto Sans Devanagari"
# Whether the app's Devanagari face is loaded and is what the browser draws Hindi text with.
FONT_IN_USE = f"""async () => {{
    await document.fonts.ready;
    const ours = [...document.fonts].filter(
        (f) => f.family.replaceAll('"', '') === '{FONT}' && f.status === 'loaded');
    const h1 = document.querySelector('h1');
    return ours.length > 0
        && document.fonts.check('16px "{FONT}"', 'क')
        && getComputedStyle(h1).fontFamily.includes('{FONT}');
}}"""


MAP_FONT_IN_USE = f"""() => [...document.fonts].some(
    (f) => f.family.replaceAll('"', '') === '{FONT}' && f.status === 'loaded')
    && getComputedStyle(document.querySelector('.leaflet-container')).fontFamily.includes('{FONT}')
"""


def choose(page: Page, language: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=language).click()
    wait_idle(page)


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1, name=text)).to_be_visible(timeout=WAIT_MS)


def log_in_as_before(page: Page) -> None:
    """Log in on the login page (English until a language is picked on it), and wait for the
    sidebar, in whatever language the user reads."""
    page.get_by_label("User name", exact=True).fill(E2E_USER)
    page.get_by_role("textbox", name="Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(E2E_USER, exact=False).first.wait_for(timeout=WAIT_MS)


def test_a_user_reads_the_app_in_hindi_in_its_own_font_and_it_is_remembered(offline_page, app_url):
    page = offline_page.page
    fonts_served: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: fonts_served.append((r.url, r.status)) if r.url.endswith(".woff2") else None,
    )
    page.goto(app_url)
    log_in(page)
    heading(page, "Plan zones")

    choose(page, "हिन्दी")
    heading(page, "ज़ोन योजना")
    expect(page.get_by_text("कार्य दिनांक").first).to_be_visible()
    assert page.evaluate(FONT_IN_USE)
    devanagari = [
        (url, status)
        for url, status in fonts_served
        if "noto-sans-devanagari-devanagari-400" in url
    ]
    assert devanagari, fonts_served
    assert all(url.startswith(app_url) and status == 200 for url, status in devanagari)
    search = map_frame(page).get_by_placeholder("गाँव खोजें")  # the map speaks Hindi too
    expect(search).to_be_visible(timeout=WAIT_MS)
    the_map = next(f for f in page.frames if "streamlit_folium" in f.url)
    the_map.wait_for_function(MAP_FONT_IN_USE, timeout=WAIT_MS)

    page.reload()  # the login cookie keeps the session: the app comes back in Hindi
    heading(page, "ज़ोन योजना")

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="लॉग आउट").click()
    # The login page stays in the language the user worked in.
    expect(page.get_by_role("button", name="लॉग इन करें")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("radio", name="English").click()  # someone else's turn at the computer
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=WAIT_MS)
    log_in_as_before(page)
    heading(page, "Plan zones")  # English was picked on the login page: it is the choice now
    page.reload()
    heading(page, "Plan zones")


def test_the_login_page_itself_can_be_read_in_hindi(offline_page, app_url):
    page = offline_page.page
    page.goto(app_url)
    page.get_by_role("radio", name="हिन्दी").click()
    expect(page.get_by_role("button", name="लॉग इन करें")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("कंटेनमेंट प्लानर")
