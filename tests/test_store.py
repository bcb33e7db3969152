"""The store, on SQLite and PostGIS alike: what is saved survives, nothing is duplicated, nothing
is overwritten."""

import dataclasses
import datetime as dt
import sqlite3

import pandas as pd
import psycopg
import pytest
import shapely

from containment import read_cases
from containment.engine.lifecycle import SavedZone, advance
from containment.errors import ContainmentError
from containment.field.centres import Centre, CentreError
from containment.store import (
    SCHEMA_PREFIX_VARIABLE,
    ConflictError,
    SQLStore,
    open_backend,
    open_store,
)
from containment.store.schema import MIGRATIONS
from tests.conftest import TODAY

WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
DATABASE_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


@pytest.fixture
def sample(dungarpur):
    return read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases


def test_imported_cases_come_back_as_they_went_in(store, sample):
    summary = store.import_cases(sample, source="sample.csv", rejected=2)
    assert (summary.added, summary.updated, summary.rejected) == (len(sample), 0, 2)
    back = store.cases().set_index("case_id").loc[sample["case_id"]]
    assert (back["reported_on"].to_numpy() == sample["reported_on"].to_numpy()).all()
    assert back.geometry.geom_equals_exact(sample.set_index("case_id").geometry, 1e-12).all()


def test_importing_the_same_cases_again_updates_and_never_duplicates(store, sample):
    store.import_cases(sample, source="day 1")
    changed = sample[sample["status"] != "recovered"].iloc[:5].copy()
    changed["status"] = "recovered"
    again = sample[sample["status"] == "recovered"].iloc[:2]
    summary = store.import_cases(pd.concat([changed, again]), source="day 2")
    assert (summary.added, summary.updated, summary.unchanged) == (0, 5, 2)
    assert summary.statuses_changed == 5
    assert len(store.cases()) == len(sample)
    assert list(store.imports()["source"]) == ["day 1", "day 2"]


def test_a_zone_survives_reopening_the_store(store, store_url):
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD))
    zone = open_store("dungarpur", store_url).zone("DZ-1")
    assert (zone.name, zone.version) == ("Ward 7", 1)
    assert zone.geometry.equals(WARD)


def test_saving_over_a_newer_version_is_refused(store):
    saved = store.save_zone(
        SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD)
    )
    first_tab = advance(saved, "proposed", on=TODAY)
    second_tab = dataclasses.replace(saved, note="seen by the BMO")
    store.acting_as("asha", "planner").save_zone(first_tab)
    with pytest.raises(ConflictError) as refused:
        store.save_zone(second_tab)
    assert "Zone 'Ward 7' was changed by asha at " in str(refused.value)
    assert "(version 1 → 2): status draft → proposed. Your change was not saved." in str(
        refused.value
    )
    assert store.zone("DZ-1").status == "proposed"
    assert store.zone("DZ-1").note == ""


def test_the_same_new_zone_cannot_be_saved_twice(store):
    zone = SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD)
    store.save_zone(zone)
    with pytest.raises(ConflictError, match=r"Zone 'DZ-1' \(Ward 7\) already exists"):
        store.save_zone(zone)


def test_every_save_raises_the_revision(store, sample):
    start = store.revision()
    store.import_cases(sample.iloc[:3], source="a")
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD))
    store.delete_zone("DZ-1")
    assert store.revision() == start + 3


def test_a_failed_save_leaves_what_was_saved(store, sample):
    store.import_cases(sample.iloc[:3], source="first")
    broken = sample.iloc[3:6].copy()
    broken.loc[broken.index[2], "geometry"] = shapely.Point(float("nan"), float("nan"))
    with pytest.raises(DATABASE_ERRORS):  # the last row fails inside the transaction
        store.import_cases(broken, source="second")
    assert len(store.cases()) == 3
    assert list(store.imports()["source"]) == ["first"]


def test_cases_without_a_date_are_refused_before_anything_is_saved(store, sample):
    broken = sample.iloc[:3].copy()
    broken["reported_on"] = [sample["reported_on"].iloc[0], None, None]
    with pytest.raises(ValueError, match="Accepted case 2 of 3 has no date; nothing was saved"):
        store.import_cases(broken, source="bad")
    assert store.cases().empty


