"""The list of containment zones a collector publishes: names, places, dates. No case data."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.district import District

__all__ = ["PUBLIC_LIST_COLUMNS", "public_zone_list"]

PUBLIC_LIST_COLUMNS = ("Zone", "Area", "Notified on", "Release due on")
_MOST_PLACES = 8


def _describe_area(zone_m: shapely.Geometry, district: District) -> str:
    habitations = district.habitations_m
    inside = habitations[shapely.contains(zone_m, habitations.geometry.to_numpy())]
    inside = inside.sort_values("population", ascending=False)
    names = list(dict.fromkeys(inside["name"].astype(str)))
    blocks = sorted(set(inside["block"].astype(str))) or [
        str(b) for b in district.blocks_m[district.blocks_m.intersects(zone_m)]["name"]
    ]
    places = ", ".join(names[:_MOST_PLACES])
    if len(names) > _MOST_PLACES:
        places += f" and {len(names) - _MOST_PLACES} more"
    where = f"block{'s' if len(blocks) > 1 else ''} {', '.join(blocks)}"
    return f"{places} ({where})" if places else f"Area in {where}"


def public_zone_list(
    zones: gpd.GeoDataFrame, district: District, *, as_of: dt.date
) -> pd.DataFrame:
    """The containment zones in force as of a day: name, area, notified and release dates."""
    chosen = zones[zones["in_force"] & (zones["kind"] == "containment")] if len(zones) else zones
    if chosen.empty:
        return pd.DataFrame(columns=list(PUBLIC_LIST_COLUMNS))
    chosen_m = chosen.to_crs(district.metric_crs)
    return pd.DataFrame(
        {
            "Zone": chosen["name"].to_numpy(),
            "Area": [_describe_area(g, district) for g in chosen_m.geometry],
            "Notified on": [d.strftime("%d-%m-%Y") for d in chosen["notified_on"]],
            "Release due on": [d.strftime("%d-%m-%Y") for d in chosen["release_due_on"]],
        }
    ).sort_values("Zone", kind="stable", ignore_index=True)
