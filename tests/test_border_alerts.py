"""Zones across district lines: a zone in force in Banswara, drawn by the rule around a case on
the Dungarpur line, is shown to Dungarpur as an alert — with no case data — on SQLite and
PostGIS alike; a proposed or released zone is not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely

from containment import get_rule, load_district
from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.lifecycle import SavedZone, ZoneOrigin, ZoneStatus
from containment.engine.zones import plan_zones
from containment.field.crossings import alert_text, border_alerts, zone_reach_m
from containment.io.neighbours import neighbours
from containment.service import Service
from containment.store import SQLStore, open_store
from tests.conftest import drop_schema

AS_OF = dt.date(2020, 5, 20)
NOTIFIED_ON = dt.date(2020, 5, 16)
PASSWORD = "a long test password"
CASE_ID = "BSW-BORDER-0001"


@pytest.fixture(scope="module")
def banswara() -> District:
    return load_district("banswara")


def _border_case(dungarpur: District, banswara: District) -> shapely.Point:
    """A point 400 m inside Banswara from the middle of its line with Dungarpur (lon/lat)."""
    crs = dungarpur.metric_crs
    theirs = gpd.GeoSeries([banswara.outline], crs=STORAGE_CRS).to_crs(crs).iloc[0]
    line = shapely.intersection(dungarpur.outline_m.boundary, theirs.buffer(5))
    middle = line.interpolate(0.5, normalized=True)
    inside = theirs.buffer(-400).boundary
    point = shapely.ops.nearest_points(inside, middle)[0]
    return gpd.GeoSeries([point], crs=crs).to_crs(STORAGE_CRS).iloc[0]


def _rule_zone(banswara: District, at: shapely.Point) -> SavedZone:
    cases = gpd.GeoDataFrame(
        {"case_id": [CASE_ID], "reported_on": [dt.date(2020, 5, 14)]},
        geometry=[at],
        crs=STORAGE_CRS,
    )
    plan = plan_zones(cases, get_rule("mohfw-2020-rural"), as_of=AS_OF, district=banswara)
    zone = plan.zones[plan.zones["kind"] == "containment"].iloc[0]
    return SavedZone(
        zone_id="BZ-1",
        name="Border containment",
        kind="containment",
        origin=ZoneOrigin.RULE,
        rule="mohfw-2020-rural",
        geometry=zone.geometry,
        status=ZoneStatus.NOTIFIED,
        order_number="BSW/45/2020",
        notified_on=NOTIFIED_ON,
        created_on=dt.date(2020, 5, 15),
        note="planner's note: household of the case",
    )


@pytest.fixture(params=["sqlite", "postgis"])
def two_stores(request, tmp_path, monkeypatch) -> Iterator[tuple[SQLStore, SQLStore]]:
    """Dungarpur's and Banswara's stores side by side: two files in one folder, or two
    schemas of one database."""
    if request.param == "sqlite":
        url = ""
        monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
        prefix = ""
    else:
        url = request.getfixturevalue("postgis_url")
        prefix = f"t{tmp_path.name[-8:].replace('-', '_')}{id(request) % 10_000}_"
        monkeypatch.setenv("CONTAINMENT_SCHEMA_PREFIX", prefix)
    ours, theirs = open_store("dungarpur", url), open_store("banswara", url)
    yield ours, theirs
    ours.backend.close()
    theirs.backend.close()
    if prefix:
        drop_schema(f"{prefix}dungarpur")
        drop_schema(f"{prefix}banswara")


def _police(store: SQLStore):
    store.add_user("thana", "police", PASSWORD)
    service = Service(store)
    return service.workspace(service.login("thana", PASSWORD).token)


def test_dungarpur_and_banswara_are_neighbours():
    assert "banswara" in [d.slug for d in neighbours("dungarpur")]
    assert "dungarpur" in [d.slug for d in neighbours("banswara")]


def test_a_zone_in_force_in_banswara_is_an_alert_in_dungarpur_without_case_data(
    two_stores, dungarpur, banswara
):
    ours, theirs = two_stores
    at = _border_case(dungarpur, banswara)
    assert banswara.outline.contains(at)
    assert not dungarpur.outline.contains(at)
    theirs.import_cases(
        gpd.GeoDataFrame(
            {
                "case_id": [CASE_ID],
                "reported_on": [dt.date(2020, 5, 14)],
                "status": ["active"],
                "village": [""],
                "block": [""],
                "placed_by": ["coordinates"],
            },
            geometry=[at],
            crs=STORAGE_CRS,
        ),
        source="banswara.csv",
    )
    theirs.save_zone(_rule_zone(banswara, at))

    found = _police(ours).border_alerts(dungarpur, as_of=AS_OF)

    assert found.unread == ()
    assert len(found.alerts) == 1
    alert = found.alerts.iloc[0]
    assert alert["district"] == "Banswara"
    assert alert["zone"] == "Border containment"
    assert alert["order_number"] == "BSW/45/2020"
    assert 0.5 < alert["depth_km"] <= 3.0 + 0.01  # from the zone's edge, at most the radius
    assert alert["area_km2"] > 0.5
    assert set(alert["blocks"].split("; ")) <= set(dungarpur.blocks["name"])
    assert alert["places"]  # Dungarpur's villages under it, by name
    assert dungarpur.outline.buffer(1e-6).covers(alert.geometry)  # our land only
    text = alert_text(alert, "Dungarpur")
    assert "Zone 'Border containment' of Banswara, notified on" in text
    assert "its rule's radius may reach up to" in text
    assert "(Dungarpur)" in text
    assert "notified on 16-05-2020" in text
    assert "BSW/45/2020" in text
    # No case data: no id, no point, no case date, no note, anywhere in the alert.
    shown = " ".join(map(str, found.alerts.drop(columns="geometry").iloc[0].tolist())) + text
    assert CASE_ID not in shown
    assert "household" not in shown
    assert "14-05-2020" not in shown
    assert "2020-05-14" not in shown
    assert not re.search(rf"{at.y:.3f}|{at.x:.3f}", shown)
    assert not shapely.intersects(alert.geometry, at)  # the case lies in Banswara's land


@pytest.mark.parametrize(
    ("status", "released_on"),
    [(ZoneStatus.PROPOSED, None), (ZoneStatus.DRAFT, None), (ZoneStatus.RELEASED, AS_OF)],
)
def test_a_proposed_draft_or_released_zone_is_no_alert(
    two_stores, dungarpur, banswara, status, released_on
):
    ours, theirs = two_stores
    zone = _rule_zone(banswara, _border_case(dungarpur, banswara))
    if status is ZoneStatus.RELEASED:
        zone = dataclasses.replace(zone, status=status, released_on=released_on)
    else:
        zone = dataclasses.replace(zone, status=status, order_number="", notified_on=None)
    theirs.save_zone(zone)
    assert _police(ours).border_alerts(dungarpur, as_of=AS_OF).alerts.empty


def test_a_neighbours_zone_is_an_alert_whatever_the_data_folder_is_called(
    tmp_path, monkeypatch, dungarpur, banswara
):
    """'#', '?' and a space in the folder's name: the neighbour's file is still the one read
    (read-only), and no file appears outside the folder."""
    data = tmp_path / "d#1 ?mode=rw"
    monkeypatch.setenv("CONTAINMENT_DATA", str(data))
    monkeypatch.delenv("CONTAINMENT_DATABASE_URL", raising=False)
    ours, theirs = open_store("dungarpur"), open_store("banswara")
    theirs.save_zone(_rule_zone(banswara, _border_case(dungarpur, banswara)))
    found = _police(ours).border_alerts(dungarpur, as_of=AS_OF)
    assert found.unread == ()
    assert list(found.alerts["zone"]) == ["Border containment"]
    assert [p.name for p in tmp_path.iterdir()] == [data.name]


def test_a_store_copied_under_a_neighbours_name_is_not_read_as_that_neighbours(
    tmp_path, monkeypatch, dungarpur, banswara
):
    """Udaipur's file is Banswara's store copied over it: its zones are not shown as
    Udaipur's, and the alerts say which file and whose it is."""
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    monkeypatch.delenv("CONTAINMENT_DATABASE_URL", raising=False)
    ours, theirs = open_store("dungarpur"), open_store("banswara")
    theirs.save_zone(_rule_zone(banswara, _border_case(dungarpur, banswara)))
    theirs.backend.close()
    shutil.copyfile(tmp_path / "banswara.sqlite", tmp_path / "udaipur.sqlite")

    found = _police(ours).border_alerts(dungarpur, as_of=AS_OF)

    assert list(found.alerts["district"]) == ["Banswara"]  # once, as Banswara's
    assert len(found.unread) == 1
    assert "udaipur.sqlite is the store of banswara, not of udaipur" in found.unread[0]


