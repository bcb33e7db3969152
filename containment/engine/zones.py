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
from typing import Literal, TypeVar

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

__all__ = [
    "ZONE_COLUMNS",
    "BuiltZone",
    "Counted",
    "Stage",
    "ZoneKind",
    "ZonePlan",
    "ZoneShape",
    "buffers_circles",
    "buffers_units",
    "containment_circles",
    "containment_units",
    "count_cases",
    "counted_cases",
    "first_member_order",
    "outside_note",
    "plan_zones",
    "zone_frame",
]


logger = logging.getLogger(__name__)


class ZoneKind(StrEnum):
    CONTAINMENT = "containment"
    BUFFER = "buffer"


ZoneShape = Literal["units", "circles"]
_Cases = TypeVar("_Cases", bound=pd.DataFrame)  # a GeoDataFrame of cases stays one
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


def counted_cases(cases: _Cases, rule: Rule, as_of: dt.date) -> _Cases:
    """The cases reported in (as_of − release window, as_of]."""
    return reported_in(cases, after=as_of - dt.timedelta(days=rule.release_after_days), until=as_of)


def case_lonlat(cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each case's longitude and latitude (degrees): of its point, in whatever CRS a
    GeoDataFrame has, or from the ``lon`` and ``lat`` columns of a plain table (a million
    cases need no million points made).

    >>> import pandas as pd
    >>> case_lonlat(pd.DataFrame({"lon": [73.7], "lat": [23.8]}))
    (array([73.7]), array([23.8]))
    """
    if isinstance(cases, gpd.GeoDataFrame):
        points = cases.geometry.to_crs(STORAGE_CRS)
        lon, lat = points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)
    else:
        missing = {"lon", "lat"} - set(cases.columns)
        if missing:
            msg = (
                f"cases: no geometry and no {' or '.join(sorted(missing))} column; give a "
                "GeoDataFrame of points, or a table with lon and lat in degrees (EPSG:4326)."
            )
            raise ValueError(msg)
        lon, lat = cases["lon"].to_numpy(dtype=float), cases["lat"].to_numpy(dtype=float)
    unplaced = ~(np.isfinite(lon) & np.isfinite(lat))
    if unplaced.any():
        rows = ", ".join(map(str, cases.index[unplaced][:5].tolist()))
        msg = (
            f"cases: {int(unplaced.sum())} case(s) have no location (lon or lat missing, or "
            f"an empty point), e.g. at index {rows}: read line lists with read_cases, which "
            "refuses such rows, or drop them first."
        )
        raise ValueError(msg)
    return lon, lat


def _groups(labels: np.ndarray, n: int) -> list[np.ndarray]:
    """For each label 0..n-1, the positions carrying it (one sort, not a scan per label)."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n)]


def _merged(pairs_group: np.ndarray, pairs_unit: np.ndarray, n_groups: int) -> np.ndarray:
    """A label per group, the same for groups that reach a common unit (directly or through
    others): those make one zone, since zones never share a unit. Labels are numbered in the
    order of each label's first group."""
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
    head = labels[:n_groups]
    _, first = np.unique(head, return_index=True)  # each label's first group
    number = np.empty(int(head.max()) + 1, dtype=np.int64)
    number[head[np.sort(first)]] = np.arange(len(first))
    merged: np.ndarray = number[head]
    return merged


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
class Counted:
    """The counted cases, in metres, with what a zone needs of them (their ids and dates, the
    key the ids are made with, the rule)."""

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    dates: np.ndarray
    key: bytes
    rule: Rule

    def __len__(self) -> int:
        return len(self.x)

    def zone_id(self, prefix: str, members: np.ndarray) -> str:
        return keyed_id(prefix, self.key, self.rule.name, *sorted(self.ids[members].tolist()))

    def subset(self, positions: np.ndarray) -> Counted:
        """These cases only, in this order."""
        return Counted(
            self.x[positions],
            self.y[positions],
            self.ids[positions],
            self.dates[positions],
            self.key,
            self.rule,
        )


def count_cases(
    cases: _Cases,
    rule: Rule,
    as_of: dt.date,
    district: District,
    id_key: bytes | None = None,
) -> tuple[_Cases, Counted]:
    """The cases a rule counts as of a date (:func:`counted_cases`), and the same in metres."""
    window = counted_cases(cases, rule, as_of)
    x, y = lonlat_to_metric(*case_lonlat(window), district.metric_crs)
    return window, Counted(
        x,
        y,
        window["case_id"].astype(str).to_numpy(),
        pd.to_datetime(window["reported_on"]).to_numpy().astype("datetime64[D]"),
        id_key or secrets.token_bytes(32),
        rule,
    )


@dataclass(frozen=True)
class BuiltZone:
    """A zone before its figures: its kind, its cases (positions in the :class:`Counted`), its
    outline in metres and, for zones made of units, the units it holds."""

    kind: ZoneKind
    members: np.ndarray
    geometry: shapely.Geometry
    units: np.ndarray


_NO_UNITS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Stage:
    """The zones of one stage (containment, or buffers) and, when asked for, their clusters.

    A cluster is a set of cases whose zones depend on each other and on nothing outside it
    (cases whose circle parts overlap; cases whose units reach a common unit), whether they
    make a zone or not. ``cluster_of_case`` gives each case's cluster and ``zone_cluster``
    each zone's. ``boxes`` (rows of ``minx, miny, maxx, maxy``, with ``box_cluster`` saying
    whose) tell what a cluster depends on: for circles, the boxes of its circle parts — a case
    farther from them than the circles' vertex radius cannot change it; for units
    (``neighbourhoods``), boxes around its units grown by the radius — only cases in a unit
    meeting one of them can change it. Without clusters these arrays are empty.
    """

    zones: list[BuiltZone]
    zone_cluster: np.ndarray
    cluster_of_case: np.ndarray
    boxes: np.ndarray
    box_cluster: np.ndarray
    neighbourhoods: bool = False


def _stage(
    zones: list[BuiltZone],
    cluster_of_case: np.ndarray | None = None,
    boxes: np.ndarray | None = None,
    box_cluster: np.ndarray | None = None,
    *,
    neighbourhoods: bool = False,
) -> Stage:
    if cluster_of_case is None or boxes is None or box_cluster is None:
        none = np.zeros(0, dtype=np.int64)
        return Stage(zones, none, none, np.zeros((0, 4)), none)
    zone_cluster = np.array(
        [int(cluster_of_case[zone.members[0]]) for zone in zones], dtype=np.int64
    )
    return Stage(zones, zone_cluster, cluster_of_case, boxes, box_cluster, neighbourhoods)


def _unit_boxes(
    district: District, pair_cluster: np.ndarray, pair_unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The reach boxes of the units of each cluster (each unit once per cluster)."""
    if len(pair_unit) == 0:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.column_stack([pair_cluster, pair_unit]), axis=0)
    return district.unit_index.reach_bounds[pairs[:, 1]], pairs[:, 0]


def _unit_groups(
    homes: np.ndarray, district: District, distance_m: float, taken: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Home units joined when the units within ``distance_m`` of them (less ``taken``) meet:
    a group label per home, and the pairs ``(home, unit reached)`` kept."""
    pair_home, pair_unit = district.unit_index.around_units(homes, distance_m)
    if taken is not None:
        free = ~np.isin(pair_unit, taken)
        pair_home, pair_unit = pair_home[free], pair_unit[free]
    return _merged(pair_home, pair_unit, len(homes)), pair_home, pair_unit


def _unit_clusters(
    district: District,
    group_of_home: np.ndarray,
    pair_home: np.ndarray,
    pair_unit: np.ndarray,
    distance_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes around each group's units, grown by ``distance_m``: a unit meeting none of them
    cannot reach the group's units, so the cases in it (wherever they are) change nothing."""
    boxes, box_cluster = _unit_boxes(district, group_of_home[pair_home], pair_unit)
    return boxes + np.array([-distance_m, -distance_m, distance_m, distance_m]), box_cluster


def containment_units(
    counted: Counted, district: District, case_unit: np.ndarray, *, clusters: bool = False
) -> Stage:
    """Zones of whole units, decided by the units the cases are in — never by the points.

    Each case counts in the unit that holds it (``case_unit``, from
    :meth:`UnitIndex.unit_at`). Around each such unit, the rule's radius reaches the units with
    people within that distance of any part of it; cases whose units reach a common unit make
    one zone (with at least the rule's ``min_cases``). Where in its unit a case lies changes
    nothing, so an outline cannot be traced back to a home.

    Clusters (see :class:`Stage`) are the groups of home units, with or without enough cases;
    their boxes are neighbourhoods: every unit meeting one must be known whole.
    """
    rule, index = counted.rule, district.unit_index
    homes, home_of_case = np.unique(case_unit, return_inverse=True)
    home_of_case = home_of_case.reshape(-1)
    group_of_home, pair_home, pair_unit = _unit_groups(homes, district, rule.containment_radius_m)
    n_groups = int(group_of_home.max()) + 1 if len(homes) else 0
    group_of_case = group_of_home[home_of_case]
    size = np.bincount(group_of_case, minlength=n_groups)
    units_of = _groups(group_of_home[pair_home], n_groups)
    zones = [
        BuiltZone(
            ZoneKind.CONTAINMENT,
            members,
            index.outline(np.unique(pair_unit[units_of[g]])),
            np.unique(pair_unit[units_of[g]]),
        )
        for g, members in enumerate(_groups(group_of_case, n_groups))
        if size[g] >= rule.min_cases
    ]
    if not clusters:
        return _stage(zones)
    boxes, box_cluster = _unit_clusters(
        district, group_of_home, pair_home, pair_unit, rule.containment_radius_m
    )
    return _stage(zones, group_of_case, boxes, box_cluster, neighbourhoods=True)


def buffers_units(
    zoned: Counted,
    district: District,
    case_unit: np.ndarray,
    taken: np.ndarray,
    *,
    clusters: bool = False,
) -> Stage:
    """Buffer zones: the units the outer radius reaches around the zoned cases' units, less the
    units ``taken`` by containment zones; those reaching a common free unit make one zone."""
    rule, index = zoned.rule, district.unit_index
    homes, home_of_case = np.unique(case_unit, return_inverse=True)
    home_of_case = home_of_case.reshape(-1)
    group_of_home, pair_home, pair_unit = _unit_groups(homes, district, rule.outer_radius_m, taken)
    n_groups = int(group_of_home.max()) + 1 if len(homes) else 0
    group_of_case = group_of_home[home_of_case]
    units_of = [np.unique(pair_unit[g]) for g in _groups(group_of_home[pair_home], n_groups)]
    zones = [
        BuiltZone(ZoneKind.BUFFER, members, index.outline(units_of[g]), units_of[g])
        for g, members in enumerate(_groups(group_of_case, n_groups))
        if len(units_of[g])  # else the containment zones already hold every unit they reach
    ]
    if not clusters:
        return _stage(zones)
    boxes, box_cluster = _unit_clusters(
        district, group_of_home, pair_home, pair_unit, rule.outer_radius_m
    )
    return _stage(zones, group_of_case, boxes, box_cluster, neighbourhoods=True)


def containment_circles(counted: Counted, *, clusters: bool = False) -> Stage:
    """The exact union of the rule's circles, a part per zone: a planner's guide."""
    rule = counted.rule
    parts, part_of = union_parts(counted.x, counted.y, rule.containment_radius_m)
    members_of = _groups(part_of, len(parts))
    zones = [
        BuiltZone(ZoneKind.CONTAINMENT, members_of[k], parts[k], _NO_UNITS)
        for k in range(len(parts))
        if len(members_of[k]) >= rule.min_cases
    ]
    if not clusters:
        return _stage(zones)
    boxes = shapely.bounds(parts).reshape(-1, 4)
    return _stage(zones, part_of, boxes, np.arange(len(parts), dtype=np.int64))


def buffers_circles(
    zoned: Counted,
    inner_of_case: np.ndarray,
    inner: np.ndarray,
    *,
    clusters: bool = False,
) -> Stage:
    """Rings: each part of the union of the zoned cases' outer circles, less the containment
    zones inside it. ``inner`` holds the containment zones' outlines (in their order) and
    ``inner_of_case`` the one of each zoned case.

    A containment zone lies inside the outer part of its cases (each circle inside its own
    outer circle) and apart from every other outer part, so each ring is cut by its own
    containment zones only, not by the union of all of them (which costs a pass over every
    zone's outline per ring).
    """
    rule = zoned.rule
    outer, outer_of = union_parts(zoned.x, zoned.y, rule.outer_radius_m)
    zones = []
    for j, members in enumerate(_groups(outer_of, len(outer))):
        inside = np.unique(inner_of_case[members])  # ascending: the zones' own order
        cut = inner[inside[0]] if len(inside) == 1 else shapely.union_all(inner[inside])
        ring = np.asarray(shapely.get_parts(shapely.difference(outer[j], cut)))
        ring = ring[shapely.area(ring) > 0]
        if len(ring):
            geometry = shapely.MultiPolygon(list(ring)) if len(ring) > 1 else ring[0]
            zones.append(BuiltZone(ZoneKind.BUFFER, members, geometry, _NO_UNITS))
    if not clusters:
        return _stage(zones)
    boxes = shapely.bounds(outer).reshape(-1, 4)
    return _stage(zones, outer_of, boxes, np.arange(len(outer), dtype=np.int64))


def outside_note(outside: int) -> list[str]:
    """The note for cases outside every ground unit, if any."""
    if not outside:
        return []
    return [
        n_(
            "{n} case outside every ground unit (just over the district's outline) counted "
            "in the nearest unit; the zone holds that unit, not the point over the line",
            "{n} cases outside every ground unit (just over the district's outline) counted "
            "in the nearest unit; the zone holds that unit, not the point over the line",
            outside,
        )
    ]


def first_member_order(zones: list[BuiltZone], position: np.ndarray) -> list[int]:
    """Zones in the order of their first case (``position`` of each case in the whole list):
    containment zones first, then buffer zones — the order of :func:`plan_zones`."""
    keys = [
        (zone.kind != ZoneKind.CONTAINMENT, int(position[zone.members].min())) for zone in zones
    ]
    return sorted(range(len(zones)), key=keys.__getitem__)


def zone_frame(
    counted: Counted, zones: list[BuiltZone], district: District, as_of: dt.date
) -> gpd.GeoDataFrame:
    """Zones with their ids, case figures and place figures (:data:`ZONE_COLUMNS`), in
    EPSG:4326, in the order given."""
    rule = counted.rule
    records = []
    for zone in zones:
        prefix = "CZ" if zone.kind == ZoneKind.CONTAINMENT else "BZ"
        zone_id = counted.zone_id(prefix, zone.members)
        records.append(_case_figures(zone_id, zone.kind, rule, counted.dates[zone.members]))
    zones_m = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, columns=list(_CASE_COLUMNS)),
        geometry=gpd.GeoSeries([zone.geometry for zone in zones], crs=district.metric_crs),
    )
    zones_m["as_of"] = pd.Timestamp(as_of).date()
    framed: gpd.GeoDataFrame = zone_figures(zones_m, district).to_crs(STORAGE_CRS)[
        [*ZONE_COLUMNS, "geometry"]
    ]
    return framed.reset_index(drop=True)


def plan_zones(
    cases: pd.DataFrame,
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
        :func:`containment.read_cases`), or a plain table with ``lon`` and ``lat`` in
        degrees instead of points (:meth:`containment.CaseList.located`).
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
        Containment zones first, then buffer zones, each kind in the order of its zones'
        first case in ``cases``, with :data:`ZONE_COLUMNS`.
    """
    started = time.perf_counter()
    window, counted = count_cases(cases, rule, as_of, district, id_key)
    notes: list[str] = []
    case_unit = _NO_UNITS
    if shape == "units":
        case_unit, outside = district.unit_index.unit_at(counted.x, counted.y)
        notes = outside_note(int(outside.sum()))
        containment = containment_units(counted, district, case_unit)
    else:
        containment = containment_circles(counted)
    built = containment.zones
    zone_of_case = np.full(len(counted), -1, dtype=np.int64)
    for z, zone in enumerate(built):
        zone_of_case[zone.members] = z
    zoned_pos = np.flatnonzero(zone_of_case >= 0)
    if rule.buffer_m > 0 and len(zoned_pos):
        zoned = counted.subset(zoned_pos)
        if shape == "units":
            taken = np.unique(np.concatenate([zone.units for zone in built]))
            buffers = buffers_units(zoned, district, case_unit[zoned_pos], taken)
        else:
            inner = np.array([zone.geometry for zone in built], dtype=object)
            buffers = buffers_circles(zoned, zone_of_case[zoned_pos], inner)
        built = built + [
            BuiltZone(zone.kind, zoned_pos[zone.members], zone.geometry, zone.units)
            for zone in buffers.zones
        ]
    order = first_member_order(built, np.arange(len(counted)))
    zones = zone_frame(counted, [built[k] for k in order], district, as_of)
    ids = zones["zone_id"].to_numpy()
    zone_ids = np.array([None, *ids[np.argsort(order)].tolist()], dtype=object)
    case_zone = pd.Series(zone_ids[zone_of_case + 1], index=window.index, dtype=object)
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
        zones=zones,
        case_zone=case_zone.rename("zone_id"),
        rule=rule,
        as_of=as_of,
        shape=shape,
        notes=tuple(notes),
    )
