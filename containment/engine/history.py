"""Which outline of which zone was in force on each past day, from the zones' saved versions.

Every save of a zone is a version (:meth:`containment.store.SQLStore.zone_versions`): its
status, its notified and released days, its outline, when it was saved, and whether it records
the zone's deletion. :func:`in_force_periods` turns them into periods: zone ``z`` held outline
``g`` in force on the days ``start <= day < end``.

Each version applies from a day:

* the version that notifies a zone, from the day it was notified (``notified_on``, the date on
  the collector's order, which may be earlier than the day it was entered);
* the version that releases it, from the day it was released (``released_on``);
* any other version (an outline grown or redrawn, a name changed, a deletion), from the day it
  was saved, in the district (IST);

and no version applies from a day later than the next version's: a version saved after a later
one's stated day (a zone redrawn, then released with an earlier date) lasts no day at all. An
outline changed while a zone is in force therefore counts from the day it was saved; on a store
whose working dates lie in the past (the synthetic sample worked through today) such a change
counts from today, and the past keeps the outline as it was notified.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from containment.engine.crs import STORAGE_CRS

__all__ = ["PERIOD_COLUMNS", "in_force_periods"]

#: The columns of :func:`in_force_periods` (and its geometry).
PERIOD_COLUMNS = ("zone_id", "version", "kind", "start", "end")

_IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
_OPEN = np.datetime64("9999-12-31", "D")


def _days(values: pd.Series) -> np.ndarray:
    """Dates (or None) as ``datetime64[D]`` (NaT for None)."""
    return pd.to_datetime(pd.Series(values, dtype=object)).to_numpy().astype("datetime64[D]")


def in_force_periods(versions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The periods in which each zone's outlines were in force, from its saved versions.

    ``versions`` has ``zone_id``, ``version``, ``kind``, ``status``, ``notified_on``,
    ``released_on``, ``saved_at`` (a UTC timestamp), ``deleted`` and a lon/lat geometry, one
    row per saved version (in any order). Returns one row per version that was in force for at
    least a day: ``zone_id``, ``version``, ``kind``, ``start`` and ``end`` (``datetime64[D]``;
    in force on ``start <= day < end``; ``end`` is 9999-12-31 while still in force) and the
    version's outline, EPSG:4326.

    Examples
    --------
    A zone notified on 10 May (entered a day later), redrawn on 15 May, released on 20 May:

    >>> import shapely
    >>> saved = pd.to_datetime(["2020-05-09", "2020-05-11", "2020-05-15", "2020-05-20"], utc=True)
    >>> versions = gpd.GeoDataFrame({
    ...     "zone_id": "Z1", "version": [1, 2, 3, 4], "kind": "containment",
    ...     "status": ["proposed", "notified", "notified", "released"],
    ...     "notified_on": [None] + [dt.date(2020, 5, 10)] * 3,
    ...     "released_on": [None, None, None, dt.date(2020, 5, 20)],
    ...     "saved_at": saved, "deleted": False,
    ... }, geometry=[shapely.box(0, 0, 1, 1)] * 2 + [shapely.box(0, 0, 2, 2)] * 2, crs=4326)
    >>> in_force_periods(versions)[["version", "start", "end"]].astype(str).values.tolist()
    [['2', '2020-05-10', '2020-05-15'], ['3', '2020-05-15', '2020-05-20']]
    """
    if versions.empty:
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in PERIOD_COLUMNS}, geometry=[], crs=STORAGE_CRS
        )
        empty["start"] = empty["start"].astype("datetime64[s]")
        empty["end"] = empty["end"].astype("datetime64[s]")
        return empty
    ordered = (
        versions.to_crs(STORAGE_CRS)
        .sort_values(["zone_id", "version"], kind="stable")
        .reset_index(drop=True)
    )
    zone = ordered["zone_id"].to_numpy()
    status = ordered["status"].astype(str).to_numpy()
    deleted = ordered["deleted"].astype(bool).to_numpy()
    first = np.r_[True, zone[1:] != zone[:-1]]
    last = np.r_[zone[1:] != zone[:-1], True]
    previous = np.concatenate([[""], status[:-1]]).astype(object)
    previous[first] = ""
    saved_at = pd.DatetimeIndex(pd.to_datetime(ordered["saved_at"], utc=True))
    saved_day = saved_at.tz_convert(_IST).tz_localize(None).to_numpy().astype("datetime64[D]")
    notified = _days(ordered["notified_on"])
    released = _days(ordered["released_on"])
    day = saved_day.copy()
    notifies = ~deleted & (status == "notified") & (previous != "notified") & ~np.isnat(notified)
    releases = ~deleted & (status == "released") & (previous != "released") & ~np.isnat(released)
    day[notifies] = notified[notifies]
    day[releases] = released[releases]
    # No version applies from later than the next one does: suffix minima within each zone.
    for i in range(len(day) - 2, -1, -1):
        if not last[i] and day[i + 1] < day[i]:
            day[i] = day[i + 1]
    end = np.r_[day[1:], _OPEN]
    end[last] = _OPEN
    keep = (status == "notified") & ~deleted & (day < end)
    periods = ordered.loc[keep, ["zone_id", "version", "kind", "geometry"]].copy()
    periods["start"] = day[keep]
    periods["end"] = end[keep]
    frame = gpd.GeoDataFrame(
        periods[[*PERIOD_COLUMNS]], geometry=periods["geometry"].to_numpy(), crs=STORAGE_CRS
    )
    return frame.reset_index(drop=True)
