"""Where a district's work is kept.

:func:`open_store` picks the backend from a database URL: none (the default) is the embedded
SQLite file ``$CONTAINMENT_DATA/<district>.sqlite``, no server; ``sqlite:///path/to/file`` is
another file; ``postgresql://user:password@host:5432/dbname`` is a shared PostGIS database,
each district in a schema of its own (``district_<name>``; ``CONTAINMENT_SCHEMA_PREFIX`` changes
the prefix). ``CONTAINMENT_DATABASE_URL`` sets the URL for the app and the command line.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from containment.errors import ContainmentError
from containment.i18n import _
from containment.store.backends import Backend, PostGISBackend, SQLiteBackend, private_file
from containment.store.sql import (
    Actor,
    ConflictError,
    ImportSummary,
    SQLStore,
    SyntheticMixError,
    WrongDistrictError,
)

__all__ = [
    "Actor",
    "Backend",
    "ConflictError",
    "ImportSummary",
    "SQLStore",
    "SQLiteStore",
    "SyntheticMixError",
    "WrongDistrictError",
    "backup_sqlite",
    "database_url",
    "default_store_path",
    "open_backend",
    "open_store",
]

DATABASE_URL_VARIABLE = "CONTAINMENT_DATABASE_URL"
# Schemas are named <prefix><district>: another prefix keeps a training copy apart in one database.
SCHEMA_PREFIX_VARIABLE = "CONTAINMENT_SCHEMA_PREFIX"


def default_store_path(district: str) -> Path:
    """``$CONTAINMENT_DATA/<district>.sqlite``, by default under ``./data``."""
    folder = Path(os.environ.get("CONTAINMENT_DATA", "data"))
    return folder / f"{district.lower()}.sqlite"


def database_url() -> str:
    """The configured database URL (``CONTAINMENT_DATABASE_URL``), or "" for the default."""
    return os.environ.get(DATABASE_URL_VARIABLE, "").strip()


def SQLiteStore(path: str | os.PathLike[str]) -> SQLStore:
    """The embedded store in one SQLite file, created and upgraded on first use."""
    return SQLStore(SQLiteBackend(path))


def open_store(district: str, url: str | None = None) -> SQLStore:
    """The store for ``district`` at ``url`` (by default :func:`database_url`), created or
    upgraded to the current schema; a store another district's records is refused
    (:class:`WrongDistrictError`), one that records none is recorded as ``district``'s."""
    backend = open_backend(district, url)
    try:
        return SQLStore(backend, district=district)
    except BaseException:
        backend.close()  # a PostGIS pool is not left open behind a refused store
        raise


def open_backend(district: str, url: str | None = None) -> Backend:
    """Where ``district``'s store is, by ``url``; nothing is created or upgraded yet."""
    url = database_url() if url is None else url.strip()
    if not url:
        return SQLiteBackend(default_store_path(district))
    if url.startswith("sqlite:///"):
        return SQLiteBackend(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        prefix = os.environ.get(SCHEMA_PREFIX_VARIABLE, "district_")
        return PostGISBackend(url.replace("+psycopg", ""), district.lower(), schema_prefix=prefix)
    scheme = url.split(":", 1)[0]
    msg = _(
        "Database URL scheme {scheme} is not known: use postgresql://user:password@host/db for "
        "PostGIS, sqlite:///path/to/file.sqlite, or leave it empty for the default file.",
        scheme=repr(scheme),
    )
    raise ContainmentError(msg)


def backup_sqlite(store: SQLStore, to: str | os.PathLike[str]) -> Path:
    """A consistent copy of an embedded store, taken while it may be in use.

    SQLite's online backup copies a snapshot: writers are not stopped, and no half-saved
    change is copied. For PostGIS use ``pg_dump`` (see the README).
    """
    backend = store.backend
    if not isinstance(backend, SQLiteBackend):
        msg = _("This is a PostGIS store: back it up with pg_dump (see the README).")
        raise ContainmentError(msg)
    target = Path(to)
    if target.exists():
        msg = _("{file} already exists; choose a new file name for the backup.", file=target)
        raise ContainmentError(msg)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # 0600 before a byte of the store is in it
    source = sqlite3.connect(backend.path)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.replace(target)
    return target
