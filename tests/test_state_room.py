"""The state control room: a read-only state role that sees every district's zones in force,
checkpoints, centres and counts through the state views — never a case, a case date, a draft or
a note — on SQLite files side by side and on PostGIS, where the database itself refuses the
state's role every district table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import uuid
from collections.abc import Iterator

import geopandas as gpd
import psycopg
import pytest
import shapely

from containment.auth import AuthError
from containment.engine.crs import STORAGE_CRS
from containment.engine.lifecycle import SavedZone, ZoneStatus
from containment.field.centres import Centre
from containment.i18n import IST
from containment.service import Service
from containment.store import SQLStore, open_store
from containment.store.roles import district_role_url, grant_state_role
from tests.test_cli_store import containment

PASSWORD = "a long test password"
WARD = shapely.box(73.70, 23.83, 73.72, 23.85)  # in Dungarpur town
CASE_ID = "DGP-SECRET-0042"
NOTE = "planner's note: the Sharma household"


def _today() -> dt.date:
    return dt.datetime.now(IST).date()


def _seed(store: SQLStore) -> None:
    """A case this week inside a notified zone, a draft and a proposal, a centre, a checkpoint."""
    today = _today()
    store.import_cases(
        gpd.GeoDataFrame(
            {
                "case_id": [CASE_ID],
                "reported_on": [today - dt.timedelta(days=2)],
                "status": ["active"],
                "village": ["Dungarpur"],
                "block": ["Dungarpur"],
                "placed_by": ["coordinates"],
            },
            geometry=[shapely.Point(73.71, 23.84)],
            crs=STORAGE_CRS,
        ),
        source="cases.csv",
    )
    notified = SavedZone(
        "NZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD, note=NOTE,
        status=ZoneStatus.NOTIFIED, order_number="DM/7", notified_on=today - dt.timedelta(days=1),
        created_on=today - dt.timedelta(days=1),
    )  # fmt: skip
    store.save_zone(notified)
    store.save_zone(
        SavedZone("DZ-2", "Secret draft", "containment", "drawn", "r", WARD.buffer(0.01))
    )
    store.save_zone(
        dataclasses.replace(notified, zone_id="PZ-3", name="Proposal", status="proposed",
                            order_number="", notified_on=None)
    )  # fmt: skip
    store.save_centre(
        Centre("C-1", "Govt school CCC", "covid_care_centre", 73.72, 23.85, 40, 15, note=NOTE)
    )
    store.save_checkpoints(
        gpd.GeoDataFrame(
            {
                "checkpoint_id": ["K-1"],
                "zone_id": ["NZ-1"],
                "zone_name": ["Ward 7"],
                "road": ["NH-8"],
                "road_class": ["highway"],
            },
            geometry=[shapely.Point(73.70, 23.84)],
            crs=STORAGE_CRS,
        )
    )


def _state_user(store: SQLStore):
    store.add_user("rajya", "state", PASSWORD)
    service = Service(store)
    return service.workspace(service.login("rajya", PASSWORD).token)


def _check_overview(overview) -> None:
    table = overview.table.set_index("district")
    row = table.loc["Dungarpur"]
    assert row["zones_in_force"] == 1
    assert row["new_cases_7d"] == 1
    assert row["beds_free"] == 25
    assert row["due_for_release"] == 0  # a case two days ago lies inside it
    assert row["people_inside"] > 0
    assert row["last_update_at"] is not None
    assert list(overview.zones["name"]) == ["Ward 7"]  # no draft, no proposal
    assert list(overview.checkpoints["road"]) == ["NH-8"]
    assert list(overview.centres["name"]) == ["Govt school CCC"]
    everything = (
        " ".join(
            frame.drop(columns="geometry").astype(str).to_csv()
            for frame in (overview.zones, overview.checkpoints, overview.centres)
        )
        + overview.table.astype(str).to_csv()
    )
    assert CASE_ID not in everything
    assert "Sharma" not in everything
    assert "Secret draft" not in everything
    assert str(_today() - dt.timedelta(days=2)) not in everything  # the case's day


# A data folder's name may hold what a URI reads as its own: '#' (a fragment), '?' (a query), a
# space; the district files are still the ones read, and nothing is made outside the folder.
@pytest.mark.parametrize("folder", ["data", "d#1 ?mode=rw"])
def test_the_state_room_reads_the_district_files_beside_its_own(tmp_path, monkeypatch, folder):
    data = tmp_path / folder
    monkeypatch.setenv("CONTAINMENT_DATA", str(data))
    _seed(open_store("dungarpur", ""))
    ws = _state_user(open_store("state", ""))
    _check_overview(ws.state_overview())
    with pytest.raises(AuthError, match="may not read cases"):
        ws.cases()
    assert [p.name for p in tmp_path.iterdir()] == [folder]


def test_a_store_copied_under_another_districts_name_is_left_out_and_said(tmp_path, monkeypatch):
    """Banswara's file is Dungarpur's store copied over it: the state room shows Dungarpur
    once, leaves the copy out and says which file it is."""
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    dungarpur = open_store("dungarpur", "")
    _seed(dungarpur)
    dungarpur.backend.close()
    shutil.copyfile(tmp_path / "dungarpur.sqlite", tmp_path / "banswara.sqlite")
    overview = _state_user(open_store("state", "")).state_overview()
    _check_overview(overview)  # Dungarpur alone, as before
    assert list(overview.zones["district"]) == ["Dungarpur"]
    assert len(overview.unread) == 1
    assert "banswara.sqlite is the store of dungarpur, not of banswara" in overview.unread[0]


def test_a_district_user_may_not_open_the_state_room(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    store = open_store("dungarpur", "")
    store.add_user("meena", "collector", PASSWORD)
    service = Service(store)
    ws = service.workspace(service.login("meena", PASSWORD).token)
    with pytest.raises(AuthError, match="may not watch every district"):
        ws.state_overview()
    with pytest.raises(AuthError, match="State users are added to the state control room"):
        ws.add_user("rajya", "state", PASSWORD)  # nor make a state user in the district's store


@pytest.fixture
def postgis_prefix(postgis_url, monkeypatch) -> Iterator[tuple[str, str]]:
    tag = uuid.uuid4().hex[:8]
    prefix, role = f"t{tag}_", f"t{tag}_state"
    monkeypatch.setenv("CONTAINMENT_SCHEMA_PREFIX", prefix)
    yield prefix, role
    with psycopg.connect(postgis_url, autocommit=True) as con:
        for slug in ("dungarpur", "state"):
            con.execute(f'DROP SCHEMA IF EXISTS "{prefix}{slug}" CASCADE')
        if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            con.execute(f'DROP OWNED BY "{role}"')
            con.execute(f'DROP ROLE "{role}"')


def test_the_state_role_reads_the_views_and_is_refused_every_table(postgis_url, postgis_prefix):
    prefix, role = postgis_prefix
    district = open_store("dungarpur", postgis_url)
    _seed(district)
    district.add_user("meena", "collector", PASSWORD)
    made = containment(
        "db", "state-role", "--role", role, "--database", postgis_url, "--password-stdin",
        stdin="the state's own password\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"{prefix}dungarpur" in made.stdout
    url = made.stdout.split("CONTAINMENT_DATABASE_URL=")[1].strip()
    assert url == district_role_url(postgis_url, role, "the state's own password")
    schema = f'"{prefix}dungarpur"'
    with psycopg.connect(url, autocommit=True) as con:
        for view in ("state_zones", "state_checkpoints", "state_centres", "state_figures"):
            con.execute(f"SELECT * FROM {schema}.{view}").fetchall()
        for table in ("cases", "zones", "zone_versions", "users", "sessions", "audit", "homes"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"SELECT 1 FROM {schema}.{table}").fetchall()
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s",
                (f"{prefix}dungarpur",),
            ).fetchall()
        }
        assert not columns & {"case_id", "note", "zone_id", "username", "password_hash"}
    state = open_store("state", url)  # the state's users live in a schema of its own
    ws = _state_user(state)
    _check_overview(ws.state_overview())
    _no_row_leaks_through_a_function_of_the_readers(url, schema, f'"{prefix}state"')
    state.backend.close()
    district.backend.close()
    assert grant_state_role  # the same grant as the command's, importable for scripts


def _no_row_leaks_through_a_function_of_the_readers(url: str, schema: str, own: str) -> None:
    """A cheap function of the reader's own in the WHERE sees only the rows the view lets out
    (the views are security barriers): never the draft zone."""
    seen: list[str] = []
    with psycopg.connect(url, autocommit=True) as con:
        con.add_notice_handler(lambda notice: seen.append(str(notice.message_primary)))
        con.execute(
            f"CREATE FUNCTION {own}.peek(name text, status text) RETURNS boolean "
            "LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN "
            "RAISE NOTICE 'zone % (%)', name, status; RETURN true; END $$"
        )
        shown = con.execute(
            f"SELECT name FROM {schema}.state_zones WHERE {own}.peek(name, status)"
        ).fetchall()
    assert shown
    assert seen
    assert not any("Secret draft" in line or "draft)" in line for line in seen), seen


def test_the_state_page_shows_each_districts_figures_and_no_case_data(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "state")
    monkeypatch.delenv("CONTAINMENT_DATABASE_URL", raising=False)
    _seed(open_store("dungarpur", ""))
    room = open_store("state", "")
    room.add_user("rajya", "state", PASSWORD)
    app = AppTest.from_file("../app.py", default_timeout=120)
    app.session_state["session_token"] = Service(room).login("rajya", PASSWORD).token
    app.run()
    assert not app.exception
    assert any("state control room" in t.value for t in app.title)
    table = next(d.value for d in app.dataframe if "Zones in force" in d.value.columns)
    row = table[table["District"] == "Dungarpur"].iloc[0]
    assert row["Zones in force"] == "1"
    assert row["New cases (7 days)"] == "1"
    assert row["Beds free"] == "25"
    page = " ".join(str(e.value) for e in app.main if hasattr(e, "value")) + table.to_csv()
    assert CASE_ID not in page
    assert "Sharma" not in page
    assert "Secret draft" not in page


def test_names_on_the_state_map_are_text_in_every_kind_of_script(dungarpur):
    from containment.render.statemap import state_map

    attack = "${top.__xss=1}` <img src=x onerror=alert(1)> \\u0060 </script><script>alert(2)"
    point = gpd.GeoDataFrame(
        {"name": [attack], "road": [attack], "capacity": [10], "occupied": [1],
         "district": [attack]},
        geometry=[shapely.Point(73.71, 23.84)], crs=4326,
    )  # fmt: skip
    zones = gpd.GeoDataFrame(
        {"name": [attack], "district": [attack]}, geometry=[shapely.box(73.7, 23.8, 73.8, 23.9)],
        crs=4326,
    )  # fmt: skip
    outlines = dungarpur.blocks[["name", "geometry"]].to_crs(4326)
    html = state_map(outlines, zones, point, point).get_root().render()
    for piece in ("${top", "<img src=x", "</script><script>alert(2)", "\\u0060"):
        assert piece not in html
    assert "&#36;{top.__xss=1}&#96;" in html  # the name is there, as characters
