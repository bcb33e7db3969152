"""Every file the app hands out is in the audit trail: each download button is made by
``ui.state.download``, which checks the session again, makes the file in the user's language
and records the export (who, the file, how many rows). The browser tests click some of them
(tests/e2e/test_pdf_downloads.py); here, no page makes a download button any other way, and
the pages offer the PDF papers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from containment.service import Service
from tests.pdfs import AS_OF, PASSWORD, make_situation

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "ui").glob("*.py")), ROOT / "app.py"]


def _download_buttons(path: Path) -> list[tuple[str, int]]:
    """(the function it is in, line) of each ``download_button`` call in a module."""
    found: list[tuple[str, int]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for top in tree.body:
        where = top.name if isinstance(top, ast.FunctionDef) else "<module>"
        for node in ast.walk(top):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr == "download_button":
                found.append((where, node.lineno))
    return found


def test_no_page_makes_a_download_button_but_the_audited_one():
    made = {path.name: _download_buttons(path) for path in PAGES}
    elsewhere = {name: calls for name, calls in made.items() if calls and name != "state.py"}
    assert not elsewhere, f"download buttons outside ui/state.py's download(): {elsewhere}"
    assert [function for function, _line in made["state.py"]] == ["download"]


def test_every_page_that_offers_a_file_goes_through_state_download():
    offering = {
        path.name for path in PAGES if "state.download(" in path.read_text(encoding="utf-8")
    }
    assert {"meeting.py", "fieldwork.py", "papers.py", "export.py", "audit.py"} <= offering


@pytest.fixture(scope="module")
def store(tmp_path_factory, dungarpur):
    return make_situation(tmp_path_factory.mktemp("app") / "dungarpur.sqlite", dungarpur).store


def _page(module: str, store, user: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    script = f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n"
    app = AppTest.from_string(script, default_timeout=120)
    app.session_state["session_token"] = Service(store).login(user, PASSWORD).token
    app.session_state["working_date"] = AS_OF
    return app.run()


def _labels(app: AppTest) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_the_meeting_view_offers_the_pack_as_pdf(store, monkeypatch):
    app = _page("meeting", store, "meena", monkeypatch)
    assert not app.exception
    assert "Download the meeting pack (PDF, A4 landscape)" in _labels(app)
    assert not [label for label in _labels(app) if "HTML" in label]


def test_the_police_page_offers_the_papers_of_the_zones_in_force(store, monkeypatch):
    app = _page("police", store, "thana", monkeypatch)
    assert not app.exception
    labels = _labels(app)
    for label in (
        "Public zone list (PDF)",
        "Order annexures, every zone (PDF)",
        "Zone sheets, every zone (PDF)",
        "Order annexure of this zone (PDF)",
        "Sheet of this zone (PDF)",
    ):
        assert label in labels
    picker = app.selectbox(key="police_zone")
    assert len(picker.options) == 5  # the zones in force, one at a time
