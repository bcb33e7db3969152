"""Every page in Hindi, for every role: no English sentence is left on screen.

The app is run headless (Streamlit's AppTest) against a store with one user of each role, all
reading in Hindi, and with something on every page (cases, zones in each status, a centre,
checkpoints, a home in quarantine and its violation, the day's proposals). Every text a reader
sees — titles, headings, Markdown, captions, messages, widget labels, help and options, tabs,
expanders, metric labels, table headings and the page's buttons — is collected, the data in it
(names of places, zones, centres, roads and users, file names, the district's own notes) taken
out, and what is left may hold no run of two English words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Dataframe, Node

import containment as cp
from containment import i18n
from containment.engine.lifecycle import SavedZone
from containment.field.centres import Centre
from containment.field.checkpoints import propose_checkpoints
from containment.io.roads import standard_roads
from containment.service import Service
from containment.store import SQLiteStore, SQLStore

WORKING_DATE = dt.date(2020, 5, 15)
PASSWORD = "a long test password"
USERS = {"meena": "collector", "ravi": "planner", "thana": "police"}
PAGES = {
    "collector": ["plan", "imports", "centres", "fieldwork", "meeting", "export", "audit", "users"],
    "planner": ["plan", "imports", "centres", "fieldwork", "meeting", "export"],
    "police": ["police", "export"],
}
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
# Two English words in a row: what an untranslated label or sentence looks like.
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, dungarpur: cp.District) -> Iterator[SQLStore]:
    """A store with something on every page, and three users who read Hindi."""
    store = SQLiteStore(tmp_path_factory.mktemp("hindi") / "dungarpur.sqlite")
    sample = cp.read_cases(dungarpur.sample_cases, dungarpur, today=WORKING_DATE)
    store.import_cases(sample.cases, source="dungarpur-sample.csv")
    for name, role in USERS.items():
        store.add_user(name, role, PASSWORD)
        store.set_language(name, "hi")
    notified = store.save_zone(
        SavedZone(
            "DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD, status="notified",
            order_number="12/2020", notified_on=WORKING_DATE, created_on=WORKING_DATE,
        )
    )  # fmt: skip
    for zone_id, name, status in (("DZ-2", "Galiyakot", "proposed"), ("DZ-3", "Aspur", "draft")):
        store.save_zone(
            SavedZone(
                zone_id, name, "containment", "drawn", "rajasthan-1km",
                WARD.buffer(0.05).difference(WARD.buffer(0.02 * int(zone_id[-1]))),
                status=status, created_on=WORKING_DATE,
            )
        )  # fmt: skip
    store.save_centre(
        Centre("C-1", "CCC Sagwara", "covid_care_centre", 73.71, 23.84, 50, 20, note="hostel")
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": [notified.zone_id], "name": [notified.name], "kind": ["containment"]},
        geometry=[notified.geometry.buffer(0.03)],
        crs=4326,
    )
    checkpoints = propose_checkpoints(zones, standard_roads(dungarpur.roads), dungarpur)
    store.save_checkpoints(checkpoints)
    store.register_homes(
        gpd.GeoDataFrame(
            {
                "hq_id": ["HQ-1"],
                "start_on": [dt.date(2020, 5, 10)],
                "end_on": [dt.date(2020, 5, 24)],
            },
            geometry=[shapely.Point(73.71, 23.84)],
            crs=4326,
        )
    )
    store.record_violations(
        pd.DataFrame(
            {
                "hq_id": ["HQ-1"],
                "checked_at": [dt.datetime(2020, 5, 12, 10, 30)],
                "distance_m": [850.0],
            }
        )
    )
    yield store
    store.backend.close()


@pytest.fixture(scope="module")
def data(store: SQLStore, dungarpur: cp.District) -> list[str]:
    """Text that is data, not the app's words: names of places, zones, centres, roads, users
    and files, and the district's own notes. Longest first, to be taken out of a text."""
    names = {
        dungarpur.name, dungarpur.state, dungarpur.attribution, dungarpur.household_size_source,
        *dungarpur.caveats, *dungarpur.blocks["name"], *dungarpur.habitations["name"],
        *dungarpur.health_facilities["name"], *dungarpur.unit_index.units_m["name"],
        *dungarpur.unit_index.units_m["town"], *dungarpur.roads.get("name", []),
        *standard_roads(dungarpur.roads)["road"], *store.zones()["name"],
        *store.centres()["name"], *store.centres()["note"], *store.checkpoints()["road"],
        *store.checkpoints()["zone_name"], *store.users()["username"], store.label,
        "dungarpur-sample.csv", "CCC Sagwara", "MoHFW", "PMGSY", "Google Earth",
    }  # fmt: skip
    return sorted((str(n) for n in names if str(n).strip()), key=len, reverse=True)


