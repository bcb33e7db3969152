"""The daily update: what a rule proposes today, zone by zone, against the zones already saved.

Proposing again the next day must not start from zero. Each proposed zone is matched with the
saved zones of its kind that share a unit with it:

* ``unchanged`` — its units are all in one saved zone already (new cases only move the saved
  zone's release date, which follows its cases by itself);
* ``grown`` — it reaches units beyond the one saved zone it overlaps: that zone gains them;
* ``merged`` — it joins several saved zones: the oldest keeps the union, the others end;
* ``new`` — it overlaps no saved zone.

A zone in force that no proposal touches any more has had no case for the rule's window:
``due for release``; a draft or proposal no proposal touches any more: ``no case now`` (a rule's
proposal ends when the update is accepted; a zone drawn by hand is only listed). Accepting saves
the changes as new versions of the existing zones (their history kept), never as duplicates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import numpy as np
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.units import places_text
from containment.i18n import _, date_text, n_

__all__ = ["Change", "ZoneChange", "compare_with_saved"]

_ACTIVE = ("draft", "proposed", "notified")
_RANK = {"notified": 0, "proposed": 1, "draft": 2}


class Change(StrEnum):
    UNCHANGED = "unchanged"
    GROWN = "grown"
    MERGED = "merged"
    NEW = "new"
    RELEASE_DUE = "due for release"
    LAPSED = "no case now"


@dataclass(frozen=True)
class ZoneChange:
    """One row of the daily update.

    ``proposal`` is the rule's zone id (None for a zone due for release); ``saved`` the saved
    zones it touches, the one that would carry the change first; ``units`` the unit positions
    the zone would hold after accepting (for ``new``, ``grown`` and ``merged``); ``geometry``
    that outline in lon/lat.
    """

    change: Change
    kind: str
    proposal: str | None
    saved: tuple[str, ...]
    versions: tuple[int, ...]
    name: str
    detail: str
    units: tuple[int, ...]
    geometry: shapely.Polygon | shapely.MultiPolygon
    touches_notified: bool = False
    drawn: bool = False  # the saved zone was drawn by hand: the update never ends it

    @property
    def to_apply(self) -> bool:
        """Whether accepting the update changes the store for this row."""
        if self.change is Change.LAPSED:
            return not self.drawn
        return self.change in (Change.NEW, Change.GROWN, Change.MERGED)


def _unit_sets(geometries_lonlat: gpd.GeoSeries, district: District) -> list[set[int]]:
    geometry_m = geometries_lonlat.to_crs(district.metric_crs).to_numpy()
    outline_idx, unit_idx = district.unit_index.units_in(geometry_m)
    sets: list[set[int]] = [set() for _ in range(len(geometry_m))]
    for o, u in zip(outline_idx.tolist(), unit_idx.tolist(), strict=True):
        sets[o].add(u)
    return sets


def compare_with_saved(
    proposed: gpd.GeoDataFrame, saved: gpd.GeoDataFrame, district: District
) -> list[ZoneChange]:
    """The daily update: each proposed zone against the saved ones (see the module).

    ``proposed`` is a rule's unit zones (:func:`containment.engine.zones.plan_zones`);
    ``saved`` the saved zones described as of the day
    (:func:`containment.engine.lifecycle.describe_zones`).
    """
    index = district.unit_index
    table = index.units_m.assign(
        cells_in_town=index.units_m.groupby("town")["town"].transform("size")
    )
    active = saved[saved["status"].isin(_ACTIVE)].reset_index(drop=True) if len(saved) else saved
    saved_units = _unit_sets(active.geometry, district) if len(active) else []
    proposed_units = _unit_sets(proposed.geometry, district) if len(proposed) else []
    kinds = active["kind"].astype(str).to_numpy() if len(active) else np.array([])
    ids_of = active["zone_id"].astype(str).to_numpy() if len(active) else np.array([])
    names_of = active["name"].astype(str).to_numpy() if len(active) else np.array([])
    versions_of = active["version"].astype(int).to_numpy() if len(active) else np.array([])
    status_of = active["status"].astype(str).to_numpy() if len(active) else np.array([])
    origin_of = active["origin"].astype(str).to_numpy() if len(active) else np.array([])
    created_of = active["created_on"].to_numpy() if len(active) else np.array([])
    holders: dict[tuple[str, int], set[int]] = {}  # (kind, unit) -> saved zones holding it
    for s_pos, units_held in enumerate(saved_units):
        for unit in units_held:
            holders.setdefault((kinds[s_pos], unit), set()).add(s_pos)
    touched: set[int] = set()
    changes: list[ZoneChange] = []
    for p, row in enumerate(proposed.itertuples()):
        units = proposed_units[p]
        mine = sorted(set().union(*(holders.get((str(row.kind), unit), set()) for unit in units)))
        touched.update(mine)
        names = [str(names_of[s]) for s in mine]
        ids = tuple(str(ids_of[s]) for s in mine)
        versions = tuple(int(versions_of[s]) for s in mine)
        if not mine:
            change, result, name = Change.NEW, units, ""
            detail = n_(
                "{n} unit: {places}",
                "{n} units: {places}",
                len(units),
                places=places_text(table.iloc[sorted(units)], most=6),
            )
        elif len(mine) == 1 and units <= saved_units[mine[0]]:
            change, result, name = Change.UNCHANGED, saved_units[mine[0]], names[0]
            detail = n_(
                "{n} case counted; its units already hold it",
                "{n} cases counted; its units already hold them",
                int(row.case_count),
            )
        else:
            # The zone that carries the change: one in force first (its order stands), then
            # the furthest along, then the oldest. Other zones in force and zones someone drew
            # are never ended by an update: they keep their units, the carrier grows around them.
            order = sorted(
                mine,
                key=lambda s: (
                    _RANK[str(status_of[s])],
                    origin_of[s] == "drawn",
                    created_of[s],
                    ids_of[s],
                ),
            )
            keeper, rest = order[0], order[1:]
            ended = [s for s in rest if status_of[s] != "notified" and origin_of[s] != "drawn"]
            kept_apart = [s for s in rest if s not in ended]
            carried = [keeper, *ended]
            ids = tuple(str(ids_of[s]) for s in carried)
            versions = tuple(int(versions_of[s]) for s in carried)
            names = [str(names_of[s]) for s in carried]
            held_apart = set().union(*(saved_units[s] for s in kept_apart))
            result = set().union(units, *(saved_units[s] for s in carried)) - held_apart
            added = result - set().union(*(saved_units[s] for s in carried))
            name = names[0]
            if not added and not ended:
                change, result = Change.UNCHANGED, saved_units[keeper]
                detail = n_(
                    "{n} case counted; its units already hold it",
                    "{n} cases counted; its units already hold them",
                    int(row.case_count),
                )
            else:
                change = Change.GROWN if not ended else Change.MERGED
                detail = (
                    n_(
                        "+{n} unit ({places})",
                        "+{n} units ({places})",
                        len(added),
                        places=places_text(table.iloc[sorted(added)], most=6),
                    )
                    if added
                    else _("no new units")
                )
                if change is Change.MERGED:
                    detail = _("joins {zones}; {detail}", zones=", ".join(names), detail=detail)
            if kept_apart:
                detail = _(
                    "{detail}; {zones} left as they are (in force or drawn by hand)",
                    detail=detail,
                    zones=", ".join(str(names_of[s]) for s in kept_apart),
                )
            if change is not Change.UNCHANGED and origin_of[keeper] == "drawn":
                detail = _("{detail}; {zone} was drawn by hand", detail=detail, zone=names[0])
            mine = carried
        notified = change is not Change.NEW and any(status_of[s] == "notified" for s in mine)
        units_sorted = tuple(sorted(result))
        if change is Change.UNCHANGED:
            outline_lonlat = active.geometry.iloc[mine[0]]
        elif units_sorted:
            outline_lonlat = _lonlat(
                index.outline(np.array(units_sorted, dtype=np.int64)), district
            )
        else:
            outline_lonlat = row.geometry
        changes.append(
            ZoneChange(
                change,
                str(row.kind),
                str(row.zone_id),
                ids,
                versions,
                name,
                detail,
                units_sorted,
                outline_lonlat,
                notified,
            )
        )
    for s in range(len(active)):
        if s in touched or active["status"].iloc[s] == "notified":
            continue
        zone = active.iloc[s]
        changes.append(
            ZoneChange(
                Change.LAPSED,
                str(zone["kind"]),
                None,
                (str(zone["zone_id"]),),
                (int(zone["version"]),),
                str(zone["name"]),
                _("no case in the rule's window any more: drawn by hand, left as it is")
                if origin_of[s] == "drawn"
                else _("no case in the rule's window any more: it ends"),
                tuple(sorted(saved_units[s])),
                zone.geometry,
                False,
                origin_of[s] == "drawn",
            )
        )
    for s in range(len(active)):
        if s in touched or active["status"].iloc[s] != "notified":
            continue
        zone = active.iloc[s]
        due = zone.get("release_due_on")
        changes.append(
            ZoneChange(
                Change.RELEASE_DUE,
                str(zone["kind"]),
                None,
                (str(zone["zone_id"]),),
                (int(zone["version"]),),
                str(zone["name"]),
                _("no case for the rule's window; release due {day}", day=date_text(due))
                if isinstance(due, dt.date)
                else _("no case for the rule's window"),
                tuple(sorted(saved_units[s])),
                zone.geometry,
                True,
            )
        )
    return changes


def _lonlat(
    geometry_m: shapely.Polygon | shapely.MultiPolygon, district: District
) -> shapely.Polygon | shapely.MultiPolygon:
    outline: shapely.Polygon | shapely.MultiPolygon = (
        gpd.GeoSeries([geometry_m], crs=district.metric_crs).to_crs(STORAGE_CRS).iloc[0]
    )
    return outline
