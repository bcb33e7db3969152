"""What columns and codes are called where people read them: tables on screen, map popups, the
printed pack. The headings are plain words, marked for translation here and translated when a
table is shown, so a zone's figures are named alike everywhere (and translated in one place).

:func:`display_table` is the one way a table reaches a reader: it keeps the columns asked for,
heads them in the reader's language, shows codes (``notified``, ``covid_care_centre``) as words,
numbers with Indian digit grouping, dates as DD-MM-YYYY, moments in IST, and nothing (not
"None" or "nan") for a missing value. Files (GeoJSON, GeoPackage, CSV for the police) keep
their column names and codes: they are a stable schema, not a page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from containment.i18n import N_, _, date_text, time_text
from containment.render.text import cell_text

__all__ = [
    "CODE_LABELS",
    "ZONE_LABELS",
    "code_label",
    "display_table",
    "labelled",
    "zone_labels",
]

ZONE_LABELS: dict[str, str] = {
    "name": N_("Zone"),
    "zone_id": N_("Zone number"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "order_number": N_("Order no."),
    "notified_on": N_("Notified on"),
    "released_on": N_("Released on"),
    "rule": N_("Rule"),
    "as_of": N_("As of"),
    "case_count": N_("Cases"),
    "first_case_on": N_("First case"),
    "last_case_on": N_("Last case"),
    "release_due_on": N_("Release due"),
    "due_for_release": N_("Due for release"),
    "in_force": N_("In force"),
    "area_km2": N_("Area km²"),
    "population_est": N_("People (est.)"),
    "households_est": N_("Households (est.)"),
    "blocks": N_("Blocks"),
    "places": N_("Villages and town cells"),
    "unit_count": N_("Units"),
    "facilities_inside": N_("Facilities inside"),
    "facility_count": N_("Facilities"),
    "nearest_facility": N_("Nearest facility"),
    "nearest_facility_m": N_("Nearest facility (m)"),
    "created_on": N_("Made on"),
}

#: Codes kept in the store and in files, and the words a reader sees for them.
CODE_LABELS: dict[str, str] = {
    # zones
    "containment": N_("containment"),
    "buffer": N_("buffer"),
    "draft": N_("draft"),
    "proposed": N_("proposed"),
    "notified": N_("notified"),
    "released": N_("released"),
    "rule": N_("by rule"),
    "drawn": N_("drawn"),
    # the daily update
    "new": N_("new"),
    "grown": N_("grown"),
    "merged": N_("merged"),
    "unchanged": N_("unchanged"),
    "due for release": N_("due for release"),
    # a zone's history
    "created": N_("created"),
    "outline redrawn": N_("outline redrawn"),
    "note edited": N_("note edited"),
    "saved unchanged": N_("saved unchanged"),
    "re-created after deletion": N_("re-created after deletion"),
    # cases
    "active": N_("active"),
    "recovered": N_("recovered"),
    "deceased": N_("deceased"),
    "referred_out": N_("referred out"),
    "coordinates": N_("coordinates"),
    "village": N_("village name"),
    "fewer than 5": N_("fewer than 5"),
    "SYNTHETIC training data: not real cases": N_("SYNTHETIC training data: not real cases"),
    # centres
    "covid_care_centre": N_("COVID care centre"),
    "quarantine_centre": N_("Quarantine centre"),
    "dedicated_hospital": N_("Dedicated COVID hospital"),
    # users
    "planner": N_("planner"),
    "collector": N_("collector"),
    "police": N_("police"),
    "state": N_("state control room"),
    "setup": N_("setup"),
    "en": N_("English"),
    "hi": N_("Hindi"),
    # home quarantine
    "warning": N_("warning given"),
    "notice": N_("notice served"),
    "moved_to_institutional_quarantine": N_("moved to institutional quarantine"),
    # the audit trail's actions
    "login": N_("logged in"),
    "login refused": N_("login refused"),
    "login unlocked": N_("login unlocked"),
    "logout": N_("logged out"),
    "import cases": N_("cases imported"),
    "import undone": N_("import undone"),
    "synthetic sample removed": N_("synthetic sample removed"),
    "zone created": N_("zone created"),
    "zone edited": N_("zone edited"),
    "zone status changed": N_("zone status changed"),
    "zone restored": N_("zone restored"),
    "zone deleted": N_("zone deleted"),
    "centre saved": N_("centre saved"),
    "centre removed": N_("centre removed"),
    "beds occupied": N_("beds occupied"),
    "checkpoints saved": N_("checkpoints saved"),
    "checkpoint removed": N_("checkpoint removed"),
    "homes registered": N_("homes registered"),
    "violations recorded": N_("violations recorded"),
    "violation action": N_("action on a violation"),
    "export": N_("file downloaded"),
    "user added": N_("user added"),
    "user enabled": N_("user enabled"),
    "user disabled": N_("user disabled"),
    "password reset": N_("password reset"),
}
# Columns whose cells are codes, shown through CODE_LABELS.
_CODE_COLUMNS = frozenset(
    {"kind", "status", "change", "origin", "role", "action", "placed_by", "case_count",
     "language", "data"}
)  # fmt: skip
# Columns holding moments (the store keeps them as UTC text): shown in IST.
_TIME_COLUMNS = frozenset(
    {"at", "imported_at", "undone_at", "created_at", "password_set_at", "locked_until",
     "saved_at"}
)  # fmt: skip
# Columns holding a time of day as the file gave it (a tracking app's clock, in India: IST).
_CLOCK_COLUMNS = frozenset({"checked_at"})
# Decimals shown, where not none.
_DIGITS = {
    "area_km2": 2, "distance_km": 1, "share": 1, "population_est": 0, "households_est": 0,
    "population": 0, "households": 0,
}  # fmt: skip


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_day(column: str) -> bool:
    return column.endswith("_on") or column in ("as_of", "date")


def code_label(code: object) -> str:
    """A code as a reader sees it, in their language (an unknown code as it is).

    >>> code_label("covid_care_centre"), code_label("Ward 7")
    ('COVID care centre', 'Ward 7')
    """
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return ""
    text = str(code)
    return _(CODE_LABELS[text]) if text in CODE_LABELS else text


def _cell(column: str, value: object, digits: int | None) -> str:
    if column in _TIME_COLUMNS and isinstance(value, str):
        if not value:
            return ""
        return time_text(pd.Timestamp(value).to_pydatetime())
    if isinstance(value, str) and _ISO_DAY.fullmatch(value) and _is_day(column):
        return date_text(dt.date.fromisoformat(value))  # a file's ISO date, as people read it
    if column in _CLOCK_COLUMNS and isinstance(value, dt.datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    if column in _CODE_COLUMNS and isinstance(value, str):
        return "; ".join(code_label(part) for part in value.split("; "))
    if column.endswith("_m") and digits is None:
        digits = 0
    return cell_text(value, digits)


def display_table(
    frame: pd.DataFrame,
    headings: Mapping[str, str],
    *,
    digits: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The columns of ``frame`` named in ``headings`` (those it has, in that order), each headed
    by its heading in the reader's language and each cell as text (see the module).

    ``headings`` maps a column to its English heading, marked with ``N_()`` where it is
    written. The result's ``attrs["numbers"]`` lists the headings of numeric columns (to be
    aligned right).

    >>> frame = pd.DataFrame({"zone_id": ["DZ-1"], "case_count": [1200], "area_km2": [2.456]})
    >>> display_table(frame, {"case_count": "Cases", "area_km2": "Area km²"}).to_dict("records")
    [{'Cases': '1,200', 'Area km²': '2.46'}]
    """
    places = {**_DIGITS, **(digits or {})}
    columns = [c for c in headings if c in frame.columns]
    shown = pd.DataFrame(
        {_(headings[c]): [_cell(c, v, places.get(c)) for v in frame[c].tolist()] for c in columns},
        index=range(len(frame)),
        dtype=object,
    )
    shown.attrs["numbers"] = [
        _(headings[c])
        for c in columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return shown


def zone_labels(columns: Iterable[str]) -> dict[str, str]:
    """``{column: label}`` for these zone columns, in this order, in the reader's language.

    >>> zone_labels(["name", "case_count"])
    {'name': 'Zone', 'case_count': 'Cases'}
    """
    return {c: _(ZONE_LABELS[c]) for c in columns}


def labelled(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The given zone columns of ``frame`` (those it has), as :func:`display_table` shows them."""
    return display_table(frame, {c: ZONE_LABELS[c] for c in columns})
