"""Logins, sessions and roles, enforced in the service the app and the command line call —
on SQLite and PostGIS alike."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pandas as pd
import pytest
import shapely

from containment import read_cases
from containment.auth import AuthError, SessionPolicy
from containment.engine.lifecycle import SavedZone, TransitionError, ZoneStatus, advance
from containment.field.centres import Centre
from containment.i18n import IST
from containment.io.export import banded_count
from containment.service import Service
from tests.conftest import TODAY

PASSWORD = "a long test password"
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
NOW = dt.datetime(2020, 5, 15, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(store) -> Clock:
    store.clock = Clock()
    return store.clock


@pytest.fixture
def service(store, clock, dungarpur) -> Service:
    for name, role in (("meena", "collector"), ("ravi", "planner"), ("thana", "police")):
        store.add_user(name, role, PASSWORD)
    sample = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases
    store.import_cases(sample, source="sample.csv")
    store.save_zone(SavedZone("DZ-1", "Draft ward", "containment", "drawn", "r", WARD))
    notified = SavedZone(
        "NZ-1", "Ward 7", "containment", "drawn", "r", WARD, status="notified",
        order_number="DM/7", notified_on=TODAY, created_on=TODAY,
    )  # fmt: skip
    store.save_zone(notified)
    return Service(store)


def workspace(service: Service, user: str):
    return service.workspace(service.login(user, PASSWORD).token)


def test_a_police_user_cannot_read_case_locations_or_change_a_zone(service, dungarpur):
    police = workspace(service, "thana")
    with pytest.raises(AuthError, match=r"thana \(police\) may not read cases"):
        police.cases()
    with pytest.raises(AuthError, match="may not read cases"):
        police.imports()
    with pytest.raises(AuthError, match="may not plan field work"):
        police.homes()
    zone = police.zone("NZ-1")
    for change in (
        lambda: police.save_zone(dataclasses.replace(zone, geometry=WARD.buffer(0.01))),
        lambda: police.save_zone(advance(zone, "released", on=TODAY)),
        lambda: police.delete_zone("NZ-1"),
        lambda: police.restore_zone("NZ-1", 1, current_version=1),
        lambda: police.import_cases(service.store.cases().iloc[:1], source="x"),
    ):
        with pytest.raises(AuthError, match="may not"):
            change()
    assert service.store.zone("NZ-1") == zone  # nothing changed


def test_the_police_see_only_notified_zones_with_their_figures(service, dungarpur):
    police = workspace(service, "thana")
    assert list(police.zones()["zone_id"]) == ["NZ-1"]
    with pytest.raises(AuthError, match="may not see zones before they are notified"):
        police.zone("DZ-1")
    described = police.described_zones(dungarpur, as_of=TODAY)
    assert list(described["zone_id"]) == ["NZ-1"]
    assert described.geom_type.isin(["Polygon", "MultiPolygon"]).all()  # zones, not points
    planner_view = workspace(service, "meena").described_zones(dungarpur, as_of=TODAY)
    exact = planner_view.set_index("zone_id").loc["NZ-1", "case_count"]
    assert described["case_count"].iloc[0] == banded_count(exact)


def test_the_police_get_counts_banded_no_case_dates_and_only_todays_figures(
    service, dungarpur, clock
):
    collector = workspace(service, "meena")
    one_case = collector.cases().iloc[:1]
    home = one_case.geometry.iloc[0]
    reported = pd.Timestamp(one_case["reported_on"].iloc[0]).date()
    zone = SavedZone(
        "NZ-2", "One case", "containment", "drawn", "r", home.buffer(0.001), status="notified",
        order_number="DM/9", notified_on=reported, created_on=reported,
    )  # fmt: skip
    service.store.save_zone(zone)
    police = workspace(service, "thana")
    today = clock().astimezone(IST).date()
    seen = police.described_zones(dungarpur, as_of=reported).set_index("zone_id")
    assert seen.loc["NZ-2", "case_count"] == "fewer than 5"
    as_planned_today = collector.described_zones(dungarpur, as_of=today).set_index("zone_id")
    assert seen.loc["NZ-2", "in_force"] == as_planned_today.loc["NZ-2", "in_force"]
    # The release date as the end of its week: not the one case's result date plus 28 days.
    exact = as_planned_today.loc["NZ-2", "release_due_on"]
    assert seen.loc["NZ-2", "release_due_on"] == exact + dt.timedelta(days=6 - exact.weekday())
    assert {"first_case_on", "last_case_on"}.isdisjoint(seen.columns)
    # Stepping the date back is not possible: every day answers as of today.
    for day in (reported, reported - dt.timedelta(days=1), reported + dt.timedelta(days=3)):
        again = police.described_zones(dungarpur, as_of=day).set_index("zone_id")
        assert again.drop(columns="geometry").equals(seen.drop(columns="geometry"))


def test_only_notifying_and_releasing_set_a_zones_order_and_dates(service, dungarpur):
    planner, collector = workspace(service, "ravi"), workspace(service, "meena")
    draft = planner.zone("DZ-1")
    forged = dataclasses.replace(draft, notified_on=TODAY, order_number="F/2020/1")
    with pytest.raises(AuthError, match=r"ravi \(planner\) may not notify and release zones"):
        planner.save_zone(forged)
    with pytest.raises(TransitionError, match="is draft, but says F/2020/1, notified"):
        collector.save_zone(forged)  # not even the collector: a draft is not notified
    assert service.store.zone("DZ-1") == draft
    # A zone with a notified date but a draft status (saved by an older version) is not in force.
    service.store.save_zone(dataclasses.replace(draft, notified_on=TODAY, order_number="F/1"))
    described = collector.described_zones(dungarpur, as_of=TODAY).set_index("zone_id")
    assert not described.loc["DZ-1", "in_force"]
    assert described.loc["NZ-1", "in_force"]


def test_a_planner_proposes_but_only_the_collector_notifies_and_releases(service):
    planner, collector = workspace(service, "ravi"), workspace(service, "meena")
    proposed = planner.save_zone(advance(planner.zone("DZ-1"), "proposed", on=TODAY))
    with pytest.raises(AuthError, match=r"ravi \(planner\) may not notify and release zones"):
        planner.save_zone(advance(proposed, "notified", on=TODAY, order_number="DM/8"))
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.save_zone(dataclasses.replace(planner.zone("NZ-1"), name="Ward 7 east"))
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.delete_zone("NZ-1")
    notified = collector.save_zone(advance(proposed, "notified", on=TODAY, order_number="DM/8"))
    assert notified.status is ZoneStatus.NOTIFIED
    collector.save_zone(advance(collector.zone("NZ-1"), "released", on=TODAY))
    assert service.store.zone("NZ-1").status is ZoneStatus.RELEASED


def test_the_police_see_released_zones_too_so_that_nobody_guards_them_still(service):
    collector = workspace(service, "meena")
    collector.save_zone(advance(collector.zone("NZ-1"), "released", on=TODAY))
    police = workspace(service, "thana")
    assert list(police.zones()[["zone_id", "status"]].itertuples(index=False)) == [
        ("NZ-1", "released")
    ]
    assert police.zone("NZ-1").released_on == TODAY
    with pytest.raises(AuthError, match="may not see zones before they are notified"):
        police.zone("DZ-1")


def test_only_the_collector_reads_the_audit_trail(service):
    with pytest.raises(AuthError, match="may not read the audit trail"):
        workspace(service, "ravi").audit()
    assert len(workspace(service, "meena").audit()) > 0


def test_wrong_passwords_are_refused_and_repeated_ones_lock_the_name(service, clock):
    with pytest.raises(AuthError, match=r"^Wrong user name or password\.$"):
        service.login("ravi", "not the password")
    with pytest.raises(AuthError, match=r"^Wrong user name or password\.$"):
        service.login("nobody", PASSWORD)  # the same words: no hint which names exist
    for _ in range(4):
        clock.advance(minutes=1)
        with pytest.raises(AuthError, match="Wrong user name"):
            service.login("ravi", "still not it")
    with pytest.raises(AuthError, match="Too many failed logins for 'ravi' from this computer"):
        service.login("ravi", PASSWORD)  # even the right password, while locked
    service.login("meena", PASSWORD)  # other names are not locked
    clock.advance(minutes=15)
    assert service.login("ravi", PASSWORD).user.role == "planner"


def test_sessions_expire_when_idle_and_after_their_lifetime(service, clock):
    policy = SessionPolicy()
    token = service.login("ravi", PASSWORD).token
    clock.advance(seconds=policy.idle.total_seconds() - 60)
    service.workspace(token)  # used in time: the idle clock starts again
    clock.advance(seconds=policy.idle.total_seconds() + 1)
    with pytest.raises(AuthError, match=r"Your session expired; log in again\."):
        service.workspace(token)
    with pytest.raises(AuthError, match="Your session has ended"):
        service.workspace(token)  # and it is gone
    token = service.login("ravi", PASSWORD).token
    for _ in range(int(policy.lifetime / policy.idle) + 1):
        clock.advance(seconds=policy.idle.total_seconds() - 1)
        if clock.now - NOW > policy.lifetime + policy.idle:
            break
    with pytest.raises(AuthError, match="expired"):
        service.workspace(token)


def test_a_password_reset_or_disabling_a_user_ends_their_sessions(service):
    token = service.login("ravi", PASSWORD).token
    service.store.set_password("ravi", "a brand new password")
    with pytest.raises(AuthError, match="session has ended"):
        service.workspace(token)
    with pytest.raises(AuthError, match="Wrong user name"):
        service.login("ravi", PASSWORD)
    token = service.login("ravi", "a brand new password").token
    service.store.set_active("ravi", False)
    with pytest.raises(AuthError, match="session has ended"):
        service.workspace(token)
    with pytest.raises(AuthError, match="The account 'ravi' is disabled"):
        service.login("ravi", "a brand new password")


def test_passwords_are_kept_only_as_slow_salted_hashes(service, store):
    with store.backend.read() as tx:
        hashes = [r["password_hash"] for r in tx.all("SELECT password_hash FROM users")]
    assert len(set(hashes)) == 3  # the same password, three different salts
    assert all(h.startswith("scrypt$32768$8$1$") and PASSWORD not in h for h in hashes)
    with pytest.raises(AuthError, match="at least 10 characters"):
        store.add_user("short", "planner", "2short")


def test_every_change_is_audited_with_who_and_what_and_never_patient_data(service, dungarpur):
    planner = workspace(service, "ravi")
    zone = planner.save_zone(advance(planner.zone("DZ-1"), "proposed", on=TODAY))
    planner.save_zone(dataclasses.replace(zone, geometry=WARD.buffer(0.005)))
    planner.record_export("Police GeoJSON", "zones.geojson", 1)
    trail = workspace(service, "meena").audit()
    assert trail.iloc[0][["username", "action"]].tolist() == ["meena", "login"]  # newest first
    assert trail.iloc[3][["username", "action", "subject", "detail"]].tolist() == [
        "ravi", "zone status changed", "zone DZ-1 (Draft ward)", "status draft → proposed",
    ]  # fmt: skip
    assert trail.iloc[2][["action", "detail"]].tolist() == ["zone edited", "outline redrawn"]
    assert trail.iloc[1][["action", "detail"]].tolist() == ["export", "zones.geojson: 1 rows"]
    actions = set(trail["action"])
    assert {"login", "import cases", "zone created", "user added", "export"} <= actions
    case_ids = set(service.store.cases()["case_id"])
    text = " ".join(trail.astype(str).to_numpy().ravel())
    assert not [case_id for case_id in case_ids if case_id in text]
    assert PASSWORD not in text
    filtered = workspace(service, "meena").audit(username="ravi", action="zone edited")
    assert filtered["detail"].tolist() == ["outline redrawn"]


def test_the_first_collector_is_made_only_on_a_store_without_users(store):
    from containment.service import first_collector, setup_code

    code = setup_code(store)
    assert first_collector(store, "Meena", PASSWORD, code.upper()).role == "collector"
    with pytest.raises(AuthError, match="already has users"):
        first_collector(store, "intruder", PASSWORD, code)
    assert store.users()["username"].tolist() == ["meena"]


def test_the_first_collector_needs_the_set_up_code_from_the_servers_log(store, caplog):
    from containment.service import first_collector, setup_code

    with caplog.at_level(logging.WARNING, logger="containment.service"):
        code = setup_code(store)
    assert code == setup_code(store)  # one code per store while the server runs
    assert f"set-up code: {code}" in caplog.text
    for wrong in ("", "aaaa-aaaa-aaaa", code[:-1]):
        with pytest.raises(AuthError, match="set-up code is not right"):
            first_collector(store, "mallory", PASSWORD, wrong)
    assert store.users().empty


def test_a_planner_saving_over_a_zone_notified_meanwhile_meets_a_conflict(service):
    from containment.store import ConflictError

    planner, collector = workspace(service, "ravi"), workspace(service, "meena")
    opened = planner.zone("DZ-1")  # a draft, on the planner's screen
    collector.save_zone(advance(advance(opened, "proposed", on=TODAY), "notified", on=TODAY,
                                order_number="DM/9"))  # fmt: skip
    with pytest.raises(ConflictError, match="status draft → notified"):
        planner.save_zone(dataclasses.replace(opened, name="Draft ward east"))
    assert service.store.zone("DZ-1").status is ZoneStatus.NOTIFIED


def test_the_police_never_get_planners_notes_or_draft_zones_checkpoints(service, store):
    import geopandas as gpd

    store.save_zone(dataclasses.replace(store.zone("NZ-1"), note="family of case 17, lane 3"))
    store.save_checkpoints(
        gpd.GeoDataFrame(
            {
                "checkpoint_id": ["CP-draft", "CP-notified"],
                "zone_id": ["DZ-1", "NZ-1"],
                "zone_name": ["Draft ward", "Ward 7"],
                "road": ["lane near the case", "MDR 12"],
                "road_class": ["", "MDR"],
            },
            geometry=gpd.points_from_xy([73.70, 73.71], [23.83, 23.84]),
            crs=4326,
        )
    )
    police = workspace(service, "thana")
    assert list(police.checkpoints()["checkpoint_id"]) == ["CP-notified"]
    assert set(police.zones()["note"]) == {""}
    assert police.zone("NZ-1").note == ""
    described = police.described_zones(store_district(), as_of=TODAY)
    assert "family of case" not in described.drop(columns="geometry").to_csv()
    store.save_centre(Centre("CC-1", "School", "covid_care_centre", 73.72, 23.84, capacity=40,
                             note="isolating the family of case 17"))  # fmt: skip
    assert set(police.centres()["note"]) == {""}
    assert police.centre("CC-1").note == ""
    planner = workspace(service, "ravi")
    assert planner.zone("NZ-1").note == "family of case 17, lane 3"
    assert len(planner.checkpoints()) == 2
    assert planner.centre("CC-1").note == "isolating the family of case 17"


def test_a_centre_added_twice_is_refused_the_second_time(service):
    from containment.field.centres import CentreError

    planner = workspace(service, "ravi")
    school = Centre("CC-1", "QC Bichhiwara school", "quarantine_centre", 73.72, 23.84, capacity=50)
    planner.save_centre(school)
    again = dataclasses.replace(school, centre_id="CC-2", name="qc bichhiwara  School")
    with pytest.raises(CentreError, match=r"already there \(CC-1\)"):
        planner.save_centre(again)
    planner.save_centre(dataclasses.replace(planner.centre("CC-1"), capacity=60))  # an update
    planner.save_centre(dataclasses.replace(again, lon=73.73))  # another place: another centre
    assert sorted(planner.centres()["centre_id"]) == ["CC-1", "CC-2"]
    assert planner.centre("CC-1").capacity == 60


def test_the_checkpoints_of_a_notified_zone_are_changed_by_the_collector_only(service, store):
    import geopandas as gpd

    def checkpoint(cid: str, zone_id: str) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"checkpoint_id": [cid], "zone_id": [zone_id], "zone_name": ["z"], "road": ["MDR 12"],
             "road_class": ["MDR"]},
            geometry=gpd.points_from_xy([73.71], [23.84]), crs=4326,
        )  # fmt: skip

    planner, collector = workspace(service, "ravi"), workspace(service, "meena")
    planner.save_checkpoints(checkpoint("CP-d", "DZ-1"))  # a draft zone's: the planner's work
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.save_checkpoints(checkpoint("CP-n", "NZ-1"))
    collector.save_checkpoints(checkpoint("CP-n", "NZ-1"))
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.delete_checkpoint("CP-n")
    planner.delete_checkpoint("CP-d")
    assert list(store.checkpoints()["checkpoint_id"]) == ["CP-n"]


def store_district():
    from containment import load_district

    return load_district("dungarpur")
