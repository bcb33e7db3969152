"""A city's worth of zones: finding one by search, the Plan page with hundreds of zones, and a
meeting pack that summarises them (a few hundred zones here; the benchmark runs 11,034)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.city import AS_OF, city_zones, fill_city
from containment.field.search import search_zones
from containment.render.mapview import MANY_ZONES, MapLayers, build_map, zone_overview
from containment.render.pdf.meeting_pack import ZONES_LISTED, meeting_pack_pdf
from containment.service import Service
from containment.store import SQLiteStore
from tests.pdfs import Pdf

PASSWORD = "a long test password"

ZONES = pd.DataFrame(
    {
        "zone_id": ["MZ-SAG-00012", "MZ-SAG-00120", "MZ-DUN-00003", "MZ-ASP-00042", "DZ-9"],
        "name": [
            "Sagwara micro zone 12",
            "Old Sagwara market",
            "Dungarpur micro zone 3",
            "वार्ड 7 सूक्ष्म ज़ोन 42",
            "<img src=x> (ward) [1]*",
        ],
        "places": [
            "Sagwara town (2 of 31 cells)",
            "Sagwara town (1 of 31 cells)",
            "Dungarpur town (1 of 79 cells), Thakarda",
            "Aspur",
            "Bichhiwara",
        ],
        "blocks": ["Sagwara", "Sagwara", "Dungarpur", "Aspur", "Bichhiwara"],
        "order_number": ["DM/COVID/SAG/0108/3", "DM/COVID/SAG/0108/3", "DM/7", "", ""],
        "in_force": [True, False, True, True, False],
        "created_on": [dt.date(2020, 8, 1)] * 4 + [dt.date(2020, 8, 5)],
    }
)


def found(query: str, **options: object) -> list[str]:
    return search_zones(ZONES, query, **options)["zone_id"].tolist()  # type: ignore[arg-type]


# --- the search -----------------------------------------------------------------------------


def test_an_exact_zone_id_comes_first_whatever_its_case():
    assert found("mz-sag-00012")[0] == "MZ-SAG-00012"
    assert found("  MZ-SAG-00012 ") == ["MZ-SAG-00012"]


def test_a_prefix_of_an_id_finds_every_zone_it_begins():
    assert found("MZ-SAG") == ["MZ-SAG-00012", "MZ-SAG-00120"]


def test_an_order_number_finds_every_zone_of_that_order_zones_in_force_first():
    assert found("DM/COVID/SAG/0108/3") == ["MZ-SAG-00012", "MZ-SAG-00120"]


def test_a_name_beginning_ranks_above_a_word_inside_a_name_above_a_place():
    # "Sagwara micro zone 12" starts with it; "Old Sagwara market" has it as a word.
    assert found("sagwara") == ["MZ-SAG-00012", "MZ-SAG-00120"]
    assert found("market") == ["MZ-SAG-00120"]
    assert found("thakarda") == ["MZ-DUN-00003"]  # a village among its places


def test_part_of_a_word_is_found_too():
    assert found("arket") == ["MZ-SAG-00120"]


def test_devanagari_names_are_found_whichever_way_the_nukta_is_typed():
    composed = "ज़ोन 42"  # ज़ as one letter (U+095B)
    decomposed = "\u091c\u093c\u094b\u0928 42"  # ज + the nukta
    assert found(composed) == ["MZ-ASP-00042"]
    assert found(decomposed) == ["MZ-ASP-00042"]
    assert found("वार्ड 7") == ["MZ-ASP-00042"]


def test_what_is_typed_is_plain_text_never_a_pattern():
    assert found("(ward) [1]*") == ["DZ-9"]
    assert found("<img") == ["DZ-9"]
    assert found(".*") == []
    assert found("[") == ["DZ-9"]


def test_an_empty_query_finds_nothing_and_no_match_is_an_empty_table():
    assert found("") == []
    assert found("   ") == []
    assert found("nowhere at all") == []
    assert "match_rank" in search_zones(ZONES, "nowhere").columns


def test_the_number_of_matches_is_limited():
    assert len(found("micro", limit=1)) == 1
    assert len(found("z", limit=None)) == 5  # every id or name holds a z


# --- a city's zones ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city(dungarpur):
    return city_zones(dungarpur, 400, seed=4)


@pytest.fixture(scope="module")
def city_store(tmp_path_factory, city):
    path = tmp_path_factory.mktemp("city") / "dungarpur.sqlite"
    store = SQLiteStore(path)
    store.add_user("meena", "collector", PASSWORD)
    fill_city(store, city)
    yield store
    store.backend.close()


def test_the_city_generator_makes_zones_in_force_extended_released_and_proposed(city):
    counts = city.counts()
    assert counts["notified"] == 400
    assert counts["released"] > 0
    assert counts["proposed"] > 0
    assert len({z.zone_id for z in city.zones}) == len(city.zones)
    assert any(re.search("[\u0900-\u097f]", z.name) for z in city.zones)


def test_many_zones_are_drawn_as_one_outline_per_kind_and_status(dungarpur, city_store):
    ws = Service(city_store).workspace(Service(city_store).login("meena", PASSWORD).token)
    zones = ws.described_zones(dungarpur, as_of=AS_OF)
    shown = zones[zones["status"] != "released"]
    assert len(shown) > MANY_ZONES
    overview = zone_overview(shown, dungarpur)
    assert sorted(overview["status"]) == ["notified", "proposed"]
    assert overview["zone_count"].sum() == len(shown)
    html = build_map(dungarpur, MapLayers(zones=zones, zone_overview=overview)).get_root().render()
    few = build_map(dungarpur, MapLayers(zones=zones.head(MANY_ZONES))).get_root().render()
    assert "zone_count" not in html  # the overview's features carry only their label
    assert html.count('"type": "Feature"') < few.count('"type": "Feature"')


def plan_page(store) -> AppTest:
    app = AppTest.from_string(
        "from ui import state, plan\nstate.sidebar()\nplan.page()\n", default_timeout=120
    )
    app.session_state["session_token"] = Service(store).login("meena", PASSWORD).token
    app.session_state["working_date"] = AS_OF
    return app


def test_on_the_plan_page_a_zone_is_found_by_search_and_opened(city_store, city, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{city_store.backend.path}")
    app = plan_page(city_store).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="selected_zone").value is None  # nothing opened among hundreds
    assert len(app.selectbox(key="selected_zone").options) <= 50
    wanted = next(z for z in city.zones if z.status == "notified" and z.zone_id.endswith("7"))
    app.text_input(key="zone_query").set_value(wanted.zone_id.lower()).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="selected_zone").value == wanted.zone_id
    assert f"Zone number {wanted.zone_id}" in [c.value for c in app.caption]
    assert any(wanted.order_number in m.value for m in app.markdown)
    app.text_input(key="zone_query").set_value("no such zone anywhere").run()
    assert any("No zone matches" in i.value for i in app.info)


def test_a_meeting_pack_of_hundreds_of_zones_lists_the_largest_and_counts_the_rest(
    dungarpur, city_store
):
    ws = Service(city_store).workspace(Service(city_store).login("meena", PASSWORD).token)
    zones = ws.described_zones(dungarpur, as_of=AS_OF)
    pack = Pdf.of(
        meeting_pack_pdf(
            dungarpur, zones, ws.cases(), ws.centres(), as_of=AS_OF,
            since=AS_OF - dt.timedelta(days=7),
        )
    )  # fmt: skip
    assert pack.pages <= 10
    assert pack.has("400 zones in force")
    assert pack.has(f"The {ZONES_LISTED} with the most cases")
    assert pack.has(f"{400 - ZONES_LISTED} more zones in force")
    assert pack.has("and the public list")
