"""Cases and a rule in, containment and buffer zones out.

As of a date D, a rule with release window W counts the cases reported in (D − W, D]. Cases
whose containment circles overlap belong together (the connected parts of the union of the
circles, :mod:`containment.engine.circles`).

A zone is made of whole ground units (:mod:`containment.engine.units`): every unit holding one
of its cases and every unit with people within the rule's radius of any part of such a unit, so
the radius is honoured whatever the case's place in its unit, and every counted case lies inside
its zone. The outline follows village limits and town cells and depends only on which units the
cases are in: it cannot be traced back to a home. Cases whose units reach a common unit make one
zone. Buffer zones are the units the larger (containment + buffer) radius reaches, less those of
the containment zones.

The exact union of the circles (``shape="circles"``) remains, for planners only, as a guide.
Computed in the district's metric CRS, returned in EPSG:4326. Zone ids are keyed with a secret
(``id_key``, the store's): the same cases give the same id, and nothing about the cases can be
learned from it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.circles import union_parts
from containment.engine.crs import STORAGE_CRS, lonlat_to_metric
from containment.engine.district import District
from containment.engine.figures import FIGURE_COLUMNS, zone_figures
from containment.engine.ids import keyed_id
from containment.engine.rules import Rule
from containment.engine.timeline import reported_in
from containment.i18n import n_

__all__ = ["ZONE_COLUMNS", "ZoneKind", "ZonePlan", "ZoneShape", "counted_cases", "plan_zones"]


logger = logging.getLogger(__name__)


class ZoneKind(StrEnum):
    CONTAINMENT = "containment"
    BUFFER = "buffer"


ZoneShape = Literal["units", "circles"]
_CASE_COLUMNS = (
    "zone_id",
    "kind",
    "rule",
    "as_of",
    "case_count",
    "first_case_on",
    "last_case_on",
    "release_due_on",
)
ZONE_COLUMNS = (*_CASE_COLUMNS, *FIGURE_COLUMNS)


@dataclass(frozen=True)
class ZonePlan:
    """Zones as of a date under a rule, and how the cases fell into them.

    ``zones`` holds only aggregate, privacy-safe attributes (:data:`ZONE_COLUMNS`).
    ``case_zone`` maps each counted case (by the index of the input cases) to its containment
    zone id, or to ``None`` where the rule's ``min_cases`` left it out of any zone; it is for
    internal use and never exported.
    """

    zones: gpd.GeoDataFrame
    case_zone: pd.Series
    rule: Rule
    as_of: dt.date
    shape: ZoneShape = "units"
    notes: tuple[str, ...] = ()

    @property
    def counted(self) -> int:
        """Cases reported within the rule's window ending on ``as_of``."""
        return len(self.case_zone)

    @property
    def unzoned(self) -> int:
        """Counted cases in parts with fewer than the rule's ``min_cases``."""
        return int(self.case_zone.isna().sum())


def counted_cases(cases: gpd.GeoDataFrame, rule: Rule, as_of: dt.date) -> gpd.GeoDataFrame:
    """The cases reported in (as_of − release window, as_of]."""
    return reported_in(cases, after=as_of - dt.timedelta(days=rule.release_after_days), until=as_of)