def test_centres_keep_their_beds(store):
    centre = store.save_centre(
        Centre("C-1", "CCC Sagwara", "covid_care_centre", 74.0, 23.7, 100, 20)
    )
    store.save_centre(dataclasses.replace(centre, occupied=35))
    frame = store.centres()
    assert (int(frame["occupied"].iloc[0]), int(frame["beds_free"].iloc[0])) == (35, 65)
    with pytest.raises(CentreError, match="more than its capacity"):
        dataclasses.replace(centre, occupied=101)
    store.delete_centre("C-1")
    assert store.centres().empty


def test_a_newer_schema_is_refused_rather_than_damaged(store, store_url):
    with store.backend.transaction() as tx:
        store.backend.schema_version(tx)
        store.backend.set_schema_version(tx, 99)
    with pytest.raises(ValueError, match="newer version of Containment Planner"):
        open_store("dungarpur", store_url)


def test_dates_come_back_as_dates(store):
    zone = SavedZone(
        "DZ-1",
        "Ward 7",
        "containment",
        "drawn",
        "rajasthan-1km",
        WARD,
        status="notified",
        order_number="7",
        notified_on=dt.date(2020, 5, 2),
        created_on=dt.date(2020, 5, 1),
    )
    store.save_zone(zone)
    store.save_zone(dataclasses.replace(zone, zone_id="DZ-2", status="draft", notified_on=None))
    frame = store.zones().set_index("zone_id")
    assert frame.loc["DZ-1", "notified_on"] == dt.date(2020, 5, 2)
    assert frame.loc["DZ-2", "notified_on"] is None
    assert frame.loc["DZ-1", "released_on"] is None


def test_checkpoints_are_kept_moved_and_removed(store):
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {
            "checkpoint_id": ["CP-1", "CP-2"],
            "zone_id": ["CZ-1"] * 2,
            "zone_name": ["Ward 7"] * 2,
            "road": ["NH 48", "village road"],
            "road_class": ["trunk", ""],
        },
        geometry=[shapely.Point(73.70, 23.83), shapely.Point(73.71, 23.84)],
        crs=4326,
    )
    store.save_checkpoints(frame)
    moved = frame.iloc[:1].copy()
    moved["geometry"] = [shapely.Point(73.705, 23.835)]
    store.save_checkpoints(moved)
    store.delete_checkpoint("CP-2")
    kept = store.checkpoints()
    assert list(kept["checkpoint_id"]) == ["CP-1"]
    assert kept.geometry.iloc[0].equals(shapely.Point(73.705, 23.835))


def test_violations_are_recorded_once_and_actions_kept(store):
    import geopandas as gpd
    import pandas as pd

    homes = gpd.GeoDataFrame(
        {"hq_id": ["HQ-1"], "start_on": [dt.date(2020, 5, 1)], "end_on": [dt.date(2020, 5, 14)]},
        geometry=[shapely.Point(73.7, 23.8)],
        crs=4326,
    )
    store.register_homes(homes)
    found = pd.DataFrame(
        {"hq_id": ["HQ-1"], "checked_at": [pd.Timestamp("2020-05-03 10:00")], "distance_m": [250.0]}
    )
    assert store.record_violations(found) == 1
    assert store.record_violations(found) == 0  # the same check-in imported again
    store.record_action("HQ-1", pd.Timestamp("2020-05-03 10:00"), "warning", on=dt.date(2020, 5, 4))
    (row,) = store.violations().itertuples()
    assert (row.action, row.action_on) == ("warning", dt.date(2020, 5, 4))
    assert store.homes()["end_on"].iloc[0] == dt.date(2020, 5, 14)


def test_a_store_from_before_zone_history_is_upgraded_in_place(store_url):
    backend = open_backend("dungarpur", store_url)
    with backend.transaction() as tx:  # as the last release left it: schema 2, no history
        backend.schema_version(tx)
        for migration in MIGRATIONS[:2]:
            for statement in migration.statements(backend.name, backend.types):
                tx.execute(statement)
        tx.execute(
            "INSERT INTO zones VALUES ('DZ-1', 'Ward 7', 'containment', 'drawn', 'r', 'draft', "
            f"28, '', '', NULL, NULL, '2020-05-01', 3, {backend.geom_in})",
            (shapely.to_wkb(WARD),),
        )
        backend.set_schema_version(tx, 2)
    upgraded = SQLStore(backend)
    assert upgraded.zone("DZ-1").version == 3
    ((zone, saved_by, _, change),) = upgraded.zone_history("DZ-1")
    assert (zone.version, saved_by, change) == (3, "unknown", "saved before history was kept")
    assert zone.geometry.equals(WARD)
    assert upgraded.checkpoints().empty
    assert upgraded.users().empty
    with backend.transaction() as tx:
        assert backend.schema_version(tx) == len(MIGRATIONS)
    backend.close()


