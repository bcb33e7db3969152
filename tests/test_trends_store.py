"""What the trends read from the store: every zone version with its deletions marked, and the
centres' occupancy history, written in the same transaction as the change (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from containment.auth import AuthError
from containment.engine.history import in_force_periods
from containment.engine.lifecycle import SavedZone, advance
from containment.field.centres import Centre
from containment.service import Service
from containment.store import ConflictError, SQLStore, open_backend
from containment.store.backends import Backend
from containment.store.schema import MIGRATIONS

WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
MAY_10, MAY_12 = dt.date(2020, 5, 10), dt.date(2020, 5, 12)
# 20:00 UTC on 1 June 2020 is already 2 June in India
CLOCK = dt.datetime(2020, 6, 1, 20, 0, tzinfo=dt.UTC)
PASSWORD = "a long test password"


def ward_7() -> SavedZone:
    return SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", WARD)


def centre(**changes: object) -> Centre:
    values: dict[str, object] = {
        "centre_id": "C1",
        "name": "CCC Sagwara",
        "kind": "covid_care_centre",
        "lon": 73.99,
        "lat": 23.69,
        "capacity": 50,
    }
    return Centre(**{**values, **changes})  # type: ignore[arg-type]


def test_zone_versions_say_which_records_a_deletion(store):
    saved = store.save_zone(ward_7())
    saved = store.save_zone(advance(saved, "proposed", on=MAY_10))
    saved = store.save_zone(advance(saved, "notified", on=MAY_10, order_number="DM/1"))
    store.delete_zone("DZ-1", version=saved.version)
    versions = store.zone_versions()
    assert versions["version"].tolist() == [1, 2, 3, 4]
    assert versions["status"].tolist() == ["draft", "proposed", "notified", "notified"]
    assert versions["deleted"].tolist() == [False, False, False, True]
    assert versions["notified_on"].iloc[2] == MAY_10
    assert "note" not in versions.columns
    assert versions.geometry.iloc[0].equals(WARD)
    (period,) = in_force_periods(versions).itertuples()
    assert (period.version, period.start.date()) == (3, MAY_10)


def test_each_change_of_beds_is_kept_with_the_day_it_applies_from(store_url):
    store = SQLStore(open_backend("dungarpur", store_url), clock=lambda: CLOCK)
    store.save_centre(centre(occupied=10), on=MAY_10)
    current = store.centre("C1")
    current = store.save_centre(
        Centre(**{**vars(current), "occupied": 20}), on=MAY_12
    )  # a name change alone is not an occupancy change:
    store.save_centre(Centre(**{**vars(current), "name": "CCC Sagwara 1"}))
    store.occupy_beds({"C1": 5})  # no day given: today in India
    with pytest.raises(ConflictError):
        store.occupy_beds({"C1": 100})  # refused: nothing kept
    store.delete_centre("C1", on=dt.date(2020, 6, 3))
    history = store.centre_occupancy()
    assert history["on_day"].tolist() == [MAY_10, MAY_12, dt.date(2020, 6, 2), dt.date(2020, 6, 3)]
    assert history["occupied"].tolist() == [10, 20, 25, 0]
    assert history["capacity"].tolist() == [50, 50, 50, 0]
    store.backend.close()


def test_the_workspace_passes_the_working_date_for_beds(store):
    store.add_user("ravi", "planner", PASSWORD)
    service = Service(store)
    ws = service.workspace(service.login("ravi", PASSWORD).token)
    ws.save_centre(centre(), on=MAY_10)
    ws.occupy_beds({"C1": 3}, on=MAY_12)
    assert store.centre_occupancy()["on_day"].tolist() == [MAY_10, MAY_12]


def _as_of_schema_5(backend: Backend) -> None:
    with backend.transaction() as tx:
        backend.schema_version(tx)
        for migration in MIGRATIONS[:5]:
            for statement in migration.statements(backend.name, backend.types):
                tx.execute(statement)
        tx.execute(
            "INSERT INTO centres VALUES ('C1', 'CCC', 'covid_care_centre', 73.99, 23.69, 50, "
            "12, '', '', 1)"
        )
        for version, change in ((1, "created"), (2, "merged into Ward 8")):
            tx.execute(
                "INSERT INTO zone_versions VALUES ('DZ-1', ?, 'Ward 7', 'containment', 'drawn', "
                "'r', 'notified', 28, '', '1', '2020-05-10', NULL, '2020-05-09', "
                f"{backend.geom_in}, 'meena', '2020-05-10T10:00:00+00:00', ?)",
                (version, shapely.to_wkb(WARD), change),
            )
        backend.set_schema_version(tx, 5)


def test_an_older_store_starts_each_centres_history_on_the_day_it_is_upgraded(store_url):
    backend = open_backend("dungarpur", store_url)
    _as_of_schema_5(backend)
    upgraded = SQLStore(backend, clock=lambda: CLOCK)
    (row,) = upgraded.centre_occupancy().itertuples()
    assert (row.centre_id, row.on_day, row.capacity, row.occupied) == (
        "C1",
        dt.date(2020, 6, 2),
        50,
        12,
    )
    assert upgraded.zone_versions()["deleted"].tolist() == [False, True]
    backend.close()


def test_trends_are_for_those_who_read_cases_never_the_police(store, dungarpur):
    for name, role in (("ravi", "planner"), ("meena", "collector"), ("thana", "police")):
        store.add_user(name, role, PASSWORD)
    saved = store.save_zone(ward_7())
    saved = store.save_zone(advance(saved, "proposed", on=MAY_10))
    store.save_zone(advance(saved, "notified", on=MAY_10, order_number="DM/1"))
    service = Service(store)
    for name in ("ravi", "meena"):
        ws = service.workspace(service.login(name, PASSWORD).token)
        found = ws.trends(dungarpur, as_of=MAY_12)
        assert found.zones["zones_in_force"].loc["2020-05-12"] == 1
        assert found.zones["people_sealed"].loc["2020-05-12"] > 0
    police = service.workspace(service.login("thana", PASSWORD).token)
    with pytest.raises(AuthError, match="may not read cases"):
        police.trends(dungarpur, as_of=MAY_12)
