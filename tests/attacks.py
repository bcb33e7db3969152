"""Attacks on released zones, as someone holding the police GeoJSON would try them: fitting
circles to outlines to find where cases live, and enumerating case ids to find whose zone a
zone id is. Used by the privacy tests and the note's before/after figures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import shapely

# The radii a rule might use (metres, containment and outer): what an attacker would look for.
RULE_RADII_M = (100.0, 200.0, 300.0, 500.0, 1000.0, 1500.0, 3000.0, 8000.0, 10_000.0)


def _rings(geometry: shapely.Geometry) -> list[np.ndarray]:
    rings = []
    for polygon in shapely.get_parts(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            rings.append(np.asarray(ring.coords)[:-1])
    return rings


def _circumcircles(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres and radii of the circles through each three consecutive vertices of a ring."""
    a, b, c = points, np.roll(points, -1, axis=0), np.roll(points, -2, axis=0)
    d = 2 * (
        a[:, 0] * (b[:, 1] - c[:, 1])
        + b[:, 0] * (c[:, 1] - a[:, 1])
        + c[:, 0] * (a[:, 1] - b[:, 1])
    )
    ok = np.abs(d) > 1e-6
    a2, b2, c2 = (a**2).sum(1), (b**2).sum(1), (c**2).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (a2 * (b[:, 1] - c[:, 1]) + b2 * (c[:, 1] - a[:, 1]) + c2 * (a[:, 1] - b[:, 1])) / d
        uy = (a2 * (c[:, 0] - b[:, 0]) + b2 * (a[:, 0] - c[:, 0]) + c2 * (b[:, 0] - a[:, 0])) / d
    centres = np.column_stack([ux, uy])[ok]
    radii = np.hypot(centres[:, 0] - a[ok, 0], centres[:, 1] - a[ok, 1])
    return centres, radii


def fitted_centres(
    zones_m: gpd.GeoSeries, *, support: int = 3, tolerance: float = 0.02
) -> np.ndarray:
    """Points the outlines are arcs around: circle centres that at least ``support`` vertex
    triples agree on (within 5 m), with a radius within ``tolerance`` of a rule's radius."""
    found = []
    for geometry in zones_m:
        for ring in _rings(geometry):
            if len(ring) < 3:
                continue
            centres, radii = _circumcircles(ring)
            near_rule = np.zeros(len(radii), dtype=bool)
            for r in RULE_RADII_M:
                near_rule |= np.abs(radii / r - 1) <= tolerance * 1.1  # 64-gon vertices: +0.12%
            centres = centres[near_rule]
            if len(centres) < support:
                continue
            keys, counts = np.unique(np.round(centres / 5), axis=0, return_counts=True)
            found.extend(keys[counts >= support] * 5)
    return np.array(found).reshape(-1, 2)


def recovered(cases_m: np.ndarray, centres_m: np.ndarray, *, within_m: float = 250.0) -> int:
    """How many cases have a fitted centre within ``within_m``."""
    if len(centres_m) == 0 or len(cases_m) == 0:
        return 0
    tree = shapely.STRtree(shapely.points(centres_m))
    hits, _ = tree.query(shapely.points(cases_m), predicate="dwithin", distance=within_m)
    return len(np.unique(hits))


def unkeyed_zone_id(prefix: str, rule: str, case_ids: Iterable[str], extra: str = "") -> str:
    """How zone ids were made before they were keyed: a digest anyone can recompute."""
    digest = hashlib.blake2b(digest_size=5, person=b"zone-id")
    digest.update(rule.encode())
    for case_id in sorted(case_ids):
        digest.update(b"\x1f" + case_id.encode())
    digest.update(extra.encode())
    return f"{prefix}-{digest.hexdigest()}"


def enumerate_single_case_ids(
    zone_ids: Sequence[str], rule: str, candidates: Iterable[str]
) -> dict[str, str]:
    """Zone id -> case id, for the zone ids a single candidate case id reproduces."""
    wanted = set(zone_ids)
    found = {}
    for candidate in candidates:
        for prefix in ("CZ", "BZ"):
            zone_id = unkeyed_zone_id(prefix, rule, [candidate])
            if zone_id in wanted:
                found[zone_id] = candidate
    return found
