"""The daily update: proposing again the next day changes the zones already saved (new versions,
history kept) instead of adding duplicates; the collector notifies several zones under one
order — on SQLite and PostGIS."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import pytest

from containment import get_rule
from containment.auth import AuthError
from containment.engine.lifecycle import advance
from containment.engine.update import Change
from containment.service import Service
from tests.places import BICHHIWARA, NEAR_DUNGARPUR_TOWN
from tests.test_service import PASSWORD
from tests.test_zones import cases_around

RULE = get_rule("rajasthan-1km")
DAY_1, DAY_2 = dt.date(2020, 5, 10), dt.date(2020, 5, 11)


@pytest.fixture
def service(store) -> Service:
    for name, role in (("meena", "collector"), ("ravi", "planner")):
        store.add_user(name, role, PASSWORD)
    return Service(store)


def login(service: Service, user: str):
    return service.workspace(service.login(user, PASSWORD).token)


def cases(dungarpur, place, offsets, day, prefix):
    found = cases_around(
        dungarpur,
        place,
        offsets,
        [day] * len(offsets),
        [f"{prefix}{i}" for i in range(len(offsets))],
    )
    found["status"] = "active"
    return found


def run_day(ws, dungarpur, day):
    plan = ws.propose_zones(RULE, as_of=day, district=dungarpur)
    changes = ws.daily_update(plan, dungarpur)
    return plan, changes


def kinds(changes):
    return sorted(str(c.change) for c in changes)


def test_the_next_day_a_zone_grows_instead_of_a_duplicate_being_made(service, store, dungarpur):
    planner = login(service, "ravi")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0)], DAY_1, "A"), source="day 1")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    assert kinds(changes) == ["new"]
    planner.apply_update(changes, plan, dungarpur)
    (zone_id,) = store.zones()["zone_id"]
    before = store.zone(zone_id)

    store.import_cases(cases(dungarpur, BICHHIWARA, [(1800, 0)], DAY_2, "B"), source="day 2")
    plan, changes = run_day(planner, dungarpur, DAY_2)
    assert kinds(changes) == ["grown"]
    assert changes[0].saved == (zone_id,)
    outcome = planner.apply_update(changes, plan, dungarpur)
    assert (outcome.added, outcome.grown) == (0, 1)
    assert list(store.zones()["zone_id"]) == [zone_id]  # the same zone, not a second one
    after = store.zone(zone_id)
    assert after.version == before.version + 1
    assert after.geometry.area > before.geometry.area
    assert after.geometry.covers(before.geometry)
    assert store.zone_history(zone_id)[-1][3].startswith("grew by rajasthan-1km as of 11-05-2020")

    plan, changes = run_day(planner, dungarpur, DAY_2)
    assert kinds(changes) == ["unchanged"]  # nothing left to do


def test_a_case_between_two_zones_merges_them(service, store, dungarpur):
    planner = login(service, "ravi")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0), (5000, 0)], DAY_1, "A"), source="d1")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    planner.apply_update(changes, plan, dungarpur)
    first, second = sorted(store.zones()["zone_id"])
    store.import_cases(cases(dungarpur, BICHHIWARA, [(2500, 0)], DAY_2, "B"), source="d2")
    plan, changes = run_day(planner, dungarpur, DAY_2)
    assert kinds(changes) == ["merged"]
    outcome = planner.apply_update(changes, plan, dungarpur)
    assert (outcome.merged, outcome.ended) == (1, 1)
    (kept,) = store.zones()["zone_id"]
    assert kept in (first, second)
    ended = second if kept == first else first
    assert store.zone_history(ended)[-1][3] == f"merged into {store.zone(kept).name}"


def test_a_merge_never_ends_a_zone_in_force_or_one_drawn_by_hand(service, store, dungarpur):
    collector = login(service, "meena")
    store.import_cases(
        cases(dungarpur, BICHHIWARA, [(0, 0), (5000, 0), (10_000, 0)], DAY_1, "A"), source="d1"
    )
    plan, changes = run_day(collector, dungarpur, DAY_1)
    collector.apply_update(changes, plan, dungarpur)
    saved = store.zones()
    by_place = saved.assign(x=saved.geometry.bounds["minx"]).sort_values("x")["zone_id"]
    west, middle, east = (store.zone(z) for z in by_place)
    collector.notify_zones([west, east], order_number="DM/1", on=DAY_1)
    drawn = collector.save_zone(
        dataclasses.replace(middle, zone_id="DZ-hand", origin="drawn", version=0,
                            name="Drawn by hand")
    )  # fmt: skip
    collector.delete_zone(middle.zone_id)
    # A case between them all: the rule would make one zone of the three.
    store.import_cases(cases(dungarpur, BICHHIWARA, [(2500, 0), (7500, 0)], DAY_2, "B"), source="d")
    plan, changes = run_day(collector, dungarpur, DAY_2)
    collector.apply_update(changes, plan, dungarpur)
    after = store.zones().set_index("zone_id")
    assert after.loc[west.zone_id, "status"] == after.loc[east.zone_id, "status"] == "notified"
    assert set(after.loc[[west.zone_id, east.zone_id], "order_number"]) == {"DM/1"}
    assert store.zone("DZ-hand").geometry.equals(drawn.geometry)  # not absorbed, not grown
    units = dungarpur.unit_index
    held = [
        set(units.units_in(gpd.GeoSeries([z.geometry], crs=4326).to_crs(dungarpur.metric_crs)
                           .to_numpy())[1])
        for z in map(store.zone, after.index)
    ]  # fmt: skip
    assert all(not (a & b) for i, a in enumerate(held) for b in held[i + 1 :])  # no unit twice


def test_a_zone_released_early_is_proposed_again_as_a_new_zone(service, store, dungarpur):
    collector = login(service, "meena")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0)], DAY_1, "A"), source="d1")
    plan, changes = run_day(collector, dungarpur, DAY_1)
    collector.apply_update(changes, plan, dungarpur)
    zone = store.zones().iloc[0]
    first = store.zone(zone["zone_id"])
    notified = collector.notify_zones([first], order_number="DM/1", on=DAY_1)[0]
    collector.save_zone(advance(notified, "released", on=DAY_2))  # before its window ended
    plan, changes = run_day(collector, dungarpur, DAY_2)
    assert kinds(changes) == ["new"]
    outcome = collector.apply_update(changes, plan, dungarpur)  # not blocked by the released id
    assert outcome.added == 1
    statuses = store.zones().set_index("zone_id")["status"]
    assert statuses[first.zone_id] == "released"  # the released zone and its order stay
    assert sorted(statuses) == ["proposed", "released"]
    plan, changes = run_day(collector, dungarpur, DAY_2)
    assert kinds(changes) == ["unchanged"]


def test_a_new_focus_is_new_and_a_quiet_notified_zone_is_due_for_release(service, store, dungarpur):
    collector = login(service, "meena")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0)], DAY_1, "A"), source="d1")
    plan, changes = run_day(collector, dungarpur, DAY_1)
    collector.apply_update(changes, plan, dungarpur)
    zone = store.zones().iloc[0]
    collector.notify_zones([store.zone(zone["zone_id"])], order_number="DM/1", on=DAY_1)
    later = DAY_1 + dt.timedelta(days=RULE.release_after_days + 1)
    store.import_cases(cases(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], later, "C"), source="d3")
    plan, changes = run_day(collector, dungarpur, later)
    assert kinds(changes) == ["due for release", "new"]
    due = next(c for c in changes if c.change is Change.RELEASE_DUE)
    assert due.saved == (zone["zone_id"],)


def test_the_collector_notifies_several_zones_under_one_order(service, store, dungarpur):
    offsets = [(0, 0), (6000, 0), (12_000, 0)]
    store.import_cases(cases(dungarpur, BICHHIWARA, offsets, DAY_1, "A"), source="d1")
    planner, collector = login(service, "ravi"), login(service, "meena")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    planner.apply_update(changes, plan, dungarpur)
    zones = [store.zone(z) for z in store.zones()["zone_id"]]
    assert len(zones) == 3
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.notify_zones(zones, order_number="DM/7", on=DAY_1)
    collector.notify_zones(zones, order_number="DM/7", on=DAY_1)
    saved = store.zones()
    assert set(saved["status"]) == {"notified"}
    assert set(saved["order_number"]) == {"DM/7"}


def test_notifying_several_zones_is_all_or_nothing(service, store, dungarpur):
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0), (6000, 0)], DAY_1, "A"), source="d1")
    planner, collector = login(service, "ravi"), login(service, "meena")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    planner.apply_update(changes, plan, dungarpur)
    zones = [store.zone(z) for z in store.zones()["zone_id"]]
    store.save_zone(dataclasses.replace(zones[1], name="renamed meanwhile"))
    with pytest.raises(Exception, match="was changed by"):
        collector.notify_zones(zones, order_number="DM/8", on=DAY_1)
    assert set(store.zones()["status"]) == {"proposed"}  # neither was notified


def test_a_planner_may_not_grow_a_notified_zone(service, store, dungarpur):
    planner, collector = login(service, "ravi"), login(service, "meena")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0)], DAY_1, "A"), source="d1")
    plan, changes = run_day(collector, dungarpur, DAY_1)
    collector.apply_update(changes, plan, dungarpur)
    zone_id = store.zones()["zone_id"].iloc[0]
    collector.notify_zones([store.zone(zone_id)], order_number="DM/1", on=DAY_1)
    store.import_cases(cases(dungarpur, BICHHIWARA, [(1800, 0)], DAY_2, "B"), source="d2")
    plan, changes = run_day(planner, dungarpur, DAY_2)
    assert kinds(changes) == ["grown"]
    assert changes[0].touches_notified
    with pytest.raises(AuthError, match="may not notify and release zones"):
        planner.apply_update(changes, plan, dungarpur)
    collector.apply_update(changes, plan, dungarpur)
    assert store.zone(zone_id).status == "notified"


def test_a_proposal_with_no_case_left_ends_and_a_drawn_one_is_only_listed(
    service, store, dungarpur
):
    planner = login(service, "ravi")
    store.import_cases(cases(dungarpur, BICHHIWARA, [(0, 0)], DAY_1, "A"), source="d1")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    planner.apply_update(changes, plan, dungarpur)
    (proposal,) = store.zones()["zone_id"]
    drawn = planner.save_zone(
        dataclasses.replace(store.zone(proposal), zone_id="DZ-hand", origin="drawn", version=0,
                            name="Drawn by hand", status="draft")
    )  # fmt: skip
    planner.delete_zone(proposal)
    planner.save_zone(dataclasses.replace(store.zone("DZ-hand"), name="Drawn by hand"))
    store.import_cases(cases(dungarpur, NEAR_DUNGARPUR_TOWN, [(0, 0)], DAY_1, "B"), source="d")
    plan, changes = run_day(planner, dungarpur, DAY_1)
    planner.apply_update(changes, plan, dungarpur)
    later = DAY_1 + dt.timedelta(days=RULE.release_after_days + 1)
    plan, changes = run_day(planner, dungarpur, later)
    assert kinds(changes) == ["no case now", "no case now"]
    assert [c.to_apply for c in sorted(changes, key=lambda c: c.drawn)] == [True, False]
    outcome = planner.apply_update(changes, plan, dungarpur)
    assert outcome.lapsed == 1
    assert list(store.zones()["zone_id"]) == [drawn.zone_id]  # the hand-drawn zone stays