def _texts(node: Node) -> Iterator[str]:
    """Every text a reader sees in ``node`` and below it."""
    if isinstance(node, Block):
        label = getattr(node, "label", None)  # expanders and tabs
        if label is None and node.type == "popover":
            label = node.proto.popover.label
        if label:
            yield str(label)
        for child in node.children.values():
            yield from _texts(child)
        return
    if isinstance(node, Dataframe):
        yield from (str(c) for c in node.value.columns)
        return
    for attribute in ("label", "help", "placeholder"):
        text = getattr(node, attribute, None)
        if isinstance(text, str):
            yield text
    if node.type in ("markdown", "caption", "title", "header", "subheader", "text", "metric"):
        yield str(node.value)
    if node.type in ("error", "warning", "info", "success"):
        yield str(node.value)
    options = getattr(node, "options", None)
    if isinstance(options, list | tuple):
        yield from (str(o) for o in options)


def english_left(app: AppTest, data: list[str]) -> list[str]:
    """The texts of the page that still hold two English words once their data is out."""
    found = []
    for text in _texts(app._tree):
        plain = re.sub(r"\\(.)", r"\1", text)  # Markdown's escapes of user text
        plain = re.sub(r"<[^>]*>", " ", plain)  # a drawing's markup (the export page's map)
        plain = re.sub(r"`[^`]*`", " ", plain)  # a command to type, as it is typed
        for name in data:
            if name in plain:
                plain = plain.replace(name, " · ")
        if ENGLISH_RUN.search(plain):
            found.append(text)
    return found


def page_as(store: SQLStore, user: str, module: str) -> AppTest:
    app = AppTest.from_string(
        f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n", default_timeout=120
    )
    app.session_state["session_token"] = Service(store).login(user, PASSWORD).token
    app.session_state["working_date"] = WORKING_DATE
    return app.run()


@pytest.mark.parametrize(
    ("user", "module"),
    [(user, module) for user, role in USERS.items() for module in PAGES[role]],
)
def test_every_page_reads_in_hindi_for_every_role(store, data, monkeypatch, user, module):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    app = page_as(store, user, module)
    assert not app.exception, app.exception
    if module == "plan":  # the day's proposals, and their table
        with i18n.language("hi"):  # the widgets' options are read back in the reader's language
            app.button(key="propose_rule").click().run()
        assert not app.exception, app.exception
    assert english_left(app, data) == []
    assert any("लागू" in t or "ज़ोन" in t for t in _texts(app._tree))  # Hindi is on the page


def test_the_login_page_reads_in_hindi_when_hindi_is_chosen(store, data, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    app = AppTest.from_file("../app.py", default_timeout=60)
    app.session_state["login_language"] = "hi"
    app.run()
    assert not app.exception
    assert english_left(app, data) == []
    assert app.title[0].value.startswith("कंटेनमेंट")


def log_in_on_the_login_page(app: AppTest, user: str) -> AppTest:
    app.text_input(key="login_username").input(user)
    app.text_input(key="login_password").input(PASSWORD)
    return app.button(key="login_submit").click().run()


def test_a_users_language_is_kept_with_their_account_and_chosen_again_at_login(store, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    store.add_user("asha", "planner", PASSWORD)
    store.set_language("asha", "hi")
    app = log_in_on_the_login_page(AppTest.from_file("../app.py", default_timeout=60).run(), "asha")
    assert not app.exception
    assert app.title[0].value == "ज़ोन योजना"  # the login page's English was not a choice
    assert store.user_record("asha")[0].language == "hi"
    again = AppTest.from_file("../app.py", default_timeout=60)
    again.session_state["login_language"] = "en"
    again.session_state["login_language_chosen"] = True  # picked on the login page
    app = log_in_on_the_login_page(again.run(), "asha")
    assert app.title[0].value == "Plan zones"
    assert store.user_record("asha")[0].language == "en"


def test_the_login_page_after_logging_out_is_in_the_language_the_user_worked_in(store, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    store.add_user("kavita", "planner", PASSWORD)
    store.set_language("kavita", "hi")
    app = log_in_on_the_login_page(
        AppTest.from_file("../app.py", default_timeout=60).run(), "kavita"
    )
    assert app.title[0].value == "ज़ोन योजना"
    with i18n.language("hi"):  # the widgets' options are read back in the reader's language
        app = app.button(key="log_out").click().run()
    assert not app.exception
    assert app.text_input(key="login_username").label == "उपयोगकर्ता नाम"
    assert "session_token" not in app.session_state


def test_a_buttons_message_is_in_the_readers_language(store, monkeypatch):
    """A button's callback runs before the page sets the language: its message still is Hindi."""
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{store.backend.path}")
    store.save_zone(
        SavedZone("DZ-9", "Bichhiwara", "containment", "drawn", "rajasthan-1km", WARD.buffer(0.1))
    )
    app = page_as(store, "ravi", "plan")
    with i18n.language("hi"):
        app.selectbox(key="selected_zone").set_value("DZ-9").run()
        app.button(key="propose_DZ-9").click().run()
    assert not app.exception
    assert store.zone("DZ-9").status == "proposed"
    assert [re.sub(r"\\(.)", r"\1", s.value) for s in app.success] == ["Bichhiwara: प्रस्तावित।"]
