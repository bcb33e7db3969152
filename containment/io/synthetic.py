"""Synthetic case lists for samples, tests and benchmarks. Never real patients.

Cases cluster around a few hotspot habitations (chosen by population), the way a district's
cases did in 2020: most at or near the hotspot, some in neighbouring habitations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS, metric_to_lonlat
from containment.engine.district import District
from containment.errors import CaseFileError
from containment.i18n import _, number

__all__ = [
    "SYNTHETIC_COLUMN",
    "SYNTHETIC_MARK",
    "clustered_points_m",
    "synthetic_cases",
    "synthetic_column",
    "synthetic_verdict",
]

#: Every synthetic line list this package writes says so in a column of its own, on every row,
#: so that the sample can never be imported as real cases by mistake.
SYNTHETIC_COLUMN = "Data"
SYNTHETIC_MARK = "SYNTHETIC"


def synthetic_column(headers: Iterable[object]) -> str | None:
    """The header of the column that says whether rows are synthetic, if the file has one.

    >>> synthetic_column(["ICMR ID", " data "]), synthetic_column(["ICMR ID"])
    (' data ', None)
    """
    return next((str(h) for h in headers if str(h).strip().lower() == "data"), None)


def synthetic_verdict(marked: int, unmarked: int, column: str, source: str = "") -> bool:
    """Synthetic when every row is marked; real when none is; refused when some are.

    >>> synthetic_verdict(3, 0, "Data"), synthetic_verdict(0, 3, "Data")
    (True, False)
    """
    if marked and unmarked:
        where = f"{source}: " if source else ""
        msg = where + _(
            "{marked} rows say SYNTHETIC in the {column} column and {unmarked} do not: a line "
            "list is either the synthetic sample or real cases. Split the file.",
            marked=number(marked),
            column=repr(column),
            unmarked=number(unmarked),
        )
        raise CaseFileError(msg)
    return marked > 0


def clustered_points_m(
    district: District, n: int, *, seed: int = 0, hotspots: int = 40, spread_m: float = 1000.0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points in metres (district CRS), Gaussian clusters around hotspot habitations."""
    rng = np.random.default_rng(seed)
    habitations = district.habitations_m
    weights = habitations["population"].to_numpy(dtype=float)
    chosen = rng.choice(len(habitations), size=hotspots, replace=False, p=weights / weights.sum())
    centre_x = habitations.geometry.x.to_numpy()[chosen]
    centre_y = habitations.geometry.y.to_numpy()[chosen]
    sizes = rng.pareto(1.5, hotspots) + 1  # a few big clusters, many small ones
    which = rng.choice(hotspots, size=n, p=sizes / sizes.sum())
    spread = spread_m * rng.uniform(0.3, 1.5, hotspots)[which]
    x = centre_x[which] + rng.normal(0, 1, n) * spread
    y = centre_y[which] + rng.normal(0, 1, n) * spread
    return x, y


def synthetic_cases(
    district: District,
    n: int,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2020, 4, 1),
    end: dt.date = dt.date(2020, 5, 31),
    hotspots: int = 12,
    jitter_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """A synthetic line list: cases at real habitations near hotspots, dates in [start, end].

    Columns: ``case_id`` (``SYN-…``), ``reported_on``, ``status``, ``village``, ``block``,
    geometry (EPSG:4326 points within ``jitter_m`` of the habitation, inside the district).
    """
    if n < 1:
        msg = _("The number of synthetic cases must be 1 or more (not {n}).", n=n)
        raise CaseFileError(msg)
    rng = np.random.default_rng(seed)
    habitations = district.habitations_m
    hx = habitations.geometry.x.to_numpy()
    hy = habitations.geometry.y.to_numpy()
    population = habitations["population"].to_numpy(dtype=float)
    chosen = rng.choice(
        len(habitations), size=hotspots, replace=False, p=population / population.sum()
    )
    onset = rng.integers(0, max(1, (end - start).days - 14), hotspots)

    hotspot_of = rng.choice(hotspots, size=n)
    # a habitation near the hotspot, likelier when close and populous
    home = np.empty(n, dtype=np.int64)
    for h in range(hotspots):
        members = np.flatnonzero(hotspot_of == h)
        if len(members) == 0:
            continue
        distance_km = np.hypot(hx - hx[chosen[h]], hy - hy[chosen[h]]) / 1000
        weight = population * np.exp(-distance_km / 2.0)
        home[members] = rng.choice(len(habitations), size=len(members), p=weight / weight.sum())

    x, y = hx[home].copy(), hy[home].copy()
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = jitter_m * np.sqrt(rng.uniform(0, 1, n))
    jittered_x, jittered_y = x + radius * np.cos(angle), y + radius * np.sin(angle)
    inside = shapely.contains_xy(district.prepared_outline_m, jittered_x, jittered_y)
    x[inside], y[inside] = jittered_x[inside], jittered_y[inside]  # else: at the habitation
    lon, lat = metric_to_lonlat(x, y, district.metric_crs)

    days = np.minimum(onset[hotspot_of] + rng.geometric(0.12, n), (end - start).days)
    reported = pd.to_datetime(start) + pd.to_timedelta(days, unit="D")
    status = rng.choice(["active", "recovered", "deceased"], size=n, p=[0.55, 0.43, 0.02])
    order = np.argsort(days, kind="stable")
    frame = gpd.GeoDataFrame(
        {
            "case_id": [f"SYN-{i + 1:06d}" for i in range(n)],
            "reported_on": reported.to_numpy()[order].astype("datetime64[s]"),
            "status": status[order],
            "village": habitations["name"].astype(str).to_numpy()[home][order],
            "block": habitations["block"].astype(str).to_numpy()[home][order],
        },
        geometry=shapely.points(lon[order], lat[order]),
        crs=STORAGE_CRS,
    )
    return frame
