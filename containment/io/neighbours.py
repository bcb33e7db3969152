"""Which shipped districts are a district's neighbours, from their outlines.

Two districts are neighbours when their outlines touch or come within ``within_m`` of each
other (outlines from different sources may leave a gap along the line). Only the outline layer
of each district is read (once per process), never its villages.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import DistrictError
from containment.io.districts import MANIFEST_NAME, DistrictEntry, districts, read_manifest_file

__all__ = ["NEIGHBOUR_GAP_M", "district_outlines", "neighbours"]

#: Outlines this close count as touching.
NEIGHBOUR_GAP_M = 3000.0
_STATE_CRS = "EPSG:32643"  # UTM 43N: metres across Rajasthan, good enough for a gap test


def _outline(entry: DistrictEntry) -> shapely.Geometry:
    manifest = entry.folder / MANIFEST_NAME
    spec = read_manifest_file(manifest).get("layers", {}).get("outline")
    if not spec or "file" not in spec:
        msg = f"{manifest}: missing layer [layers.outline]."
        raise DistrictError(msg)
    path = entry.folder / str(spec["file"])
    try:
        frame = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{path}: cannot be read as the outline layer ({exc})."
        raise DistrictError(msg) from exc
    return shapely.union_all(frame.to_crs(STORAGE_CRS).geometry.to_numpy())


@functools.cache
def _outlines(root: Path | None) -> gpd.GeoDataFrame:
    entries = districts(root)
    return gpd.GeoDataFrame(
        {
            "slug": [e.slug for e in entries],
            "name": [e.name for e in entries],
            "state": [e.state for e in entries],
        },
        geometry=[_outline(e) for e in entries],
        crs=STORAGE_CRS,
    )


def district_outlines(root: Path | None = None) -> gpd.GeoDataFrame:
    """Every shipped district's outline (EPSG:4326) with ``slug``, ``name`` and ``state``."""
    return _outlines(root).copy()


def neighbours(
    slug: str, *, within_m: float = NEIGHBOUR_GAP_M, root: Path | None = None
) -> list[DistrictEntry]:
    """The districts whose outlines touch ``slug``'s or come within ``within_m`` of it, by name.

    >>> [d.slug for d in neighbours("dungarpur")]
    ['banswara', 'pratapgarh', 'udaipur']
    """
    outlines = _outlines(root)
    found = outlines[outlines["slug"] == slug]
    if found.empty:
        msg = f"No shipped district {slug!r}: `containment districts` lists them."
        raise DistrictError(msg)
    metric = outlines.to_crs(_STATE_CRS)
    own = metric.geometry.loc[found.index[0]]
    near = metric[(metric.distance(own) <= within_m) & (metric["slug"] != slug)]
    by_slug = {e.slug: e for e in districts(root)}
    return [by_slug[s] for s in near.sort_values("name")["slug"]]
