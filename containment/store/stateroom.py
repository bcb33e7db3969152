"""The state control room's view of every district, read through the state views only.

:func:`state_overview` reads, for each shipped district that has a store beside the state's
(the same folder of SQLite files, or the same PostGIS database), its zones in force,
checkpoints, centres and counts, and makes the state table. What the views do not hold — case
points, ids and dates, drafts and proposals, notes, users — cannot appear here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from containment.engine.crs import STORAGE_CRS
from containment.engine.lifecycle import in_force
from containment.field.stateroom import STATE_TABLE_COLUMNS, district_figures
from containment.io.districts import DistrictEntry, districts
from containment.io.stateunits import unit_people
from containment.store.stateviews import (
    StateAccessRefused,
    StateReader,
    read_centres,
    read_checkpoints,
    read_figures,
    read_zones,
)

__all__ = ["StateOverview", "state_overview"]


@dataclass(frozen=True)
class StateOverview:
    """The state table (:data:`STATE_TABLE_COLUMNS`, a row per district with a store) and the
    map's layers, each with a ``district`` column; ``synthetic`` names the districts whose
    stores hold the synthetic sample; ``unread`` says why a district's store was not read (the
    other districts are still shown)."""

    table: pd.DataFrame
    zones: gpd.GeoDataFrame
    checkpoints: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    synthetic: tuple[str, ...]
    unread: tuple[str, ...] = ()


def _joined(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame({"district": []}, geometry=[], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORAGE_CRS)


def state_overview(
    reader: StateReader, *, as_of: dt.date, entries: list[DistrictEntry] | None = None
) -> StateOverview:
    """Every district's public figures as of ``as_of`` (today in India, for the counts the
    views make: new cases in the last 7 days, zones due for release)."""
    rows, zones, checkpoints, centres, synthetic, unread = [], [], [], [], [], []
    for entry in districts() if entries is None else entries:
        if not reader.has_store(entry.slug):
            continue
        try:
            public = read_zones(reader, entry.slug)
            points = read_centres(reader, entry.slug)
            counts = read_figures(reader, entry.slug)
            marked = read_checkpoints(reader, entry.slug)
        except StateAccessRefused as error:
            unread.append(str(error))
            continue
        rows.append(
            district_figures(
                entry.name, public, points, counts, unit_people(entry.folder), as_of=as_of
            )
        )
        live = public[in_force(public, as_of).to_numpy()] if len(public) else public
        zones.append(live.assign(district=entry.name))
        checkpoints.append(marked.assign(district=entry.name))
        centres.append(points.assign(district=entry.name))
        if counts["synthetic_cases"]:
            synthetic.append(entry.name)
    table = pd.DataFrame(rows, columns=list(STATE_TABLE_COLUMNS))
    return StateOverview(
        table,
        _joined(zones),
        _joined(checkpoints),
        _joined(centres),
        tuple(synthetic),
        tuple(unread),
    )
