"""Log lines say what happened and how much, never which case or where."""

from __future__ import annotations

import datetime as dt
import logging

from containment import get_rule, plan_zones, read_cases, write_zones
from containment.service import Service
from tests.conftest import TODAY


def test_imports_zone_runs_exports_and_logins_are_logged_without_case_data(
    caplog, store, dungarpur, tmp_path
):
    caplog.set_level(logging.INFO, logger="containment")
    cases = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY)
    store.import_cases(cases.cases, source="sample.csv")
    plan = plan_zones(
        cases.cases, get_rule("mohfw-2020-rural"), as_of=dt.date(2020, 5, 15), district=dungarpur
    )
    write_zones(plan.zones, tmp_path / "zones.geojson", dungarpur)
    store.add_user("ravi", "planner", "a long test password")
    Service(store).login("ravi", "a long test password")
    text = caplog.text
    for said in ("line list read: 300 rows", "import 1 saved", "zones as of 2020-05-15",
                 "wrote", "login: ravi (planner)"):  # fmt: skip
        assert said in text
    for case in cases.cases.itertuples():
        assert case.case_id not in text
        assert f"{case.geometry.y:.4f}" not in text
