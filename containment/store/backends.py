"""Where the SQL runs: an embedded SQLite file, or a PostgreSQL database with PostGIS.

A backend opens connections, runs a transaction, and says how its dialect differs: the
placeholder, how a geometry goes in and comes out, and the column types the migrations use.
Everything else — the tables, the queries, optimistic locking — is shared by
:class:`containment.store.sql.SQLStore`. Geometries are EPSG:4326 in both; PostGIS keeps them
as ``geometry`` columns with GiST indexes, SQLite as WKB.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from containment.errors import ContainmentError
from containment.i18n import _

__all__ = [
    "Backend",
    "PostGISBackend",
    "SQLiteBackend",
    "Tx",
    "covers_xy",
    "private_file",
]


class Tx:
    """One connection inside one transaction (or one read), speaking ``?`` placeholders."""

    def __init__(self, con: Any, translate: Any) -> None:
        self._con = con
        self._translate = translate

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        return self._con.execute(self._translate(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            self._con.cursor().executemany(self._translate(sql), rows)

    def all(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        """The first row, or None."""
        row = self.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def row(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any]:
        """The row of a query that always has one (``COUNT(*)``, ``INSERT ... RETURNING``)."""
        found = self.one(sql, params)
        if found is None:
            msg = f"internal error: no row from {sql.split()[0]} query"
            raise AssertionError(msg)
        return found


class Backend(Protocol):
    """What :class:`SQLStore` needs from a database."""

    name: str
    label: str  # where the data is, for messages and the sidebar: a path or host/database
    types: dict[str, str]  # column types the migrations name: {id}, {geometry}, {point}
    geom_in: str  # SQL taking one WKB parameter
    for_update: str  # appended to a SELECT to lock its rows until the transaction ends

    def geom_out(self, column: str) -> str: ...
    def transaction(self) -> AbstractContextManager[Tx]: ...
    def read(self) -> AbstractContextManager[Tx]: ...
    def schema_version(self, tx: Tx) -> int: ...
    def set_schema_version(self, tx: Tx, version: int) -> None: ...
    def close(self) -> None: ...


def private_file(path: Path) -> None:
    """Make ``path`` (and SQLite's journal files beside it) readable by this user only (0600),
    creating it empty if need be: a district's store is health data."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077 and file.stat().st_uid == os.getuid():
            file.chmod(0o600)


@functools.lru_cache(maxsize=256)
def _prepared(wkb: bytes) -> Any:
    import shapely

    geometry = shapely.from_wkb(wkb)
    shapely.prepare(geometry)
    return geometry


def covers_xy(wkb: bytes | None, lon: float | None, lat: float | None) -> int:
    """SQLite's stand-in for PostGIS's ``ST_Covers(geometry, point)``: 1 when the lon/lat
    point lies in or on the WKB geometry (the state's views use it; see store/schema.py)."""
    import shapely

    if wkb is None or lon is None or lat is None:
        return 0
    return int(shapely.intersects_xy(_prepared(bytes(wkb)), lon, lat))


def _dict_row(cursor: sqlite3.Cursor, row: tuple[object, ...]) -> dict[str, object]:
    return {d[0]: value for d, value in zip(cursor.description, row, strict=True)}


class SQLiteBackend:
    """One SQLite file (WAL journal), a connection per operation; writers queue for the lock."""

    name = "sqlite"
    types = {  # noqa: RUF012 - read-only table
        "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "geometry": "BLOB",
    }
    geom_in = "?"
    for_update = ""  # BEGIN IMMEDIATE already holds the one write lock

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.label = str(self.path)
        private_file(self.path)

    def geom_out(self, column: str) -> str:
        return column

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = _dict_row
        con.create_function("covers_xy", 3, covers_xy, deterministic=True)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
            try:
                yield Tx(con, str)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        con = self._connect()
        try:
            yield Tx(con, str)
        finally:
            con.close()

    def schema_version(self, tx: Tx) -> int:
        return int(tx.execute("PRAGMA user_version").fetchone()["user_version"])

    def set_schema_version(self, tx: Tx, version: int) -> None:
        tx.execute(f"PRAGMA user_version = {int(version)}")

    def close(self) -> None:
        """Nothing is held open between operations."""


_SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,60}$")


def _to_psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
_SOCKET_DIR = re.compile(r"^/[A-Za-z0-9_./-]*$")
_DB_NAME = re.compile(r"^[A-Za-z0-9_.-]*$")


