"""Shared fixtures: the shipped Dungarpur district, a writer for small line lists, and a fresh
store on each backend (SQLite and the test PostGIS)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from containment import District, load_district
from containment.store import SCHEMA_PREFIX_VARIABLE, SQLStore, open_store

TODAY = dt.date(2020, 6, 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the test PostGIS, so `make check` can leave them out."""
    for item in items:
        spec = getattr(item, "callspec", None)
        on_postgis = spec is not None and spec.params.get("store_url") == "postgis"
        if on_postgis or "postgis_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(scope="session")
def dungarpur() -> District:
    return load_district("dungarpur")


LineListWriter = Callable[[Sequence[Sequence[object]]], Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> LineListWriter:
    """Write rows (the first is the header) to a CSV file and return its path."""

    def write(rows: Sequence[Sequence[object]], name: str = "cases.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        return path

    return write


TEST_DATABASE_URL = os.environ.get(
    "CONTAINMENT_TEST_DATABASE_URL",
    "postgresql://containment_test:containment_test@127.0.0.1:5432/containment_test",
)


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def postgis_url() -> str:
    """The test PostGIS (``scripts/start-test-postgis.sh``). Never skipped: it must be there."""
    import psycopg

    try:
        with psycopg.connect(TEST_DATABASE_URL, connect_timeout=5) as con:
            con.execute("SELECT postgis_version()")
    except psycopg.Error as error:
        pytest.fail(
            f"The PostGIS tests need the test database at {TEST_DATABASE_URL}: run "
            f"scripts/start-test-postgis.sh (as root), or set CONTAINMENT_TEST_DATABASE_URL. "
            f"({str(error).strip().splitlines()[0] if str(error).strip() else error!r})"
        )
    return TEST_DATABASE_URL


@pytest.fixture(params=["sqlite", "postgis"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The database URL of a fresh, empty Dungarpur store on each backend in turn.

    On PostGIS each test gets schemas of its own (``CONTAINMENT_SCHEMA_PREFIX``), dropped after.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dungarpur.sqlite'}"
        return
    url = request.getfixturevalue("postgis_url")
    prefix = f"t{uuid.uuid4().hex[:12]}_"
    monkeypatch.setenv(SCHEMA_PREFIX_VARIABLE, prefix)
    yield url
    drop_schema(f"{prefix}dungarpur")


@pytest.fixture
def store(store_url: str) -> Iterator[SQLStore]:
    """A fresh, empty store on each backend: the same tests run against SQLite and PostGIS."""
    opened = open_store("dungarpur", store_url)
    yield opened
    opened.backend.close()
