"""Is there community spread? The share of new cases that fell outside every zone in force.

A case *fell outside* when, at the start of the day it was reported, no zone in force held it
(its point in no outline in force, a point on an outline's edge being inside): a new focus, not
a case in an area already sealed. "At the start of the day" means in force on the day before
the report: a zone notified on the very day of a case — as often happened because of that case
— does not hide it. Zones of both kinds count (containment and buffer), each with the outline
it had on that day (:func:`containment.engine.history.in_force_periods`).

:func:`outside_every_zone` decides this for every case with one spatial query over all the
zones' in-force periods and a comparison of dates, whatever the number of distinct days or sets
of zones (see ``bench/bench_trends.py``, beside the plain way: a union of the zones in force
for each day, cases tested against it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.timeline import report_days

__all__ = [
    "SpreadSignal",
    "SpreadWindow",
    "before_any_zone",
    "first_zone_day",
    "outside_every_zone",
    "outside_every_zone_by_day",
    "spread_signal",
    "spread_window",
]

#: Weeks of the signal's trend, the last one ending on the working date.
TREND_WEEKS = 6


def _lon_lat(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries in EPSG:4326 (transformed only if they are not)."""
    same = frame.crs is not None and frame.crs.equals(STORAGE_CRS)
    geometry: np.ndarray = (frame if same else frame.to_crs(STORAGE_CRS)).geometry.to_numpy()
    return geometry


def outside_every_zone(cases: gpd.GeoDataFrame, periods: gpd.GeoDataFrame) -> np.ndarray:
    """For each case, whether it fell outside every zone in force at the start of the day it
    was reported (see the module's description). ``periods`` are the zones' in-force periods.

    One query of a tree of the case points with all the periods' outlines (by bounding box),
    then, for each (case, period) pair it finds, whether the period covered the day before the
    report, and only for the pairs left, whether the (prepared) outline holds the point.

    >>> import shapely
    >>> zone = gpd.GeoDataFrame({"start": pd.to_datetime(["2020-05-10"]),
    ...     "end": pd.to_datetime(["2020-05-20"])}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    >>> days = ["2020-05-10", "2020-05-11", "2020-05-20", "2020-05-21"]
    >>> cases = gpd.GeoDataFrame({"reported_on": pd.to_datetime(days)},
    ...                          geometry=[shapely.Point(0.5, 0.5)] * 4, crs=4326)
    >>> outside_every_zone(cases, zone).tolist()
    [True, False, False, True]
    """
    outside = np.ones(len(cases), dtype=bool)
    if cases.empty or periods.empty:
        return outside
    points = _lon_lat(cases)
    outlines = _lon_lat(periods)
    period_idx, case_idx = shapely.STRtree(points).query(outlines)  # boxes overlap
    day = report_days(cases)[case_idx]
    start = periods["start"].to_numpy().astype("datetime64[D]")[period_idx]
    end = periods["end"].to_numpy().astype("datetime64[D]")[period_idx]
    in_force_before = (start < day) & (day <= end)  # start <= day - 1 < end
    period_idx, case_idx = period_idx[in_force_before], case_idx[in_force_before]
    shapely.prepare(outlines)
    inside = shapely.intersects(outlines[period_idx], points[case_idx])
    outside[case_idx[inside]] = False
    return outside


def outside_every_zone_by_day(cases: gpd.GeoDataFrame, periods: gpd.GeoDataFrame) -> np.ndarray:
    """The same as :func:`outside_every_zone`, the plain way: for each day a case was
    reported, the union of the zones in force at its start, and that day's cases tested
    against it. The baseline of ``bench/bench_trends.py``, and a check in the tests."""
    outside = np.ones(len(cases), dtype=bool)
    if cases.empty or periods.empty:
        return outside
    days = report_days(cases)
    points = _lon_lat(cases)
    outlines = _lon_lat(periods)
    start = periods["start"].to_numpy().astype("datetime64[D]")
    end = periods["end"].to_numpy().astype("datetime64[D]")
    for day in np.unique(days):
        in_force = (start < day) & (day <= end)
        if not in_force.any():
            continue
        area = shapely.union_all(outlines[in_force])
        shapely.prepare(area)
        those = np.flatnonzero(days == day)
        outside[those] = ~shapely.intersects(area, points[those])
    return outside


@dataclass(frozen=True)
class SpreadWindow:
    """The cases reported on the days ``first`` to ``last`` and how many fell outside every
    zone in force. ``by_block`` has one row per block (and ``outside`` for cases outside
    every block, if any): ``block``, ``cases``, ``outside_zones``, ``share`` (NaN with no
    case).

    Only cases reported once a zone had been in force count (``cases``): before the first
    zone every case is outside every zone, which says nothing of spread. Those reported
    before are ``before_zones``, apart."""

    first: dt.date
    last: dt.date
    cases: int
    outside_zones: int
    by_block: pd.DataFrame
    before_zones: int = 0
    first_zone_on: dt.date | None = None  # the first zone's first day in force (None: no zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def share(self) -> float | None:
        """The share of the window's cases that fell outside (None with no case)."""
        return self.outside_zones / self.cases if self.cases else None

    @property
    def new_foci_blocks(self) -> tuple[str, ...]:
        """The blocks with cases outside every zone, most such cases first."""
        found = self.by_block[self.by_block["outside_zones"] > 0]
        ordered = found.sort_values(["outside_zones", "block"], ascending=[False, True])
        return tuple(ordered["block"].astype(str))