def test_a_neighbour_with_no_store_gives_no_alert(tmp_path, monkeypatch, dungarpur):
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    ours = open_store("dungarpur", "")
    found = _police(ours).border_alerts(dungarpur, as_of=AS_OF)
    assert found.alerts.empty
    assert found.unread == ()
    assert not (tmp_path / "banswara.sqlite").exists()  # reading never creates a store


def test_a_zone_far_from_the_line_reaches_nowhere(dungarpur, banswara):
    middle = banswara.outline.representative_point()
    zone = _rule_zone(banswara, middle)
    zones = gpd.GeoDataFrame(
        [{"name": zone.name, "kind": "containment", "rule": zone.rule, "status": "notified",
          "order_number": "x", "notified_on": NOTIFIED_ON, "released_on": None}],
        geometry=[zone.geometry], crs=STORAGE_CRS,
    )  # fmt: skip
    assert border_alerts(dungarpur, zones, neighbour="Banswara", as_of=AS_OF).empty


def test_the_reach_is_the_rules_distance_for_the_zones_kind():
    assert zone_reach_m("containment", "mohfw-2020-rural") == 3000
    assert zone_reach_m("buffer", "mohfw-2020-rural") == 7000
    assert zone_reach_m("buffer", "custom-500m-1000m-28d") == 1000
    assert zone_reach_m("containment", "drawn by hand") == 0


@pytest.mark.parametrize("module", ["plan", "meeting"])
def test_the_plan_and_meeting_pages_warn_of_a_neighbours_zone(
    tmp_path, monkeypatch, dungarpur, banswara, module
):
    from streamlit.testing.v1 import AppTest

    url = f"sqlite:///{tmp_path / 'dungarpur.sqlite'}"
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", url)
    ours, theirs = (
        open_store("dungarpur", url),
        open_store("banswara", f"sqlite:///{tmp_path / 'banswara.sqlite'}"),
    )
    theirs.save_zone(_rule_zone(banswara, _border_case(dungarpur, banswara)))
    ours.add_user("meena", "collector", PASSWORD)
    app = AppTest.from_string(
        f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n", default_timeout=90
    )
    app.session_state["session_token"] = Service(ours).login("meena", PASSWORD).token
    app.session_state["working_date"] = AS_OF
    app.run()
    assert not app.exception
    assert any(
        "Zones of neighbouring districts reaching into Dungarpur" in h.value for h in app.subheader
    )
    warnings = [w.value for w in app.warning if "Border containment" in w.value]
    assert len(warnings) == 1
    assert "Banswara" in warnings[0]
    assert CASE_ID not in warnings[0]