class PostGISBackend:
    """A PostgreSQL database with PostGIS; each district is a schema of its own.

    ``district_<name>`` holds the same tables the SQLite file holds, so thirty districts share
    one server without a query ever reaching another district's rows (each connection's
    ``search_path`` is its district's schema). Connections come from a pool.
    """

    name = "postgis"
    types = {  # noqa: RUF012 - read-only table
        "id": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "geometry": "geometry(Geometry, 4326)",
    }
    geom_in = "ST_GeomFromWKB(?, 4326)"
    for_update = " FOR UPDATE"

    def __init__(
        self, url: str, district: str, *, schema_prefix: str = "district_", pool_size: int = 10
    ) -> None:
        import psycopg
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.schema = f"{schema_prefix}{district}"
        self.schema_prefix = schema_prefix
        if not _SCHEMA_NAME.match(self.schema):
            msg = _(
                "{schema} cannot name a database schema: the district name and "
                "CONTAINMENT_SCHEMA_PREFIX may use lower-case letters, digits and underscores, "
                "starting with a letter.",
                schema=repr(self.schema),
            )
            raise ContainmentError(msg)
        self.url = url
        try:
            info = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error:  # its message quotes the URL, password and all
            msg = _(
                "The database URL (CONTAINMENT_DATABASE_URL) cannot be read. Write it as "
                "postgresql://user:password@host:5432/dbname, with characters such as % @ : / "
                "in the password percent-encoded (% as %25, @ as %40, : as %3A, / as %2F)."
            )
            raise ContainmentError(msg) from None
        host, dbname = str(info.get("host") or "localhost"), str(info.get("dbname") or "")
        if not (_HOST_NAME.match(host) or _SOCKET_DIR.match(host)) or not _DB_NAME.match(dbname):
            # Most often an unencoded @ or / in the password, which then spills into the host or
            # the database name: never show those parts, they may hold the password.
            msg = (
                "The database URL (CONTAINMENT_DATABASE_URL) has a host or database name that "
                "cannot be right. Write it as postgresql://user:password@host:5432/dbname, with "
                "% @ : / in the password percent-encoded (% as %25, @ as %40, : as %3A, / as %2F)."
            )
            raise ContainmentError(msg)
        self.label = f"{host}/{dbname} ({self.schema})"
        self._errors = psycopg.errors

        def configure(con: psycopg.Connection) -> None:
            con.execute(f'SET search_path TO "{self.schema}", public')

        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
                self._prepare_database(con)
        except psycopg.OperationalError as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            msg = _(
                "Cannot reach the PostGIS database at {database}: {reason}. Check "
                "CONTAINMENT_DATABASE_URL (host, port, user, password) and that the server runs.",
                database=self.label,
                reason=first,
            )
            raise ContainmentError(msg) from error
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": dict_row},
            configure=configure,
            open=True,
            name=self.schema,
        )

    def _prepare_database(self, con: Any) -> None:
        has_postgis = con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        if not has_postgis:
            try:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except self._errors.InsufficientPrivilege as error:
                msg = _(
                    "The database at {database} has no PostGIS, and this user may not add it: "
                    "ask its administrator to run 'CREATE EXTENSION postgis;' in it.",
                    database=self.label,
                )
                raise ContainmentError(msg) from error
        exists = con.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)
        ).fetchone()
        if not exists:  # a district role may use its schema but not create schemas
            con.execute(f'CREATE SCHEMA "{self.schema}"')
        usable = con.execute(
            "SELECT has_schema_privilege(%s, 'USAGE, CREATE')", (self.schema,)
        ).fetchone()
        if not usable[0]:
            msg = _(
                "This database account may not use the schema {schema} (another district's). "
                "Each district's app logs in as that district's role: check "
                "CONTAINMENT_DATABASE_URL and the district.",
                schema=self.schema,
            )
            raise ContainmentError(msg)

    def geom_out(self, column: str) -> str:
        return f"ST_AsBinary({column}) AS {column}"

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._pool.connection() as con, con.transaction():
            yield Tx(con, _to_psycopg)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._pool.connection() as con:
            yield Tx(con, _to_psycopg)

    def schema_version(self, tx: Tx) -> int:
        # One migrator at a time per district; the lock ends with the transaction.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (self.schema,))
        tx.execute("CREATE TABLE IF NOT EXISTS schema_version (n INTEGER NOT NULL)")
        row = tx.one("SELECT n FROM schema_version")
        if row is None:
            tx.execute("INSERT INTO schema_version VALUES (0)")
            return 0
        return int(row["n"])

    def set_schema_version(self, tx: Tx, version: int) -> None:
        tx.execute("UPDATE schema_version SET n = ?", (version,))

    def close(self) -> None:
        self._pool.close()
