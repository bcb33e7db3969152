"""The app's page logic, run headless with Streamlit's AppTest against a real store (SQLite and
PostGIS in turn), as real users logged in through the service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

import containment as cp
from containment.auth import AuthError
from containment.engine.lifecycle import SavedZone, ZoneOrigin, ZoneStatus
from containment.service import Service, setup_code
from containment.store import (
    SCHEMA_PREFIX_VARIABLE,
    SQLiteStore,
    SQLStore,
    default_store_path,
    open_store,
)
from containment.store.baselayers import BaseLayer
from tests.conftest import drop_schema

WORKING_DATE = dt.date(2020, 5, 15)
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
PASSWORD = "a long test password"
USERS = {"meena": "collector", "ravi": "planner", "thana": "police"}


NOTIFIED = {"status": "notified", "order_number": "1", "notified_on": WORKING_DATE}


def ward_7(**changes: object) -> SavedZone:
    """Zone DZ-1, "Ward 7", drawn on the working date (a draft unless ``changes`` say)."""
    return SavedZone(
        "DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD,
        created_on=WORKING_DATE, **changes,
    )  # fmt: skip


def shown(markdown: str) -> str:
    """What a reader sees of an element's Markdown: user text in it is escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def update_table(app: AppTest):
    """The daily update's table on the Plan page."""
    return next(d.value for d in app.dataframe if "What changes" in d.value.columns)


def page_script(module: str) -> str:
    return f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n"


@pytest.fixture
def store(store_url, monkeypatch, dungarpur) -> Iterator[SQLStore]:
    """The sample cases and three users in a store on each backend; the app is pointed at it."""
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", store_url)
    store = open_store("dungarpur", store_url)
    sample = cp.read_cases(dungarpur.sample_cases, dungarpur, today=WORKING_DATE)
    store.import_cases(sample.cases, source="sample")
    for name, role in USERS.items():
        store.add_user(name, role, PASSWORD)
    yield store
    store.backend.close()


def logged_in(app: AppTest, store, user: str = "meena") -> AppTest:
    app.session_state["session_token"] = Service(store).login(user, PASSWORD).token
    app.session_state["working_date"] = WORKING_DATE
    return app


def run(module: str, store, user: str = "meena") -> AppTest:
    app = AppTest.from_string(page_script(module), default_timeout=60)
    return logged_in(app, store, user).run()


def whole_app(store, user: str) -> AppTest:
    return logged_in(AppTest.from_file("../app.py", default_timeout=60), store, user).run()


def test_the_whole_app_starts_on_the_plan_page(store):
    app = whole_app(store, "ravi")
    assert not app.exception
    assert app.title[0].value == "Plan zones"
    assert any("Signed in as **ravi** (planner)" in c.value for c in app.sidebar.caption)


def test_nobody_gets_past_the_login_page_without_the_right_password(store):
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert app.title[0].value == "Containment Planner — Dungarpur"
    assert not [t for t in app.title if t.value == "Plan zones"]
    app.text_input(key="login_username").input("ravi")
    app.text_input(key="login_password").input("not the password")
    app.button(key="login_submit").click().run()
    assert shown(app.error[0].value).endswith("Wrong user name or password.")
    assert "session_token" not in app.session_state
    app.text_input(key="login_username").input("Ravi")
    app.text_input(key="login_password").input(PASSWORD)
    app.button(key="login_submit").click().run()
    assert not app.exception
    assert app.title[0].value == "Plan zones"
    refused, accepted = store.audit()["action"].iloc[1], store.audit()["action"].iloc[0]
    assert (refused, accepted) == ("login refused", "login")


