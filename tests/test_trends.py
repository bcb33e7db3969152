"""Trends: which zones were in force when, the epidemic curve, growth, people sealed, beds over
time, and the community-spread signal — small examples worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from containment.engine.history import in_force_periods
from containment.field.spread import (
    outside_every_zone,
    outside_every_zone_by_day,
    spread_signal,
)
from containment.field.trends import (
    GrowthTrend,
    epidemic_curve,
    growth,
    occupancy_over_time,
    trends,
    zones_over_time,
)
from containment.io.synthetic import synthetic_cases
from tests.places import BICHHIWARA, NEAR_DUNGARPUR_TOWN

MAY = {d: dt.date(2020, 5, d) for d in range(1, 32)}
# Block points (each block's representative point, rounded): one case here is in that block.
IN_SAGWARA = (73.99, 23.69)
IN_ASPUR = (74.15, 23.90)
# A small square around Bichhiwara (the habitation and a few around it).
BICHHIWARA_SQUARE = shapely.box(73.50, 23.77, 73.54, 23.80)
BIGGER_SQUARE = shapely.box(73.45, 23.72, 73.60, 23.85)


def day(d: int) -> str:
    return f"2020-05-{d:02d}"


def cases_at(*rows: tuple[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Cases reported on the given days at the given (lon, lat) points."""
    return gpd.GeoDataFrame(
        {"reported_on": pd.to_datetime([r[0] for r in rows])},
        geometry=[shapely.Point(r[1]) for r in rows],
        crs=4326,
    )


def version(
    zone_id: str,
    number: int,
    status: str,
    *,
    saved: str,
    outline: shapely.Geometry = BICHHIWARA_SQUARE,
    notified: int | None = None,
    released: int | None = None,
    kind: str = "containment",
    deleted: bool = False,
) -> dict[str, object]:
    return {
        "zone_id": zone_id,
        "version": number,
        "kind": kind,
        "status": status,
        "notified_on": MAY[notified] if notified else None,
        "released_on": MAY[released] if released else None,
        "saved_at": pd.Timestamp(saved, tz="UTC"),
        "deleted": deleted,
        "geometry": outline,
    }


def history(*versions: dict[str, object]) -> gpd.GeoDataFrame:
    if not versions:
        columns = [c for c in version("Z", 1, "draft", saved=day(1)) if c != "geometry"]
        return gpd.GeoDataFrame(columns=columns, geometry=[], crs=4326)
    return gpd.GeoDataFrame(list(versions), geometry="geometry", crs=4326)


def spans(periods: gpd.GeoDataFrame) -> list[tuple[str, int, str, str]]:
    return [
        (row.zone_id, row.version, f"{row.start:%d-%m}", f"{row.end:%d-%m}")
        for row in periods.itertuples()
    ]


# --- which zones were in force when -------------------------------------------------------


def test_a_zone_is_in_force_from_the_day_on_its_order_to_the_day_it_is_released():
    periods = in_force_periods(
        history(
            version("Z1", 1, "proposed", saved=day(8)),
            version("Z1", 2, "notified", saved=day(11), notified=10),  # entered a day late
            version("Z1", 3, "released", saved=day(25), notified=10, released=24),
        )
    )
    assert spans(periods) == [("Z1", 2, "10-05", "24-05")]


def test_an_outline_redrawn_while_in_force_counts_from_the_day_it_was_saved_in_india():
    periods = in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(10), notified=10),
            # 20:00 UTC on the 14th is 01:30 on the 15th in India
            version(
                "Z1", 2, "notified", saved="2020-05-14 20:00", notified=10, outline=BIGGER_SQUARE
            ),
        )
    )
    assert spans(periods) == [("Z1", 1, "10-05", "15-05"), ("Z1", 2, "15-05", "31-12")]
    assert periods["end"].iloc[1].year == 9999  # still in force


def test_a_zone_deleted_or_merged_while_in_force_ends_the_day_it_was_deleted():
    periods = in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(10), notified=10),
            version("Z1", 2, "notified", saved=day(16), notified=10, deleted=True),
        )
    )
    assert spans(periods) == [("Z1", 1, "10-05", "16-05")]


def test_a_change_saved_after_a_release_dated_earlier_lasts_no_day():
    periods = in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(10), notified=10),
            version("Z1", 2, "notified", saved=day(30), notified=10, outline=BIGGER_SQUARE),
            version("Z1", 3, "released", saved=day(31), notified=10, released=20),
        )
    )
    assert spans(periods) == [("Z1", 1, "10-05", "20-05")]


def test_zones_never_notified_are_never_in_force():
    periods = in_force_periods(
        history(
            version("Z1", 1, "draft", saved=day(3)),
            version("Z1", 2, "proposed", saved=day(4)),
            version("Z2", 1, "proposed", saved=day(4)),
        )
    )
    assert periods.empty
    assert list(in_force_periods(history()).columns) == [*periods.columns]


