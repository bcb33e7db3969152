"""The closed vocabularies the papers print (kinds of zone, centre and place), in the reader's
language; one place, so a word is the same on every paper."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from containment.i18n import _, date_text, number

__all__ = ["centre_kind_text", "date_or_dash", "km_text", "place_kind_text", "zone_kind_text"]


def zone_kind_text(kind: str) -> str:
    """A kind of zone in words.

    >>> zone_kind_text("buffer")
    'buffer'
    """
    known = {"containment": _("containment"), "buffer": _("buffer")}
    return known.get(str(kind), str(kind))


def centre_kind_text(kind: str) -> str:
    known = {
        "covid_care_centre": _("COVID care centre"),
        "quarantine_centre": _("Quarantine centre"),
        "dedicated_hospital": _("Dedicated COVID hospital"),
    }
    return known.get(str(kind), str(kind))


def place_kind_text(kind: str) -> str:
    known = {"village": _("village"), "town_cell": _("town cell")}
    return known.get(str(kind), str(kind))


def km_text(value: float, digits: int = 1) -> str:
    """A distance in kilometres.

    >>> km_text(12.345)
    '12.3 km'
    """
    return _("{value} km", value=number(value, digits))


def date_or_dash(value: object) -> str:
    """A date as DD-MM-YYYY, or "–" when there is none.

    >>> date_or_dash(dt.date(2020, 5, 31)), date_or_dash(None), date_or_dash(pd.NaT)
    ('31-05-2020', '–', '–')
    """
    if value is None or value is pd.NaT:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    return date_text(value) if isinstance(value, dt.date) else "–"
