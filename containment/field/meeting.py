"""The collector's meeting: headline figures, a table per block, what changed, a printable pack.

Pure functions over the described saved zones (:func:`containment.engine.lifecycle.describe_zones`),
the cases and the centres, as of a day. Nothing here names or locates a patient: cases are
only counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.district import District
from containment.engine.timeline import reported_in
from containment.i18n import _, date_text, n_

__all__ = [
    "Headline",
    "block_table",
    "changes_since",
    "headline",
    "people_in_containment",
    "quarantine_by_block",
]

RECENT_DAYS = 14


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    new_cases_14d: int
    cases_to_date: int
    zones_in_force: int
    people_in_containment: int
    households_in_containment: int
    zones_due_for_release: int
    beds_total: int
    beds_free: int


def _recent(cases: gpd.GeoDataFrame, as_of: dt.date) -> gpd.GeoDataFrame:
    return reported_in(cases, after=as_of - dt.timedelta(days=RECENT_DAYS), until=as_of)


def _containment_in_force_m(zones: gpd.GeoDataFrame, district: District) -> shapely.Geometry:
    chosen = zones[zones["in_force"] & (zones["kind"] == "containment")]
    if chosen.empty:
        return shapely.Polygon()
    return shapely.union_all(chosen.to_crs(district.metric_crs).geometry.to_numpy())


def _sealed(area_m: shapely.Geometry, district: District) -> pd.DataFrame:
    """People and households of the ground units inside ``area_m`` (villages and town cells),
    by block."""
    blocks = pd.Index(district.blocks["name"].astype(str), name="block")
    empty = pd.DataFrame({"population": 0.0, "households": 0.0}, index=blocks)
    if shapely.is_empty(area_m):
        return empty
    _, units = district.unit_index.units_in(np.array([area_m]))
    held = district.unit_index.units_m.iloc[units]
    sums: pd.DataFrame = held.groupby(held["block"].astype(str))[["population", "households"]].sum()
    return sums.reindex(blocks, fill_value=0.0)


def people_in_containment(zones: gpd.GeoDataFrame, district: District) -> pd.Series:
    """People in the containment zones in force, by block (overlapping zones counted once;
    towns by their Census population)."""
    people: pd.Series = _sealed(_containment_in_force_m(zones, district), district)["population"]
    return people


def headline(
    zones: gpd.GeoDataFrame,
    cases: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    district: District,
    *,
    as_of: dt.date,
) -> Headline:
    """The figures a collector reads first, as of a day."""
    sealed = _sealed(_containment_in_force_m(zones, district), district).sum()
    return Headline(
        as_of=as_of,
        new_cases_14d=len(_recent(cases, as_of)),
        cases_to_date=len(reported_in(cases, until=as_of)),
        zones_in_force=int(zones["in_force"].sum()) if len(zones) else 0,
        people_in_containment=round(float(sealed["population"])),
        households_in_containment=round(float(sealed["households"])),
        zones_due_for_release=int(zones["due_for_release"].sum()) if len(zones) else 0,
        beds_total=int(centres["capacity"].sum()) if len(centres) else 0,
        beds_free=int(centres["beds_free"].sum()) if len(centres) else 0,
    )


def block_table(
    zones: gpd.GeoDataFrame,
    cases: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    district: District,
    *,
    as_of: dt.date,
) -> pd.DataFrame:
    """One row per block: recent cases, zones in force, people in containment, beds."""
    blocks = district.blocks["name"].astype(str)
    table = pd.DataFrame(index=pd.Index(blocks, name="block"))
    recent = _recent(cases, as_of)
    table["new_cases_14d"] = (
        pd.Series(district.block_at(recent.geometry)).value_counts().reindex(blocks, fill_value=0)
    )
    in_force = zones[zones["in_force"]] if len(zones) else zones
    table["zones_in_force"] = _zones_per_block(in_force, district).reindex(blocks, fill_value=0)
    sealed = _sealed(_containment_in_force_m(zones, district), district)
    table["people_in_containment"] = sealed["population"].round().astype(int).to_numpy()
    table["households_in_containment"] = sealed["households"].round().astype(int).to_numpy()
    centre_block = pd.Series(district.block_at(centres.geometry), index=centres.index)
    for column in ("capacity", "beds_free"):
        values = (
            centres[column].groupby(centre_block).sum() if len(centres) else pd.Series(dtype=int)
        )
        table["beds_total" if column == "capacity" else "beds_free"] = (
            values.reindex(blocks, fill_value=0).astype(int).to_numpy()
        )
    return table.reset_index()


def _zones_per_block(zones: gpd.GeoDataFrame, district: District) -> pd.Series:
    """How many of the zones hold units of each block (a zone over a block line counts in
    both; a zone that only touches a block's edge does not count there)."""
    if zones.empty:
        return pd.Series(dtype=int)
    zone_pos, unit = district.unit_index.units_in(
        zones.to_crs(district.metric_crs).geometry.to_numpy()
    )
    blocks = district.unit_index.units_m["block"].astype(str).to_numpy()[unit]
    pairs = pd.DataFrame({"zone": zone_pos, "block": blocks}).drop_duplicates()
    counts: pd.Series = pairs.groupby("block")["zone"].nunique()
    return counts.astype(int)


def quarantine_by_block(
    homes: gpd.GeoDataFrame, violations: pd.DataFrame, district: District, *, as_of: dt.date
) -> pd.DataFrame:
    """Per block: homes in quarantine on the day, geofence violations so far, actions taken."""
    blocks = district.blocks["name"].astype(str)
    table = pd.DataFrame(index=pd.Index(blocks, name="block"))
    if homes.empty:
        for column in ("homes_in_quarantine", "violations", "actions_taken"):
            table[column] = 0
        return table.reset_index()
    block_of = pd.Series(district.block_at(homes.geometry), index=homes["hq_id"].to_numpy())
    active = homes[(homes["start_on"] <= as_of) & (homes["end_on"] >= as_of)]
    table["homes_in_quarantine"] = (
        block_of.loc[active["hq_id"]].value_counts().reindex(blocks, fill_value=0).to_numpy()
    )
    seen = violations[pd.to_datetime(violations["checked_at"]).dt.date <= as_of]
    where = block_of.loc[seen["hq_id"]].to_numpy()
    table["violations"] = pd.Series(where).value_counts().reindex(blocks, fill_value=0).to_numpy()
    acted = where[(seen["action"] != "").to_numpy()]
    table["actions_taken"] = (
        pd.Series(acted).value_counts().reindex(blocks, fill_value=0).to_numpy()
    )
    return table.reset_index()


def changes_since(
    zones: gpd.GeoDataFrame, cases: gpd.GeoDataFrame, *, since: dt.date, as_of: dt.date
) -> pd.DataFrame:
    """What happened in (since, as_of]: new cases, zones proposed, notified, released, due."""
    events: list[tuple[dt.date | None, str, str]] = []
    new = len(reported_in(cases, after=since, until=as_of))
    events.append(
        (
            as_of,
            _("New cases"),
            n_(
                "{n} case reported after {day}",
                "{n} cases reported after {day}",
                new,
                day=date_text(since),
            ),
        )
    )

    def between(day: object) -> bool:
        return isinstance(day, dt.date) and since < day <= as_of

    for zone in zones.itertuples() if len(zones) else []:
        if between(zone.created_on):
            events.append(
                (zone.created_on, _("Zone drawn or proposed"), f"{zone.name} ({_(zone.kind)})")
            )
        if between(zone.notified_on):
            events.append(
                (
                    zone.notified_on,
                    _("Zone notified"),
                    _("{zone}, order {order}", zone=zone.name, order=zone.order_number),
                )
            )
        if between(zone.released_on):
            events.append((zone.released_on, _("Zone released"), zone.name))
        if zone.in_force and between(zone.release_due_on):
            events.append((zone.release_due_on, _("Zone due for release"), zone.name))
    frame = pd.DataFrame(events, columns=["date", "change", "detail"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)