# --- the epidemic curve -------------------------------------------------------------------


def test_the_curve_counts_cases_per_reported_day_with_a_trailing_seven_day_average(dungarpur):
    # 7 cases on 1 May, 14 on 8 May, one on 9 May (after the last day shown: not counted).
    cases = cases_at(
        *[(day(1), NEAR_DUNGARPUR_TOWN)] * 7,
        *[(day(8), NEAR_DUNGARPUR_TOWN)] * 14,
        (day(9), NEAR_DUNGARPUR_TOWN),
    )
    curve = epidemic_curve(cases, dungarpur, first=MAY[1], last=MAY[8])
    assert curve.daily["new_cases"].tolist() == [7, 0, 0, 0, 0, 0, 0, 14]
    # the mean of the 7 days ending on each day: 7/7 on 1 May (days before it had none) ...
    # ... on 8 May the days 2-8 May: 14/7 (1 May has left the window)
    assert curve.daily["average_7d"].tolist() == [1.0] * 7 + [2.0]
    assert curve.daily.index[0] == pd.Timestamp("2020-05-01")


def test_the_curve_by_block_adds_up_to_the_day(dungarpur):
    cases = cases_at(
        (day(2), IN_SAGWARA), (day(2), IN_SAGWARA), (day(2), IN_ASPUR), (day(3), BICHHIWARA)
    )
    curve = epidemic_curve(cases, dungarpur, first=MAY[1], last=MAY[3])
    by_block = curve.by_block
    assert list(by_block.columns) == ["Aspur", "Bichhiwara", "Dungarpur", "Sagwara", "Simalwara"]
    assert by_block.loc["2020-05-02", ["Sagwara", "Aspur"]].tolist() == [2, 1]
    assert by_block.loc["2020-05-03", "Bichhiwara"] == 1
    assert (by_block.sum(axis=1) == curve.daily["new_cases"]).all()


# --- growth -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "recent", "trend", "doubling", "halving"),
    [
        (10, 20, GrowthTrend.GROWING, 7.0, None),  # twice as many in 7 days: doubles in 7
        (20, 10, GrowthTrend.SHRINKING, None, 7.0),  # half as many: halves in 7
        (10, 40, GrowthTrend.GROWING, 3.5, None),  # four times in 7 days: doubles in 3.5
        (10, 10, GrowthTrend.STEADY, None, None),
        (0, 5, GrowthTrend.NEW, None, None),  # no rate from nothing
        (5, 0, GrowthTrend.ENDED, None, None),
        (0, 0, GrowthTrend.NONE, None, None),
    ],
)
def test_growth_compares_the_last_seven_days_with_the_seven_before(
    before, recent, trend, doubling, halving
):
    # as of 14 May: the recent window is 8-14 May, the one before 1-7 May
    cases = pd.DataFrame({"reported_on": pd.to_datetime([day(3)] * before + [day(14)] * recent)})
    g = growth(cases, as_of=MAY[14], window_days=7)
    assert (g.cases_before, g.cases_recent, g.trend) == (before, recent, trend)
    assert g.doubling_days == pytest.approx(doubling)
    assert g.halving_days == pytest.approx(halving)
    if before and recent:
        assert g.daily_rate == pytest.approx(math.log(recent / before) / 7)
    else:
        assert g.daily_rate is None


def test_growth_over_fourteen_days_uses_two_fourteen_day_windows():
    cases = pd.DataFrame({"reported_on": pd.to_datetime([day(1)] * 3 + [day(28)] * 6)})
    g = growth(cases, as_of=MAY[28], window_days=14)  # 15-28 May against 1-14 May
    assert (g.cases_before, g.cases_recent, g.doubling_days) == (3, 6, pytest.approx(14.0))
    with pytest.raises(ValueError, match="at least one day"):
        growth(cases, as_of=MAY[28], window_days=0)


# --- zones and people sealed over time ----------------------------------------------------


def test_people_sealed_are_those_of_the_units_in_the_containment_zones_in_force(dungarpur):
    periods = in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(2), notified=2),
            version("Z1", 2, "released", saved=day(4), notified=2, released=4),
            # a second zone over the same units, and a buffer zone: nobody counted twice
            version("Z2", 1, "notified", saved=day(3), notified=3),
            version(
                "B1", 1, "notified", saved=day(3), notified=3, kind="buffer", outline=BIGGER_SQUARE
            ),
        )
    )
    table = zones_over_time(periods, dungarpur, first=MAY[1], last=MAY[4])
    units = dungarpur.units
    inside = units[units.representative_point().within(BICHHIWARA_SQUARE)]
    people, households = round(inside["population"].sum()), round(inside["households"].sum())
    assert people > 0
    assert table["zones_in_force"].tolist() == [0, 1, 3, 2]
    assert table["containment_zones"].tolist() == [0, 1, 2, 1]
    assert table["people_sealed"].tolist() == [0, people, people, people]
    assert table["households_sealed"].tolist() == [0, households, households, households]


