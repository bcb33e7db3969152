"""What a district keeps: cases, saved zones and their history, centres, field work, the audit.

:class:`SQLStore` is the one implementation; a :class:`~containment.store.backends.Backend`
says where the SQL runs (an embedded SQLite file, or PostGIS). Every save is one transaction
that also writes its audit entry, so a change and its record land together or not at all. A
zone or centre saved over a newer version is refused with what the other person changed, never
overwritten. The store checks no permissions: :mod:`containment.service` does, for the app and
the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.lifecycle import SAVED_ZONE_FIELDS, SavedZone, zone_changes
from containment.errors import ContainmentError
from containment.field.centres import CENTRE_FIELDS, Centre
from containment.field.checkpoints import CHECKPOINT_COLUMNS
from containment.i18n import IST, N_, _, number, time_text
from containment.store.accounts import AccountRecords
from containment.store.backends import Backend, Tx
from containment.store.baselayers import BaseLayerRecords
from containment.store.caserecords import CaseRecords, ImportSummary, SyntheticMixError
from containment.store.schema import MIGRATIONS

_CENTRE_WORDS = {
    "name": N_("name"),
    "capacity": N_("beds"),
    "occupied": N_("occupied"),
    "note": N_("note"),
}

__all__ = [
    "Actor",
    "ConflictError",
    "ImportSummary",
    "SQLStore",
    "SyntheticMixError",
    "WrongDistrictError",
]


class ConflictError(ContainmentError):
    """Someone saved a newer version first; the message says what they changed."""


class WrongDistrictError(ContainmentError):
    """The store (or a backup) is another district's; the message names both."""


@dataclass(frozen=True)
class Actor:
    """Who the audit trail names for a store's changes."""

    username: str
    role: str


SYSTEM = Actor("system", "system")
# Keys made once per store: "login" keys the rate limit's names, "zone_ids" the zones' ids.
SECRETS = ("login", "zone_ids")
_ZONE_DATES = ("notified_on", "released_on", "created_on")
_ZONE_COLUMNS = (*SAVED_ZONE_FIELDS, "geometry")
_HISTORY_FIELDS = tuple(f for f in SAVED_ZONE_FIELDS if f != "version")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _with_points(frame: pd.DataFrame, *, keep_lon_lat: bool = False) -> gpd.GeoDataFrame:
    """Rows with ``lon`` and ``lat`` columns as EPSG:4326 points."""
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    kept = frame if keep_lon_lat else frame.drop(columns=["lon", "lat"])
    return gpd.GeoDataFrame(kept, geometry=geometry, crs=STORAGE_CRS)


def _zone_from_row(row: dict[str, Any]) -> SavedZone:
    record = {k: row[k] for k in SAVED_ZONE_FIELDS if k in row}
    record.setdefault("version", row.get("version", 0))
    record["geometry"] = shapely.from_wkb(bytes(row["geometry"]))
    for column in _ZONE_DATES:
        record[column] = _date(record[column])
    return SavedZone(**record)


def _zone_values(zone: SavedZone) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in SAVED_ZONE_FIELDS:
        value = getattr(zone, field)
        values[field] = _iso(value) if field in _ZONE_DATES else getattr(value, "value", value)
    values["geometry"] = shapely.to_wkb(zone.geometry)
    return values