def _groups(labels: np.ndarray, n: int) -> list[np.ndarray]:
    """For each label 0..n-1, the positions carrying it (one sort, not a scan per label)."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n)]


def _merged(pairs_group: np.ndarray, pairs_unit: np.ndarray, n_groups: int) -> np.ndarray:
    """A label per group, the same for groups that reach a common unit (directly or through
    others): those make one zone, since zones never share a unit."""
    if n_groups == 0:
        return np.zeros(0, dtype=np.int64)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    units, unit_pos = np.unique(pairs_unit, return_inverse=True)
    size = n_groups + len(units)
    graph = coo_matrix(
        (np.ones(len(pairs_group)), (pairs_group, n_groups + unit_pos)), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    first: dict[int, int] = {}
    ordered = np.array([first.setdefault(int(v), len(first)) for v in labels[:n_groups]])
    return ordered.astype(np.int64)


def _case_figures(zone_id: str, kind: ZoneKind, rule: Rule, dates: np.ndarray) -> dict[str, object]:
    first = pd.Timestamp(dates.min()).date()
    last = pd.Timestamp(dates.max()).date()
    return {
        "zone_id": zone_id,
        "kind": kind.value,
        "rule": rule.name,
        "case_count": len(dates),
        "first_case_on": first,
        "last_case_on": last,
        "release_due_on": last + dt.timedelta(days=rule.release_after_days),
    }


@dataclass(frozen=True)
class _Counted:
    """The counted cases, in metres, with what a zone needs of them."""

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    dates: np.ndarray
    key: bytes
    rule: Rule

    def zone_id(self, prefix: str, members: np.ndarray) -> str:
        return keyed_id(prefix, self.key, self.rule.name, *sorted(self.ids[members].tolist()))


def plan_zones(
    cases: gpd.GeoDataFrame,
    rule: Rule,
    *,
    as_of: dt.date,
    district: District,
    shape: ZoneShape = "units",
    id_key: bytes | None = None,
) -> ZonePlan:
    """Containment and buffer zones for the cases counted as of ``as_of``.

    Parameters
    ----------
    cases
        Points in any CRS with ``case_id`` and ``reported_on`` (as from
        :func:`containment.read_cases`).
    rule
        Radii and release window (:func:`containment.get_rule`).
    as_of
        The day the zones are for; cases after it are not counted.
    district
        Gives the metric CRS, the ground units and the layers behind each zone's figures.
    shape
        ``"units"`` (the default): zones made of whole ground units, the only zones that may
        leave the system. ``"circles"``: the exact union of the rule's circles, a planner's
        guide — its outline is arcs around the cases' homes.
    id_key
        The secret zone ids are keyed with (the store's, so ids are stable in a district);
        without one, a random key: ids differ from run to run.

    Returns
    -------
    ZonePlan
        Containment zones first, then buffer zones, each with :data:`ZONE_COLUMNS`.
    """
    started = time.perf_counter()
    window = counted_cases(cases.to_crs(STORAGE_CRS), rule, as_of)
    x, y = lonlat_to_metric(
        window.geometry.x.to_numpy(), window.geometry.y.to_numpy(), district.metric_crs
    )
    counted = _Counted(
        x,
        y,
        window["case_id"].astype(str).to_numpy(),
        pd.to_datetime(window["reported_on"]).to_numpy().astype("datetime64[D]"),
        id_key or secrets.token_bytes(32),
        rule,
    )
    build = _unit_zones if shape == "units" else _circle_zones
    records, geometries, zone_of_case, notes = build(counted, district)
    zones_m = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, columns=list(_CASE_COLUMNS)),
        geometry=gpd.GeoSeries(geometries, crs=district.metric_crs),
    )
    zones_m["as_of"] = pd.Timestamp(as_of).date()
    zones = zone_figures(zones_m, district).to_crs(STORAGE_CRS)[[*ZONE_COLUMNS, "geometry"]]
    case_zone = pd.Series(zone_of_case, index=window.index, dtype=object, name="zone_id")
    logger.info(
        "%s zones as of %s by %s: %d cases counted, %d zones in %.2f s",
        shape,
        as_of,
        rule.name,
        len(window),
        len(zones),
        time.perf_counter() - started,
    )
    return ZonePlan(
        zones=zones.reset_index(drop=True),
        case_zone=case_zone,
        rule=rule,
        as_of=as_of,
        shape=shape,
        notes=tuple(notes),
    )


_Built = tuple[list[dict[str, object]], list[shapely.Geometry], list[str | None], list[str]]


def _unit_zones(counted: _Counted, district: District) -> _Built:
    """Zones of whole units, decided by the units the cases are in — never by the points.

    Each case counts in the unit that holds it. Around each such unit, the rule's radius reaches
    the units with people within that distance of any part of it; cases whose units reach a
    common unit make one zone (with at least the rule's ``min_cases``). Where in its unit a case
    lies changes nothing, so an outline cannot be traced back to a home.
    """
    rule, index = counted.rule, district.unit_index
    case_unit, outside = index.unit_at(counted.x, counted.y)
    notes = (
        [
            n_(
                "{n} case outside every ground unit (just over the district's outline) counted "
                "in the nearest unit; the zone holds that unit, not the point over the line",
                "{n} cases outside every ground unit (just over the district's outline) counted "
                "in the nearest unit; the zone holds that unit, not the point over the line",
                int(outside.sum()),
            )
        ]
        if outside.any()
        else []
    )
    home_units, home_of_case = np.unique(case_unit, return_inverse=True)
    pair_home, pair_unit = index.around_units(home_units, rule.containment_radius_m)
    group_of_home = _merged(pair_home, pair_unit, len(home_units))
    n_groups = int(group_of_home.max()) + 1 if len(home_units) else 0
    group_of_case = group_of_home[home_of_case]
    kept = np.flatnonzero(np.bincount(group_of_case, minlength=n_groups) >= rule.min_cases)
    first_case = np.full(n_groups, len(group_of_case), dtype=np.int64)
    np.minimum.at(first_case, group_of_case, np.arange(len(group_of_case)))
    kept = kept[np.argsort(first_case[kept], kind="stable")]  # zones in the order of their cases
    rank = np.full(n_groups, -1, dtype=np.int64)
    rank[kept] = np.arange(len(kept))
    zone_of_case_pos = rank[group_of_case] if len(case_unit) else np.zeros(0, dtype=np.int64)
    zone_of_pair = rank[group_of_home[pair_home]]
    units_of = [np.unique(pair_unit[g]) for g in _groups(zone_of_pair, len(kept))]
    zoned = zone_of_case_pos >= 0
    zoned_pos = np.flatnonzero(zoned)
    members_of = _groups(zone_of_case_pos[zoned], len(kept))

    records: list[dict[str, object]] = []
    geometries: list[shapely.Geometry] = []
    ids: list[str] = []
    for z in range(len(kept)):
        members = zoned_pos[members_of[z]]
        ids.append(counted.zone_id("CZ", members))
        records.append(_case_figures(ids[z], ZoneKind.CONTAINMENT, rule, counted.dates[members]))
        geometries.append(index.outline(units_of[z]))
    zone_of_case: list[str | None] = [ids[z] if z >= 0 else None for z in zone_of_case_pos.tolist()]
    if rule.buffer_m > 0 and len(zoned_pos):
        taken = np.unique(np.concatenate(units_of)) if units_of else np.zeros(0, dtype=np.int64)
        _unit_buffers(counted, district, zoned_pos, case_unit, taken, records, geometries)
    return records, geometries, zone_of_case, notes


def _unit_buffers(
    counted: _Counted,
    district: District,
    zoned_pos: np.ndarray,
    case_unit: np.ndarray,
    taken: np.ndarray,
    records: list[dict[str, object]],
    geometries: list[shapely.Geometry],
) -> None:
    """Buffer zones: the units the outer radius reaches around the zoned cases' units, less the
    containment zones' units; those reaching a common free unit make one buffer zone."""
    rule, index = counted.rule, district.unit_index
    home_units, home_of_case = np.unique(case_unit[zoned_pos], return_inverse=True)
    pair_home, pair_unit = index.around_units(home_units, rule.outer_radius_m)
    free = ~np.isin(pair_unit, taken)
    pair_home, pair_unit = pair_home[free], pair_unit[free]
    group_of_home = _merged(pair_home, pair_unit, len(home_units))
    n_groups = int(group_of_home.max()) + 1 if len(home_units) else 0
    units_of = [np.unique(pair_unit[g]) for g in _groups(group_of_home[pair_home], n_groups)]
    members_of = _groups(group_of_home[home_of_case], n_groups)
    for g in range(n_groups):
        if len(units_of[g]) == 0:
            continue  # the containment zones already hold every unit these cases reach
        members = zoned_pos[members_of[g]]
        zone_id = counted.zone_id("BZ", members)
        records.append(_case_figures(zone_id, ZoneKind.BUFFER, rule, counted.dates[members]))
        geometries.append(index.outline(units_of[g]))


def _circle_zones(counted: _Counted, district: District) -> _Built:
    """The exact union of the rule's circles: a planner's guide, never for release."""
    rule = counted.rule
    parts, part_of = union_parts(counted.x, counted.y, rule.containment_radius_m)
    members_of = _groups(part_of, len(parts))
    kept = [k for k in range(len(parts)) if len(members_of[k]) >= rule.min_cases]
    records: list[dict[str, object]] = []
    geometries: list[shapely.Geometry] = []
    ids = {k: counted.zone_id("CZ", members_of[k]) for k in kept}
    for k in kept:
        records.append(
            _case_figures(ids[k], ZoneKind.CONTAINMENT, rule, counted.dates[members_of[k]])
        )
        geometries.append(parts[k])
    zone_of_case = [ids.get(int(k)) for k in part_of]
    zoned = np.array([z is not None for z in zone_of_case], dtype=bool)
    if rule.buffer_m > 0 and zoned.any():
        inner = shapely.union_all(parts[kept])
        zoned_pos = np.flatnonzero(zoned)
        outer, outer_of = union_parts(
            counted.x[zoned_pos], counted.y[zoned_pos], rule.outer_radius_m
        )
        for j, members in enumerate(_groups(outer_of, len(outer))):
            ring = np.asarray(shapely.get_parts(shapely.difference(outer[j], inner)))
            ring = ring[shapely.area(ring) > 0]
            if len(ring) == 0:
                continue
            zone_id = counted.zone_id("BZ", zoned_pos[members])
            records.append(
                _case_figures(zone_id, ZoneKind.BUFFER, rule, counted.dates[zoned_pos[members]])
            )
            geometries.append(shapely.MultiPolygon(list(ring)) if len(ring) > 1 else ring[0])
    return records, geometries, zone_of_case, []
