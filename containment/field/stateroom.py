"""The state control room's figures for one district, from what may leave it: its public zones,
checkpoints and centres, and counts (no case, no case date, no note ever reaches here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from containment.engine.lifecycle import in_force
from containment.i18n import N_

__all__ = ["STATE_TABLE_COLUMNS", "district_figures"]

#: The state table's columns (headings translated where shown).
STATE_TABLE_COLUMNS = {
    "district": N_("District"),
    "zones_in_force": N_("Zones in force"),
    "people_inside": N_("People inside"),
    "new_cases_7d": N_("New cases (7 days)"),
    "beds_free": N_("Beds free"),
    "due_for_release": N_("Zones due for release"),
    "last_update_at": N_("Last update"),
}


def district_figures(
    name: str,
    zones: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    counts: dict[str, Any],
    people: gpd.GeoDataFrame,
    *,
    as_of: dt.date,
) -> dict[str, Any]:
    """One row of the state table.

    ``zones`` are the district's public zones (``status``, ``notified_on``, ``released_on``,
    ``due_for_release``); ``centres`` have ``capacity`` and ``occupied``; ``counts`` has
    ``new_cases_7d`` and ``last_update_at``; ``people`` is a point per ground unit with its
    ``population`` (people inside = the units whose point lies in a zone in force).
    """
    live = zones[in_force(zones, as_of).to_numpy()] if len(zones) else zones
    inside = 0
    if len(live) and len(people):
        area = shapely.union_all(live.geometry.to_numpy())
        shapely.prepare(area)
        held = shapely.contains(area, people.geometry.to_numpy())
        inside = int(people["population"].to_numpy()[held].sum())
    free = (
        int(np.maximum(centres["capacity"] - centres["occupied"], 0).sum()) if len(centres) else 0
    )
    return {
        "district": name,
        "zones_in_force": len(live),
        "people_inside": inside,
        "new_cases_7d": int(counts["new_cases_7d"]),
        "beds_free": free,
        "due_for_release": int(live["due_for_release"].sum()) if len(live) else 0,
        "last_update_at": counts["last_update_at"],
    }
