"""Is it getting better? The epidemic curve, its growth, zones and people sealed, beds over time.

Pure functions over the cases (each counted on the day it was reported), the zones' in-force
periods (:func:`containment.engine.history.in_force_periods`) and the centres' occupancy
history, for the days of a window ending on the working date. Cases are only counted: nothing
here names or locates a patient. The community-spread signal is in
:mod:`containment.field.spread`; :func:`trends` gathers everything the meeting shows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd

from containment.engine.district import District
from containment.engine.timeline import report_days, reported_in
from containment.field.spread import SpreadSignal, spread_signal

__all__ = [
    "AVERAGE_DAYS",
    "MAX_DAYS",
    "EpidemicCurve",
    "Growth",
    "GrowthTrend",
    "Trends",
    "day_range",
    "epidemic_curve",
    "growth",
    "occupancy_over_time",
    "trends",
    "zones_over_time",
]

#: The moving average is over this many days, ending on the day it is shown for.
AVERAGE_DAYS = 7
#: The charts go back at most this many days from the working date.
MAX_DAYS = 180


def day_range(first: dt.date, last: dt.date) -> pd.DatetimeIndex:
    """Every day from ``first`` to ``last``, both included, named ``day``."""
    return pd.date_range(first, last, freq="D", name="day")


@dataclass(frozen=True)
class EpidemicCurve:
    """New cases per day by reported date.

    ``daily`` is indexed by day with ``new_cases`` and ``average_7d`` (the mean of the 7 days
    ending on that day; days before the first case count as none, so it is exact from the
    first day shown). ``by_block`` has the same days and one column of new cases per block
    (``outside`` for a case placed outside every block), its rows adding up to ``new_cases``.
    """

    daily: pd.DataFrame
    by_block: pd.DataFrame


def epidemic_curve(
    cases: gpd.GeoDataFrame, district: District, *, first: dt.date, last: dt.date
) -> EpidemicCurve:
    """The epidemic curve of the days ``first`` to ``last`` (see :class:`EpidemicCurve`).

    >>> import shapely
    >>> from containment import load_district
    >>> d = load_district("dungarpur")
    >>> cases = gpd.GeoDataFrame({"reported_on": pd.to_datetime(["2020-05-01"] * 7)},
    ...                          geometry=[shapely.Point(73.71, 23.84)] * 7, crs=4326)
    >>> curve = epidemic_curve(cases, d, first=dt.date(2020, 5, 1), last=dt.date(2020, 5, 2))
    >>> curve.daily.to_dict("list")
    {'new_cases': [7, 0], 'average_7d': [1.0, 1.0]}
    """
    padded = day_range(first - dt.timedelta(days=AVERAGE_DAYS - 1), last)
    shown = reported_in(cases, until=last, after=padded[0].date() - dt.timedelta(days=1))
    days = pd.DatetimeIndex(report_days(shown), name="day")
    counts = pd.Series(1, index=days).groupby(level=0).sum().reindex(padded, fill_value=0)
    average = counts.rolling(AVERAGE_DAYS).mean()
    daily = pd.DataFrame({"new_cases": counts.astype(int), "average_7d": average}).loc[
        pd.Timestamp(first) :
    ]
    blocks = [*district.blocks["name"].astype(str)]
    where = district.block_at(shown.geometry)
    table = pd.crosstab(days, where) if len(shown) else pd.DataFrame(index=days)
    if "outside" in table.columns and "outside" not in blocks:
        blocks.append("outside")
    by_block = table.reindex(index=daily.index, columns=blocks, fill_value=0).fillna(0).astype(int)
    by_block.index.name, by_block.columns.name = "day", "block"
    return EpidemicCurve(daily=daily, by_block=by_block)


class GrowthTrend(StrEnum):
    GROWING = "growing"  # more cases than in the window before: doubling_days
    SHRINKING = "shrinking"  # fewer: halving_days
    STEADY = "steady"  # as many
    NEW = "new"  # cases now, none in the window before: no rate can be given
    ENDED = "ended"  # none now, some before
    NONE = "none"  # none in either window


@dataclass(frozen=True)
class Growth:
    """How fast the cases grow, from two windows of ``window_days`` each.

    ``cases_recent`` were reported in the window ending on the working date, ``cases_before``
    in the window before it. With both non-zero the daily growth rate is
    ``r = ln(cases_recent / cases_before) / window_days`` (the rate at which steady
    exponential growth multiplies a window's count by that ratio), the doubling time
    ``ln 2 / r`` days when ``r > 0`` and the halving time ``ln 2 / -r`` days when ``r < 0``.
    A window with no case gives no rate (``None``): :attr:`trend` says which case it is.
    """

    window_days: int
    cases_recent: int
    cases_before: int

    @property
    def trend(self) -> GrowthTrend:
        recent, before = self.cases_recent, self.cases_before
        if recent == 0:
            return GrowthTrend.ENDED if before else GrowthTrend.NONE
        if before == 0:
            return GrowthTrend.NEW
        if recent == before:
            return GrowthTrend.STEADY
        return GrowthTrend.GROWING if recent > before else GrowthTrend.SHRINKING

    @property
    def ratio(self) -> float | None:
        """Cases in the recent window per case in the window before."""
        if self.cases_before == 0:
            return None
        return self.cases_recent / self.cases_before

    @property
    def daily_rate(self) -> float | None:
        """The daily growth rate r (0.1 is 10 % a day; negative when falling)."""
        if self.cases_recent == 0 or self.cases_before == 0:
            return None
        return math.log(self.cases_recent / self.cases_before) / self.window_days

    @property
    def doubling_days(self) -> float | None:
        rate = self.daily_rate
        return math.log(2) / rate if rate is not None and rate > 0 else None

    @property
    def halving_days(self) -> float | None:
        rate = self.daily_rate
        return math.log(2) / -rate if rate is not None and rate < 0 else None


def growth(cases: gpd.GeoDataFrame, *, as_of: dt.date, window_days: int) -> Growth:
    """The growth of the cases over the ``window_days`` to ``as_of`` (see :class:`Growth`).

    >>> days = ["2020-05-01"] * 10 + ["2020-05-10"] * 20
    >>> cases = pd.DataFrame({"reported_on": pd.to_datetime(days)})
    >>> g = growth(cases, as_of=dt.date(2020, 5, 14), window_days=7)
    >>> (g.cases_before, g.cases_recent, g.trend.value, round(g.doubling_days, 1))
    (10, 20, 'growing', 7.0)
    """
    if window_days < 1:
        msg = f"A growth window must be at least one day, not {window_days}."
        raise ValueError(msg)
    step = dt.timedelta(days=window_days)
    recent = len(reported_in(cases, after=as_of - step, until=as_of))
    before = len(reported_in(cases, after=as_of - 2 * step, until=as_of - step))
    return Growth(window_days=window_days, cases_recent=recent, cases_before=before)


def zones_over_time(
    periods: gpd.GeoDataFrame, district: District, *, first: dt.date, last: dt.date
) -> pd.DataFrame:
    """Per day from ``first`` to ``last``: the zones in force and the people sealed.

    ``periods`` are the zones' in-force periods
    (:func:`containment.engine.history.in_force_periods`). Columns: ``zones_in_force`` (zones
    of either kind), ``containment_zones``, and ``people_sealed`` and ``households_sealed``:
    the people and households of the ground units inside the containment zones in force
    (a unit in two zones counted once; towns by their Census population), as the meeting's
    headline counts them.
    """
    days = day_range(first, last)
    table = pd.DataFrame(
        0, index=days, columns=["zones_in_force", "containment_zones"], dtype=np.int64
    )
    table["people_sealed"] = 0
    table["households_sealed"] = 0
    if periods.empty:
        return table
    start = periods["start"].to_numpy().astype("datetime64[D]")
    end = periods["end"].to_numpy().astype("datetime64[D]")
    zone_ids = periods["zone_id"].astype(str).to_numpy()
    containment = (periods["kind"].astype(str) == "containment").to_numpy()
    period_idx, unit_idx = district.unit_index.units_in(
        periods.to_crs(district.metric_crs).geometry.to_numpy()
    )
    in_containment = containment[period_idx]
    period_idx, unit_idx = period_idx[in_containment], unit_idx[in_containment]
    population = district.unit_index.units_m["population"].to_numpy(dtype=float)
    households = district.unit_index.units_m["households"].to_numpy(dtype=float)
    day_values = days.to_numpy().astype("datetime64[D]")
    previous: bytes | None = None
    row = (0, 0, 0, 0)
    rows = []
    for day in day_values:
        active = (start <= day) & (day < end)
        key = np.packbits(active).tobytes()
        if key != previous:  # the zones in force change on few days: count only then
            units = np.unique(unit_idx[active[period_idx]])
            row = (
                len(np.unique(zone_ids[active])),
                len(np.unique(zone_ids[active & containment])),
                round(population[units].sum()),
                round(households[units].sum()),
            )
            previous = key
        rows.append(row)
    table.loc[:, :] = np.array(rows, dtype=np.int64)
    return table


def occupancy_over_time(occupancy: pd.DataFrame, *, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Beds per day from ``first`` to ``last``, from the centres' occupancy history.

    ``occupancy`` has ``centre_id``, ``on_day`` (the day a row applies from), ``capacity``,
    ``occupied`` and ``saved_at``; a centre's beds on a day are those of its latest row applying
    by then (the later saved of two for the same day). Columns: ``beds_total``,
    ``beds_occupied``, ``beds_free``, summed over the centres known that day; a day before any
    row is known has none (NaN): the history began later.

    >>> rows = pd.DataFrame({"centre_id": ["C1", "C1"], "capacity": [50, 50],
    ...     "on_day": [dt.date(2020, 5, 2), dt.date(2020, 5, 4)], "occupied": [10, 30],
    ...     "saved_at": pd.to_datetime(["2020-05-02", "2020-05-04"], utc=True)})
    >>> occupancy_over_time(rows, first=dt.date(2020, 5, 1), last=dt.date(2020, 5, 4))[
    ...     "beds_occupied"].tolist()
    [nan, 10.0, 10.0, 30.0]
    """
    days = day_range(first, last)
    columns = ["beds_total", "beds_occupied", "beds_free"]
    if occupancy.empty:
        return pd.DataFrame(np.nan, index=days, columns=columns)
    rows = occupancy.assign(day=pd.to_datetime(occupancy["on_day"])).sort_values(
        ["day", "saved_at"], kind="stable"
    )
    latest = rows.groupby(["day", "centre_id"])[["capacity", "occupied"]].last()
    every_day = day_range(min(rows["day"].min().date(), first), last)
    per_centre = {
        column: latest[column].unstack("centre_id").reindex(every_day).ffill().loc[days]
        for column in ("capacity", "occupied")
    }
    table = pd.DataFrame(index=days)
    table["beds_total"] = per_centre["capacity"].sum(axis=1, min_count=1)
    table["beds_occupied"] = per_centre["occupied"].sum(axis=1, min_count=1)
    table["beds_free"] = table["beds_total"] - table["beds_occupied"]
    return table[columns].astype(float)


@dataclass(frozen=True)
class Trends:
    """Everything the meeting shows of the trend, as of ``as_of``, for the days ``first`` to
    ``as_of``: the epidemic curve, growth over 7 and 14 days, zones and people sealed, beds,
    and the community-spread signal."""

    as_of: dt.date
    first: dt.date
    curve: EpidemicCurve
    growth_7d: Growth
    growth_14d: Growth
    zones: pd.DataFrame
    occupancy: pd.DataFrame
    spread: SpreadSignal


def trends(
    cases: gpd.GeoDataFrame,
    periods: gpd.GeoDataFrame,
    occupancy: pd.DataFrame,
    district: District,
    *,
    as_of: dt.date,
    first: dt.date | None = None,
) -> Trends:
    """The trends as of ``as_of`` (cases reported later are not counted), from ``first`` (by
    default the first case, at most :data:`MAX_DAYS` back, and at least 28 days back)."""
    known = reported_in(cases, until=as_of)
    if first is None:
        earliest = as_of - dt.timedelta(days=MAX_DAYS - 1)
        first_case = pd.Timestamp(report_days(known).min()).date() if len(known) else as_of
        first = max(earliest, min(first_case, as_of - dt.timedelta(days=27)))
    if first > as_of:
        msg = (
            f"The trends start on {first:%d-%m-%Y}, after the day they are for ({as_of:%d-%m-%Y})."
        )
        raise ValueError(msg)
    return Trends(
        as_of=as_of,
        first=first,
        curve=epidemic_curve(known, district, first=first, last=as_of),
        growth_7d=growth(known, as_of=as_of, window_days=7),
        growth_14d=growth(known, as_of=as_of, window_days=14),
        zones=zones_over_time(periods, district, first=first, last=as_of),
        occupancy=occupancy_over_time(occupancy, first=first, last=as_of),
        spread=spread_signal(known, periods, district, as_of=as_of),
    )