def spread_window(
    days: np.ndarray,
    outside: np.ndarray,
    blocks: np.ndarray,
    block_names: list[str],
    *,
    first: dt.date,
    last: dt.date,
    before_zones: np.ndarray | None = None,
    first_zone_on: dt.date | None = None,
) -> SpreadWindow:
    """The :class:`SpreadWindow` of ``first`` to ``last`` from each case's report day
    (``datetime64[D]``), whether it fell outside, its block, and whether it was reported
    before any zone had been in force (``before_zones``; none when not given)."""
    in_window = (days >= np.datetime64(first, "D")) & (days <= np.datetime64(last, "D"))
    early = np.zeros(len(days), dtype=bool) if before_zones is None else before_zones
    chosen = in_window & ~early
    frame = pd.DataFrame({"block": blocks[chosen], "outside_zones": outside[chosen]})
    names = [*block_names]
    if "outside" in set(frame["block"]) and "outside" not in names:
        names.append("outside")
    grouped = frame.groupby("block")["outside_zones"]
    table = (
        pd.DataFrame({"cases": grouped.size(), "outside_zones": grouped.sum()})
        .reindex(names, fill_value=0)
        .astype(int)
    )
    table["share"] = table["outside_zones"] / table["cases"].where(table["cases"] > 0)
    table.index.name = "block"
    return SpreadWindow(
        first=first,
        last=last,
        cases=int(chosen.sum()),
        outside_zones=int(outside[chosen].sum()),
        by_block=table.reset_index(),
        before_zones=int((in_window & early).sum()),
        first_zone_on=first_zone_on,
    )


def first_zone_day(periods: gpd.GeoDataFrame) -> dt.date | None:
    """The first day any zone was in force (None with no zone)."""
    if periods.empty:
        return None
    return pd.Timestamp(periods["start"].min()).date()


def before_any_zone(days: np.ndarray, periods: gpd.GeoDataFrame) -> np.ndarray:
    """For each report day (``datetime64[D]``), whether no zone had yet been in force as it
    began: the day is on or before the first zone's first day (every day, with no zone).

    >>> zone = gpd.GeoDataFrame({"start": pd.to_datetime(["2020-05-10"])}, geometry=[None])
    >>> days = np.array(["2020-05-09", "2020-05-10", "2020-05-11"], dtype="datetime64[D]")
    >>> before_any_zone(days, zone).tolist()
    [True, True, False]
    """
    if periods.empty:
        return np.ones(len(days), dtype=bool)
    first_start = periods["start"].to_numpy().astype("datetime64[D]").min()
    early: np.ndarray = days <= first_start
    return early


@dataclass(frozen=True)
class SpreadSignal:
    """The community-spread signal as of a day: the last 7 and 14 days, and the trend — the
    same figure for each of the last :data:`TREND_WEEKS` weeks (``weekly``: ``first``,
    ``last``, ``cases``, ``outside_zones``, ``share``, ``before_zones``; the oldest week
    first)."""

    as_of: dt.date
    last_7d: SpreadWindow
    last_14d: SpreadWindow
    weekly: pd.DataFrame


def spread_signal(
    cases: gpd.GeoDataFrame,
    periods: gpd.GeoDataFrame,
    district: District,
    *,
    as_of: dt.date,
    weeks: int = TREND_WEEKS,
) -> SpreadSignal:
    """The community-spread signal as of ``as_of`` (see :class:`SpreadSignal`); cases
    reported after ``as_of`` are not counted."""
    known = cases[report_days(cases) <= np.datetime64(as_of, "D")]
    recent_first = as_of - dt.timedelta(days=7 * max(weeks, 2) - 1)
    known = known[report_days(known) >= np.datetime64(recent_first, "D")]
    days = report_days(known)
    outside = outside_every_zone(known, periods)
    early = before_any_zone(days, periods)
    blocks = district.block_at(known.geometry) if len(known) else np.array([], dtype=object)
    names = [*district.blocks["name"].astype(str)]

    def window(length: int, end: dt.date) -> SpreadWindow:
        first = end - dt.timedelta(days=length - 1)
        return spread_window(
            days, outside, blocks, names, first=first, last=end, before_zones=early,
            first_zone_on=first_zone_day(periods),
        )  # fmt: skip

    weekly = []
    for back in range(weeks - 1, -1, -1):
        w = window(7, as_of - dt.timedelta(days=7 * back))
        weekly.append((w.first, w.last, w.cases, w.outside_zones, w.share, w.before_zones))
    table = pd.DataFrame(
        weekly, columns=["first", "last", "cases", "outside_zones", "share", "before_zones"]
    )
    table["share"] = table["share"].astype(float)
    return SpreadSignal(
        as_of=as_of, last_7d=window(7, as_of), last_14d=window(14, as_of), weekly=table
    )
