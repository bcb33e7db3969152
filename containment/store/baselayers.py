"""A district's own base layers as the store keeps them: what each is (``base_layers``), the
features of a road or ward layer (``base_layer_features``), and where a tile layer's file lies.

Vector layers live in the store, with everything else the district keeps (and so in its
backups). A tile layer can be hundreds of megabytes: its tiles live in an MBTiles file of the
app's making in the district's layer folder (see :func:`layer_folder`), named by the layer's
id — never by anything a client sent — and its record in the store says which it is. Adding
or removing a layer is one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import ContainmentError
from containment.i18n import _

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from containment.store.backends import Backend, Tx

__all__ = ["BaseLayer", "BaseLayerRecords", "layer_folder"]

_FIELDS = (
    "layer_id", "name", "kind", "format", "source", "min_zoom", "max_zoom", "bounds",
    "features", "size_bytes", "vector_layers", "attribution", "added_by", "added_at",
)  # fmt: skip


@dataclass(frozen=True)
class BaseLayer:
    """One base layer's record. ``kind`` is ``roads``, ``areas`` or ``tiles``; ``format`` the
    tiles' (``png``, ``jpg``, ``webp``, ``pbf``) or the uploaded file's; ``source`` the file's
    name as uploaded (text to show, never a path); ``bounds`` "west,south,east,north" or ""."""

    layer_id: str
    name: str
    kind: str
    format: str
    source: str
    min_zoom: int | None = None
    max_zoom: int | None = None
    bounds: str = ""
    features: int = 0
    size_bytes: int = 0
    vector_layers: str = ""  # the vector tiles' layer names, comma-separated
    attribution: str = ""
    added_by: str = ""
    added_at: str = ""


def layer_folder(backend: Backend) -> Path:
    """Where a district's tile files are kept: beside its SQLite file
    (``data/dungarpur-layers/``), or for PostGIS in ``$CONTAINMENT_DATA/<schema>-layers/`` on
    the app's server."""
    path = getattr(backend, "path", None)
    if isinstance(path, Path):
        return path.with_name(f"{path.stem}-layers")
    schema = str(getattr(backend, "schema", "district"))
    return Path(os.environ.get("CONTAINMENT_DATA", "data")) / f"{schema}-layers"


class BaseLayerRecords:
    """The base layers half of :class:`~containment.store.sql.SQLStore`."""

    if TYPE_CHECKING:
        backend: Backend
        clock: Callable[[], dt.datetime]

        def _transaction(self, *, bump: bool = True) -> AbstractContextManager[Tx]: ...
        def _query(self, sql: str, *params: object) -> list[dict[str, Any]]: ...
        def _audit(self, tx: Tx, action: str, subject: str, detail: str = "") -> None: ...
        def _now(self) -> str: ...

    @property
    def layer_folder(self) -> Path:
        return layer_folder(self.backend)

    def base_layers(self) -> pd.DataFrame:
        """Every base layer's record, oldest first."""
        rows = self._query(f"SELECT {', '.join(_FIELDS)} FROM base_layers ORDER BY added_at")
        return pd.DataFrame(rows, columns=list(_FIELDS))

    def base_layer(self, layer_id: str) -> BaseLayer:
        rows = self._query(
            f"SELECT {', '.join(_FIELDS)} FROM base_layers WHERE layer_id = ?", layer_id
        )
        if not rows:
            msg = _(
                "No base layer {layer}; it may have been removed. Reload the page.",
                layer=repr(layer_id),
            )
            raise ContainmentError(msg)
        return BaseLayer(**rows[0])

    def base_layer_features(self, layer_id: str) -> gpd.GeoDataFrame:
        """A road or ward layer's features: ``label`` and geometry (EPSG:4326)."""
        rows = self._query(
            f"SELECT label, {self.backend.geom_out('geometry')} FROM base_layer_features "
            "WHERE layer_id = ? ORDER BY feature",
            layer_id,
        )
        geometry = [shapely.from_wkb(bytes(r["geometry"])) for r in rows]
        return gpd.GeoDataFrame(
            {"label": [r["label"] for r in rows]}, geometry=geometry, crs=STORAGE_CRS
        )

    def add_base_layer(
        self, layer: BaseLayer, features: gpd.GeoDataFrame | None = None
    ) -> BaseLayer:
        """Save a layer's record (and a vector layer's features) with its audit entry, in one
        transaction; returns the record as saved (who added it, when)."""
        saved = BaseLayer(
            **{
                **{f: getattr(layer, f) for f in _FIELDS},
                "added_by": self._actor_name(),
                "added_at": self._now(),
            }
        )
        values = [getattr(saved, f) for f in _FIELDS]
        with self._transaction() as tx:
            tx.execute(
                f"INSERT INTO base_layers ({', '.join(_FIELDS)}) "
                f"VALUES ({', '.join('?' * len(_FIELDS))})",
                values,
            )
            if features is not None and len(features):
                wkb = shapely.to_wkb(features.geometry.to_crs(STORAGE_CRS).to_numpy())
                tx.executemany(
                    "INSERT INTO base_layer_features (layer_id, feature, label, geometry) "
                    f"VALUES (?, ?, ?, {self.backend.geom_in})",
                    [
                        (saved.layer_id, n, str(label), bytes(geometry))
                        for n, (label, geometry) in enumerate(
                            zip(features["label"], wkb, strict=True)
                        )
                    ],
                )
            detail = f"{saved.kind}, {saved.format}, from {saved.source}"
            self._audit(
                tx, "base layer added", f"base layer {saved.layer_id} ({saved.name})", detail
            )
        return saved

    def remove_base_layer(self, layer_id: str) -> BaseLayer:
        """Delete a layer's record and features with their audit entry; returns the record (its
        tile file, if any, is the caller's to delete after)."""
        layer = self.base_layer(layer_id)
        with self._transaction() as tx:
            tx.execute("DELETE FROM base_layer_features WHERE layer_id = ?", (layer_id,))
            tx.execute("DELETE FROM base_layers WHERE layer_id = ?", (layer_id,))
            self._audit(tx, "base layer removed", f"base layer {layer_id} ({layer.name})", "")
        return layer

    def _actor_name(self) -> str:
        actor = getattr(self, "actor", None)
        return str(getattr(actor, "username", "system"))
