"""Home-quarantine compliance: check-ins against homes, and geofence violations.

A check-in farther than the geofence radius (default 100 m) from the person's home, during
their quarantine, is a violation. Only ids, places and times: no names anywhere. The files are
read by :mod:`containment.io.homes`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd

from containment.engine.crs import lonlat_to_metric
from containment.engine.district import District

__all__ = ["GEOFENCE_M", "ViolationAction", "geofence_violations"]

GEOFENCE_M = 100.0


class ViolationAction(StrEnum):
    WARNING = "warning"
    NOTICE = "notice"
    MOVED_TO_INSTITUTIONAL = "moved_to_institutional_quarantine"


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
    result = pd.DataFrame(joined.loc[outside, ["hq_id", "checked_at"]]).reset_index(drop=True)
    result["distance_m"] = np.round(distance[outside], 1)
    return result
