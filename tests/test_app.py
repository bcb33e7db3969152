"""The app's page logic, run headless with Streamlit's AppTest against a real SQLite store."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from streamlit.testing.v1 import AppTest

import containment as cp
from containment.lifecycle import SavedZone, ZoneStatus
from containment.store import SQLiteStore, default_store_path

WORKING_DATE = dt.date(2020, 5, 15)
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


def page_script(module: str) -> str:
    return f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n"


@pytest.fixture
def store(tmp_path, monkeypatch, dungarpur) -> SQLiteStore:
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    store = SQLiteStore(default_store_path("dungarpur"))
    sample = cp.read_cases(dungarpur.sample_cases, dungarpur, today=WORKING_DATE)
    store.import_cases(sample.cases, source="sample")
    return store


def run(module: str) -> AppTest:
    app = AppTest.from_string(page_script(module), default_timeout=60)
    app.session_state["working_date"] = WORKING_DATE
    return app.run()


def test_the_whole_app_starts_on_the_plan_page(store):
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Plan zones"


def test_rule_proposals_are_shown_and_saved_only_when_accepted(store):
    app = run("plan")
    propose = next(b for b in app.button if b.label.startswith("Propose zones as of 15-05-2020"))
    propose.click().run()
    assert not app.exception
    assert any("Proposals by mohfw-2020-rural" in s.value for s in app.subheader)
    assert store.zones().empty  # nothing saved yet
    next(b for b in app.button if b.label == "Accept as proposals").click().run()
    saved = store.zones()
    assert len(saved) > 0
    assert set(saved["status"]) == {"proposed"}
    assert set(saved["origin"]) == {"rule"}
    assert saved["name"].str.endswith(("containment", "buffer")).all()


def test_a_zone_moves_through_its_life_cycle(store):
    store.save_zone(
        SavedZone(
            "DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD, created_on=WORKING_DATE
        )
    )
    app = run("plan")
    next(b for b in app.button if b.label == "Propose").click().run()
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED
    app.text_input(key="order_DZ-1").input("DM/2020/117")
    next(b for b in app.button if b.label == "Notify zone").click().run()
    zone = store.zone("DZ-1")
    assert (zone.status, zone.order_number, zone.notified_on) == (
        ZoneStatus.NOTIFIED,
        "DM/2020/117",
        WORKING_DATE,
    )
    assert any("Status: **notified**" in m.value for m in app.markdown)
    app.date_input(key="release_on_DZ-1").set_value(dt.date(2020, 6, 20))
    next(b for b in app.button if b.label == "Release zone").click().run()
    zone = store.zone("DZ-1")
    assert (zone.status, zone.released_on) == (ZoneStatus.RELEASED, dt.date(2020, 6, 20))


def test_notifying_without_an_order_number_says_what_is_missing(store):
    store.save_zone(
        SavedZone(
            "DZ-1",
            "Ward 7",
            "containment",
            "drawn",
            "rajasthan-1km",
            WARD,
            status="proposed",
            created_on=WORKING_DATE,
        )
    )
    app = run("plan")
    next(b for b in app.button if b.label == "Notify zone").click().run()
    assert "needs the order number" in app.error[0].value
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED


def test_meeting_view_counts_people_in_notified_zones(store, dungarpur):
    zone = SavedZone(
        "DZ-1",
        "Ward 7",
        "containment",
        "drawn",
        "rajasthan-1km",
        WARD,
        status="notified",
        order_number="1",
        notified_on=WORKING_DATE,
        created_on=WORKING_DATE,
    )
    store.save_zone(zone)
    app = run("meeting")
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Zones in force"] == "1"
    habitations = dungarpur.habitations
    expected = habitations[habitations.within(WARD)]["population"].sum()
    assert metrics["People in containment"] == f"{round(expected):,}"
    assert app.get("download_button")


def test_export_preview_lists_only_public_columns(store):
    store.save_zone(
        SavedZone(
            "DZ-1",
            "Ward 7",
            "containment",
            "drawn",
            "rajasthan-1km",
            WARD,
            status="notified",
            order_number="1",
            notified_on=WORKING_DATE,
            note="call Mr Sharma 98290",
            created_on=WORKING_DATE,
        )
    )
    app = run("export")
    assert not app.exception
    preview = app.dataframe[0].value
    assert list(preview["name"]) == ["Ward 7"]
    assert "note" not in preview.columns
    assert not preview.astype(str).apply(lambda c: c.str.contains("Sharma")).any().any()


def test_a_centre_is_added_from_a_health_facility_and_validated(store):
    app = run("centres")
    app.text_input[0].input("CCC Bichhiwara hostel")
    app.number_input[0].set_value(40)
    app.number_input[1].set_value(50)
    next(b for b in app.button if b.label == "Add centre").click().run()
    assert "more than its capacity" in app.error[0].value
    assert store.centres().empty
    app.text_input[0].input("CCC Bichhiwara hostel")
    app.number_input[0].set_value(40)
    app.number_input[1].set_value(12)
    next(b for b in app.button if b.label == "Add centre").click().run()
    centres = store.centres()
    assert list(centres["name"]) == ["CCC Bichhiwara hostel"]
    assert int(centres["beds_free"].iloc[0]) == 28


def notified_rule_zones(store, dungarpur):
    cases = store.cases()
    plan = cp.plan_zones(
        cases, cp.get_rule("mohfw-2020-rural"), as_of=WORKING_DATE, district=dungarpur
    )
    for zone in plan.zones[plan.zones["kind"] == "containment"].itertuples():
        store.save_zone(
            SavedZone(
                zone.zone_id,
                f"Zone {zone.zone_id[-4:]}",
                "containment",
                "rule",
                "mohfw-2020-rural",
                zone.geometry,
                status="notified",
                order_number="DM/9",
                notified_on=WORKING_DATE,
                created_on=WORKING_DATE,
            )
        )


def test_field_work_proposes_checkpoints_sectors_and_the_public_list(store, dungarpur):
    notified_rule_zones(store, dungarpur)
    app = run("fieldwork")
    assert not app.exception
    next(b for b in app.button if b.label.startswith("Propose checkpoints")).click().run()
    assert not app.exception
    checkpoints = store.checkpoints()
    assert len(checkpoints) > 0
    assert set(checkpoints["zone_id"]) <= set(store.zones()["zone_id"])
    assert any("teams needed" in m.value for m in app.markdown)
    public = app.dataframe[-1].value
    assert list(public.columns) == ["Zone", "Area", "Notified on", "Release due on"]
    assert len(public) == len(store.zones())


def test_an_empty_store_offers_the_synthetic_sample_and_says_it_is_synthetic(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert any("No cases yet" in i.value for i in app.info)
    next(b for b in app.button if b.label.startswith("Load the SYNTHETIC sample")).click().run()
    assert not app.exception
    assert len(SQLiteStore(default_store_path("dungarpur")).cases()) == 300
    assert any("SYNTHETIC sample line list: not real cases" in w.value for w in app.sidebar.warning)
    assert any("PMGSY development blocks" in c.value for c in app.sidebar.caption)
