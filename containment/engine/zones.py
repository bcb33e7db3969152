"""Cases and a rule in, containment and buffer zones out.

As of a date D, a rule with release window W counts the cases reported in (D − W, D].
Containment zones are the connected parts of the union of containment circles around the
counted cases; buffer zones are the union of (containment + buffer) circles minus the
containment zones. Computed in the district's metric CRS, returned in EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.circles import union_parts
from containment.engine.crs import STORAGE_CRS, lonlat_to_metric
from containment.engine.district import District
from containment.engine.figures import zone_figures
from containment.engine.rules import Rule
from containment.engine.timeline import reported_in

__all__ = ["ZONE_COLUMNS", "ZoneKind", "ZonePlan", "plan_zones"]


logger = logging.getLogger(__name__)


class ZoneKind(StrEnum):
    CONTAINMENT = "containment"
    BUFFER = "buffer"


ZONE_COLUMNS = (
    "zone_id",
    "kind",
    "rule",
    "as_of",
    "case_count",
    "first_case_on",
    "last_case_on",
    "release_due_on",
    "area_km2",
    "population_est",
    "households_est",
    "blocks",
    "facilities_inside",
    "facility_count",
    "nearest_facility",
    "nearest_facility_m",
)


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

    @property
    def counted(self) -> int:
        """Cases reported within the rule's window ending on ``as_of``."""
        return len(self.case_zone)

    @property
    def unzoned(self) -> int:
        """Counted cases in parts with fewer than the rule's ``min_cases``."""
        return int(self.case_zone.isna().sum())


def _zone_id(prefix: str, rule: Rule, case_ids: np.ndarray, extra: str = "") -> str:
    """Stable for the same cases and rule; a short digest that does not reveal any case id."""
    digest = hashlib.blake2b(digest_size=5, person=b"zone-id")
    digest.update(rule.name.encode())
    for case_id in sorted(str(c) for c in case_ids):
        digest.update(b"\x1f" + case_id.encode())
    digest.update(extra.encode())
    return f"{prefix}-{digest.hexdigest()}"


def counted_cases(cases: gpd.GeoDataFrame, rule: Rule, as_of: dt.date) -> gpd.GeoDataFrame:
    """The cases reported in (as_of − release window, as_of]."""
    return reported_in(cases, after=as_of - dt.timedelta(days=rule.release_after_days), until=as_of)


def plan_zones(
    cases: gpd.GeoDataFrame, rule: Rule, *, as_of: dt.date, district: District
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
        Gives the metric CRS and the layers behind each zone's figures.

    Returns
    -------
    ZonePlan
        Containment zones first, then buffer zones, each with :data:`ZONE_COLUMNS`.
    """
    started = time.perf_counter()
    window = counted_cases(cases.to_crs(STORAGE_CRS), rule, as_of)
    lon = window.geometry.x.to_numpy()
    lat = window.geometry.y.to_numpy()
    x, y = lonlat_to_metric(lon, lat, district.metric_crs)
    case_ids = window["case_id"].astype(str).to_numpy()
    dates = pd.to_datetime(window["reported_on"]).to_numpy().astype("datetime64[D]")

    parts, part_of = union_parts(x, y, rule.containment_radius_m)
    counts = np.bincount(part_of, minlength=len(parts))
    kept = counts >= rule.min_cases
    zoned = kept[part_of] if len(parts) else np.zeros(0, dtype=bool)

    records: list[dict[str, object]] = []
    geometries: list[shapely.Geometry] = []
    containment_ids = np.array(
        [
            _zone_id("CZ", rule, case_ids[part_of == k]) if kept[k] else ""
            for k in range(len(parts))
        ],
        dtype=object,
    )
    for k in np.flatnonzero(kept):
        members = part_of == k
        records.append(
            _case_figures(containment_ids[k], ZoneKind.CONTAINMENT, rule, dates[members])
        )
        geometries.append(parts[k])

    if rule.buffer_m > 0 and zoned.any():
        containment_union = shapely.union_all(parts[kept])
        outer_parts, outer_of = union_parts(x[zoned], y[zoned], rule.outer_radius_m)
        zoned_ids, zoned_dates = case_ids[zoned], dates[zoned]
        for j, outer in enumerate(outer_parts):
            members = outer_of == j
            ring = shapely.get_parts(shapely.difference(outer, containment_union))
            ring = ring[shapely.area(ring) > 0]
            ring = ring[np.lexsort((shapely.bounds(ring)[:, 0], shapely.bounds(ring)[:, 1]))]
            for piece_number, piece in enumerate(ring):
                extra = f"#{piece_number}" if len(ring) > 1 else ""
                zone_id = _zone_id("BZ", rule, zoned_ids[members], extra)
                records.append(_case_figures(zone_id, ZoneKind.BUFFER, rule, zoned_dates[members]))
                geometries.append(piece)

    zones_m = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, columns=list(ZONE_COLUMNS[:8])),
        geometry=gpd.GeoSeries(geometries, crs=district.metric_crs),
    )
    zones_m["as_of"] = pd.Timestamp(as_of).date()
    zones_m = zone_figures(zones_m, district)
    zones = zones_m.to_crs(STORAGE_CRS)[[*ZONE_COLUMNS, "geometry"]]

    zone_of_case = containment_ids[part_of] if len(parts) else np.array([], dtype=object)
    case_zone = pd.Series(
        [str(z) if keep and z else None for z, keep in zip(zone_of_case, zoned, strict=True)],
        index=window.index,
        dtype=object,
        name="zone_id",
    )
    logger.info(
        "zones as of %s by %s: %d cases counted, %d zones in %.2f s",
        as_of,
        rule.name,
        len(window),
        len(zones),
        time.perf_counter() - started,
    )
    return ZonePlan(zones=zones.reset_index(drop=True), case_zone=case_zone, rule=rule, as_of=as_of)


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