def test_the_police_list_checkpoints_numbered_and_released_zones_apart(store):
    import geopandas as gpd

    store.save_zone(ward_7(**NOTIFIED))
    store.save_zone(
        SavedZone(
            "DZ-3", "Ward 9", "containment", "drawn", "rajasthan-1km", WARD.buffer(0.05),
            status="released", order_number="2", notified_on=WORKING_DATE,
            released_on=WORKING_DATE, created_on=WORKING_DATE,
        )
    )  # fmt: skip
    store.save_checkpoints(
        gpd.GeoDataFrame(
            {
                "checkpoint_id": ["CP-south", "CP-north"],
                "zone_id": ["DZ-1", "DZ-1"],
                "zone_name": ["Ward 7", "Ward 7"],
                "road": ["MDR 12", "SH 10"],
                "road_class": ["MDR", "SH"],
            },
            geometry=gpd.points_from_xy([73.71, 73.71], [23.83, 23.85]),
            crs=4326,
        )
    )
    app = whole_app(store, "thana")
    assert not app.exception
    table = next(d.value for d in app.dataframe if "Village or town" in d.value.columns)
    assert list(table["No."]) == ["1", "2"]
    assert list(table["Checkpoint"]) == ["CP-north", "CP-south"]  # clockwise from north
    assert table["Village or town"].str.len().gt(0).all()
    assert any("1 zone released" in s.value for s in app.subheader)
    assert any(shown(m.value) == "Ward 9 — released on 15-05-2020" for m in app.markdown)
    in_force = next(d.value for d in app.dataframe if "Order no." in d.value.columns)
    assert list(in_force["Zone"]) == ["Ward 7"]


def test_the_police_see_zones_in_force_and_never_case_points(store):
    store.save_zone(ward_7(**NOTIFIED))
    store.save_zone(SavedZone("DZ-2", "Draft ward", "containment", "drawn", "r", WARD.buffer(0.1)))
    app = whole_app(store, "thana")
    assert not app.exception
    assert app.title[0].value == "Dungarpur: zones in force"
    assert list(app.dataframe[0].value["Zone"]) == ["Ward 7"]
    assert any("Signed in as **thana** (police)" in c.value for c in app.sidebar.caption)


def test_a_planner_proposes_but_only_the_collector_notifies(store):
    store.save_zone(ward_7())
    app = run("plan", store, "ravi")
    app.button(key="propose_DZ-1").click().run()
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED
    assert not [b for b in app.button if b.key == "notify_zone_DZ-1"]
    assert any("The collector notifies proposed zones." in c.value for c in app.caption)
    app = run("plan", store, "meena")
    assert [b for b in app.button if b.key == "notify_zone_DZ-1"]


def test_the_collector_filters_and_downloads_the_audit_trail(store):
    store.acting_as("ravi", "planner").save_zone(ward_7())
    app = run("audit", store, "meena")
    assert not app.exception
    app.selectbox(key="audit_action").set_value("zone created").run()
    table = app.dataframe[0].value
    assert list(table["User"]) == ["ravi"]
    assert list(table["What"]) == ["zone DZ-1 (Ward 7)"]
    assert app.get("download_button")
    denied = run("audit", store, "ravi")
    assert not denied.exception
    assert "ravi (planner) may not read the audit trail" in shown(denied.error[0].value)


def test_an_earlier_version_of_a_zone_is_restored_from_its_history(store):
    first = store.save_zone(ward_7())
    store.acting_as("ravi", "planner").save_zone(
        dataclasses.replace(first, geometry=WARD.buffer(0.01), name="Ward 7 and market")
    )
    app = run("plan", store, "meena")
    history = next(e for e in app.expander if e.label.startswith("History (2 versions)"))
    assert list(history.dataframe[0].value["By"]) == ["ravi", "system"]
    app.button(key="restore_DZ-1").click().run()
    assert not app.exception
    restored = store.zone("DZ-1")
    assert (restored.version, restored.name) == (3, "Ward 7")
    assert restored.geometry.equals(WARD)
    assert [change for *_, change in store.zone_history("DZ-1")][-1] == "restored version 1"


def test_the_rule_picker_starts_on_the_districts_working_rule(store, dungarpur):
    app = run("plan", store)
    assert dungarpur.working_rule == "rajasthan-1km"  # geodata/dungarpur/district.toml
    assert app.selectbox(key="rule_name").value == "rajasthan-1km"


