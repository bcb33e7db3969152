"""The store's commands: users and backups for the administrator, import, export and the audit
trail for users — through the same role checks as the app, on SQLite and PostGIS."""

from __future__ import annotations

import json
import os

import pytest
import shapely
from typer.testing import CliRunner

from containment.engine.lifecycle import SavedZone
from containment.service import Service
from containment.store import open_store

runner = CliRunner()
PASSWORD = "a long test password"
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


def containment(*args: str, stdin: str | None = None, password: str | None = PASSWORD):
    from containment.cli import app

    env = {"CONTAINMENT_PASSWORD": password} if password else {}
    return runner.invoke(app, list(args), input=stdin, env=env)


@pytest.fixture
def where(store_url) -> list[str]:
    return ["--database", store_url]


def test_users_are_added_with_their_own_password_and_reset(store, where):
    added = containment("users", "add", "Meena", "--role", "collector", *where,
                        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Added meena (collector)" in added.stdout
    assert Service(store).login("meena", PASSWORD).user.role == "collector"
    short = containment("users", "add", "ravi", "--role", "planner", *where,
                        "--password-stdin", stdin="short\n")  # fmt: skip
    assert short.exit_code == 2
    assert "at least 10 characters" in short.stderr
    reset = containment("users", "reset-password", "meena", *where, "--password-stdin",
                        stdin="another long password\n")  # fmt: skip
    assert reset.exit_code == 0
    assert Service(store).login("meena", "another long password")
    containment("users", "disable", "meena", *where)
    listed = containment("users", "list", *where)
    assert "meena\tcollector\tdisabled" in listed.stdout
    actions = store.audit()["action"].tolist()
    assert actions[:3] == ["user disabled", "login", "password reset"]
    assert store.audit()["username"].iloc[0].startswith("admin:")


def test_import_export_and_audit_follow_the_users_role(store, where, dungarpur, tmp_path):
    for name, role in (("meena", "collector"), ("ravi", "planner"), ("thana", "police")):
        store.add_user(name, role, PASSWORD)
    sample = str(dungarpur.sample_cases)
    refused = containment("import", sample, "--user", "thana", *where)
    assert refused.exit_code == 2
    assert "thana (police) may not import cases" in refused.stderr
    imported = containment("import", sample, "--user", "ravi", *where)
    assert imported.exit_code == 0, imported.output
    assert "Saved: 300 new cases" in imported.stdout
    store.save_zone(
        SavedZone(
            "NZ-1", "Ward 7", "containment", "drawn", "r", WARD, status="notified",
            order_number="DM/7", notified_on=dungarpur_day(), created_on=dungarpur_day(),
        )
    )  # fmt: skip
    store.save_zone(SavedZone("DZ-1", "Draft ward", "containment", "drawn", "r", WARD))
    exported = containment("export", str(tmp_path / "zones.geojson"), "--user", "thana",
                           *where)  # fmt: skip
    assert exported.exit_code == 0, exported.output
    features = json.loads((tmp_path / "zones.geojson").read_text())["features"]
    assert [f["properties"]["name"] for f in features] == ["Ward 7"]
    wrong = containment("audit", "--user", "ravi", *where, password="not the password")
    assert wrong.exit_code == 2
    assert "Wrong user name or password." in wrong.stderr
    denied = containment("audit", "--user", "ravi", *where)
    assert "may not read the audit trail" in denied.stderr
    trail = containment("audit", "--user", "meena", "-o", str(tmp_path / "a.csv"), *where)
    assert trail.exit_code == 0, trail.output
    text = (tmp_path / "a.csv").read_text()
    assert "thana,police,export,zones in force (command line),zones.geojson: 1 rows" in text
    assert "ravi,planner,import cases" in text


def dungarpur_day():
    import datetime as dt

    return dt.date(2020, 5, 15)


def test_a_backup_is_restored_and_the_store_it_replaces_is_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'dungarpur.sqlite'}"
    where = ["--database", url]
    store = open_store("dungarpur", url)
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "r", WARD))
    backed_up = containment("backup", str(tmp_path / "monday.sqlite"), *where)
    assert backed_up.exit_code == 0, backed_up.output
    store.delete_zone("DZ-1")
    store.save_zone(SavedZone("DZ-2", "Ward 9", "containment", "drawn", "r", WARD))
    again = containment("backup", str(tmp_path / "monday.sqlite"), *where)
    assert again.exit_code == 2
    assert "already exists; choose a new file name" in again.stderr
    (tmp_path / "junk.sqlite").write_text("not a database")
    junk = containment("restore", str(tmp_path / "junk.sqlite"), *where)
    assert junk.exit_code == 2
    assert "is not a Containment Planner store" in junk.stderr
    restored = containment("restore", str(tmp_path / "monday.sqlite"), *where)
    assert restored.exit_code == 0, restored.output
    assert list(open_store("dungarpur", url).zones()["zone_id"]) == ["DZ-1"]
    (kept,) = tmp_path.glob("dungarpur.before-restore-*.sqlite")
    assert list(open_store("dungarpur", f"sqlite:///{kept}").zones()["zone_id"]) == ["DZ-2"]


def test_a_backup_in_a_folder_named_with_uri_characters_is_read_there(tmp_path):
    """'#', '?' and a space in the backup's folder: the backup itself is checked (read-only)."""
    folder = tmp_path / "b#1 ?mode=rw"
    url = f"sqlite:///{tmp_path / 'dungarpur.sqlite'}"
    open_store("dungarpur", url).save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn",
                                                     "r", WARD))  # fmt: skip
    folder.mkdir()
    assert containment("backup", str(folder / "monday.sqlite"), "--database", url).exit_code == 0
    restored = containment("restore", str(folder / "monday.sqlite"), "--database", url)
    assert restored.exit_code == 0, restored.output
    assert list(open_store("dungarpur", url).zones()["zone_id"]) == ["DZ-1"]
    assert not (tmp_path / "b").exists()


def test_postgis_backups_are_pg_dumps(store, where):
    if store.backend.name != "postgis":
        return
    refused = containment("backup", "x.sqlite", *where)
    assert refused.exit_code == 2
    assert "back it up with pg_dump" in refused.stderr


def test_the_embedded_store_and_its_backups_are_readable_by_their_owner_only(tmp_path):
    import stat

    old_umask = os.umask(0o022)  # the usual default: files 0644, readable by everyone
    try:
        url = f"sqlite:///{tmp_path / 'data' / 'dungarpur.sqlite'}"
        store = open_store("dungarpur", url)
        store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "r", WARD))
        assert (
            containment("backup", str(tmp_path / "monday.sqlite"), "--database", url).exit_code == 0
        )
        restored = containment("restore", str(tmp_path / "monday.sqlite"), "--database", url)
        assert restored.exit_code == 0, restored.output
    finally:
        os.umask(old_umask)
    files = [p for p in tmp_path.rglob("*.sqlite*") if p.is_file()]
    assert len(files) >= 3  # the store, its backup and the copy kept before the restore
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_an_existing_store_made_readable_by_all_is_closed_on_opening(tmp_path):
    import stat

    path = tmp_path / "dungarpur.sqlite"
    open_store("dungarpur", f"sqlite:///{path}")
    path.chmod(0o644)
    open_store("dungarpur", f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