class SQLStore(AccountRecords, CaseRecords, BaseLayerRecords):
    """One district's store on a backend, created and upgraded on first use.

    ``actor`` is who the audit trail names for changes made through this object; see
    :meth:`acting_as`. ``clock`` gives the time (UTC) for the audit, history and sessions.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        actor: Actor = SYSTEM,
        clock: Callable[[], dt.datetime] = _utc_now,
        district: str | None = None,
    ) -> None:
        self.backend = backend
        self.actor = actor
        self.clock = clock
        self.district = district.strip().lower() if district is not None else None
        self._secrets: dict[str, bytes] = {}
        self._migrate()

    def __repr__(self) -> str:
        return f"SQLStore({self.backend.name}: {self.backend.label})"

    @property
    def label(self) -> str:
        return self.backend.label

    def acting_as(self, username: str, role: str) -> SQLStore:
        """The same store, with changes recorded in the audit trail as ``username``'s."""
        twin = object.__new__(SQLStore)
        twin.__dict__.update(self.__dict__, actor=Actor(username, str(role)))
        return twin

    def _migrate(self) -> None:
        with self.backend.transaction() as tx:
            version = self.backend.schema_version(tx)
            if version > len(MIGRATIONS):
                msg = _(
                    "{store} was written by a newer version of Containment Planner (schema "
                    "{version}); update the app before opening it.",
                    store=self.backend.label,
                    version=version,
                )
                raise ContainmentError(msg)
            values = {**self.backend.types, "today": self._today().isoformat()}
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in migration.statements(self.backend.name, values):
                    tx.execute(statement)
                self.backend.set_schema_version(tx, number)
            if version < len(MIGRATIONS):
                for name in SECRETS:
                    tx.execute(
                        "INSERT INTO store_secrets (name, value) VALUES (?, ?) "
                        "ON CONFLICT (name) DO NOTHING",
                        (name, secrets.token_hex(32)),
                    )
            if self.district is not None:
                self._claim(tx, self.district)

    def _claim(self, tx: Tx, district: str) -> None:
        """Record ``district`` as the store's district, or refuse a store of another district
        (a copy put in its place); a store made before stores named their district is
        recorded as the district's that opens it."""
        row = tx.one("SELECT value FROM store_meta WHERE name = 'district'")
        if row is None:
            tx.execute("INSERT INTO store_meta (name, value) VALUES ('district', ?)", (district,))
        elif row["value"] != district:
            msg = _(
                "{store} is the store of {recorded}, not of {district}: it was copied or "
                "restored into the wrong place. Put {district}'s own store (or a backup of it) "
                "there, and keep this one as {recorded}'s.",
                store=self.backend.label,
                recorded=row["value"],
                district=district,
            )
            raise WrongDistrictError(msg)

    def recorded_district(self) -> str | None:
        """The district whose store this is, or None before one has opened it."""
        rows = self._query("SELECT value FROM store_meta WHERE name = 'district'")
        return str(rows[0]["value"]) if rows else None

    @contextmanager
    def _transaction(self, *, bump: bool = True) -> Iterator[Tx]:
        """One transaction; ``bump`` raises the revision that cached views are keyed on."""
        with self.backend.transaction() as tx:
            yield tx
            if bump:
                tx.execute("UPDATE revision SET n = n + 1")

    def _query(self, sql: str, *params: object) -> list[dict[str, Any]]:
        with self.backend.read() as tx:
            return tx.all(sql, params)

    def _audit(self, tx: Tx, action: str, subject: str, detail: str = "") -> None:
        """Record a change in the same transaction as the change. Never patient data here."""
        tx.execute(
            "INSERT INTO audit (at, username, role, action, subject, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (self._now(), self.actor.username, self.actor.role, action, subject, detail),
        )

    def _now(self) -> str:
        return self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    def _today(self) -> dt.date:
        """The day it is in the district now (Indian Standard Time)."""
        return self.clock().astimezone(IST).date()

    def secret(self, name: str) -> bytes:
        """A random key kept in the store (see :data:`SECRETS`), stable for the store's life."""
        if name not in self._secrets:
            rows = self._query("SELECT value FROM store_secrets WHERE name = ?", name)
            if not rows:
                msg = f"internal error: the store has no secret {name!r}"
                raise AssertionError(msg)
            self._secrets[name] = bytes.fromhex(rows[0]["value"])
        return self._secrets[name]

    def revision(self) -> int:
        """A number that grows with every save, by anyone: a key for cached views."""
        return int(self._query("SELECT n FROM revision")[0]["n"])

    # --- zones -------------------------------------------------------------------------------

    def _zone_select(self, table: str, *more: str) -> str:
        columns = [*SAVED_ZONE_FIELDS, self.backend.geom_out("geometry"), *more]
        return f"SELECT {', '.join(columns)} FROM {table}"

    def zones(self) -> gpd.GeoDataFrame:
        records = self._query(f"{self._zone_select('zones')} ORDER BY created_on, name")
        geometry = [shapely.from_wkb(bytes(r.pop("geometry"))) for r in records]
        frame = pd.DataFrame(records, columns=list(SAVED_ZONE_FIELDS), dtype=object)
        for column in _ZONE_DATES:
            frame[column] = frame[column].map(_date).astype(object)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)

    def zone(self, zone_id: str) -> SavedZone:
        rows = self._query(f"{self._zone_select('zones')} WHERE zone_id = ?", zone_id)
        if not rows:
            msg = _(
                "No saved zone {zone}; it may have been deleted. Reload the page.",
                zone=repr(zone_id),
            )
            raise ContainmentError(msg)
        return _zone_from_row(rows[0])

    def save_zone(self, zone: SavedZone, *, change: str = "") -> SavedZone:
        """Insert a new zone (version 0) or update one still at its version; keep the version.

        ``change`` says why, for the history (by default, what differs from the version the
        user opened). A new zone whose id belonged to a deleted zone continues that zone's
        history ("re-created after deletion").
        """
        with self._transaction() as tx:
            return self._save_zone(tx, zone, change)

    def save_zones(
        self,
        zones: Sequence[tuple[SavedZone, str]],
        *,
        deletions: Sequence[tuple[str, int, str]] = (),
    ) -> list[SavedZone]:
        """Save several zones (each ``(zone, why)``) and delete others (``(zone_id, version
        opened, why)``) in one transaction: all of it, or nothing if any was changed meanwhile.
        """
        with self._transaction() as tx:
            saved = [self._save_zone(tx, zone, why) for zone, why in zones]
            for zone_id, version, why in deletions:
                self._delete_zone(tx, zone_id, version, why)
        return saved

    def _save_zone(self, tx: Tx, zone: SavedZone, change: str) -> SavedZone:
        placeholders = [*("?" * len(SAVED_ZONE_FIELDS)), self.backend.geom_in]
        if zone.version == 0:
            last = tx.one(
                "SELECT MAX(version) AS n FROM zone_versions WHERE zone_id = ?", (zone.zone_id,)
            )
            deleted_at = int(last["n"]) if last and last["n"] is not None else 0
            saved = dataclasses.replace(zone, version=deleted_at + 1)
            values = _zone_values(saved)
            cursor = tx.execute(
                f"INSERT INTO zones ({', '.join(values)}) VALUES ({', '.join(placeholders)}) "
                "ON CONFLICT (zone_id) DO NOTHING",
                list(values.values()),
            )
            if cursor.rowcount == 0:
                msg = _(
                    "Zone {zone} ({name}) already exists; reload the page.",
                    zone=repr(zone.zone_id),
                    name=zone.name,
                )
                raise ConflictError(msg)
            what = change or "created"
            if deleted_at:
                what = (
                    f"re-created after deletion ({what})" if change else "re-created after deletion"
                )
            action = "zone created"
        else:
            saved = dataclasses.replace(zone, version=zone.version + 1)
            values = _zone_values(saved)
            opened = tx.one(
                f"{self._zone_select('zone_versions')} WHERE zone_id = ? AND version = ?",
                (zone.zone_id, zone.version),
            )
            assignments = ", ".join(f"{c} = {p}" for c, p in zip(values, placeholders, strict=True))
            cursor = tx.execute(  # optimistic locking: only over the version opened
                f"UPDATE zones SET {assignments} WHERE zone_id = ? AND version = ?",
                [*values.values(), zone.zone_id, zone.version],
            )
            if cursor.rowcount == 0:
                raise ConflictError(self._zone_conflict(tx, zone))
            differences = zone_changes(_zone_from_row(opened), saved) if opened else []
            what = change or "; ".join(differences) or "saved unchanged"
            action = (
                "zone restored"
                if change.startswith("restored")
                else "zone status changed"
                if opened and opened["status"] != values["status"]
                else "zone edited"
            )
        self._keep_version(tx, values, what)
        self._audit(tx, action, f"zone {zone.zone_id} ({zone.name})", what)
        return saved

    def _keep_version(
        self, tx: Tx, values: dict[str, object], change: str, *, deleted: bool = False
    ) -> None:
        columns = [*values, "saved_by", "saved_at", "change", "deleted"]
        placeholders = ", ".join(self.backend.geom_in if c == "geometry" else "?" for c in columns)
        tx.execute(
            f"INSERT INTO zone_versions ({', '.join(columns)}) VALUES ({placeholders})",
            [*values.values(), self.actor.username, self._now(), change, int(deleted)],
        )

    def _zone_conflict(self, tx: Tx, mine: SavedZone) -> str:
        """Who changed the zone since version ``mine.version``, and what they changed."""
        current = tx.one(f"{self._zone_select('zones')} WHERE zone_id = ?", (mine.zone_id,))
        latest = tx.row(
            "SELECT version, saved_by, saved_at, change FROM zone_versions WHERE zone_id = ? "
            "ORDER BY version DESC LIMIT 1",
            (mine.zone_id,),
        )
        user, at = latest["saved_by"], time_text(pd.Timestamp(latest["saved_at"]))
        if current is None:
            return _(
                "Zone {name} was deleted by {user} at {time}. Your change was not saved. Reload "
                "the zone, check theirs, and make yours again.",
                name=repr(mine.name),
                user=user,
                time=at,
            )
        base_row = tx.one(
            f"{self._zone_select('zone_versions')} WHERE zone_id = ? AND version = ?",
            (mine.zone_id, mine.version),
        )
        theirs = _zone_from_row(current)
        changes = zone_changes(_zone_from_row(base_row), theirs) if base_row else []
        return _(
            "Zone {name} was changed by {user} at {time} since you opened it (version {yours} "
            "→ {theirs}): {changes}. Your change was not saved. Reload the zone, check theirs, "
            "and make yours again.",
            name=repr(mine.name),
            user=user,
            time=at,
            yours=mine.version,
            theirs=current["version"],
            changes="; ".join(changes) or latest["change"],
        )

    def delete_zone(self, zone_id: str, *, version: int | None = None) -> None:
        """Delete a zone (only if still at ``version``, when given); its history is kept."""
        with self._transaction() as tx:
            self._delete_zone(tx, zone_id, version, "deleted")

    def _delete_zone(self, tx: Tx, zone_id: str, version: int | None, why: str) -> None:
        current = tx.one(f"{self._zone_select('zones')} WHERE zone_id = ?", (zone_id,))
        if current is None:
            return
        zone = _zone_from_row(current)
        if version is not None and version != zone.version:
            raise ConflictError(self._zone_conflict(tx, dataclasses.replace(zone, version=version)))
        tx.execute("DELETE FROM zones WHERE zone_id = ?", (zone_id,))
        tombstone = _zone_values(dataclasses.replace(zone, version=zone.version + 1))
        self._keep_version(tx, tombstone, why, deleted=True)
        self._audit(
            tx, "zone deleted", f"zone {zone_id} ({zone.name})", f"{why}; was {zone.status}"
        )

    def _delete_zones_saved_since(self, tx: Tx, since: str, why: str) -> int:
        """Delete the zones first saved at or after ``since`` (their history kept)."""
        rows = tx.all(
            f"{self._zone_select('zones')} WHERE zone_id IN (SELECT zone_id FROM zone_versions "
            "GROUP BY zone_id HAVING MIN(saved_at) >= ?)",
            (since,),
        )
        for row in rows:
            zone = _zone_from_row(row)
            tx.execute("DELETE FROM zones WHERE zone_id = ?", (zone.zone_id,))
            tx.execute("DELETE FROM checkpoints WHERE zone_id = ?", (zone.zone_id,))
            tombstone = _zone_values(dataclasses.replace(zone, version=zone.version + 1))
            self._keep_version(tx, tombstone, f"deleted: {why}", deleted=True)
        return len(rows)

    def zone_history(self, zone_id: str) -> list[tuple[SavedZone, str, str, str]]:
        """Every version of a zone, oldest first, as ``(zone, saved_by, saved_at, change)``."""
        rows = self._query(
            f"{self._zone_select('zone_versions', 'saved_by', 'saved_at', 'change')} "
            "WHERE zone_id = ? ORDER BY version",
            zone_id,
        )
        return [(_zone_from_row(r), r["saved_by"], r["saved_at"], r["change"]) for r in rows]

    def zone_versions(self) -> gpd.GeoDataFrame:
        """Every saved version of every zone, deletions included, in the order they were
        saved: what :func:`containment.engine.history.in_force_periods` reads.

        Columns: the saved zone's fields, ``saved_at`` (UTC timestamp), ``deleted`` (this
        version records the zone's deletion; its other fields are the zone as it was) and the
        outline (EPSG:4326). No planner's note and no user name: nothing here names anyone.
        """
        columns = [f for f in SAVED_ZONE_FIELDS if f != "note"]
        rows = self._query(
            f"SELECT {', '.join(columns)}, saved_at, deleted, "
            f"{self.backend.geom_out('geometry')} FROM zone_versions ORDER BY zone_id, version"
        )
        geometry = [shapely.from_wkb(bytes(r.pop("geometry"))) for r in rows]
        frame = pd.DataFrame(rows, columns=[*columns, "saved_at", "deleted"], dtype=object)
        for column in _ZONE_DATES:
            frame[column] = frame[column].map(_date).astype(object)
        frame["version"] = frame["version"].astype(int)
        frame["release_after_days"] = frame["release_after_days"].astype(int)
        frame["saved_at"] = pd.to_datetime(frame["saved_at"], utc=True)
        frame["deleted"] = frame["deleted"].astype(bool)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)

    def zone_version(self, zone_id: str, version: int) -> SavedZone:
        """One saved version of a zone, from its history."""
        rows = self._query(
            f"{self._zone_select('zone_versions')} WHERE zone_id = ? AND version = ?",
            zone_id,
            version,
        )
        if not rows:
            msg = _(
                "Zone {zone} has no version {version}; reload its history.",
                zone=repr(zone_id),
                version=version,
            )
            raise ContainmentError(msg)
        return _zone_from_row(rows[0])

    def restore_zone(self, zone_id: str, version: int, *, current_version: int) -> SavedZone:
        """Save version ``version``'s name, status and outline as the zone's newest version.

        ``current_version`` is the version the user saw: a newer save since then is a conflict.
        """
        return self.save_zone(
            dataclasses.replace(self.zone_version(zone_id, version), version=current_version),
            change=f"restored version {version}",
        )

    # --- centres -----------------------------------------------------------------------------

    def centres(self) -> gpd.GeoDataFrame:
        rows = self._query(f"SELECT {', '.join(CENTRE_FIELDS)} FROM centres ORDER BY name")
        frame = pd.DataFrame(rows, columns=list(CENTRE_FIELDS))
        frame["beds_free"] = frame["capacity"].astype(int) - frame["occupied"].astype(int)
        return _with_points(frame, keep_lon_lat=True)  # a Centre is made from them

    def centre(self, centre_id: str) -> Centre:
        rows = self._query(
            f"SELECT {', '.join(CENTRE_FIELDS)} FROM centres WHERE centre_id = ?", centre_id
        )
        if not rows:
            msg = _(
                "No centre {centre}; it may have been removed. Reload the page.",
                centre=repr(centre_id),
            )
            raise ContainmentError(msg)
        return Centre(**rows[0])

    def _keep_occupancy(
        self, tx: Tx, centre_id: str, capacity: int, occupied: int, on: dt.date | None
    ) -> None:
        """Note a centre's beds from day ``on`` (today in the district, if not given)."""
        tx.execute(
            "INSERT INTO centre_occupancy (centre_id, on_day, capacity, occupied, saved_at, "
            "saved_by) VALUES (?, ?, ?, ?, ?, ?)",
            (
                centre_id,
                (on or self._today()).isoformat(),
                int(capacity),
                int(occupied),
                self._now(),
                self.actor.username,
            ),
        )

    def centre_occupancy(self) -> pd.DataFrame:
        """Every change of a centre's beds, in the order saved: ``centre_id``, ``on_day`` (the
        day it applies from), ``capacity``, ``occupied``, ``saved_at`` (UTC). A removed centre
        ends with a row of no beds."""
        columns = ["centre_id", "on_day", "capacity", "occupied", "saved_at"]
        rows = self._query(
            f"SELECT {', '.join(columns)} FROM centre_occupancy ORDER BY saved_at, on_day"
        )
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        frame["on_day"] = frame["on_day"].map(_date).astype(object)
        frame[["capacity", "occupied"]] = frame[["capacity", "occupied"]].astype(int)
        frame["saved_at"] = pd.to_datetime(frame["saved_at"], utc=True)
        return frame

    def save_centre(self, centre: Centre, *, on: dt.date | None = None) -> Centre:
        """Insert a new centre (version 0) or update one still at its version.

        A change of its beds is kept in the occupancy history from day ``on`` (the working
        date; today in the district if not given), in the same transaction.
        """
        saved = dataclasses.replace(centre, version=centre.version + 1)
        values = {f: getattr(saved, f) for f in CENTRE_FIELDS}
        values["kind"] = saved.kind.value
        subject = f"centre {centre.centre_id} ({centre.name})"
        with self._transaction() as tx:
            current = tx.one(
                f"SELECT {', '.join(CENTRE_FIELDS)} FROM centres WHERE centre_id = ?",
                (centre.centre_id,),
            )
            if centre.version == 0:
                cursor = tx.execute(
                    f"INSERT INTO centres ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' * len(values))}) ON CONFLICT (centre_id) DO NOTHING",
                    list(values.values()),
                )
                if cursor.rowcount == 0:
                    msg = _("Centre {centre} already exists.", centre=repr(centre.centre_id))
                    raise ConflictError(msg)
                self._keep_occupancy(tx, saved.centre_id, saved.capacity, saved.occupied, on)
                self._audit(tx, "centre saved", subject, f"created: {saved.capacity} beds")
                return saved
            cursor = tx.execute(  # optimistic locking: only over the version opened
                f"UPDATE centres SET {', '.join(f'{c} = ?' for c in values)} "
                "WHERE centre_id = ? AND version = ?",
                [*values.values(), centre.centre_id, centre.version],
            )
            if cursor.rowcount == 0 or current is None:
                raise ConflictError(self._centre_conflict(tx, centre))
            changed = [
                f"{f}: {current[f]} → {values[f]}"
                for f in CENTRE_FIELDS
                if f != "version" and current[f] != values[f]
            ]
            if (current["capacity"], current["occupied"]) != (saved.capacity, saved.occupied):
                self._keep_occupancy(tx, saved.centre_id, saved.capacity, saved.occupied, on)
            self._audit(tx, "centre saved", subject, "; ".join(changed) or "saved unchanged")
        return saved

    def _centre_conflict(self, tx: Tx, mine: Centre) -> str:
        current = tx.one(
            f"SELECT {', '.join(CENTRE_FIELDS)} FROM centres WHERE centre_id = ?",
            (mine.centre_id,),
        )
        last = tx.one(
            "SELECT username, at FROM audit WHERE subject LIKE ? ORDER BY audit_id DESC LIMIT 1",
            (f"centre {mine.centre_id} %",),
        )
        name = repr(mine.name)
        user, at = (last["username"], time_text(pd.Timestamp(last["at"]))) if last else ("", "")
        if current is None:
            if last:
                return _(
                    "Centre {name} was removed by {user} at {time}. Your change was not saved.",
                    name=name,
                    user=user,
                    time=at,
                )
            return _("Centre {name} was removed. Your change was not saved.", name=name)
        now = "; ".join(
            _(
                "{field} {value} (yours: {yours})",
                field=_(_CENTRE_WORDS[f]),
                value=current[f],
                yours=getattr(mine, f),
            )
            for f in ("name", "capacity", "occupied", "note")
            if current[f] != getattr(mine, f)
        ) or _("the same values")
        if last:
            return _(
                "Centre {name} was changed by {user} at {time} since you opened it; it now has "
                "{now}. Your change was not saved. Reload it and make your change again.",
                name=name,
                user=user,
                time=at,
                now=now,
            )
        return _(
            "Centre {name} was changed since you opened it; it now has {now}. Your change was "
            "not saved. Reload it and make your change again.",
            name=name,
            now=now,
        )

    def occupy_beds(self, counts: Mapping[str, int], *, on: dt.date | None = None) -> None:
        """Take beds in several centres at once: all of them, or none if a centre has too few
        free beds now (someone else may have taken them since the allocation was made). The
        new occupancy is kept in its history from day ``on`` (today, if not given)."""
        with self._transaction() as tx:
            for centre_id, count in counts.items():
                cursor = tx.execute(
                    "UPDATE centres SET occupied = occupied + ?, version = version + 1 "
                    "WHERE centre_id = ? AND occupied + ? <= capacity",
                    (int(count), centre_id, int(count)),
                )
                if cursor.rowcount == 0:
                    row = tx.one(
                        "SELECT name, capacity - occupied AS free FROM centres WHERE centre_id = ?",
                        (centre_id,),
                    )
                    msg = (
                        _(
                            "Centre {name} has {free} free beds now, fewer than the {n} "
                            "allocated; nothing was recorded. Allocate again.",
                            name=repr(row["name"]),
                            free=number(row["free"]),
                            n=number(count),
                        )
                        if row
                        else _(
                            "Centre {centre} was removed; nothing was recorded.",
                            centre=repr(centre_id),
                        )
                    )
                    raise ConflictError(msg)
                now = tx.row(
                    "SELECT capacity, occupied FROM centres WHERE centre_id = ?", (centre_id,)
                )
                self._keep_occupancy(tx, centre_id, now["capacity"], now["occupied"], on)
            self._audit(
                tx,
                "beds occupied",
                f"{len(counts)} centres",
                f"{sum(counts.values())} people placed",
            )

    def delete_centre(self, centre_id: str, *, on: dt.date | None = None) -> None:
        """Remove a centre; from day ``on`` (today, if not given) its beds count no more."""
        with self._transaction() as tx:
            current = tx.one("SELECT name FROM centres WHERE centre_id = ?", (centre_id,))
            if current is None:
                return
            tx.execute("DELETE FROM centres WHERE centre_id = ?", (centre_id,))
            self._keep_occupancy(tx, centre_id, 0, 0, on)
            self._audit(tx, "centre removed", f"centre {centre_id} ({current['name']})")

    # --- checkpoints -------------------------------------------------------------------------

    def checkpoints(self) -> gpd.GeoDataFrame:
        columns = [*CHECKPOINT_COLUMNS, "lon", "lat"]
        rows = self._query(f"SELECT {', '.join(columns)} FROM checkpoints ORDER BY zone_name, road")
        return _with_points(pd.DataFrame(rows, columns=columns))

    def save_checkpoints(self, checkpoints: gpd.GeoDataFrame) -> None:
        """Add or move checkpoints (by ``checkpoint_id``)."""
        points = checkpoints.to_crs(STORAGE_CRS).geometry
        rows = [
            (*(str(getattr(row, c)) for c in CHECKPOINT_COLUMNS), float(p.x), float(p.y))
            for row, p in zip(checkpoints.itertuples(), points, strict=True)
        ]
        columns = [*CHECKPOINT_COLUMNS, "lon", "lat"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        with self._transaction() as tx:
            tx.executemany(
                f"INSERT INTO checkpoints ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) "
                f"ON CONFLICT (checkpoint_id) DO UPDATE SET {updates}",
                rows,
            )
            zones = sorted({str(r[2]) for r in rows})
            self._audit(
                tx, "checkpoints saved", f"{len(rows)} checkpoints", f"zones: {', '.join(zones)}"
            )

    def delete_checkpoint(self, checkpoint_id: str) -> None:
        with self._transaction() as tx:
            tx.execute("DELETE FROM checkpoints WHERE checkpoint_id = ?", (checkpoint_id,))
            self._audit(tx, "checkpoint removed", f"checkpoint {checkpoint_id}")

    # --- home quarantine ---------------------------------------------------------------------

    def homes(self) -> gpd.GeoDataFrame:
        columns = ["hq_id", "lon", "lat", "start_on", "end_on"]
        rows = self._query(f"SELECT {', '.join(columns)} FROM homes ORDER BY hq_id")
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
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
        with self._transaction() as tx:
            tx.executemany(
                "INSERT INTO homes (hq_id, lon, lat, start_on, end_on) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (hq_id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, "
                "start_on = excluded.start_on, end_on = excluded.end_on",
                rows,
            )
            self._audit(tx, "homes registered", f"{len(rows)} homes in quarantine")

    def violations(self) -> pd.DataFrame:
        columns = ["hq_id", "checked_at", "distance_m", "action", "action_on"]
        rows = self._query(f"SELECT {', '.join(columns)} FROM violations ORDER BY checked_at")
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        frame["checked_at"] = pd.to_datetime(frame["checked_at"])
        frame["action_on"] = frame["action_on"].map(_date).astype(object)
        return frame

    def record_violations(self, violations: pd.DataFrame) -> int:
        """Keep new violations (a check-in already recorded is not counted twice)."""
        rows = [
            (str(hq_id), pd.Timestamp(checked_at).isoformat(), float(distance_m), "", None)
            for hq_id, checked_at, distance_m in zip(
                violations["hq_id"], violations["checked_at"], violations["distance_m"], strict=True
            )
        ]
        with self._transaction() as tx:
            before = tx.row("SELECT COUNT(*) AS n FROM violations")["n"]
            tx.executemany(
                "INSERT INTO violations (hq_id, checked_at, distance_m, action, action_on) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )
            added = int(tx.row("SELECT COUNT(*) AS n FROM violations")["n"]) - int(before)
            self._audit(tx, "violations recorded", f"{added} new geofence violations")
        return added

    def record_action(
        self, hq_id: str, checked_at: dt.datetime | str, action: str, *, on: dt.date
    ) -> None:
        with self._transaction() as tx:
            cursor = tx.execute(
                "UPDATE violations SET action = ?, action_on = ? "
                "WHERE hq_id = ? AND checked_at = ?",
                (action, on.isoformat(), hq_id, pd.Timestamp(checked_at).isoformat()),
            )
            if cursor.rowcount == 0:
                msg = _(
                    "No recorded violation of {home} at {time}; reload the page.",
                    home=hq_id,
                    time=checked_at,
                )
                raise ContainmentError(msg)
            self._audit(tx, "violation action", "one geofence violation", f"{action} on {on}")
