"""Dates of the collector's decisions that deserve a second look before they are saved.

A date typed by mistake (a zone notified before it was drawn, a release a month early, an
order dated weeks from the day being worked on) is allowed — the order may really say so — but
the collector confirms it first. Each reason is a sentence the page shows above the
confirmation.
"""

from __future__ import annotations

import datetime as dt

from containment.engine.lifecycle import SavedZone, ZoneStatus
from containment.i18n import _, date_text, n_

__all__ = ["FAR_FROM_WORKING_DATE_DAYS", "dates_to_confirm"]

# An order dated more than this many days from the working date asks for confirmation.
FAR_FROM_WORKING_DATE_DAYS = 7


def dates_to_confirm(
    zone: SavedZone,
    to: ZoneStatus | str,
    *,
    on: dt.date,
    working_date: dt.date,
    release_due_on: dt.date | None = None,
) -> list[str]:
    """Why moving ``zone`` to ``to`` on day ``on`` needs the collector's confirmation (an
    empty list: it needs none).

    ``working_date`` is the day the pages compute as of; ``release_due_on`` the zone's release
    date as of that day (28 or 14 days after its last case), when it has one.

    Examples
    --------
    >>> import shapely
    >>> ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    >>> z = SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", ward,
    ...               status="proposed", created_on=dt.date(2020, 5, 30))
    >>> dates_to_confirm(z, "notified", on=dt.date(2020, 5, 31), working_date=dt.date(2020, 5, 31))
    []
    >>> len(dates_to_confirm(z, "notified", on=dt.date(2020, 5, 3),
    ...                      working_date=dt.date(2020, 5, 31)))
    2
    """
    target = ZoneStatus(to)
    reasons: list[str] = []
    if target is ZoneStatus.NOTIFIED and on < zone.created_on:
        reasons.append(
            _(
                "The order date {day} is before the zone was drawn or proposed ({created}).",
                day=date_text(on),
                created=date_text(zone.created_on),
            )
        )
    if target is ZoneStatus.RELEASED and release_due_on is not None and on < release_due_on:
        early = (release_due_on - on).days
        reasons.append(
            n_(
                "Released on {day}, {n} day before its release date ({due}).",
                "Released on {day}, {n} days before its release date ({due}).",
                early,
                day=date_text(on),
                due=date_text(release_due_on),
            )
        )
    apart = (on - working_date).days
    if target in (ZoneStatus.NOTIFIED, ZoneStatus.RELEASED) and (
        abs(apart) > FAR_FROM_WORKING_DATE_DAYS
    ):
        reasons.append(
            n_(
                "The date {day} is {n} day from the working date ({working}).",
                "The date {day} is {n} days from the working date ({working}).",
                abs(apart),
                day=date_text(on),
                working=date_text(working_date),
            )
        )
    return reasons
