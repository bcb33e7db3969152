"""Centres and capacity: the nearest centres to each zone, and placing people in free beds."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.district import District
from containment.field.centres import CentreKind
from containment.i18n import _

__all__ = ["allocate", "beds_by_block", "nearest_centres"]


def nearest_centres(
    zones: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, district: District, *, per_kind: int = 2
) -> pd.DataFrame:
    """For each zone, the nearest centres of each kind that have free beds.

    Distance is straight-line, in kilometres, from the zone's edge (0 for a centre inside it).
    """
    columns = ["zone_id", "zone_name", "kind", "centre", "beds_free", "distance_km"]
    free = centres[centres["beds_free"] > 0] if len(centres) else centres
    if zones.empty or free.empty:
        return pd.DataFrame(columns=columns)
    zones_m = zones.to_crs(district.metric_crs)
    free_m = free.to_crs(district.metric_crs)
    rows = []
    for zone in zones_m.itertuples():
        distance_km = free_m.distance(zone.geometry).to_numpy() / 1000
        for kind in CentreKind:
            mine = np.flatnonzero(free_m["kind"].to_numpy() == kind.value)
            for i in mine[np.argsort(distance_km[mine])][:per_kind]:
                rows.append(
                    [
                        zone.zone_id,
                        getattr(zone, "name", zone.zone_id),
                        kind.label,
                        free_m["name"].iloc[i],
                        int(free_m["beds_free"].iloc[i]),
                        round(distance_km[i], 2),
                    ]
                )
    return pd.DataFrame(rows, columns=columns)


def beds_by_block(
    centres: gpd.GeoDataFrame, people_in_containment: pd.Series, district: District
) -> pd.DataFrame:
    """Per block: beds in centres, beds free, and people in containment zones."""
    blocks = district.blocks["name"].astype(str)
    table = pd.DataFrame(index=pd.Index(blocks, name="block"))
    if len(centres):
        block_of = pd.Series(district.block_at(centres.geometry))
        grouped = centres.reset_index(drop=True).groupby(block_of)
        table["beds"] = grouped["capacity"].sum().reindex(blocks, fill_value=0).to_numpy()
        table["beds_free"] = grouped["beds_free"].sum().reindex(blocks, fill_value=0).to_numpy()
    else:
        table["beds"] = 0
        table["beds_free"] = 0
    table["people_in_containment"] = (
        people_in_containment.reindex(blocks, fill_value=0).round().astype(int).to_numpy()
    )
    return table.reset_index()


def allocate(
    people: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    district: District,
    *,
    kinds: Iterable[CentreKind | str] = (CentreKind.QUARANTINE_CENTRE,),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Place people in the nearest centre with a free bed, never over capacity.

    ``people`` are points (their home) with ``person_id``. Pairs are taken nearest first
    across everyone, so no one is sent past a free bed nearer home that someone farther away
    took. Returns (placed: ``person_id``, ``centre_id``, ``centre``, ``distance_km``;
    unplaced: ``person_id``, ``reason``).
    """
    kinds = {CentreKind(k).value for k in kinds}
    usable = (
        centres[centres["kind"].isin(kinds) & (centres["beds_free"] > 0)]
        if len(centres)
        else centres
    )
    placed_columns = ["person_id", "centre_id", "centre", "distance_km"]
    if people.empty:
        return pd.DataFrame(columns=placed_columns), pd.DataFrame(columns=["person_id", "reason"])
    if usable.empty:
        reason = _("no centre of the chosen kinds has a free bed")
        return pd.DataFrame(columns=placed_columns), pd.DataFrame(
            {"person_id": people["person_id"].to_numpy(), "reason": reason}
        )
    home = shapely.get_coordinates(people.to_crs(district.metric_crs).geometry.to_numpy())
    beds = shapely.get_coordinates(usable.to_crs(district.metric_crs).geometry.to_numpy())
    distance_m = np.hypot(home[:, None, 0] - beds[None, :, 0], home[:, None, 1] - beds[None, :, 1])
    free = usable["beds_free"].to_numpy(dtype=int).copy()
    assigned = np.full(len(people), -1)
    for flat in np.argsort(distance_m, axis=None, kind="stable"):
        person, centre = divmod(int(flat), len(usable))
        if assigned[person] < 0 and free[centre] > 0:
            assigned[person] = centre
            free[centre] -= 1
            if not free.any():
                break
    placed = assigned >= 0
    rows = np.flatnonzero(placed)
    result = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy()[rows],
            "centre_id": usable["centre_id"].to_numpy()[assigned[rows]],
            "centre": usable["name"].to_numpy()[assigned[rows]],
            "distance_km": np.round(distance_m[rows, assigned[rows]] / 1000, 2),
        }
    )
    unplaced = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy()[~placed],
            "reason": _("all beds of the chosen kinds are taken"),
        }
    )
    return result, unplaced
