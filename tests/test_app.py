"""The app's page logic, run headless with Streamlit's AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_app_shows_the_sample_zones_without_errors():
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "Dungarpur" in app.title[0].value
    table = app.dataframe[0].value
    assert set(table["kind"]) == {"containment", "buffer"}


def test_choosing_another_rule_recomputes_the_zones():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.sidebar.selectbox[0].select("rajasthan-1km").run()
    assert not app.exception
    assert set(app.dataframe[0].value["rule"]) == {"rajasthan-1km"}
