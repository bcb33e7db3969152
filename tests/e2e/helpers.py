"""Driving the app in a browser: shared by the browser tests and the app benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import FrameLocator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
E2E_USER, E2E_PASSWORD = "e2e.collector", "an e2e test password"
E2E_USERS = {E2E_USER: "collector", "e2e.planner": "planner", "e2e.police": "police"}


def log_in(page: Page, user: str = E2E_USER, password: str = E2E_PASSWORD) -> None:
    """Fill the login form the app shows on a new browser session, and wait until it is gone."""
    page.get_by_label("User name", exact=True).fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text(f"Signed in as {user}").wait_for()


def wait_idle(page: Page) -> None:
    """Wait until the app's script is not running (no rerun in flight)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


# A busy two-core machine can take many seconds over one rerun: every wait has room for that.
WAIT_MS = 60_000


def pick_zone(page: Page, label: str) -> None:
    """Choose a saved zone in the Plan page's zone picker (its label: "name (kind)")."""
    picker = page.get_by_role("combobox", name="Zone", exact=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:  # a rerun meanwhile redraws the picker, closing its list
        wait_idle(page)
        if picker.input_value() == label:
            break
        picker.click()
        page.keyboard.press("ArrowDown")  # opens the list (a click alone only focuses it)
        option = page.get_by_role("option", name=label, exact=True)
        try:
            option.wait_for(timeout=15_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        option.dispatch_event("click")  # on the option itself, whatever overlays the page
    expect(picker).to_have_value(label, timeout=WAIT_MS)


def open_expander(page: Page, label: str, shows: str) -> None:
    """Open the expander ``label`` until the field labelled ``shows`` inside it is visible (a
    rerun finishing meanwhile can redraw the expander as it was)."""
    field = page.get_by_label(shows, exact=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        wait_idle(page)
        if field.is_visible():
            return
        page.get_by_text(label, exact=True).click()
        try:
            field.wait_for(state="visible", timeout=10_000)
        except PlaywrightTimeout:
            continue
    expect(field).to_be_visible(timeout=1)


def open_page(page: Page, url: str, path: str = "", user: str = E2E_USER) -> None:
    """Go to a page of the app as ``user``: log in if the page asks (a reload keeps a login,
    through the login cookie), or log out first if someone else is logged in."""
    page.goto(f"{url}/{path}")
    form = page.get_by_label("User name", exact=True)
    signed = page.get_by_text("Signed in as")
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline and not (form.is_visible() or signed.is_visible()):
        time.sleep(0.2)  # polling for whichever page the app shows, not waiting for luck
    if signed.is_visible():
        if page.get_by_text(f"Signed in as {user}").count():
            return
        page.get_by_role("button", name="Log out").click()
        form.wait_for()
    log_in(page, user)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling interval, not a wait for the app to settle
    raise TimeoutError(f"streamlit did not answer /_stcore/health within {timeout_s} s")


@contextmanager
def running_app(
    data_dir: Path,
    log_path: Path,
    timeout_s: float = 120,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> Iterator[str]:
    """``streamlit run serve.py`` (the app and its login-cookie routes) on a free port, with its
    store in ``data_dir`` and ``args`` for the app after ``--``; yields the URL."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "serve.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *(["--", *args] if args else []),
            ],
            cwd=ROOT,
            env={**os.environ, "CONTAINMENT_DATA": str(data_dir), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, timeout_s)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


def map_frame(page: Page) -> FrameLocator:
    return page.frame_locator(MAP_FRAME).first


def wait_for_map(page: Page) -> FrameLocator:
    """Wait until the map's script has run (legend shown) and its canvas is drawn."""
    frame = map_frame(page)
    frame.locator(".leaflet-container .map-legend").wait_for()
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
    return frame


def draw_square(
    page: Page, frame: FrameLocator, *, half_px: int = 50, offset_px: tuple[int, int] = (0, 0)
) -> None:
    """Draw a square around the map's centre (moved by ``offset_px``), vertex by vertex."""
    frame.locator("a.leaflet-draw-draw-polygon").click()
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    cx = box["x"] + box["width"] / 2 + offset_px[0]
    cy = box["y"] + box["height"] / 2 + offset_px[1]
    vertices = frame.locator(".leaflet-editing-icon")
    origin = page.locator(MAP_FRAME).first.bounding_box()
    assert origin is not None
    for n, (dx, dy) in enumerate([(-1, -1), (1, -1), (1, 1), (-1, 1)], start=1):
        x, y = cx + dx * half_px, cy + dy * half_px
        _hover_until(page, "leaflet-mouse-marker", x, y, origin)
        page.mouse.down()
        page.mouse.up()
        expect(vertices).to_have_count(n)  # Leaflet.draw took the vertex
        _wait_until_draw_takes_clicks(page)


# Leaflet.draw ignores a click that comes within 50 ms of the last vertex (a guard against
# double clicks); a person never clicks that fast, a test does. Wait for the guard to lift.
_DRAW_TAKES_CLICKS = """() => {
    const control = Object.values(window).find((v) => v instanceof L.Control.Draw);
    const mode = control && control._toolbars.draw._activeMode;
    return !mode || !mode.handler._disableMarkers;
}"""


def _map_frame_object(page: Page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _wait_until_draw_takes_clicks(page: Page) -> None:
    _map_frame_object(page).wait_for_function(_DRAW_TAKES_CLICKS)


def _hover_until(page: Page, css_class: str, x: float, y: float, origin: dict) -> None:
    """Move the mouse to (x, y) until the element with ``css_class`` is under the pointer.

    Leaflet.draw takes a vertex only when the button is pressed on its cursor marker, which
    follows the mouse's move events; a hand keeps moving, a test's single jump can leave the
    marker behind. So keep nudging the pointer by a pixel until the marker is under it.
    """
    frame = _map_frame_object(page)
    under = (
        "([x, y, name]) => { const e = document.elementFromPoint(x, y);"
        " return !!e && e.classList.contains(name); }"
    )
    page.mouse.move(x, y, steps=4)
    for nudge in range(50):
        if frame.evaluate(under, [x - origin["x"], y - origin["y"], css_class]):
            return
        page.mouse.move(x + (nudge % 2), y, steps=2)
        page.mouse.move(x, y)
    raise AssertionError(f"the drawing cursor never reached ({x:.0f}, {y:.0f})")


def finish_drawing(frame: FrameLocator) -> None:
    frame.get_by_role("link", name="Finish").click()
