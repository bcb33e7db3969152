"""The list of containment zones a collector publishes: names, places, dates. No case data.

Each zone's places are its villages and town cells in full (from the zone's figures), with its
blocks: what a notice or an order annexes.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from containment.engine.district import District
from containment.engine.lifecycle import public_release_due
from containment.engine.timeline import day_month_year
from containment.i18n import N_, n_

__all__ = ["PUBLIC_LIST_COLUMNS", "public_zone_list"]

#: The list's columns, named in English (translated where the list is shown or printed).
PUBLIC_LIST_COLUMNS = (N_("Zone"), N_("Area"), N_("Notified on"), N_("Release due on"))


def _area(places: str, blocks: str) -> str:
    """The zone's places and blocks, in the reader's language."""
    names = [b.strip() for b in str(blocks).split(";") if b.strip()]
    if places:
        return n_(
            "{places} (block {blocks})",
            "{places} (blocks {blocks})",
            len(names),
            places=places,
            blocks=", ".join(names),
        )
    return n_(
        "Area in block {blocks}", "Area in blocks {blocks}", len(names), blocks=", ".join(names)
    )


def public_zone_list(
    zones: gpd.GeoDataFrame, district: District, *, as_of: dt.date
) -> pd.DataFrame:
    """The containment zones in force as of a day: name, places, notified and release dates
    (each release date the end of its week, as every date that leaves the planners).

    ``zones`` are described saved zones (:func:`containment.engine.lifecycle.describe_zones`).
    """
    chosen = zones[zones["in_force"] & (zones["kind"] == "containment")] if len(zones) else zones
    if chosen.empty:
        return pd.DataFrame(columns=list(PUBLIC_LIST_COLUMNS))
    return pd.DataFrame(
        {
            "Zone": chosen["name"].to_numpy(),
            "Area": [_area(p, b) for p, b in zip(chosen["places"], chosen["blocks"], strict=True)],
            "Notified on": [day_month_year(d) for d in chosen["notified_on"]],
            "Release due on": [
                day_month_year(public_release_due(pd.Timestamp(d).date()))
                for d in chosen["release_due_on"]
            ],
        }
    ).sort_values("Zone", kind="stable", ignore_index=True)
