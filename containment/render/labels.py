"""What each column of a zone is called where people read it: map popups, tables, the printed
pack. One list, so a zone's figures are named alike everywhere (and translated in one place).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["ZONE_LABELS", "labelled", "zone_labels"]

ZONE_LABELS: dict[str, str] = {
    "name": "Zone",
    "zone_id": "Zone id",
    "kind": "Kind",
    "status": "Status",
    "order_number": "Order no.",
    "notified_on": "Notified on",
    "released_on": "Released on",
    "rule": "Rule",
    "as_of": "As of",
    "case_count": "Cases",
    "first_case_on": "First case",
    "last_case_on": "Last case",
    "release_due_on": "Release due",
    "due_for_release": "Due for release",
    "in_force": "In force",
    "area_km2": "Area km²",
    "population_est": "People (est.)",
    "households_est": "Households (est.)",
    "blocks": "Blocks",
    "places": "Villages and town cells",
    "unit_count": "Units",
    "facilities_inside": "Facilities inside",
    "facility_count": "Facilities",
    "nearest_facility": "Nearest facility",
    "nearest_facility_m": "Nearest facility (m)",
}


def zone_labels(columns: Iterable[str]) -> dict[str, str]:
    """``{column: label}`` for these zone columns, in this order.

    >>> zone_labels(["name", "case_count"])
    {'name': 'Zone', 'case_count': 'Cases'}
    """
    return {c: ZONE_LABELS[c] for c in columns}


def labelled(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The given zone columns of ``frame`` (those it has), headed by their labels."""
    present = [c for c in columns if c in frame.columns]
    return pd.DataFrame(frame[present]).rename(columns=ZONE_LABELS)
