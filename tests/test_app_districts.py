"""The app's district: Dungarpur by default, any shipped district picked on the login page, each
with its own store and users; fixed at start by CONTAINMENT_DISTRICT or ``-- --district``."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from containment.store import SCHEMA_PREFIX_VARIABLE, open_store
from tests.conftest import drop_schema

PASSWORD = "a long test password"


def start() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60).run()


def title(app: AppTest) -> str:
    return app.title[0].value


def pickers(app: AppTest) -> list:
    return [s for s in app.selectbox if s.key == "district_picker"]


def log_in(app: AppTest, user: str) -> AppTest:
    app.text_input(key="login_username").input(user)
    app.text_input(key="login_password").input(PASSWORD)
    return app.button(key="login_submit").click().run()


@pytest.fixture(params=["sqlite", "postgis"])
def database(request, tmp_path, monkeypatch) -> Iterator[str]:
    """Each district's store on each backend: ``data/<slug>.sqlite``, schema ``district_<slug>``.

    A user of each district (``dungar`` in Dungarpur, ``bansi`` in Banswara) is made beforehand.
    """
    monkeypatch.delenv("CONTAINMENT_DISTRICT", raising=False)
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    url = ""
    if request.param == "postgis":
        url = request.getfixturevalue("postgis_url")
        monkeypatch.setenv(SCHEMA_PREFIX_VARIABLE, prefix := f"t{uuid.uuid4().hex[:12]}_")
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", url)
    for slug, user in (("dungarpur", "dungar"), ("banswara", "bansi")):
        store = open_store(slug, url)
        store.add_user(user, "collector", PASSWORD)
        store.backend.close()
    yield url
    if url:
        for slug in ("dungarpur", "banswara"):
            drop_schema(f"{prefix}{slug}")


def test_the_login_page_offers_every_district_and_opens_on_dungarpur(database):
    app = start()
    assert not app.exception
    assert title(app) == "Containment Planner — Dungarpur"
    (picker,) = pickers(app)
    assert picker.value == "dungarpur"
    assert len(picker.options) == 33
    assert "Sri Ganganagar" in picker.options  # shown by name, kept as a slug


def test_in_hindi_the_picker_names_each_district_in_devanagari_first(database):
    app = AppTest.from_file("../app.py", default_timeout=60)
    app.session_state["login_language"] = "hi"
    app = app.run()
    assert not app.exception
    (picker,) = pickers(app)
    assert picker.label == "ज़िला"
    assert "डूंगरपुर (Dungarpur)" in picker.options
    assert "श्रीगंगानगर (Sri Ganganagar)" in picker.options


def test_a_district_picked_has_its_own_store_and_users(database):
    app = start()
    pickers(app)[0].select("banswara").run()
    assert title(app) == "Containment Planner — Banswara"
    log_in(app, "dungar")  # Dungarpur's collector is nobody in Banswara
    assert "Wrong user name or password." in app.error[0].value
    log_in(app, "bansi")
    assert not app.exception
    assert title(app) == "Plan zones"
    assert any("**Banswara district**" in m.value for m in app.sidebar.markdown)
    assert not pickers(app)  # the district is chosen until logging out
    audit = open_store("banswara", database).audit()
    assert list(audit["action"][:2]) == ["login", "login refused"]
    assert "login" not in set(open_store("dungarpur", database).audit()["action"])


def test_a_district_is_picked_only_among_those_offered(database):
    app = AppTest.from_file("../app.py", default_timeout=60)
    for forged in ("../../etc", "/tmp", "atlantis", "Banswara"):
        app.session_state["district"] = forged
        app.run()
        assert title(app) == "Containment Planner — Dungarpur", forged


def test_a_district_named_at_start_is_fixed_with_no_picker(database, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "Banswara")
    app = start()
    assert title(app) == "Containment Planner — Banswara"
    assert not pickers(app)
    app.session_state["district"] = "dungarpur"
    app.run()
    assert title(app) == "Containment Planner — Banswara"
    log_in(app, "bansi")
    assert title(app) == "Plan zones"


def test_the_command_line_flag_names_the_district(database, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "")  # the flag sets it; restored after
    monkeypatch.setattr(sys, "argv", ["app.py", "--district", "sawai madhopur"])
    app = start()
    assert title(app) == "Containment Planner — Sawai Madhopur"
    assert not pickers(app)


def test_another_tools_dist_option_is_not_the_district(database, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "")
    monkeypatch.setattr(sys, "argv", ["pytest", "--dist", "loadscope"])
    app = start()
    assert title(app) == "Containment Planner — Dungarpur"
    assert pickers(app)


def test_an_unknown_district_at_start_lists_the_known_ones(database, monkeypatch):
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "Atlantis")
    app = start()
    assert not app.exception
    message = app.error[0].value
    assert "No district 'Atlantis'" in message
    assert "Banswara (banswara)" in message


def test_one_sqlite_file_for_the_app_keeps_one_district(tmp_path, monkeypatch):
    monkeypatch.delenv("CONTAINMENT_DISTRICT", raising=False)
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'one.sqlite'}")
    app = start()
    assert title(app) == "Containment Planner — Dungarpur"
    assert not pickers(app)  # districts would share the file: no picker


PAGES = {
    "plan": "Plan zones",
    "imports": "Import cases",
    "centres": "Centres",
    "fieldwork": "Field work",
    "meeting": "meeting view",
    "export": "Export",
}


def test_every_page_works_for_a_district_built_from_the_state_sources(tmp_path, monkeypatch):
    import containment as cp
    from containment.engine.lifecycle import SavedZone
    from containment.io.synthetic import synthetic_cases
    from containment.service import Service

    url = f"sqlite:///{tmp_path / 'banswara.sqlite'}"
    monkeypatch.setenv("CONTAINMENT_DISTRICT", "banswara")
    monkeypatch.setenv("CONTAINMENT_DATABASE_URL", url)
    banswara = cp.load_district("banswara")
    store = open_store("banswara", url)
    cases = synthetic_cases(banswara, 40, seed=7)
    store.import_cases(cases, source="synthetic")
    store.add_user("bansi", "collector", PASSWORD)
    home = cases.geometry.iloc[0]
    store.save_zone(
        SavedZone("BZ-1", "Ward 1", "containment", "drawn", "r", home.buffer(0.01),
                  status="notified", order_number="1", notified_on=dt.date(2020, 5, 15))
    )  # fmt: skip
    for module, heading in PAGES.items():
        app = AppTest.from_string(
            f"from ui import state, {module}\nstate.sidebar()\n{module}.page()\n",
            default_timeout=120,
        )
        app.session_state["session_token"] = Service(store).login("bansi", PASSWORD).token
        app.session_state["working_date"] = dt.date(2020, 5, 20)
        app.run()
        assert not app.exception, (module, app.exception)
        assert not app.error, (module, [e.value for e in app.error])
        assert heading.lower() in app.title[0].value.lower()
        assert any("**Banswara district**" in m.value for m in app.sidebar.markdown)
        if module == "fieldwork":
            assert any("Banswara has no shipped road layer" in i.value for i in app.info)
