"""Where a district's work is kept: cases, saved zones, centres and imports.

One small interface, :class:`Store`; the embedded default is :class:`SQLiteStore`, one SQLite
file under a data folder, no server. Geometries are stored in EPSG:4326 (WKB). Every save is
one transaction; a zone or centre saved over a newer version is refused, not overwritten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd
import shapely

from containment.centres import CENTRE_FIELDS, Centre
from containment.checkpoints import CHECKPOINT_COLUMNS
from containment.crs import STORAGE_CRS
from containment.errors import ContainmentError
from containment.lifecycle import SAVED_ZONE_FIELDS, SavedZone

__all__ = ["ConflictError", "ImportSummary", "SQLiteStore", "Store", "default_store_path"]


class ConflictError(ContainmentError):
    """Someone saved a newer version first; the message says what to do."""


@dataclass(frozen=True)
class ImportSummary:
    source: str
    added: int
    updated: int
    rejected: int


class Store(Protocol):
    """What the app and the command line need from a store."""

    def revision(self) -> int: ...
    def import_cases(
        self, cases: gpd.GeoDataFrame, *, source: str, rejected: int
    ) -> ImportSummary: ...
    def cases(self) -> gpd.GeoDataFrame: ...
    def imports(self) -> pd.DataFrame: ...
    def zones(self) -> gpd.GeoDataFrame: ...
    def zone(self, zone_id: str) -> SavedZone: ...
    def save_zone(self, zone: SavedZone) -> SavedZone: ...
    def delete_zone(self, zone_id: str) -> None: ...
    def centres(self) -> gpd.GeoDataFrame: ...
    def centre(self, centre_id: str) -> Centre: ...
    def save_centre(self, centre: Centre) -> Centre: ...
    def delete_centre(self, centre_id: str) -> None: ...
    def checkpoints(self) -> gpd.GeoDataFrame: ...
    def save_checkpoints(self, checkpoints: gpd.GeoDataFrame) -> None: ...
    def delete_checkpoint(self, checkpoint_id: str) -> None: ...
    def homes(self) -> gpd.GeoDataFrame: ...
    def register_homes(self, homes: gpd.GeoDataFrame) -> None: ...
    def violations(self) -> pd.DataFrame: ...
    def record_violations(self, violations: pd.DataFrame) -> int: ...
    def record_action(
        self, hq_id: str, checked_at: object, action: str, *, on: dt.date
    ) -> None: ...


def default_store_path(district: str) -> Path:
    """``$CONTAINMENT_DATA/<district>.sqlite``, by default under ``./data``."""
    folder = Path(os.environ.get("CONTAINMENT_DATA", "data"))
    return folder / f"{district.lower()}.sqlite"


_MIGRATIONS = (
    """
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL, imported_at TEXT NOT NULL,
        added INTEGER NOT NULL, updated INTEGER NOT NULL, rejected INTEGER NOT NULL
    );
    CREATE TABLE cases (
        case_id TEXT PRIMARY KEY, reported_on TEXT NOT NULL, status TEXT NOT NULL,
        village TEXT NOT NULL, block TEXT NOT NULL, placed_by TEXT NOT NULL,
        lon REAL NOT NULL, lat REAL NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(import_id)
    );
    CREATE INDEX cases_reported_on ON cases(reported_on);
    CREATE TABLE zones (
        zone_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, origin TEXT NOT NULL,
        rule TEXT NOT NULL, status TEXT NOT NULL, release_after_days INTEGER NOT NULL,
        note TEXT NOT NULL, order_number TEXT NOT NULL, notified_on TEXT, released_on TEXT,
        created_on TEXT NOT NULL, version INTEGER NOT NULL, geometry BLOB NOT NULL
    );
    CREATE TABLE centres (
        centre_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
        lon REAL NOT NULL, lat REAL NOT NULL, capacity INTEGER NOT NULL,
        occupied INTEGER NOT NULL, facility_id TEXT NOT NULL, note TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE TABLE revision (n INTEGER NOT NULL);
    INSERT INTO revision VALUES (0);
    """,
    """
    CREATE TABLE checkpoints (
        checkpoint_id TEXT PRIMARY KEY, zone_id TEXT NOT NULL, zone_name TEXT NOT NULL,
        road TEXT NOT NULL, road_class TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL
    );
    CREATE INDEX checkpoints_zone ON checkpoints(zone_id);
    CREATE TABLE homes (
        hq_id TEXT PRIMARY KEY, lon REAL NOT NULL, lat REAL NOT NULL,
        start_on TEXT NOT NULL, end_on TEXT NOT NULL
    );
    CREATE TABLE violations (
        hq_id TEXT NOT NULL REFERENCES homes(hq_id), checked_at TEXT NOT NULL,
        distance_m REAL NOT NULL, action TEXT NOT NULL, action_on TEXT,
        PRIMARY KEY (hq_id, checked_at)
    );
    """,
)
_ZONE_DATES = ("notified_on", "released_on", "created_on")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _with_points(frame: pd.DataFrame, *, keep_lon_lat: bool = False) -> gpd.GeoDataFrame:
    """Rows with ``lon`` and ``lat`` columns as EPSG:4326 points."""
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    kept = frame if keep_lon_lat else frame.drop(columns=["lon", "lat"])
    return gpd.GeoDataFrame(kept, geometry=geometry, crs=STORAGE_CRS)


class SQLiteStore:
    """The embedded store: one SQLite file, created and upgraded on first use."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > len(_MIGRATIONS):
                msg = (
                    f"{self.path} was written by a newer version of Containment Planner "
                    f"(schema {version}); update the app before opening it."
                )
                raise ContainmentError(msg)
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                if con.execute("SELECT name FROM sqlite_master WHERE name = 'revision'").fetchone():
                    con.execute("UPDATE revision SET n = n + 1")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def _query(self, sql: str, *params: object) -> list[sqlite3.Row]:
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def _save_versioned(
        self, table: str, key: str, values: dict[str, object], version: int, *, stale: str
    ) -> None:
        """Insert a new row (``version`` 0) or update the row still at ``version``.

        Optimistic locking: a save over a row someone else saved since it was read is refused
        with ``stale`` as the message, never written over.
        """
        with self._transaction() as con:
            if version == 0:
                exists = con.execute(
                    f"SELECT 1 FROM {table} WHERE {key} = ?", (values[key],)
                ).fetchone()
                if exists:
                    msg = f"{table[:-1].capitalize()} {values[key]!r} already exists."
                    raise ConflictError(msg)
                placeholders = ", ".join("?" * len(values))
                con.execute(
                    f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders})",
                    list(values.values()),
                )
                return
            assignments = ", ".join(f"{column} = ?" for column in values)
            cursor = con.execute(
                f"UPDATE {table} SET {assignments} WHERE {key} = ? AND version = ?",
                [*values.values(), values[key], version],
            )
            if cursor.rowcount == 0:
                raise ConflictError(stale)

    def revision(self) -> int:
        """A number that grows with every save, by anyone: a key for cached views."""
        return int(self._query("SELECT n FROM revision")[0][0])

    # --- cases -------------------------------------------------------------------------------

    def import_cases(
        self, cases: gpd.GeoDataFrame, *, source: str, rejected: int = 0
    ) -> ImportSummary:
        """Add accepted cases; a case id seen before is updated, never duplicated."""
        missing = pd.to_datetime(cases["reported_on"]).isna().to_numpy()
        if missing.any():
            position = int(missing.argmax()) + 1
            msg = f"Accepted case {position} of {len(cases)} has no date; nothing was saved."
            raise ContainmentError(msg)
        points = cases.to_crs(STORAGE_CRS).geometry
        rows = [
            (
                str(row.case_id),
                pd.Timestamp(row.reported_on).date().isoformat(),
                str(row.status),
                str(getattr(row, "village", "") or ""),
                str(getattr(row, "block", "") or ""),
                str(getattr(row, "placed_by", "") or ""),
                float(point.x),
                float(point.y),
            )
            for row, point in zip(cases.itertuples(), points, strict=True)
        ]
        with self._transaction() as con:
            known = (
                {
                    r[0]
                    for r in con.execute(
                        f"SELECT case_id FROM cases WHERE case_id IN ({','.join('?' * len(rows))})",
                        [r[0] for r in rows],
                    )
                }
                if rows
                else set()
            )
            cursor = con.execute(
                "INSERT INTO imports (source, imported_at, added, updated, rejected) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    source,
                    dt.datetime.now().isoformat(timespec="seconds"),
                    len(rows) - len(known),
                    len(known),
                    rejected,
                ),
            )
            import_id = cursor.lastrowid
            con.executemany(
                "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(case_id) DO "
                "UPDATE SET reported_on=excluded.reported_on, status=excluded.status, "
                "village=excluded.village, block=excluded.block, placed_by=excluded.placed_by, "
                "lon=excluded.lon, lat=excluded.lat, import_id=excluded.import_id",
                [(*r, import_id) for r in rows],
            )
        return ImportSummary(source, len(rows) - len(known), len(known), rejected)

    def cases(self) -> gpd.GeoDataFrame:
        rows = self._query(
            "SELECT case_id, reported_on, status, village, block, placed_by, lon, lat "
            "FROM cases ORDER BY reported_on, case_id"
        )
        frame = pd.DataFrame(
            [dict(r) for r in rows],
            columns=[
                "case_id",
                "reported_on",
                "status",
                "village",
                "block",
                "placed_by",
                "lon",
                "lat",
            ],
        )
        frame["reported_on"] = pd.to_datetime(frame["reported_on"]).astype("datetime64[s]")
        return _with_points(frame)

    def imports(self) -> pd.DataFrame:
        rows = self._query("SELECT * FROM imports ORDER BY import_id")
        return pd.DataFrame(
            [dict(r) for r in rows],
            columns=[
                "import_id",
                "source",
                "imported_at",
                "added",
                "updated",
                "rejected",
            ],
        )

    # --- zones -------------------------------------------------------------------------------

    def zones(self) -> gpd.GeoDataFrame:
        rows = self._query("SELECT * FROM zones ORDER BY created_on, name")
        records = [dict(r) for r in rows]
        geometry = [shapely.from_wkb(r.pop("geometry")) for r in records]
        frame = pd.DataFrame(records, columns=list(SAVED_ZONE_FIELDS), dtype=object)
        for column in _ZONE_DATES:
            frame[column] = frame[column].map(_date).astype(object)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)

    def zone(self, zone_id: str) -> SavedZone:
        rows = self._query("SELECT * FROM zones WHERE zone_id = ?", zone_id)
        if not rows:
            msg = f"No saved zone {zone_id!r}; it may have been deleted. Reload the page."
            raise ContainmentError(msg)
        record = dict(rows[0])
        record["geometry"] = shapely.from_wkb(record["geometry"])
        for column in _ZONE_DATES:
            record[column] = _date(record[column])
        return SavedZone(**record)

    def save_zone(self, zone: SavedZone) -> SavedZone:
        """Insert a new zone (version 0) or update one at its current version."""
        saved = dataclasses.replace(zone, version=zone.version + 1)
        values = {f: getattr(saved, f) for f in SAVED_ZONE_FIELDS}
        for column in _ZONE_DATES:
            values[column] = _iso(values[column])
        values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
        values["geometry"] = shapely.to_wkb(zone.geometry)
        stale = (
            f"Zone {zone.name!r} was changed or deleted by someone else since you opened it. "
            "Reload it, check their change, and make yours again."
        )
        self._save_versioned("zones", "zone_id", values, zone.version, stale=stale)
        return saved

    def delete_zone(self, zone_id: str) -> None:
        with self._transaction() as con:
            con.execute("DELETE FROM zones WHERE zone_id = ?", (zone_id,))

    # --- centres -----------------------------------------------------------------------------

    def centres(self) -> gpd.GeoDataFrame:
        rows = self._query("SELECT * FROM centres ORDER BY name")
        frame = pd.DataFrame([dict(r) for r in rows], columns=list(CENTRE_FIELDS))
        frame["beds_free"] = frame["capacity"].astype(int) - frame["occupied"].astype(int)
        return _with_points(frame, keep_lon_lat=True)  # a Centre is made from them

    def centre(self, centre_id: str) -> Centre:
        rows = self._query("SELECT * FROM centres WHERE centre_id = ?", centre_id)
        if not rows:
            msg = f"No centre {centre_id!r}; it may have been removed. Reload the page."
            raise ContainmentError(msg)
        return Centre(**dict(rows[0]))

    def save_centre(self, centre: Centre) -> Centre:
        saved = dataclasses.replace(centre, version=centre.version + 1)
        values = {f: getattr(saved, f) for f in CENTRE_FIELDS}
        values["kind"] = saved.kind.value
        stale = (
            f"Centre {centre.name!r} was changed or removed by someone else. "
            "Reload it and make your change again."
        )
        self._save_versioned("centres", "centre_id", values, centre.version, stale=stale)
        return saved

    def delete_centre(self, centre_id: str) -> None:
        with self._transaction() as con:
            con.execute("DELETE FROM centres WHERE centre_id = ?", (centre_id,))

    # --- checkpoints -------------------------------------------------------------------------

    def checkpoints(self) -> gpd.GeoDataFrame:
        rows = [dict(r) for r in self._query("SELECT * FROM checkpoints ORDER BY zone_name, road")]
        frame = pd.DataFrame(rows, columns=[*CHECKPOINT_COLUMNS, "lon", "lat"])
        return _with_points(frame)

    def save_checkpoints(self, checkpoints: gpd.GeoDataFrame) -> None:
        """Add or move checkpoints (by ``checkpoint_id``)."""
        points = checkpoints.to_crs(STORAGE_CRS).geometry
        rows = [
            (*(str(getattr(row, c)) for c in CHECKPOINT_COLUMNS), float(p.x), float(p.y))
            for row, p in zip(checkpoints.itertuples(), points, strict=True)
        ]
        with self._transaction() as con:
            con.executemany("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def delete_checkpoint(self, checkpoint_id: str) -> None:
        with self._transaction() as con:
            con.execute("DELETE FROM checkpoints WHERE checkpoint_id = ?", (checkpoint_id,))

    # --- home quarantine ---------------------------------------------------------------------

    def homes(self) -> gpd.GeoDataFrame:
        rows = [dict(r) for r in self._query("SELECT * FROM homes ORDER BY hq_id")]
        frame = pd.DataFrame(
            rows, columns=["hq_id", "lon", "lat", "start_on", "end_on"], dtype=object
        )
        for column in ("start_on", "end_on"):
            frame[column] = frame[column].map(_date).astype(object)
        return _with_points(frame)

    def register_homes(self, homes: gpd.GeoDataFrame) -> None:
        """Add homes in quarantine, or update their place and dates (by ``hq_id``)."""
        points = homes.to_crs(STORAGE_CRS).geometry
        rows = [
            (str(h.hq_id), float(p.x), float(p.y), _iso(h.start_on), _iso(h.end_on))
            for h, p in zip(homes.itertuples(), points, strict=True)
        ]
        with self._transaction() as con:
            con.executemany("INSERT OR REPLACE INTO homes VALUES (?, ?, ?, ?, ?)", rows)

    def violations(self) -> pd.DataFrame:
        rows = [dict(r) for r in self._query("SELECT * FROM violations ORDER BY checked_at")]
        frame = pd.DataFrame(
            rows, columns=["hq_id", "checked_at", "distance_m", "action", "action_on"], dtype=object
        )
        frame["checked_at"] = pd.to_datetime(frame["checked_at"])
        frame["action_on"] = frame["action_on"].map(_date).astype(object)
        return frame

    def record_violations(self, violations: pd.DataFrame) -> int:
        """Keep new violations (a check-in already recorded is not counted twice)."""
        rows = [
            (str(v.hq_id), pd.Timestamp(v.checked_at).isoformat(), float(v.distance_m), "", None)
            for v in violations.itertuples()
        ]
        with self._transaction() as con:
            before = con.execute("SELECT COUNT(*) FROM violations").fetchone()[0]
            con.executemany("INSERT OR IGNORE INTO violations VALUES (?, ?, ?, ?, ?)", rows)
            after = con.execute("SELECT COUNT(*) FROM violations").fetchone()[0]
        return after - before

    def record_action(self, hq_id: str, checked_at: object, action: str, *, on: dt.date) -> None:
        with self._transaction() as con:
            cursor = con.execute(
                "UPDATE violations SET action = ?, action_on = ? "
                "WHERE hq_id = ? AND checked_at = ?",
                (action, on.isoformat(), hq_id, pd.Timestamp(checked_at).isoformat()),
            )
            if cursor.rowcount == 0:
                msg = f"No recorded violation of {hq_id} at {checked_at}; reload the page."
                raise ContainmentError(msg)
