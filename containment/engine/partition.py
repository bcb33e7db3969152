"""Zones computed a partition at a time (a district of a state, a block of a district), with
exactly the zones of one process: the same zones, the same ids, the same outlines and figures,
in the same order.

Every counted case belongs to one partition: the first partition polygon that holds it (its
edge included), or the nearest one for a case outside them all. A partition is computed on its
own cases and on every case within a *halo* of it, so a zone that crosses the partition's edge
is seen whole. Which zone a partition may hand back is decided case by case, not guessed:

* The zones of a stage (containment, then buffers) fall into *clusters*: cases whose zones
  depend on each other and on nothing else, whether they make a zone or not. Zones made of
  units: the cases of home units that reach a common unit. Circles: the cases of one part of
  the union of the circles. A cluster's lowest case (by position in the counted list) is its
  *canonical* case.
* A cluster is *whole* when no case left out of the job can change it. Every case within the
  halo of the partition is given, so the *core* — the partition grown by the halo (less a
  metre) — holds no case left out. Zones made of units: every unit within the rule's radius of
  the cluster's units (by their boxes) lies in the core, so each unit that could join the
  cluster, or hold more of its cases, holds only cases that were given. Circles: the cluster's
  circle parts lie in the core less the circles' vertex radius, so no circle of a case left
  out can meet them. Either way the cluster is the same as in one process. (A case outside
  every unit counts in the nearest one, which may be far: such cases — a few, just over the
  outline — are given to every job.)
* A partition hands back the whole clusters whose canonical case it owns; a cluster is handed
  back once, by the owner of its canonical case. A cluster that is not whole (a chain of cases
  longer than the halo, a zone of very large villages) is computed again, with the partitions
  its box reaches merged into one, or with twice the halo when there are none to merge; in
  the end, with every partition at once, every cluster is whole. Each round says what it did.

Buffer zones come second, from the containment zones found: the cases in a containment zone
and the units those zones hold (units buffers), or the containment zones' outlines (circle
rings). Zones are ordered as :func:`containment.engine.zones.plan_zones` orders them, by their
first case.

This module is pure: a *runner* maps a function over jobs, one process after another
(:func:`serial_runner`) or on a cluster (:mod:`containment.cluster`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.circles import polygon_radius_m
from containment.engine.district import District
from containment.engine.rules import Rule
from containment.engine.zones import (
    Counted,
    Stage,
    ZonePlan,
    ZoneShape,
    buffers_circles,
    buffers_units,
    containment_circles,
    containment_units,
    count_cases,
    outside_note,
    zone_frame,
)

__all__ = [
    "CaseUnitJob",
    "JobResult",
    "PartitionJob",
    "PartitionRun",
    "RoundReport",
    "Runner",
    "case_units",
    "default_halo_m",
    "owners",
    "plan_zones_partitioned",
    "run_job",
    "serial_runner",
]

logger = logging.getLogger(__name__)
_J = TypeVar("_J")
_R = TypeVar("_R")
_MARGIN_M = 1.0  # beyond the vertex radius: far above the engine's rounding tolerance
_HALO_QUAD_SEGS = 8
_UNIT_REACH_QUANTILE = 0.5
_UNITS_ACROSS = 3  # a home unit, the units it reaches, and the units reaching those
StageName = Literal["containment", "buffers"]


class Runner(Protocol):
    """Maps ``fn(job, district)`` over jobs, returning results in the order of the jobs."""

    def __call__(
        self, fn: Callable[[_J, District], _R], jobs: Sequence[_J], district: District
    ) -> list[_R]: ...


def serial_runner(
    fn: Callable[[_J, District], _R], jobs: Sequence[_J], district: District
) -> list[_R]:
    """One job after another, in this process."""
    return [fn(job, district) for job in jobs]


@dataclass(frozen=True)
class CaseUnitJob:
    """Points (metres) whose ground unit is wanted."""

    x: np.ndarray
    y: np.ndarray


def case_units(job: CaseUnitJob, district: District) -> tuple[np.ndarray, np.ndarray]:
    """The unit of each point, and whether it lies outside every unit
    (:meth:`containment.engine.units.UnitIndex.unit_at`)."""
    return district.unit_index.unit_at(job.x, job.y)


@dataclass(frozen=True)
class PartitionJob:
    """One partition (or several merged) of one stage, with its halo: all a worker needs.

    ``position`` is each case's position in the stage's list (ascending); ``claim`` marks the
    cases whose clusters this job may hand back (its own, not yet handed back); ``core`` is the
    region a cluster must lie in to be whole (``None``: every case is here, all are whole).
    """

    stage: StageName
    shape: ZoneShape
    counted: Counted
    position: np.ndarray
    claim: np.ndarray
    core: shapely.Geometry | None
    margin_m: float
    as_of: dt.date
    case_unit: np.ndarray
    taken: np.ndarray
    inner_of_case: np.ndarray
    inner: np.ndarray
    partitions: tuple[int, ...]


@dataclass(frozen=True)
class JobResult:
    """What a job hands back: its whole clusters' zones, and the clusters it could not close.

    ``zones`` (EPSG:4326, with figures) and, per zone, ``first`` (stage position of its first
    case), ``members`` (stage positions of its cases), ``units`` and ``geometry_m`` (metres).
    ``done`` lists the stage positions of every case of the clusters handed back; ``pending``
    has a row per cluster left open: its canonical case and its box (minx, miny, maxx, maxy).
    """

    zones: gpd.GeoDataFrame
    first: np.ndarray
    members: list[np.ndarray]
    units: list[np.ndarray]
    geometry_m: list[shapely.Geometry]
    done: np.ndarray
    pending: np.ndarray
    cases: int
    claimed: int
    seconds: float


def _stage_of(job: PartitionJob, district: District) -> Stage:
    counted = job.counted
    if job.stage == "containment":
        if job.shape == "units":
            return containment_units(counted, district, job.case_unit, clusters=True)
        return containment_circles(counted, clusters=True)
    if job.shape == "units":
        return buffers_units(counted, district, job.case_unit, job.taken, clusters=True)
    return buffers_circles(counted, job.inner_of_case, job.inner, clusters=True)


def run_job(job: PartitionJob, district: District) -> JobResult:
    """Compute one job's zones and hand back its whole clusters (see the module's doc)."""
    started = time.perf_counter()
    stage = _stage_of(job, district)
    n = len(job.counted)
    n_clusters = int(stage.cluster_of_case.max()) + 1 if n else 0
    canonical = np.full(n_clusters, n, dtype=np.int64)
    np.minimum.at(canonical, stage.cluster_of_case, np.arange(n))
    whole = np.ones(n_clusters, dtype=bool)
    if job.core is not None and len(stage.boxes):
        shapely.prepare(job.core)
        if stage.neighbourhoods:  # every unit meeting a box must hold only cases given here
            index = district.unit_index
            box_idx, unit_idx = index.units_meeting(stage.boxes)
            units, unit_pos = np.unique(unit_idx, return_inverse=True)
            known = shapely.contains(job.core, shapely.box(*index.bounds[units].T))
            whole[stage.box_cluster[box_idx[~known[unit_pos.reshape(-1)]]]] = False
        else:  # every circle part must lie where no case left out can reach
            inside = shapely.contains(job.core, shapely.box(*stage.boxes.T))
            whole[stage.box_cluster[~inside]] = False
    claimed = job.claim[canonical] if n_clusters else np.zeros(0, dtype=bool)
    emit = whole & claimed
    open_ = ~whole & claimed
    boxes = np.zeros((n_clusters, 4))
    boxes[:, :2] = np.inf
    boxes[:, 2:] = -np.inf
    for column, reduce in ((0, np.minimum), (1, np.minimum), (2, np.maximum), (3, np.maximum)):
        reduce.at(boxes[:, column], stage.box_cluster, stage.boxes[:, column])
    pending = np.column_stack([job.position[canonical[open_]], boxes[open_]])

    chosen = [zone for zone, c in zip(stage.zones, stage.zone_cluster, strict=True) if emit[c]]
    first = np.array([int(job.position[zone.members.min()]) for zone in chosen], dtype=np.int64)
    return JobResult(
        zones=zone_frame(job.counted, chosen, district, job.as_of),
        first=first,
        members=[job.position[zone.members] for zone in chosen],
        units=[zone.units for zone in chosen],
        geometry_m=[zone.geometry for zone in chosen],
        done=job.position[emit[stage.cluster_of_case]] if n else np.zeros(0, dtype=np.int64),
        pending=pending,
        cases=n,
        claimed=int(job.claim.sum()),
        seconds=time.perf_counter() - started,
    )


def owners(x_m: np.ndarray, y_m: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The partition owning each point: the first polygon holding it (edge included), else the
    nearest (the first of equally near ones); and whether it lies outside every polygon."""
    owner = np.full(len(x_m), -1, dtype=np.int64)
    for p, polygon in enumerate(polygons):
        minx, miny, maxx, maxy = shapely.bounds(polygon)
        candidate = np.flatnonzero(
            (owner < 0) & (x_m >= minx) & (x_m <= maxx) & (y_m >= miny) & (y_m <= maxy)
        )
        shapely.prepare(polygon)
        owner[candidate[shapely.intersects_xy(polygon, x_m[candidate], y_m[candidate])]] = p
    outside = owner < 0
    if outside.any():
        at = np.flatnonzero(outside)
        point, nearest = shapely.STRtree(polygons).query_nearest(
            shapely.points(x_m[at], y_m[at]), all_matches=True
        )
        lowest = np.full(len(at), len(polygons), dtype=np.int64)
        np.minimum.at(lowest, point, nearest)
        owner[at] = lowest
    return owner, outside