def test_rule_proposals_are_shown_and_saved_only_when_accepted(store):
    app = run("plan", store)
    app.selectbox(key="rule_name").select("mohfw-2020-rural").run()
    propose = app.button(key="propose_rule")
    assert propose.label == "Propose zones as of 15-05-2020"
    propose.click().run()
    assert not app.exception
    rural = "MoHFW 2020, rural: 3 km containment, 7 km buffer, 28 days"
    assert any(f"Update by {rural} as of 15-05-2020" in shown(s.value) for s in app.subheader)
    assert store.zones().empty  # nothing saved yet
    table = update_table(app)
    assert set(table["Change"]) == {"new"}
    app.button(key="accept_update").click().run()
    saved = store.zones()
    assert len(saved) > 0
    assert set(saved["status"]) == {"proposed"}
    assert set(saved["origin"]) == {"rule"}
    assert saved["name"].str.endswith(("containment", "buffer")).all()


def test_a_zone_moves_through_its_life_cycle(store):
    store.save_zone(ward_7())
    app = run("plan", store)
    app.button(key="propose_DZ-1").click().run()
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED
    app.text_input(key="order_DZ-1").input("DM/2020/117")
    app.button(key="notify_zone_DZ-1").click().run()
    zone = store.zone("DZ-1")
    assert (zone.status, zone.order_number, zone.notified_on) == (
        ZoneStatus.NOTIFIED,
        "DM/2020/117",
        WORKING_DATE,
    )
    assert any("Status: **notified**" in m.value for m in app.markdown)
    app.date_input(key="release_on_DZ-1").set_value(dt.date(2020, 6, 20)).run()
    assert app.button(key="release_zone_DZ-1").disabled  # far from the working date: confirm
    app.checkbox(key="sure_release_on_DZ-1_20200620").check().run()
    app.button(key="release_zone_DZ-1").click().run()
    zone = store.zone("DZ-1")
    assert (zone.status, zone.released_on) == (ZoneStatus.RELEASED, dt.date(2020, 6, 20))


def expander(app: AppTest, label: str):
    return next(e for e in app.expander if e.label == label)


def test_notifying_without_an_order_number_says_what_is_missing_beside_the_button(store):
    store.save_zone(ward_7(status="proposed"))
    app = run("plan", store)
    assert app.date_input(key="order_on_DZ-1").value == WORKING_DATE  # the working date
    app.button(key="notify_zone_DZ-1").click().run()
    notify = expander(app, "Notify (collector)")
    assert "needs the order number" in shown(notify.error[0].value)
    assert len(app.error) == 1  # there, not at the top of the page
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED


def test_an_order_dated_before_the_zone_was_drawn_is_confirmed_first(store):
    store.save_zone(ward_7(status="proposed"))
    app = run("plan", store)
    app.text_input(key="order_DZ-1").input("DM/2020/117")
    app.date_input(key="order_on_DZ-1").set_value(dt.date(2020, 5, 12)).run()
    notify = expander(app, "Notify (collector)")
    assert "before the zone was drawn or proposed (15-05-2020)" in shown(notify.warning[0].value)
    assert app.button(key="notify_zone_DZ-1").disabled
    app.checkbox(key="sure_order_on_DZ-1_20200512").check().run()
    app.button(key="notify_zone_DZ-1").click().run()
    zone = store.zone("DZ-1")
    assert (zone.status, zone.notified_on) == (ZoneStatus.NOTIFIED, dt.date(2020, 5, 12))


def test_an_order_date_the_service_would_refuse_is_refused_at_once_not_confirmed(store):
    store.save_zone(dataclasses.replace(ward_7(status="proposed"), origin=ZoneOrigin.RULE))
    app = run("plan", store)
    app.text_input(key="order_DZ-1").input("DM/2020/98")
    app.date_input(key="order_on_DZ-1").set_value(dt.date(2020, 5, 12)).run()
    notify = expander(app, "Notify (collector)")
    assert "it was proposed for the cases as of 15-05-2020" in shown(notify.error[0].value)
    assert app.button(key="notify_zone_DZ-1").disabled
    assert not [c for c in app.checkbox if c.key.startswith("sure_order_on_DZ-1")]
    assert store.zone("DZ-1").status == ZoneStatus.PROPOSED


def test_an_order_dated_on_the_working_date_needs_no_confirmation(store):
    store.save_zone(ward_7(status="proposed"))
    app = run("plan", store)
    assert not expander(app, "Notify (collector)").warning
    assert not app.button(key="notify_zone_DZ-1").disabled


