"""Containment Planner: case line lists in, containment and buffer zones out.

The computation core (rules, circles, zones, figures) is pure and works in metres in a
projected CRS; reading line lists, loading districts and writing exports sit in their own
modules. Nothing here imports streamlit or a database driver.

Examples
--------
>>> import datetime as dt
>>> import containment as cp
>>> district = cp.load_district("dungarpur")
>>> cases = cp.read_cases(district.sample_cases, district, today=dt.date(2020, 6, 1))
>>> plan = cp.plan_zones(
...     cases.cases, cp.get_rule("mohfw-2020-rural"), as_of=dt.date(2020, 5, 15), district=district
... )
>>> sorted(plan.zones["kind"].unique())
['buffer', 'containment']
"""

from containment.engine.district import District
from containment.engine.rules import PRESETS, Rule, custom_rule, get_rule
from containment.engine.zones import ZONE_COLUMNS, ZoneKind, ZonePlan, plan_zones
from containment.errors import (
    CaseFileError,
    ContainmentError,
    DistrictError,
    ExportError,
    RuleError,
)
from containment.io.cases import CaseList, CaseStatus, RowProblem, read_cases
from containment.io.district import DEFAULT_DISTRICT, load_district
from containment.io.export import EXPORT_FORMATS, write_zones

__all__ = [
    "DEFAULT_DISTRICT",
    "EXPORT_FORMATS",
    "PRESETS",
    "ZONE_COLUMNS",
    "CaseFileError",
    "CaseList",
    "CaseStatus",
    "ContainmentError",
    "District",
    "DistrictError",
    "ExportError",
    "RowProblem",
    "Rule",
    "RuleError",
    "ZoneKind",
    "ZonePlan",
    "custom_rule",
    "get_rule",
    "load_district",
    "plan_zones",
    "read_cases",
    "write_zones",
]
