"""Reading other districts' stores through their state views, and only those.

Every district's store has four views (migration 9, :mod:`containment.store.schema`):
``state_zones`` (zones an order made public: notified or released, no notes, no ids),
``state_checkpoints``, ``state_centres`` (no notes) and ``state_figures`` (new cases in the last
7 days as a count, the time of the last change). The state control room reads them for every
district; a district reads its neighbours' ``state_zones`` for the border alerts. Nothing here
can name a case: the views hold none.

One interface, two kinds of store, picked by :func:`state_reader` from the backend at hand:
embedded SQLite files side by side in one folder (``<slug>.sqlite``, opened read-only), or the
district schemas of one PostGIS database (``<prefix><slug>``), read over the backend's own
connections — on PostGIS the database itself refuses a role the views were not granted to.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import ContainmentError
from containment.i18n import _
from containment.store.backends import Backend, PostGISBackend, SQLiteBackend, Tx, covers_xy
from containment.store.schema import STATE_VIEWS

__all__ = [
    "STATE_VIEWS",
    "StateAccessRefused",
    "StateReader",
    "read_centres",
    "read_checkpoints",
    "read_figures",
    "read_zones",
    "state_reader",
]

_ZONE_COLUMNS = (
    "name",
    "kind",
    "rule",
    "status",
    "order_number",
    "notified_on",
    "released_on",
    "release_after_days",
    "due_for_release",
)


class StateAccessRefused(ContainmentError):
    """The database refused this role another district's views (no grant), or a store is too
    old to have them; the message says which district and what to do."""


class StateReader(Protocol):
    """Where the districts' state views are read."""

    label: str

    def has_store(self, slug: str) -> bool: ...
    def view(self, slug: str) -> AbstractContextManager[tuple[Tx, str]]: ...
    def geom_out(self, column: str) -> str: ...


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


class SQLiteStateReader:
    """The districts' files in one folder, each opened read-only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.label = str(folder)

    def _path(self, slug: str) -> Path:
        return self.folder / f"{slug}.sqlite"

    def has_store(self, slug: str) -> bool:
        return self._path(slug).is_file()

    def geom_out(self, column: str) -> str:
        return column

    @contextmanager
    def view(self, slug: str) -> Iterator[tuple[Tx, str]]:
        # A URI from the path, escaped: a '#', '?' or '%' in a folder's name is part of the name.
        uri = f"{self._path(slug).resolve().as_uri()}?mode=ro"
        try:
            con = sqlite3.connect(uri, uri=True, timeout=30)
        except sqlite3.DatabaseError as error:
            raise self._not_a_store(slug, error) from error
        con.row_factory = lambda cursor, row: {
            d[0]: value for d, value in zip(cursor.description, row, strict=True)
        }
        con.create_function("covers_xy", 3, covers_xy, deterministic=True)
        try:
            self._check_district(con, slug)
            yield Tx(con, str), ""
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise self._not_a_store(slug, error) from error
            msg = _(
                "The store of {district} has no state views yet: open that district's app (or "
                "any containment command for it) once to upgrade its store.",
                district=slug,
            )
            raise StateAccessRefused(msg) from error
        except sqlite3.DatabaseError as error:  # not SQLite at all, or cut short
            raise self._not_a_store(slug, error) from error
        finally:
            con.close()

    def _not_a_store(self, slug: str, error: sqlite3.Error) -> StateAccessRefused:
        msg = _(
            "{file} cannot be read as {district}'s store ({reason}), so nothing of "
            "{district} is shown. Put {district}'s own store there (or a backup of it).",
            file=self._path(slug).name,
            district=slug,
            reason=error,
        )
        return StateAccessRefused(msg)

    def _check_district(self, con: sqlite3.Connection, slug: str) -> None:
        """Refuse a file that records another district (a store copied under this name): its
        zones would be shown as this district's."""
        if not con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_meta'"
        ).fetchone():
            return  # a store from before stores recorded their district
        row = con.execute("SELECT value FROM store_meta WHERE name = 'district'").fetchone()
        recorded = None if row is None else row["value"]
        if recorded is not None and recorded != slug:
            msg = _(
                "{file} is the store of {recorded}, not of {district}: it was copied into the "
                "wrong place, so it is not read as {district}'s. Put {district}'s own store "
                "there.",
                file=self._path(slug).name,
                recorded=recorded,
                district=slug,
            )
            raise StateAccessRefused(msg)