def test_districts_sharing_a_database_never_see_each_others_work(store, store_url, tmp_path):
    banswara_url = store_url if store.backend.name == "postgis" else f"sqlite:///{tmp_path}/b.db"
    banswara = open_store("banswara", banswara_url)
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD))
    store.add_user("meena", "collector", "a long test password")
    assert banswara.zones().empty
    assert banswara.users().empty
    assert banswara.audit().empty
    banswara.backend.close()


def test_postgis_keeps_lon_lat_geometries_with_spatial_indexes(store, sample):
    if store.backend.name != "postgis":
        return
    store.import_cases(sample.iloc[:3], source="sample")
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD))
    with store.backend.read() as tx:
        srids = {
            r["srid"]
            for table, column in (("zones", "geometry"), ("cases", "geom"))
            for r in tx.all(f"SELECT DISTINCT ST_SRID({column}) AS srid FROM {table}")
        }
        indexed = {
            r["indexname"]
            for r in tx.all(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexdef LIKE '%USING gist%'"
            )
        }
        inside = tx.one(
            "SELECT count(*) AS n FROM cases c JOIN zones z ON ST_Intersects(z.geometry, c.geom)"
        )
    assert srids == {4326}
    assert indexed == {
        "zones_geometry", "zone_versions_geometry", "cases_geom", "centres_geom",
        "checkpoints_geom", "homes_geom", "base_layer_features_geometry",
    }  # fmt: skip
    expected = sample.iloc[:3].to_crs(4326).within(WARD).sum()
    assert inside["n"] == expected


def test_beds_are_taken_in_several_centres_together_or_not_at_all(store):
    store.save_centre(Centre("C-1", "QC school", "quarantine_centre", 74.0, 23.7, 10, 2))
    store.save_centre(Centre("C-2", "QC hostel", "quarantine_centre", 74.1, 23.7, 5, 4))
    with pytest.raises(ConflictError, match="'QC hostel' has 1 free beds now, fewer than the 3"):
        store.occupy_beds({"C-1": 3, "C-2": 3})
    assert store.centre("C-1").occupied == 2  # the first centre was not changed either
    store.occupy_beds({"C-1": 3, "C-2": 1})
    assert (store.centre("C-1").occupied, store.centre("C-2").occupied) == (5, 5)


def test_a_districts_database_role_cannot_read_another_districts_users(postgis_url, monkeypatch):
    import uuid

    from containment.store.roles import district_role_url, grant_district_role
    from tests.test_cli_store import containment

    tag = uuid.uuid4().hex[:8]
    prefix = f"t{tag}_"
    monkeypatch.setenv(SCHEMA_PREFIX_VARIABLE, prefix)
    # two shipped districts: alpha is Banswara, beta is Dausa
    roles = {d: f"t{tag}_{d}_app" for d in ("banswara", "dausa")}
    urls = {}
    try:
        open_store("banswara", postgis_url).add_user("asha", "collector", "alpha's own password")
        grant_district_role(postgis_url, f"{prefix}dausa", roles["dausa"], "beta secret pw")
        urls["dausa"] = district_role_url(postgis_url, roles["dausa"], "beta secret pw")
        made = containment(  # the administrator's command, for alpha
            "db", "district-role", "Banswara", "--role", roles["banswara"],
            "--database", postgis_url, "--password-stdin", stdin="alpha secret pw\n",
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        urls["banswara"] = made.stdout.split("CONTAINMENT_DATABASE_URL=")[1].strip()
        beta = open_store("dausa", urls["dausa"])  # beta's schema is made and owned by its role
        beta.add_user("bina", "collector", "beta's own password")
        alpha = open_store("banswara", urls["banswara"])  # tables made by the admin, now alpha's
        assert list(alpha.users()["username"]) == ["asha"]
        with (
            psycopg.connect(urls["dausa"]) as con,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            con.execute(f'SELECT * FROM "{prefix}banswara".users').fetchall()
        with pytest.raises(ContainmentError):  # nor open alpha's store by naming it
            open_store("banswara", urls["dausa"]).users()
        alpha.backend.close()
        beta.backend.close()
    finally:
        with psycopg.connect(postgis_url, autocommit=True) as con:
            for district, role in roles.items():
                con.execute(f'DROP SCHEMA IF EXISTS "{prefix}{district}" CASCADE')
                if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    con.execute(f'DROP OWNED BY "{role}"')
                    con.execute(f'DROP ROLE "{role}"')
