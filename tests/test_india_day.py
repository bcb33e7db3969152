"""Every day the command line takes by default is today in India, as the app's is — not the
machine's date, which a server kept in UTC (or elsewhere) has on another day for hours."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
import shapely
from typer.testing import CliRunner

from containment.engine.lifecycle import SavedZone
from containment.i18n import IST, date_text, india_today
from containment.io.cases import read_cases
from containment.store import open_store

PASSWORD = "a long test password"
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


@pytest.fixture
def machine_on_another_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """The machine's clock in a time zone whose date is not India's right now (UTC-12 while
    India's day is young, UTC+14 late in it: one of the two always differs)."""
    hour = dt.datetime.now(IST).hour
    monkeypatch.setenv("TZ", "Etc/GMT+12" if hour < 16 else "Etc/GMT-14")
    time.tzset()
    yield india_today()
    monkeypatch.undo()
    time.tzset()


def test_the_machine_is_on_another_day_than_india(machine_on_another_day):
    assert dt.date.today() != machine_on_another_day


def test_the_export_is_of_today_in_india(machine_on_another_day, tmp_path):
    from containment.cli import app

    url = f"sqlite:///{tmp_path / 'dungarpur.sqlite'}"
    store = open_store("dungarpur", url)
    store.add_user("thana", "police", PASSWORD)
    store.save_zone(
        SavedZone("NZ-1", "Ward 7", "containment", "drawn", "r", WARD, status="notified",
                  order_number="DM/7", notified_on=dt.date(2020, 5, 15),
                  created_on=dt.date(2020, 5, 15))
    )  # fmt: skip
    made = CliRunner().invoke(
        app,
        ["export", str(tmp_path / "z.geojson"), "--user", "thana", "--database", url],
        env={"CONTAINMENT_PASSWORD": PASSWORD},
    )
    assert made.exit_code == 0, made.output
    assert f"in force on {date_text(machine_on_another_day)} to" in made.stdout


def test_a_case_reported_today_in_india_is_not_in_the_future(
    machine_on_another_day, write_csv, dungarpur
):
    day = machine_on_another_day.isoformat()
    cases = write_csv(
        [["case_id", "reported_on", "latitude", "longitude"], ["C-1", day, 23.84, 73.71]]
    )
    found = read_cases(cases, dungarpur)
    assert [str(r) for r in found.rejected] == []
    assert found.accepted_count == 1
