"""The Meeting view's trends, run headless with AppTest against a seeded store (both backends):
the community-spread signal read out, by block and week, growth, and the charts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from containment.engine.history import in_force_periods
from containment.field.spread import spread_signal
from tests.test_app import NOTIFIED, WORKING_DATE, run, shown, store, ward_7

__all__ = ["store"]  # the fixture, shared with tests/test_app.py


def test_the_meeting_view_reads_out_the_community_spread_signal_and_draws_the_trends(
    store, dungarpur
):
    early = dt.date(2020, 5, 8)  # in force for the last week's cases
    store.save_zone(dataclasses.replace(ward_7(**NOTIFIED), created_on=early, notified_on=early))
    app = run("meeting", store)
    assert not app.exception
    expected = spread_signal(
        store.cases(), in_force_periods(store.zone_versions()), dungarpur, as_of=WORKING_DATE
    ).last_7d
    assert expected.cases > 0
    sentence = next(shown(m.value) for m in app.markdown if "in the last 7 days" in m.value)
    assert sentence.startswith(f"**Of {expected.cases} cases in the last 7 days,")
    metrics = {m.label: m.value for m in app.metric}
    share = round(100 * expected.outside_zones / expected.cases)
    assert metrics["New foci, 7 days"] == f"{share}%"
    assert f"{expected.outside_zones} of {expected.cases} cases" in [c.value for c in app.caption]
    assert {"Last 7 days", "Last 14 days"} <= set(metrics)  # growth
    blocks = next(d.value for d in app.dataframe if "Block" in d.value.columns)
    assert set(blocks["Block"]) >= {"Aspur", "Bichhiwara", "Dungarpur", "Sagwara", "Simalwara"}
    assert list(blocks.columns[1:]) == ["New foci, 7 days", "New foci, 14 days"]
    assert len(app.image) == 4  # spread by week, the curve, zones and people, beds
    curve = app.image[1].value[0]
    app.toggle(key="meeting_curve_by_block").set_value(True).run()
    assert not app.exception
    assert app.image[1].value[0] != curve  # stacked by block: another chart


def test_before_the_first_zone_the_meeting_view_says_the_signal_cannot_be_read(store):
    store.save_zone(ward_7(**NOTIFIED))  # notified on the working date: every case came before
    app = run("meeting", store)
    assert not app.exception
    sentence = next(shown(m.value) for m in app.markdown if "last 7 days" in m.value)
    assert "came before any zone was in force" in sentence
    assert "outside every zone" not in sentence
    assert {m.label: m.value for m in app.metric}["New foci, 7 days"] == "–"
    assert "before any zone" in [c.value for c in app.caption]


def test_the_meeting_view_shows_the_trends_in_hindi(store):
    store.set_language("meena", "hi")
    app = run("meeting", store)
    assert not app.exception
    assert any("क्या सामुदायिक फैलाव है?" in h.value for h in app.subheader)
    assert any("पिछले 7 दिनों के" in m.value for m in app.markdown)
