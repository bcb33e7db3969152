"""A store names its district: another district's store (or a backup of it) is never taken for
this one's — not when opened, and not by 'containment restore' — on SQLite and PostGIS."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import shapely
from typer.testing import CliRunner

from containment.engine.lifecycle import SavedZone
from containment.store import WrongDistrictError, open_store

runner = CliRunner()
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


def containment(*args: str):
    from containment.cli import app

    return runner.invoke(app, list(args))


def zone(zone_id: str, name: str) -> SavedZone:
    return SavedZone(zone_id, name, "containment", "drawn", "r", WARD)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``CONTAINMENT_DATA`` with Banswara's and Dungarpur's embedded stores, one zone each."""
    folder = tmp_path / "data"
    monkeypatch.setenv("CONTAINMENT_DATA", str(folder))
    monkeypatch.delenv("CONTAINMENT_DATABASE_URL", raising=False)
    open_store("banswara").save_zone(zone("BZ-1", "Banswara ward"))
    open_store("dungarpur").save_zone(zone("DZ-1", "Dungarpur ward"))
    return folder


def zone_names(district: str) -> list[str]:
    return list(open_store(district).zones()["name"])


def forget_district(path: Path) -> None:
    """Make ``path`` look like a store from before stores recorded their district."""
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM store_meta")


def test_a_store_records_the_district_that_opens_it_first(data):
    assert open_store("dungarpur").recorded_district() == "dungarpur"
    assert open_store("banswara").recorded_district() == "banswara"


def test_a_store_made_before_stores_named_their_district_is_recorded_on_its_next_open(data):
    forget_district(data / "dungarpur.sqlite")
    assert zone_names("dungarpur") == ["Dungarpur ward"]
    assert open_store("dungarpur").recorded_district() == "dungarpur"


def test_another_districts_store_copied_into_place_is_refused_naming_both(data):
    shutil.copy(data / "banswara.sqlite", data / "dungarpur.sqlite")
    with pytest.raises(WrongDistrictError, match="the store of banswara, not of dungarpur"):
        open_store("dungarpur")


def test_restore_refuses_another_districts_backup_and_changes_nothing(data, tmp_path):
    backed_up = containment("backup", str(tmp_path / "bw.sqlite"), "--district", "banswara")
    assert backed_up.exit_code == 0, backed_up.output
    refused = containment("restore", str(tmp_path / "bw.sqlite"))
    assert refused.exit_code == 2
    assert "is a backup of banswara's store, not of dungarpur's" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert zone_names("dungarpur") == ["Dungarpur ward"]
    assert not list(data.glob("*before-restore*"))
    # The backup restores where it belongs.
    restored = containment("restore", str(tmp_path / "bw.sqlite"), "--district", "banswara")
    assert restored.exit_code == 0, restored.output
    assert zone_names("banswara") == ["Banswara ward"]


def test_a_backup_recording_no_district_is_restored_only_when_the_administrator_says_so(
    data, tmp_path
):
    backup = tmp_path / "old.sqlite"
    assert containment("backup", str(backup)).exit_code == 0
    forget_district(backup)
    open_store("dungarpur").save_zone(zone("DZ-2", "A later ward"))
    refused = containment("restore", str(backup))
    assert refused.exit_code == 2
    assert "made before backups recorded their district" in refused.stderr
    assert "--accept-unrecorded-district" in refused.stderr
    assert sorted(zone_names("dungarpur")) == ["A later ward", "Dungarpur ward"]
    accepted = containment("restore", str(backup), "--accept-unrecorded-district")
    assert accepted.exit_code == 0, accepted.output
    assert zone_names("dungarpur") == ["Dungarpur ward"]
    assert open_store("dungarpur").recorded_district() == "dungarpur"
    detail = open_store("dungarpur").audit().iloc[0]["detail"]
    assert "the backup recorded no district" in detail


def test_a_district_schema_holding_another_districts_store_is_refused(store, store_url):
    """On PostGIS a dump restored into another district's schema is refused the same way."""
    assert store.recorded_district() == "dungarpur"
    with store.backend.transaction() as tx:
        tx.execute("UPDATE store_meta SET value = 'banswara' WHERE name = 'district'")
    with pytest.raises(WrongDistrictError, match="the store of banswara, not of dungarpur"):
        open_store("dungarpur", store_url)