def test_meeting_view_counts_people_in_notified_zones(store, dungarpur):
    store.save_zone(ward_7(**NOTIFIED))
    app = run("meeting", store)
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Zones in force"] == "1"
    units = dungarpur.units  # villages and town cells: the ward lies in Dungarpur town
    expected = units[units.representative_point().within(WARD)]["population"].sum()
    assert expected > 0
    assert metrics["People in containment"] == f"{round(expected):,}"
    assert app.get("download_button")


def test_export_preview_lists_only_public_columns(store):
    store.save_zone(ward_7(**NOTIFIED, note="call Mr Sharma 98290"))
    app = run("export", store)
    assert not app.exception
    preview = app.dataframe[0].value
    assert list(preview["Zone"]) == ["Ward 7"]
    assert "Note" not in preview.columns
    assert not preview.astype(str).apply(lambda c: c.str.contains("Sharma")).any().any()


def test_a_centre_is_added_from_a_health_facility_and_validated(store):
    app = run("centres", store)
    app.text_input(key="centre_name").input("CCC Bichhiwara hostel")
    app.number_input(key="centre_beds").set_value(40)
    app.number_input(key="centre_occupied").set_value(50)
    app.button(key="add_centre").click().run()
    assert "more than its capacity" in shown(app.error[0].value)
    assert store.centres().empty
    # What was typed is still there: only the wrong figure is changed.
    assert app.text_input(key="centre_name").value == "CCC Bichhiwara hostel"
    assert app.number_input(key="centre_beds").value == 40
    app.number_input(key="centre_occupied").set_value(12)
    app.button(key="add_centre").click().run()
    centres = store.centres()
    assert list(centres["name"]) == ["CCC Bichhiwara hostel"]
    assert int(centres["beds_free"].iloc[0]) == 28
    assert app.text_input(key="centre_name").value != "CCC Bichhiwara hostel"  # emptied
    # The beds are dated by the working date, not by the server's clock.
    assert list(store.centre_occupancy()["on_day"].astype(str)) == [str(WORKING_DATE)]


def test_the_facility_picker_tells_facilities_of_the_same_name_apart(store, dungarpur):
    app = run("centres", store)
    options = app.selectbox(key="centre_facility").options
    assert len(options) == len(set(options)) == len(dungarpur.health_facilities)
    assert "Community Health Centre Aspur — Aspur, Aspur block" in options


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


def test_a_planner_proposes_checkpoints_only_for_zones_not_yet_notified(store, dungarpur):
    notified_rule_zones(store, dungarpur)
    draft = store.zones().iloc[0]
    store.save_zone(
        dataclasses.replace(
            store.zone(draft["zone_id"]), status="proposed", order_number="", notified_on=None
        )
    )
    app = run("fieldwork", store, "ravi")
    assert not app.exception
    n = len(store.zones()) - 1
    assert any(f"{n} zones are notified" in c.value for c in app.caption)
    app.button(key="propose_checkpoints").click().run()
    assert not app.exception
    assert not app.error
    assert set(store.checkpoints()["zone_id"]) <= {draft["zone_id"]}


def test_the_police_files_say_which_notified_zones_have_no_checkpoint(store, dungarpur):
    notified_rule_zones(store, dungarpur)
    zones = store.zones()
    marked = zones.iloc[0]
    store.save_checkpoints(
        gpd.GeoDataFrame(
            {
                "checkpoint_id": ["CP-1"],
                "zone_id": [marked["zone_id"]],
                "zone_name": [marked["name"]],
                "road": ["MDR 12"],
                "road_class": ["MDR"],
            },
            geometry=[marked.geometry.boundary.interpolate(0.5, normalized=True)],
            crs=4326,
        )
    )
    n = len(zones)
    assert n > 2
    for page, user in (("fieldwork", "meena"), ("police", "thana")):
        app = run(page, store, user)
        assert not app.exception
        assert any(
            f"{n - 1} of the {n} notified zones have no checkpoint yet" in w.value
            for w in app.warning
        ), page