def _partition_polygons(
    partitions: gpd.GeoSeries | gpd.GeoDataFrame, district: District
) -> np.ndarray:
    """The partitions in metres, each a valid polygon (a projection may cross an edge over
    itself: repaired)."""
    polygons = np.asarray(gpd.GeoSeries(partitions.geometry).to_crs(district.metric_crs))
    if len(polygons) == 0:
        msg = "partitions must be one or more polygons; none were given"
        raise ValueError(msg)
    polygons = shapely.make_valid(polygons)
    polygons = np.array([_polygonal(p) for p in polygons], dtype=object)
    kinds = shapely.get_type_id(polygons)
    bad = np.flatnonzero(
        ~np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
        | shapely.is_empty(polygons)
    )
    if len(bad):
        msg = f"partitions must be polygons: partition {int(bad[0]) + 1} is not"
        raise ValueError(msg)
    return polygons


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a repaired geometry (a repair may leave lines or points beside them)."""
    if shapely.get_type_id(geometry) != shapely.GeometryType.GEOMETRYCOLLECTION:
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, shapely.Polygon)]
    return shapely.MultiPolygon(parts) if parts else geometry


def default_halo_m(rule: Rule, district: District, shape: ZoneShape) -> float:
    """A halo wide enough that most zones crossing a partition's edge are whole: twice the
    outer circles' reach (circles: twice that) and, for zones made of units, three middling
    units (the median of the units' boxes, people included): a home unit, the units it
    reaches, the units that reach those. A wider halo repeats more work in every partition;
    the few zones a narrower one leaves open are computed again."""
    reach_m = 2 * polygon_radius_m(rule.outer_radius_m)
    if shape == "circles":
        return 2 * reach_m
    bounds = district.unit_index.reach_bounds
    diagonal_m = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    unit_m = float(np.quantile(diagonal_m, _UNIT_REACH_QUANTILE)) if len(diagonal_m) else 0.0
    return reach_m + _UNITS_ACROSS * unit_m


@dataclass(frozen=True)
class RoundReport:
    """One round of one stage: its jobs (partitions, cases given, cases owned, seconds) and
    the clusters it left open."""

    stage: StageName
    round: int
    jobs: tuple[tuple[tuple[int, ...], int, int, float], ...]
    open_clusters: int
    halo_m: float
    seconds: float
    runner_seconds: float


@dataclass(frozen=True)
class PartitionRun:
    """The plan (exactly that of one process) and how the partitions went."""

    plan: ZonePlan
    halo_m: float
    partitions: int
    rounds: list[RoundReport] = field(default_factory=list)
    case_unit_seconds: tuple[float, ...] = ()
    seconds: float = 0.0

    @property
    def driver_seconds(self) -> float:
        """The work of this process alone, outside the jobs: counting and owning the cases,
        giving each job its halo, putting the zones together."""
        in_jobs = sum(r.runner_seconds for r in self.rounds) + sum(self.case_unit_seconds)
        return self.seconds - in_jobs


@dataclass
class _Collected:
    frames: list[gpd.GeoDataFrame] = field(default_factory=list)
    first: list[np.ndarray] = field(default_factory=list)
    members: list[np.ndarray] = field(default_factory=list)
    units: list[np.ndarray] = field(default_factory=list)
    geometry_m: list[shapely.Geometry] = field(default_factory=list)

    def add(self, result: JobResult) -> None:
        if len(result.first):
            self.frames.append(result.zones)
        self.first.append(result.first)
        self.members += result.members
        self.units += result.units
        self.geometry_m += result.geometry_m

    def order(self) -> np.ndarray:
        first = np.concatenate(self.first) if self.first else np.zeros(0, dtype=np.int64)
        return np.argsort(first, kind="stable")


@dataclass(frozen=True)
class _StageInput:
    stage: StageName
    counted: Counted
    owner: np.ndarray
    outside_partitions: np.ndarray
    always: np.ndarray
    case_unit: np.ndarray
    taken: np.ndarray
    inner_of_case: np.ndarray
    inner: np.ndarray


@dataclass(frozen=True)
class _Setting:
    rule: Rule
    shape: ZoneShape
    as_of: dt.date
    polygons: np.ndarray
    district: District
    runner: Runner
    _regions: dict[tuple[object, ...], tuple[shapely.Geometry, shapely.Geometry]] = field(
        default_factory=dict
    )

    def regions(
        self,
        group: tuple[int, ...],
        stray_x: np.ndarray,
        stray_y: np.ndarray,
        halo_m: float,
        margin_m: float,
    ) -> tuple[shapely.Geometry, shapely.Geometry]:
        """Where a group's cases are given (prepared), and its core.

        The partitions are simplified to within ``slack_m`` (a twentieth of the halo) of their
        outline, either way: cases as near as the halo plus the slack are given — those inside
        a buffer drawn around that distance, whose chords cut no corner of the true one — and
        the core is the halo less the slack and the margin, so no case left out comes near it.
        Outlines of thousands of vertices buffered by kilometres took seconds each.

        The group's strays (its cases outside every partition) join the region as the squares
        of a grid of side ``slack_m`` that hold them: a larger region than the points, which
        only gives a job more cases (its core is still within what it is given), where
        buffering the thousands of points of a national line list one by one took 15 s.
        """
        key = (group, halo_m, margin_m, stray_x.tobytes(), stray_y.tobytes())
        if key not in self._regions:
            slack_m = halo_m / 20
            pieces = [*shapely.simplify(self.polygons[list(group)], slack_m)]
            if len(stray_x):
                pieces.extend(_grid_squares(stray_x, stray_y, slack_m))
            region = shapely.union_all(pieces)
            reach_m = (halo_m + slack_m) / np.cos(np.pi / (4 * _HALO_QUAD_SEGS))
            near = shapely.buffer(region, reach_m, quad_segs=_HALO_QUAD_SEGS)
            shapely.prepare(near)
            core = shapely.buffer(region, halo_m - margin_m - slack_m, quad_segs=_HALO_QUAD_SEGS)
            self._regions[key] = (near, core)
        return self._regions[key]


def _grid_squares(x: np.ndarray, y: np.ndarray, side_m: float) -> np.ndarray:
    """The squares of a grid of ``side_m`` that hold the points (each point in one of them).

    >>> [s.bounds for s in _grid_squares(np.array([5.0, 7.0, 25.0]), np.array([5.0, 1.0, 5.0]), 10)]
    [(0.0, 0.0, 10.0, 10.0), (20.0, 0.0, 30.0, 10.0)]
    """
    cells = np.unique(np.floor(np.column_stack([x, y]) / side_m), axis=0)
    low = cells * side_m
    return shapely.box(low[:, 0], low[:, 1], low[:, 0] + side_m, low[:, 1] + side_m)


def _job(
    setting: _Setting,
    data: _StageInput,
    group: tuple[int, ...],
    halo_m: float,
    done: np.ndarray,
) -> PartitionJob:
    counted, x, y = data.counted, data.counted.x, data.counted.y
    radius_m = (
        setting.rule.containment_radius_m
        if data.stage == "containment"
        else setting.rule.outer_radius_m
    )
    # Units: the core is where every case is given. Circles: less the circles' reach.
    margin_m = _MARGIN_M + (polygon_radius_m(radius_m) if setting.shape == "circles" else 0.0)
    own = data.owner == group[0] if len(group) == 1 else np.isin(data.owner, group)
    core: shapely.Geometry | None = None
    if len(group) == len(setting.polygons):
        given = np.arange(len(counted))
    else:
        strays = own & data.outside_partitions
        near, core = setting.regions(group, x[strays], y[strays], halo_m, margin_m)
        minx, miny, maxx, maxy = shapely.bounds(near)
        candidate = np.flatnonzero(~own & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        inside = shapely.intersects_xy(near, x[candidate], y[candidate])
        chosen = own.copy()  # a mask, not a sort of millions of positions
        chosen[candidate[inside]] = True
        chosen[data.always] = True
        given = np.flatnonzero(chosen)
    inner_of_case = data.inner_of_case[given] if len(data.inner_of_case) else data.inner_of_case
    inner = data.inner
    if len(inner):
        needed, inner_of_case = np.unique(inner_of_case, return_inverse=True)
        inner = inner[needed]  # ascending: the containment zones' own order
    return PartitionJob(
        stage=data.stage,
        shape=setting.shape,
        counted=counted.subset(given),
        position=given,
        claim=own[given] & ~done[given],
        core=core,
        margin_m=margin_m,
        as_of=setting.as_of,
        case_unit=data.case_unit[given] if len(data.case_unit) else data.case_unit,
        taken=data.taken,
        inner_of_case=inner_of_case.reshape(-1),
        inner=inner,
        partitions=group,
    )


def _grown(
    setting: _Setting, pending: list[tuple[tuple[int, ...], float, np.ndarray]]
) -> list[tuple[tuple[int, ...], float]]:
    """The next round's groups: each open cluster's group with the partitions its box (grown
    by the halo) reaches, or the same group with twice the halo; overlapping groups merged."""
    tree = shapely.STRtree(setting.polygons)
    wanted: list[tuple[set[int], float]] = []
    for group, halo_m, row in pending:
        minx, miny, maxx, maxy = row[1:]
        box = shapely.box(minx - halo_m, miny - halo_m, maxx + halo_m, maxy + halo_m)
        grown = set(group) | {int(p) for p in tree.query(box, predicate="intersects")}
        wanted.append((grown, halo_m if len(grown) > len(group) else 2 * halo_m))
    parent = list(range(len(setting.polygons)))

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for grown, _ in wanted:
        first, *rest = sorted(grown)
        for p in rest:
            parent[root(p)] = root(first)
    merged: dict[int, tuple[set[int], float]] = {}
    for grown, halo_m in wanted:
        key = root(min(grown))
        members, widest = merged.get(key, (set(), 0.0))
        merged[key] = (members | grown, max(widest, halo_m))
    return [(tuple(sorted(members)), halo_m) for members, halo_m in merged.values()]


def _run_stage(
    setting: _Setting, data: _StageInput, halo_m: float, reports: list[RoundReport]
) -> _Collected:
    n = len(data.counted)
    done = np.zeros(n, dtype=bool)
    collected = _Collected()
    groups: list[tuple[tuple[int, ...], float]] = [
        ((int(p),), halo_m) for p in np.unique(data.owner)
    ]
    round_number = 0
    while groups:
        round_number += 1
        started = time.perf_counter()
        jobs = [_job(setting, data, group, halo, done) for group, halo in groups]
        in_runner = time.perf_counter()
        results = setting.runner(run_job, jobs, setting.district)
        in_runner = time.perf_counter() - in_runner
        pending: list[tuple[tuple[int, ...], float, np.ndarray]] = []
        for (group, halo), result in zip(groups, results, strict=True):
            collected.add(result)
            done[result.done] = True
            pending += [(group, halo, row) for row in result.pending]
        pending = [entry for entry in pending if not done[int(entry[2][0])]]
        reports.append(
            RoundReport(
                stage=data.stage,
                round=round_number,
                jobs=tuple(
                    (job.partitions, r.cases, r.claimed, round(r.seconds, 3))
                    for job, r in zip(jobs, results, strict=True)
                ),
                open_clusters=len(pending),
                halo_m=max(halo for _, halo in groups),
                seconds=time.perf_counter() - started,
                runner_seconds=in_runner,
            )
        )
        groups = _grown(setting, pending) if pending else []
    if not done.all():
        msg = f"internal error: {int((~done).sum())} cases of the {data.stage} stage in no zone"
        raise AssertionError(msg)
    return collected


def plan_zones_partitioned(
    cases: pd.DataFrame,
    rule: Rule,
    *,
    as_of: dt.date,
    district: District,
    partitions: gpd.GeoSeries | gpd.GeoDataFrame,
    shape: ZoneShape = "units",
    id_key: bytes | None = None,
    halo_m: float | None = None,
    runner: Runner = serial_runner,
) -> PartitionRun:
    """:func:`containment.engine.zones.plan_zones`, a partition at a time (module doc).

    ``partitions`` are polygons in any CRS (district outlines, blocks); ``halo_m`` defaults
    to :func:`default_halo_m`. Without ``id_key`` one random key serves every partition.
    """
    started = time.perf_counter()
    window, counted = count_cases(cases, rule, as_of, district, id_key)
    polygons = _partition_polygons(partitions, district)
    halo_m = default_halo_m(rule, district, shape) if halo_m is None else halo_m
    halo_m = max(halo_m, 4 * (polygon_radius_m(rule.outer_radius_m) + _MARGIN_M))
    setting = _Setting(rule, shape, as_of, polygons, district, runner)
    owner, outside_partitions = owners(counted.x, counted.y, polygons)
    reports: list[RoundReport] = []

    none = np.zeros(0, dtype=np.int64)
    case_unit, always = none, none
    notes: list[str] = []
    unit_seconds: tuple[float, ...] = ()
    if shape == "units" and len(counted):
        parts = np.unique(owner)
        jobs = [CaseUnitJob(counted.x[owner == p], counted.y[owner == p]) for p in parts.tolist()]
        timed = time.perf_counter()
        found = runner(case_units, jobs, district)
        unit_seconds = (time.perf_counter() - timed,)
        case_unit = np.empty(len(counted), dtype=np.int64)
        off_units = np.zeros(len(counted), dtype=bool)
        for p, (unit, outside) in zip(parts.tolist(), found, strict=True):
            case_unit[owner == p] = unit
            off_units[owner == p] = outside
        always = np.flatnonzero(off_units)  # every partition sees them: units reach far
        notes = outside_note(len(always))

    containment = _run_stage(
        setting,
        _StageInput(
            "containment", counted, owner, outside_partitions, always, case_unit, none, none,
            np.zeros(0, dtype=object),
        ),
        halo_m,
        reports,
    )  # fmt: skip
    order = containment.order()
    zone_of_case = np.full(len(counted), -1, dtype=np.int64)
    for rank, k in enumerate(order.tolist()):
        zone_of_case[containment.members[k]] = rank
    zoned_pos = np.flatnonzero(zone_of_case >= 0)
    frames = [containment.frames]
    orders = [order]
    if rule.buffer_m > 0 and len(zoned_pos):
        inner = np.empty(len(order), dtype=object)
        inner[:] = [containment.geometry_m[k] for k in order.tolist()]
        taken = (
            np.unique(np.concatenate([containment.units[k] for k in order.tolist()]))
            if shape == "units"
            else none
        )
        buffers = _run_stage(
            setting,
            _StageInput(
                stage="buffers",
                counted=counted.subset(zoned_pos),
                owner=owner[zoned_pos],
                outside_partitions=outside_partitions[zoned_pos],
                always=np.flatnonzero(np.isin(zoned_pos, always)),
                case_unit=case_unit[zoned_pos] if len(case_unit) else none,
                taken=taken,
                inner_of_case=zone_of_case[zoned_pos] if shape == "circles" else none,
                inner=inner if shape == "circles" else np.zeros(0, dtype=object),
            ),
            halo_m,
            reports,
        )
        frames.append(buffers.frames)
        orders.append(buffers.order())

    pieces = [
        pd.concat(stage_frames, ignore_index=True).iloc[stage_order]
        for stage_frames, stage_order in zip(frames, orders, strict=True)
        if stage_frames
    ]
    zones = (
        pd.concat(pieces, ignore_index=True) if pieces else zone_frame(counted, [], district, as_of)
    )
    zones = gpd.GeoDataFrame(zones, geometry="geometry", crs=zones.crs).reset_index(drop=True)
    ids = np.array([None, *zones["zone_id"].to_numpy()[: len(order)].tolist()], dtype=object)
    case_zone = pd.Series(ids[zone_of_case + 1], index=window.index, dtype=object, name="zone_id")
    seconds = time.perf_counter() - started
    logger.info(
        "%s zones as of %s by %s on %d partitions: %d cases counted, %d zones, %d rounds in %.2f s",
        shape,
        as_of,
        rule.name,
        len(polygons),
        len(window),
        len(zones),
        len(reports),
        seconds,
    )
    return PartitionRun(
        plan=ZonePlan(
            zones=zones,
            case_zone=case_zone,
            rule=rule,
            as_of=as_of,
            shape=shape,
            notes=tuple(notes),
        ),
        halo_m=halo_m,
        partitions=len(polygons),
        rounds=reports,
        case_unit_seconds=unit_seconds,
        seconds=seconds,
    )
