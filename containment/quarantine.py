"""Home-quarantine compliance: homes, location check-ins, and geofence violations.

A check-in farther than the geofence radius (default 100 m) from the person's home, during
their quarantine, is a violation. Only ids, places and times: no names anywhere.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd

from containment.cases import RowProblem
from containment.columns import normalise_header
from containment.crs import lonlat_to_metric
from containment.district import District
from containment.tables import RawTable

__all__ = ["GEOFENCE_M", "ViolationAction", "geofence_violations", "read_checkins"]

GEOFENCE_M = 100.0


class ViolationAction(StrEnum):
    WARNING = "warning"
    NOTICE = "notice"
    MOVED_TO_INSTITUTIONAL = "moved_to_institutional_quarantine"


_ID = ("id", "hqid", "personid", "quarantineid", "userid")
_TIME = ("time", "timestamp", "datetime", "checkintime", "checkedat")
_LAT = ("lat", "latitude")
_LON = ("lon", "lng", "long", "longitude")


def _column(frame: pd.DataFrame, names: tuple[str, ...], field: str) -> str:
    found = {normalise_header(c): c for c in frame.columns}
    for name in names:
        if name in found:
            return found[name]
    msg = f"The check-in file has no {field} column (looked for {', '.join(names)})."
    raise ValueError(msg)


def read_checkins(table: RawTable, *, known_ids: set[str]) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Check-ins (``hq_id``, ``checked_at``, ``lon``, ``lat``) and one problem per bad row."""
    frame = table.frame
    columns = {
        "hq_id": _column(frame, _ID, "id"),
        "checked_at": _column(frame, _TIME, "time"),
        "lat": _column(frame, _LAT, "latitude"),
        "lon": _column(frame, _LON, "longitude"),
    }
    rows, problems = [], []
    for position, values in enumerate(frame[list(columns.values())].itertuples(index=False)):
        row = table.first_row + position
        hq_id, when, lat, lon = (str(v).strip() for v in values)
        if hq_id not in known_ids:
            problems.append(RowProblem(row, "id", f"{hq_id!r} is not a registered home"))
            continue
        try:
            checked_at = pd.Timestamp(when).to_pydatetime()
        except ValueError:
            problems.append(RowProblem(row, "time", f"{when!r} is not a date and time"))
            continue
        try:
            lat_value, lon_value = float(lat), float(lon)
        except ValueError:
            problems.append(RowProblem(row, "latitude", f"{lat!r}, {lon!r} are not coordinates"))
            continue
        if not (-90 <= lat_value <= 90 and -180 <= lon_value <= 180):
            problems.append(
                RowProblem(row, "latitude", f"{lat_value}, {lon_value} is not on Earth")
            )
            continue
        rows.append((hq_id, checked_at, lon_value, lat_value))
    return pd.DataFrame(rows, columns=["hq_id", "checked_at", "lon", "lat"]), problems


def geofence_violations(
    homes: gpd.GeoDataFrame,
    checkins: pd.DataFrame,
    district: District,
    *,
    radius_m: float = GEOFENCE_M,
) -> pd.DataFrame:
    """Check-ins during quarantine farther than ``radius_m`` from home, with the distance.

    ``homes`` has ``hq_id``, ``start_on``, ``end_on`` and point geometries; ``checkins`` has
    ``hq_id``, ``checked_at``, ``lon``, ``lat``. Distances are in metres in the district's CRS;
    exactly ``radius_m`` away (to the centimetre) is still inside the fence.
    """
    columns = ["hq_id", "checked_at", "distance_m"]
    if checkins.empty or homes.empty:
        return pd.DataFrame(columns=columns)
    homes_m = homes.to_crs(district.metric_crs).set_index("hq_id")
    joined = checkins.join(homes_m[["start_on", "end_on", "geometry"]], on="hq_id", how="inner")
    day = joined["checked_at"].map(lambda t: t.date() if isinstance(t, dt.datetime) else t)
    during = (day >= joined["start_on"]) & (day <= joined["end_on"])
    joined = joined[during.to_numpy()]
    x, y = lonlat_to_metric(joined["lon"].to_numpy(), joined["lat"].to_numpy(), district.metric_crs)
    home = gpd.GeoSeries(joined["geometry"].to_numpy())
    distance = np.round(np.hypot(x - home.x.to_numpy(), y - home.y.to_numpy()), 2)  # centimetres
    outside = distance > radius_m
    result = joined.loc[outside, ["hq_id", "checked_at"]].copy()
    result["distance_m"] = np.round(distance[outside], 1)
    return result.reset_index(drop=True)