class PostGISStateReader:
    """The district schemas of the database a backend is connected to, read over its pool."""

    def __init__(self, backend: PostGISBackend) -> None:
        self.backend = backend
        self.prefix = backend.schema_prefix
        self.label = backend.label

    def _schema(self, slug: str) -> str:
        return f"{self.prefix}{slug}"

    def has_store(self, slug: str) -> bool:
        with self.backend.read() as tx:
            found = tx.one(
                "SELECT 1 AS found FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = ? AND c.relname = 'state_zones'",
                (self._schema(slug),),
            )
        return found is not None

    def geom_out(self, column: str) -> str:
        return self.backend.geom_out(column)

    @contextmanager
    def view(self, slug: str) -> Iterator[tuple[Tx, str]]:
        import psycopg

        with self.backend.read() as tx:
            try:
                yield tx, f'"{self._schema(slug)}".'
            except psycopg.errors.InsufficientPrivilege as error:
                msg = _(
                    "The database refuses this account the state views of {district}: the "
                    "administrator runs 'containment db state-role' to grant them.",
                    district=slug,
                )
                raise StateAccessRefused(msg) from error


def state_reader(backend: Backend) -> StateReader:
    """The state views beside ``backend``: the same folder for SQLite files, the same database
    for PostGIS schemas."""
    if isinstance(backend, SQLiteBackend):
        return SQLiteStateReader(backend.path.parent)
    if isinstance(backend, PostGISBackend):
        return PostGISStateReader(backend)
    msg = f"internal error: no state reader for a {type(backend).__name__}"
    raise AssertionError(msg)


def _rows(reader: StateReader, slug: str, sql: str) -> list[dict[str, Any]]:
    with reader.view(slug) as (tx, schema):
        return tx.all(sql.replace("{schema}", schema))


def read_zones(reader: StateReader, slug: str) -> gpd.GeoDataFrame:
    """A district's public zones (notified or released; EPSG:4326), with ``due_for_release``
    as of today in India."""
    columns = ", ".join([*_ZONE_COLUMNS, reader.geom_out("geometry")])
    rows = _rows(reader, slug, f"SELECT {columns} FROM {{schema}}state_zones ORDER BY name")
    geometry = [shapely.from_wkb(bytes(r.pop("geometry"))) for r in rows]
    frame = pd.DataFrame(rows, columns=list(_ZONE_COLUMNS), dtype=object)
    for column in ("notified_on", "released_on"):
        frame[column] = frame[column].map(_date).astype(object)
    frame["due_for_release"] = frame["due_for_release"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)


def _points(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=[*columns, "lon", "lat"])
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    return gpd.GeoDataFrame(frame[columns], geometry=geometry, crs=STORAGE_CRS)


def read_checkpoints(reader: StateReader, slug: str) -> gpd.GeoDataFrame:
    """The checkpoints of a district's notified zones (``zone_name``, ``road``)."""
    sql = "SELECT zone_name, road, lon, lat FROM {schema}state_checkpoints"
    return _points(_rows(reader, slug, sql), ["zone_name", "road"])


def read_centres(reader: StateReader, slug: str) -> gpd.GeoDataFrame:
    """A district's centres (``name``, ``kind``, ``capacity``, ``occupied``), no notes."""
    sql = "SELECT name, kind, capacity, occupied, lon, lat FROM {schema}state_centres"
    return _points(_rows(reader, slug, sql), ["name", "kind", "capacity", "occupied"])


def read_figures(reader: StateReader, slug: str) -> dict[str, Any]:
    """``new_cases_7d``, ``synthetic_cases`` and ``last_update_at`` (UTC, or None)."""
    sql = "SELECT new_cases_7d, last_update_at, synthetic_cases FROM {schema}state_figures"
    row = _rows(reader, slug, sql)[0]
    at = row["last_update_at"]
    return {
        "new_cases_7d": int(row["new_cases_7d"]),
        "synthetic_cases": int(row["synthetic_cases"]),
        "last_update_at": dt.datetime.fromisoformat(at) if at else None,
    }