def test_field_work_proposes_checkpoints_sectors_and_the_public_list(store, dungarpur):
    notified_rule_zones(store, dungarpur)
    app = run("fieldwork", store)
    assert not app.exception
    app.button(key="propose_checkpoints").click().run()
    assert not app.exception
    checkpoints = store.checkpoints()
    assert len(checkpoints) > 0
    assert set(checkpoints["zone_id"]) <= set(store.zones()["zone_id"])
    assert any("teams needed" in m.value for m in app.markdown)
    public = app.dataframe[-1].value
    assert list(public.columns) == ["Zone", "Area", "Notified on", "Release due on"]
    assert len(public) == len(store.zones())


def test_a_new_store_asks_for_the_collector_then_offers_the_synthetic_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert any("no users yet" in i.value for i in app.info)
    app.text_input(key="first_username").input("meena")
    app.text_input(key="first_password").input(PASSWORD)
    app.text_input(key="first_again").input(PASSWORD)
    app.text_input(key="first_code").input("not-the-code")
    app.button(key="first_submit").click().run()
    assert "set-up code is not right" in shown(app.error[0].value)
    assert SQLiteStore(default_store_path("dungarpur")).users().empty
    code = setup_code(SQLiteStore(default_store_path("dungarpur")))  # as the server's log says
    app.text_input(key="first_code").input(code)
    app.button(key="first_submit").click().run()
    assert list(SQLiteStore(default_store_path("dungarpur")).users()["role"]) == ["collector"]
    assert shown(app.success[0].value) == "Account 'meena' created: log in."
    assert not [b for b in app.button if b.key == "first_submit"]
    app.text_input(key="login_username").input("meena")
    app.text_input(key="login_password").input(PASSWORD)
    app.button(key="login_submit").click().run()
    assert any("No cases yet" in i.value for i in app.info)
    app.button(key="load_sample").click().run()
    assert not app.exception
    assert len(SQLiteStore(default_store_path("dungarpur")).cases()) == 300
    assert any("SYNTHETIC sample line list: not real cases" in w.value for w in app.sidebar.warning)
    assert any("PMGSY development blocks" in c.value for c in app.sidebar.caption)