# --- beds over time -----------------------------------------------------------------------


def test_beds_on_a_day_are_each_centres_latest_before_it_and_unknown_before_any():
    rows = pd.DataFrame(
        [
            ("C1", MAY[2], 50, 10, "2020-05-02 09:00"),
            ("C2", MAY[3], 20, 5, "2020-05-03 09:00"),
            ("C1", MAY[4], 50, 30, "2020-05-04 09:00"),
            ("C1", MAY[4], 60, 35, "2020-05-04 17:00"),  # corrected the same day: this one
            ("C2", MAY[5], 0, 0, "2020-05-05 09:00"),  # C2 removed
        ],
        columns=["centre_id", "on_day", "capacity", "occupied", "saved_at"],
    ).assign(saved_at=lambda f: pd.to_datetime(f["saved_at"], utc=True))
    table = occupancy_over_time(rows, first=MAY[1], last=MAY[5])
    assert table["beds_total"].tolist()[1:] == [50, 70, 80, 60]
    assert table["beds_occupied"].tolist()[1:] == [10, 15, 40, 35]
    assert table["beds_free"].tolist()[1:] == [40, 55, 40, 25]
    assert table.iloc[0].isna().all()  # before the history began: not known, not zero


def test_beds_known_before_the_first_day_shown_carry_into_it():
    rows = pd.DataFrame(
        {
            "centre_id": ["C1"],
            "on_day": [MAY[1]],
            "capacity": [50],
            "occupied": [10],
            "saved_at": pd.to_datetime(["2020-05-01"], utc=True),
        }
    )
    table = occupancy_over_time(rows, first=MAY[10], last=MAY[11])
    assert table["beds_free"].tolist() == [40, 40]


# --- the community-spread signal ----------------------------------------------------------

IN_ZONE = (73.52, 23.785)  # inside BICHHIWARA_SQUARE
OUT_OF_ZONE = IN_SAGWARA


@pytest.fixture
def notified_10_to_20_may():
    """Zone Z1 around Bichhiwara, notified on 10 May, released on 20 May."""
    return in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(10), notified=10),
            version("Z1", 2, "released", saved=day(20), notified=10, released=20),
        )
    )


def test_a_case_falls_outside_unless_a_zone_was_in_force_as_its_day_began(notified_10_to_20_may):
    cases = cases_at(
        (day(9), IN_ZONE),  # before the zone
        (day(10), IN_ZONE),  # the day it was notified: a new focus (perhaps the reason)
        (day(11), IN_ZONE),  # inside a zone in force
        (day(11), OUT_OF_ZONE),  # elsewhere
        (day(20), IN_ZONE),  # released that day: it was in force when the day began
        (day(21), IN_ZONE),  # after the release
    )
    outside = outside_every_zone(cases, notified_10_to_20_may)
    assert outside.tolist() == [True, True, False, True, False, True]
    assert outside_every_zone_by_day(cases, notified_10_to_20_may).tolist() == outside.tolist()


def test_a_case_outside_the_first_outline_is_outside_until_the_zone_grows_to_it():
    periods = in_force_periods(
        history(
            version("Z1", 1, "notified", saved=day(10), notified=10),
            version("Z1", 2, "notified", saved=day(15), notified=10, outline=BIGGER_SQUARE),
        )
    )
    near = (73.57, 23.75)  # in the bigger square, not the first one
    cases = cases_at((day(14), near), (day(15), near), (day(16), near))
    assert outside_every_zone(cases, periods).tolist() == [True, True, False]


