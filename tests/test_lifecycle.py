"""Saved zones: the life cycle, and figures that follow the cases of the day."""

import dataclasses
import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from containment.engine.lifecycle import (
    SavedZone,
    TransitionError,
    ZoneStatus,
    advance,
    describe_zones,
    public_release_dates,
)
from tests.places import NEAR_DUNGARPUR_TOWN

LON, LAT = NEAR_DUNGARPUR_TOWN
WARD = shapely.box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)
MAY_1 = dt.date(2020, 5, 1)


def ward(**changes) -> SavedZone:
    return SavedZone(
        "DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD, created_on=MAY_1, **changes
    )


def test_the_happy_path_draft_proposed_notified_released():
    zone = advance(ward(), "proposed", on=MAY_1)
    zone = advance(zone, ZoneStatus.NOTIFIED, on=dt.date(2020, 5, 2), order_number=" DM/117 ")
    assert (zone.order_number, zone.notified_on) == ("DM/117", dt.date(2020, 5, 2))
    zone = advance(zone, "released", on=dt.date(2020, 6, 1))
    assert (zone.status, zone.released_on) == (ZoneStatus.RELEASED, dt.date(2020, 6, 1))


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("draft", "notified", "cannot become notified. Next steps from draft: proposed"),
        ("draft", "released", "cannot become released"),
        ("released", "draft", r"Next steps from released: none \(it is final\)"),
    ],
)
def test_steps_the_life_cycle_does_not_allow_are_refused(start, target, message):
    with pytest.raises(TransitionError, match=message):
        advance(ward(status=start), target, on=MAY_1, order_number="x")


def test_notifying_needs_an_order_number():
    with pytest.raises(TransitionError, match="needs the order number"):
        advance(ward(status="proposed"), "notified", on=MAY_1, order_number="  ")


def test_release_cannot_come_before_notification():
    zone = ward(status="notified", order_number="1", notified_on=dt.date(2020, 5, 10))
    with pytest.raises(TransitionError, match="before it was notified"):
        advance(zone, "released", on=dt.date(2020, 5, 9))


def test_a_zone_needs_a_name():
    with pytest.raises(ValueError, match="A zone needs a name"):
        SavedZone("DZ-1", " ", "containment", "drawn", "rajasthan-1km", WARD)


def cases_on(*days):
    return gpd.GeoDataFrame(
        {"case_id": [f"C{i}" for i in range(len(days))], "reported_on": pd.to_datetime(list(days))},
        geometry=[shapely.Point(LON, LAT)] * len(days),
        crs=4326,
    )


def describe(zone, cases, district, as_of):
    frame = gpd.GeoDataFrame([vars(zone) | {"geometry": None}], geometry=[zone.geometry], crs=4326)
    return describe_zones(frame, cases, district, as_of=as_of).iloc[0]


def test_release_date_moves_when_a_new_case_falls_inside(dungarpur):
    zone = ward(status="notified", order_number="1", notified_on=dt.date(2020, 5, 2))
    before = describe(zone, cases_on("2020-05-01"), dungarpur, dt.date(2020, 5, 10))
    assert before["release_due_on"] == dt.date(2020, 5, 29)
    after = describe(zone, cases_on("2020-05-01", "2020-05-08"), dungarpur, dt.date(2020, 5, 10))
    assert (after["case_count"], after["release_due_on"]) == (2, dt.date(2020, 6, 5))


def test_a_release_date_leaving_the_planners_does_not_tell_the_day_of_the_last_case(dungarpur):
    zone = ward(status="notified", order_number="1", notified_on=dt.date(2020, 5, 1))
    as_of = dt.date(2020, 6, 4)
    shown = []
    for day in range(4, 11):  # a one-case zone, the case on each day of the week 4-10 May
        described = describe_zones(
            gpd.GeoDataFrame([vars(zone) | {"geometry": None}], geometry=[WARD], crs=4326),
            cases_on(f"2020-05-{day:02d}"),
            dungarpur,
            as_of=as_of,
        )
        public = public_release_dates(described, as_of).iloc[0]
        assert 0 <= (public["release_due_on"] - described["release_due_on"].iloc[0]).days < 7
        shown.append((public["release_due_on"], bool(public["due_for_release"])))
    assert set(shown) == {(dt.date(2020, 6, 7), False)}  # the Sunday ending the week, not due


def test_cases_after_the_day_do_not_count(dungarpur):
    zone = ward()
    figures = describe(zone, cases_on("2020-05-01", "2020-05-20"), dungarpur, dt.date(2020, 5, 10))
    assert figures["case_count"] == 1


def test_a_zone_in_force_past_its_release_date_is_flagged_due(dungarpur):
    zone = ward(status="notified", order_number="1", notified_on=dt.date(2020, 5, 2))
    due = describe(zone, cases_on("2020-05-01"), dungarpur, dt.date(2020, 5, 29))
    not_yet = describe(zone, cases_on("2020-05-01"), dungarpur, dt.date(2020, 5, 28))
    assert (bool(due["due_for_release"]), bool(not_yet["due_for_release"])) == (True, False)
    assert bool(due["in_force"])


def test_a_released_zone_is_no_longer_in_force(dungarpur):
    zone = ward(
        status="released",
        order_number="1",
        notified_on=dt.date(2020, 5, 2),
        released_on=dt.date(2020, 5, 30),
    )
    assert bool(describe(zone, cases_on("2020-05-01"), dungarpur, dt.date(2020, 5, 20))["in_force"])
    assert not bool(
        describe(zone, cases_on("2020-05-01"), dungarpur, dt.date(2020, 5, 30))["in_force"]
    )


def test_a_rule_zone_cannot_be_notified_before_the_cases_it_was_proposed_for():
    proposed = SavedZone(
        "CZ-1", "Ward 7", "containment", "rule", "rajasthan-1km", shapely.box(0, 0, 1, 1),
        status="proposed", created_on=dt.date(2020, 6, 3),
    )  # fmt: skip
    with pytest.raises(TransitionError, match="cannot be notified on 31-05-2020: it was proposed"):
        advance(proposed, "notified", on=dt.date(2020, 5, 31), order_number="DM/1")
    assert advance(proposed, "notified", on=dt.date(2020, 6, 3), order_number="DM/1").notified_on
    drawn = dataclasses.replace(proposed, origin="drawn")  # an order may come before the drawing
    assert advance(drawn, "notified", on=dt.date(2020, 5, 31), order_number="DM/1").notified_on


def test_an_outline_being_drawn_is_described_as_a_draft(dungarpur):
    from containment import read_cases
    from containment.engine.lifecycle import describe_outline

    cases = read_cases(dungarpur.sample_cases, dungarpur, today=dt.date(2020, 7, 1)).cases
    as_of = pd.Timestamp(cases["reported_on"].max()).date()
    figures = describe_outline(WARD, cases, dungarpur, as_of=as_of, release_after_days=28)
    assert not figures["in_force"]
    inside = cases[cases.within(WARD) & (pd.to_datetime(cases["reported_on"]).dt.date <= as_of)]
    assert figures["case_count"] == len(inside)
