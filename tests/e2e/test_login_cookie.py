"""A reload keeps the user logged in, through an HttpOnly cookie; logging out or the session's end
ends it."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import E2E_PASSWORD, WAIT_MS, log_in, wait_idle

pytestmark = pytest.mark.browser
COOKIE = "containment_session"


def session_cookie(context: object, *, present: bool = True) -> dict | None:
    """The login cookie once the browser has it (or, with ``present=False``, once it is gone)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if bool(found) == present:
            return found[0] if found else None
        time.sleep(0.2)  # polling the browser's cookie jar, not waiting for luck
    raise AssertionError(f"the login cookie was {'never set' if present else 'not deleted'}")


def test_a_reload_keeps_the_user_logged_in_and_no_script_can_read_the_token(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    log_in(page)
    cookie = session_cookie(page.context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600  # no longer than a session
    assert COOKIE not in page.evaluate("document.cookie")

    page.reload()
    page.get_by_text("Signed in as e2e.collector").wait_for()
    assert page.get_by_role("button", name="Log in").count() == 0


def test_after_logging_out_a_reload_asks_to_log_in(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    log_in(page)
    token = session_cookie(page.context)["value"]
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    session_cookie(page.context, present=False)

    page.reload()
    page.get_by_role("button", name="Log in").wait_for()
    # The token the cookie held is closed in the store: put back by hand, it opens nothing.
    page.context.add_cookies([{"name": COOKIE, "value": token, "url": app_url}])
    page.reload()
    page.get_by_role("button", name="Log in").wait_for()
    wait_idle(page)
    assert page.get_by_text("Signed in as").count() == 0


def test_a_disabled_user_is_not_let_back_in_by_the_cookie(app_url, app_store, offline_page):
    app_store.add_user("e2e.cookie", "planner", E2E_PASSWORD)
    page = offline_page.page
    page.goto(app_url)
    log_in(page, "e2e.cookie")
    session_cookie(page.context)
    app_store.set_active("e2e.cookie", False)
    page.reload()
    page.get_by_role("button", name="Log in").wait_for()
    wait_idle(page)
    assert page.get_by_text("Signed in as").count() == 0


def test_the_cookie_routes_refuse_other_sites_and_spent_codes(app_url, offline_page):
    request = offline_page.page.context.request
    other_site = request.post(
        f"{app_url}/session/begin",
        form={"code": "x"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert other_site.status == 403
    unknown = request.post(
        f"{app_url}/session/begin", form={"code": "guessed"}, headers={"Origin": app_url}
    )
    assert unknown.status == 400
    assert not [c for c in offline_page.page.context.cookies() if c["name"] == COOKIE]


def test_the_police_land_on_their_own_page_after_logging_in(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)  # the address a planner would use: the Plan page, which police never see
    log_in(page, "e2e.police")
    page.get_by_role("heading", name="Zones in force", exact=False).first.wait_for()
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    page.reload()  # and again after a reload
    page.get_by_role("heading", name="Zones in force", exact=False).first.wait_for()
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    page.goto(f"{app_url}/meeting")  # a planner's link: the police's own page opens instead
    page.get_by_role("heading", name="Zones in force", exact=False).first.wait_for()
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("heading", name="Meeting view").count() == 0