def test_a_new_postgis_store_asks_for_users_made_on_the_server(postgis_url, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", postgis_url)
    prefix = f"t{uuid.uuid4().hex[:12]}_"
    monkeypatch.setenv(SCHEMA_PREFIX_VARIABLE, prefix)
    try:
        app = AppTest.from_file("../app.py", default_timeout=60).run()
        assert "no users yet" in shown(app.error[0].value)
        assert "containment users add NAME --role collector" in shown(app.error[0].value)
        assert not [b for b in app.button if b.key == "first_submit"]
    finally:
        drop_schema(f"{prefix}dungarpur")


def test_a_change_to_a_zone_someone_saved_meanwhile_is_refused_with_what_they_changed(store):
    store.save_zone(ward_7(status="proposed"))
    app = run("plan", store, "meena")  # the collector has version 1 on screen
    seen = store.zone("DZ-1")
    store.acting_as("ravi", "planner").save_zone(
        dataclasses.replace(seen, geometry=WARD.buffer(0.01))
    )
    app.text_input(key="order_DZ-1").input("DM/2020/117")
    app.button(key="notify_zone_DZ-1").click().run()
    assert "Zone 'Ward 7' was changed by ravi at " in shown(app.error[0].value)
    assert "(version 1 → 2): outline redrawn. Your change was not saved." in shown(
        app.error[0].value
    )
    assert store.zone("DZ-1").status is ZoneStatus.PROPOSED  # what ravi saved is not overwritten
    app.button(key="notify_zone_DZ-1").click().run()  # now on version 2
    assert not app.error
    notified = store.zone("DZ-1")
    assert (notified.status, notified.version) == (ZoneStatus.NOTIFIED, 3)
    assert notified.geometry.equals(WARD.buffer(0.01))


def test_beds_saved_over_a_centre_someone_changed_meanwhile_are_refused(store):
    from containment.field.centres import Centre

    store.save_centre(Centre("C-1", "CCC Sagwara", "covid_care_centre", 74.0, 23.7, 100, 20))
    app = run("centres", store, "ravi")  # version 1 on screen
    store.acting_as("meena", "collector").save_centre(
        dataclasses.replace(store.centre("C-1"), occupied=35)
    )
    app.number_input(key="occupied_C-1_1").set_value(25)
    app.button(key="save_beds_C-1_1").click().run()
    message = shown(app.error[0].value)
    assert "Centre 'CCC Sagwara' was changed by meena at " in message
    assert "it now has occupied 35 (yours: 25). Your change was not saved." in message
    assert store.centre("C-1").occupied == 35
    app.number_input(key="occupied_C-1_2").set_value(40)  # the form now shows version 2
    app.button(key="save_beds_C-1_2").click().run()
    assert store.centre("C-1").occupied == 40


def test_an_unreachable_database_is_named_with_what_to_check(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(
        "CONTAINMENT_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/containment"
    )
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not app.exception
    message = shown(app.error[0].value)
    assert "Cannot reach the PostGIS database at 127.0.0.1/containment" in message
    assert "Check CONTAINMENT_DATABASE_URL" in message
    assert "secret" not in message
    assert "shown to the user: ContainmentError" in caplog.text  # logged, without the URL
    assert "secret" not in caplog.text


def _disable(store, token):
    store.set_active("ravi", False)


def _log_out_elsewhere(store, token):
    Service(store).logout(token)


def _time_out(store, token):
    with store.backend.transaction() as tx:
        tx.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00+00:00'")


@pytest.mark.parametrize("end_session", [_disable, _log_out_elsewhere, _time_out])
def test_a_button_clicked_after_the_session_ended_changes_nothing(store, end_session):
    store.save_zone(ward_7())
    app = run("plan", store, "ravi")  # the Propose button is on ravi's screen
    end_session(store, app.session_state["session_token"])
    app.button(key="propose_DZ-1").click().run()
    assert not app.exception
    assert store.zone("DZ-1").status is ZoneStatus.DRAFT
    assert "ravi" not in set(store.audit(action="zone status changed")["username"])
    assert app.text_input(key="login_username")  # back at the login page
    assert not [t for t in app.title if t.value == "Plan zones"]


def test_proposing_again_after_a_deletion_brings_the_zone_back_with_its_history(store):
    app = run("plan", store)
    app.button(key="propose_rule").click().run()
    app.button(key="accept_update").click().run()
    first = store.zones()
    deleted = first.iloc[0]
    store.delete_zone(deleted["zone_id"])
    app.button(key="propose_rule").click().run()
    table = update_table(app)
    assert sorted(table["Change"]) == ["new"] + ["unchanged"] * (len(first) - 1)
    app.button(key="accept_update").click().run()
    assert not app.exception
    again = store.zones()
    assert sorted(again["zone_id"]) == sorted(first["zone_id"])  # keyed ids: the same cases
    assert "1 new zone saved as proposals" in " ".join(shown(s.value) for s in app.success)
    changes = [change for *_, change in store.zone_history(deleted["zone_id"])]
    assert changes[1:] == ["deleted", f"re-created after deletion ({changes[0]})"]


def test_a_database_url_that_cannot_be_read_shows_no_part_of_it(monkeypatch):
    monkeypatch.setenv(
        "CONTAINMENT_DATABASE_URL", "postgresql://ops:Tr0ub%dor&3@127.0.0.1:5432/containment"
    )
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not app.exception
    message = shown(app.error[0].value)
    assert "The database URL (CONTAINMENT_DATABASE_URL) cannot be read" in message
    assert "% as %25" in message
    assert "Tr0ub" not in message
    assert "ops" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ops:Dungarpur@2020secret@127.0.0.1/containment",  # an @ in the password
        "postgresql://ops:Dungar/pur2020secret@127.0.0.1/containment",  # a / in the password
    ],
)
def test_a_password_that_spills_into_the_host_is_never_shown(monkeypatch, caplog, url):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", url)
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not app.exception
    page = " ".join(shown(e.value) for e in [*app.error, *app.caption, *app.markdown])
    assert "has a host or database name that cannot be right" in page
    assert "secret" not in page
    assert "pur2020" not in page
    assert "secret" not in caplog.text  # nor in the log
    assert "pur2020" not in caplog.text


