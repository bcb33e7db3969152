"""Are these lon/lat points in the district? One check for every file that brings points: line
lists, homes in quarantine, check-ins.

A point outside the outline is refused with how far out it is, or the hint that latitude and
longitude look swapped; one within the district's ``outline_tolerance_m`` of the outline is
accepted with a note (outlines are generalised; a positive case is never dropped for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from containment.engine.crs import lonlat_to_metric
from containment.engine.district import District
from containment.i18n import _, number

__all__ = ["PointFindings", "check_in_district"]


@dataclass
class PointFindings:
    """Per position (of the arrays given): why a point is refused, or a note on one accepted."""

    refused: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def check_in_district(lon: np.ndarray, lat: np.ndarray, district: District) -> PointFindings:
    """Check lon/lat points (NaN: no point, not checked) against the district's outline.

    >>> from containment.io.district import load_district
    >>> d = load_district("dungarpur")
    >>> found = check_in_district(np.array([73.71, 23.84]), np.array([23.84, 73.71]), d)
    >>> found.refused[1].endswith("latitude and longitude swapped: swap the two columns")
    True
    """
    findings = PointFindings()
    positions = np.flatnonzero(~(np.isnan(lon) | np.isnan(lat)))
    if len(positions) == 0:
        return findings
    outline = district.prepared_outline_m
    crs = district.metric_crs
    x, y = lonlat_to_metric(lon[positions], lat[positions], crs)
    inside = shapely.contains_xy(outline, x, y)
    outside = positions[~inside]
    if len(outside) == 0:
        return findings
    sx, sy = lonlat_to_metric(lat[outside], lon[outside], crs)  # swapped
    swapped_inside = shapely.contains_xy(outline, sx, sy)
    distance_m = np.asarray(shapely.distance(outline, shapely.points(x[~inside], y[~inside])))
    name = district.name
    tolerance_m = district.outline_tolerance_m
    for p, swapped, metres in zip(outside, swapped_inside, distance_m, strict=True):
        point = f"{lat[p]:g}, {lon[p]:g}"
        if metres <= tolerance_m:
            findings.notes[int(p)] = _(
                "{point} is {km} km outside {district}'s outline, within the {tolerance} km the "
                "outline may be off: accepted (its zone may reach over the district line)",
                point=point,
                km=number(metres / 1000, 1),
                district=name,
                tolerance=format(tolerance_m / 1000, "g"),
            )
        elif swapped:
            findings.refused[int(p)] = _(
                "{point} is outside {district}, but inside it with latitude and longitude "
                "swapped: swap the two columns",
                point=point,
                district=name,
            )
        else:
            findings.refused[int(p)] = _(
                "{point} is outside {district}, {km} km from its boundary",
                point=point,
                district=name,
                km=number(metres / 1000, 1),
            )
    return findings
