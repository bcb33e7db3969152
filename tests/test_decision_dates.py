"""Dates of the collector's decisions that are confirmed before they are saved."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from containment.engine.decision_dates import dates_to_confirm
from containment.engine.lifecycle import SavedZone

WORKING = dt.date(2020, 5, 31)
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


def ward(status: str = "proposed", created_on: dt.date = dt.date(2020, 5, 28)) -> SavedZone:
    return SavedZone(
        "DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD,
        status=status, created_on=created_on,
    )  # fmt: skip


@pytest.mark.parametrize("on", [WORKING, dt.date(2020, 5, 28), dt.date(2020, 6, 7)])
def test_an_order_dated_near_the_working_date_after_the_zone_was_drawn_is_not_questioned(on):
    assert dates_to_confirm(ward(), "notified", on=on, working_date=WORKING) == []


def test_an_order_dated_before_the_zone_was_drawn_is_questioned():
    (reason,) = dates_to_confirm(ward(), "notified", on=dt.date(2020, 5, 27), working_date=WORKING)
    assert (
        reason == "The order date 27-05-2020 is before the zone was drawn or proposed (28-05-2020)."
    )


def test_an_order_dated_far_from_the_working_date_is_questioned():
    (reason,) = dates_to_confirm(ward(), "notified", on=dt.date(2020, 6, 30), working_date=WORKING)
    assert reason == "The date 30-06-2020 is 30 days from the working date (31-05-2020)."


def test_a_release_before_the_release_date_is_questioned():
    (reason,) = dates_to_confirm(
        ward("notified"),
        "released",
        on=WORKING,
        working_date=WORKING,
        release_due_on=dt.date(2020, 6, 1),
    )
    assert reason == "Released on 31-05-2020, 1 day before its release date (01-06-2020)."


def test_a_release_on_or_after_its_release_date_is_not_questioned():
    zone = ward("notified")
    due = dt.date(2020, 5, 30)
    assert (
        dates_to_confirm(zone, "released", on=WORKING, working_date=WORKING, release_due_on=due)
        == []
    )
    assert dates_to_confirm(zone, "released", on=WORKING, working_date=WORKING) == []


def test_a_proposal_or_a_draft_is_never_questioned():
    old = dt.date(2019, 1, 1)
    assert dates_to_confirm(ward("draft"), "proposed", on=old, working_date=WORKING) == []