def test_an_unexpected_error_shows_no_details_to_the_user():
    app = AppTest.from_string(
        "raise RuntimeError('postgresql://ops:hunter2@db/containment is down')",
        default_timeout=30,
    ).run()
    assert app.exception
    assert "hunter2" not in app.exception[0].message
    assert "redacted" in app.exception[0].message
    assert not app.exception[0].stack_trace


def test_the_collector_adds_disables_and_unlocks_users_in_the_app(store):
    app = run("users", store, "meena")
    assert not app.exception
    assert sorted(app.dataframe[0].value["User"]) == ["meena", "ravi", "thana"]
    app.text_input(key="new_user_name").input("Asha")
    app.selectbox(key="new_user_role").set_value("planner")
    app.text_input(key="new_user_password").input("asha's long password")
    app.text_input(key="new_user_again").input("asha's long password")
    app.button(key="add_user_submit").click().run()
    assert not app.exception
    assert Service(store).login("asha", "asha's long password").user.role == "planner"
    for _ in range(5):
        with pytest.raises(AuthError):
            Service(store).login("ravi", "a wrong password")
    app.selectbox(key="chosen_user").set_value("ravi").run()
    app.button(key="unlock_user").click().run()
    assert Service(store).login("ravi", PASSWORD)
    app.button(key="disable_user").click().run()
    with pytest.raises(AuthError, match="disabled"):
        Service(store).login("ravi", PASSWORD)
    actions = store.audit()["action"].tolist()
    assert {"user added", "login unlocked", "user disabled"} <= set(actions)
    denied = run("users", store, "thana")
    assert "thana (police) may not manage users" in shown(denied.error[0].value)


@pytest.mark.parametrize(
    ("module", "caps"),
    [("imports", {50}), ("layers", {200}), ("fieldwork", {50})],
)
def test_every_uploader_refuses_and_says_the_apps_own_cap(store, module, caps):
    app = run(module, store)
    uploaders = app.get("file_uploader")
    assert uploaders
    assert {u.proto.max_upload_size_mb for u in uploaders} == caps
    for u in uploaders:
        assert f"Files up to {u.proto.max_upload_size_mb} MB." in u.proto.help


def test_the_export_offers_the_zones_in_force_first_and_the_police_only_orders(store):
    store.save_zone(ward_7(**NOTIFIED))
    store.save_zone(
        SavedZone(
            "DZ-2", "Ward 8", "containment", "drawn", "rajasthan-1km", WARD.buffer(0.05),
            status="proposed", created_on=WORKING_DATE,
        )
    )  # fmt: skip
    app = run("export", store)
    assert app.radio(key="export_of").value == "in_force"
    assert list(app.dataframe[0].value["Zone"]) == ["Ward 7"]
    app.radio(key="export_of").set_value("proposed").run()
    assert list(app.dataframe[0].value["Zone"]) == ["Ward 8"]
    police = run("export", store, "thana")
    assert police.radio(key="export_of").options == [
        "In force (notified, not released)",
        "Released",
    ]
    # Which file is the police's: the zones alone here, the package with checkpoints elsewhere.
    assert any("on the *Field work* page" in c.value for c in app.caption)
    assert any("on the *Zones in force* page" in c.value for c in police.caption)


def test_a_stored_layer_no_map_can_draw_is_left_off_the_maps_and_named_on_its_page(store):
    inf = float("inf")
    features = gpd.GeoDataFrame(
        {"label": ["broken", "W-7"]},
        geometry=[
            shapely.Polygon([(inf, inf), (inf, 0), (0, inf), (inf, inf)]),
            shapely.box(73.70, 23.83, 73.72, 23.85),
        ],
        crs=4326,
    )
    record = BaseLayer("Lold", "Old wards", "areas", "geojson", "old.geojson", features=2)
    store.acting_as("ravi", "planner").add_base_layer(record, features)
    for page in ("plan", "meeting", "police"):
        app = run(page, store)
        assert not app.exception, page
    layers = run("layers", store)
    assert not layers.exception
    assert any(
        "Layer Old wards: 1 of its 2 features cannot be drawn" in w.value for w in layers.warning
    )