def test_the_signal_counts_new_foci_in_the_last_7_and_14_days_by_block(
    dungarpur, notified_10_to_20_may
):
    cases = cases_at(
        *[(day(12), IN_ZONE)] * 5,  # five inside the zone in force (Bichhiwara)
        (day(12), IN_SAGWARA),  # a new focus, 7-14 days back
        (day(17), IN_SAGWARA),  # new foci in the last 7 days
        (day(18), IN_ASPUR),
        (day(18), IN_ASPUR),
        *[(day(18), IN_ZONE)] * 3,  # inside
        (day(19), IN_ZONE),
        (day(25), IN_ZONE),  # after the working date: not counted
    )
    signal = spread_signal(cases, notified_10_to_20_may, dungarpur, as_of=MAY[19])
    week = signal.last_7d
    assert (week.first, week.last) == (MAY[13], MAY[19])
    assert (week.cases, week.outside_zones) == (7, 3)
    assert week.share == pytest.approx(3 / 7)
    assert week.new_foci_blocks == ("Aspur", "Sagwara")  # most new foci first
    rows = week.by_block.set_index("block")
    assert rows.loc["Aspur", ["cases", "outside_zones"]].tolist() == [2, 2]
    assert rows.loc["Bichhiwara", ["cases", "outside_zones"]].tolist() == [4, 0]
    assert np.isnan(rows.loc["Simalwara", "share"])  # no case: no share
    fortnight = signal.last_14d
    assert (fortnight.cases, fortnight.outside_zones) == (13, 4)
    # the trend: six weeks, the last ending on the working date
    assert signal.weekly["last"].tolist()[-2:] == [MAY[12], MAY[19]]
    assert signal.weekly["cases"].tolist()[-2:] == [6, 7]
    assert signal.weekly["outside_zones"].tolist()[-2:] == [1, 3]
    assert signal.weekly["share"].isna().tolist() == [True] * 4 + [False] * 2


def test_without_any_zone_the_signal_cannot_be_read(dungarpur):
    cases = cases_at((day(18), IN_ZONE), (day(19), IN_SAGWARA))
    signal = spread_signal(cases, in_force_periods(history()), dungarpur, as_of=MAY[19])
    week = signal.last_7d
    assert (week.cases, week.outside_zones, week.before_zones, week.share) == (0, 0, 2, None)
    empty = spread_signal(cases.iloc[:0], in_force_periods(history()), dungarpur, as_of=MAY[19])
    assert (empty.last_7d.cases, empty.last_7d.before_zones, empty.last_7d.share) == (0, 0, None)


def test_cases_before_the_first_zone_are_told_apart_not_counted_as_new_foci(
    dungarpur, notified_10_to_20_may
):
    cases = cases_at(
        (day(8), IN_SAGWARA),  # before the first zone: says nothing of spread
        (day(10), IN_ASPUR),  # the zone's first day: it was not in force as the day began
        (day(11), IN_ZONE),  # inside the zone in force
        (day(12), IN_SAGWARA),  # a new focus
    )
    signal = spread_signal(cases, notified_10_to_20_may, dungarpur, as_of=MAY[13])
    week = signal.last_7d  # 7 to 13 May
    assert (week.cases, week.outside_zones, week.before_zones) == (2, 1, 2)
    assert week.share == pytest.approx(1 / 2)
    rows = week.by_block.set_index("block")
    assert rows.loc["Sagwara", ["cases", "outside_zones"]].tolist() == [1, 1]
    assert rows.loc["Aspur", "cases"] == 0
    assert signal.weekly["before_zones"].tolist()[-2:] == [0, 2]


def test_one_spatial_query_agrees_with_a_union_per_day_on_a_synthetic_epidemic(dungarpur):
    cases = synthetic_cases(dungarpur, 3000, seed=4)
    versions = []
    for n, focus in enumerate(cases.sample(40, random_state=1).itertuples()):
        outline = shapely.Point(focus.geometry.x, focus.geometry.y).buffer(0.02)
        start = pd.Timestamp(focus.reported_on).date() + dt.timedelta(days=1)
        versions.append(
            {**version(f"Z{n}", 1, "notified", saved=str(start), outline=outline),
             "notified_on": start}
        )  # fmt: skip
        if n % 2:
            released = start + dt.timedelta(days=14)
            versions.append(
                {**version(f"Z{n}", 2, "released", saved=str(released), outline=outline),
                 "notified_on": start, "released_on": released}
            )  # fmt: skip
    periods = in_force_periods(history(*versions))
    fast = outside_every_zone(cases, periods)
    assert 0 < (~fast).sum() < len(cases)
    assert fast.tolist() == outside_every_zone_by_day(cases, periods).tolist()


def test_trends_gather_everything_as_of_the_working_date(dungarpur, notified_10_to_20_may):
    cases = cases_at((day(2), IN_ZONE), (day(12), IN_ZONE), (day(30), IN_ZONE))
    occupancy = pd.DataFrame(columns=["centre_id", "on_day", "capacity", "occupied", "saved_at"])
    found = trends(cases, notified_10_to_20_may, occupancy, dungarpur, as_of=MAY[19])
    assert found.first == dt.date(2020, 4, 22)  # at least 28 days shown
    assert found.curve.daily.index[-1] == pd.Timestamp("2020-05-19")
    assert found.curve.daily["new_cases"].sum() == 2  # the case of 30 May is not known yet
    assert found.zones["zones_in_force"].loc["2020-05-15"] == 1
    assert found.occupancy["beds_total"].isna().all()
    assert (found.growth_7d.cases_recent, found.growth_7d.cases_before) == (0, 1)
    assert found.spread.last_14d.cases == 1
