"""Cases over time: the one place that says which cases were reported in a window of days.

A window ``(after, until]`` holds the cases reported after ``after`` and up to ``until``, both
days: a rule counts the cases of ``(as_of − W, as_of]``, the meeting the 14 days to the working
date, the map every case known by the working date.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["day_month_year", "report_days", "reported_in"]

_Cases = TypeVar("_Cases", bound=pd.DataFrame)  # a GeoDataFrame of cases stays one


def report_days(cases: pd.DataFrame) -> np.ndarray:
    """Each case's report day as ``datetime64[D]``."""
    return pd.to_datetime(cases["reported_on"]).to_numpy().astype("datetime64[D]")


def reported_in(cases: _Cases, *, until: dt.date, after: dt.date | None = None) -> _Cases:
    """The cases reported in ``(after, until]`` (every case up to ``until`` without ``after``).

    >>> import geopandas as gpd, shapely
    >>> cases = gpd.GeoDataFrame({"reported_on": pd.to_datetime(["2020-05-01", "2020-05-02"])},
    ...                          geometry=[shapely.Point(0, 0)] * 2)
    >>> len(reported_in(cases, until=dt.date(2020, 5, 2), after=dt.date(2020, 5, 1)))
    1
    """
    days = report_days(cases)
    keep = days <= np.datetime64(until, "D")
    if after is not None:
        keep &= days > np.datetime64(after, "D")
    return cases[keep]


def day_month_year(day: dt.date) -> str:
    """DD-MM-YYYY, the way the district writes a date (the year always in four digits).

    >>> day_month_year(dt.date(1, 1, 1))
    '01-01-0001'
    """
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"
