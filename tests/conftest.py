"""Shared fixtures: the shipped Dungarpur district and a writer for small line lists."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from containment import District, load_district

TODAY = dt.date(2020, 6, 1)


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
