"""Browser tests: the real app (`streamlit run` on a free port) in Debian's Chromium.

Every request to an address other than this machine is blocked and counted; a test fails if
the page tried one. A screenshot is kept under tests/e2e/artifacts/ when a test fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from containment.store import SQLiteStore, SQLStore, default_store_path
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_PASSWORD,
    E2E_USERS,
    WAIT_MS,
    running_app,
)

expect.set_options(timeout=WAIT_MS)  # expect() waits 5 s by default: too little on a busy machine

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = (
        f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (apt-get install chromium)."
    )
    pytest.fail(message)  # the browser tests never skip: make test installs Chromium


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    """Extra environment for this module's app (a module overrides it, e.g. other geodata)."""
    return {}


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> SQLStore:
    """The store this module's app writes to, for checking what it saved; with one user of
    each role. Every test module has an app and a store of its own: order never matters."""
    store = SQLiteStore(tmp_path_factory.mktemp("data") / default_store_path("dungarpur").name)
    for name, role in E2E_USERS.items():
        store.add_user(name, role, E2E_PASSWORD)
    return store


@pytest.fixture(scope="module")
def app_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's log (what its window shows) of the module's app."""
    return tmp_path_factory.mktemp("logs") / "streamlit.log"


@pytest.fixture(scope="module")
def app_url(app_store: SQLStore, app_env: dict[str, str], app_log: Path) -> Iterator[str]:
    _require_chromium()
    with running_app(app_store.backend.path.parent, app_log, env=app_env) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class OfflinePage:
    """A page whose requests may only go to this machine; the others are counted."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def offline_page(
    browser: object, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    watched = OfflinePage(page)

    def route(route: object) -> None:
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            watched.external.append(url)
            route.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))

    def dialog(shown: object) -> None:  # an alert() from any frame: a script ran that should not
        watched.dialogs.append(f"{shown.type}: {shown.message}")
        shown.dismiss()

    context.on("dialog", dialog)
    yield watched
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert watched.external == [], f"the page tried to reach the internet: {watched.external[:5]}"
    assert watched.errors == [], f"script errors on the page: {watched.errors[:5]}"
    assert watched.dialogs == [], f"the page opened dialogs: {watched.dialogs[:5]}"


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
