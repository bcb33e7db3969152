"""Saved zones and their life cycle: draft → proposed → notified → released.

A saved zone is what a planner keeps: a zone the rule proposed or one drawn on the map, with
a name, a note and a status. Its figures (cases, release date, people inside) are not stored:
:func:`describe_zones` computes them from the cases of the day, so the release date moves by
itself when a new case falls inside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.engine.figures import zone_figures
from containment.engine.ids import random_id
from containment.engine.timeline import reported_in
from containment.engine.zones import ZoneKind
from containment.errors import ContainmentError
from containment.i18n import N_, _, date_text

__all__ = [
    "PUBLIC_RELEASE_NOTE",
    "SAVED_ZONE_FIELDS",
    "SavedZone",
    "TransitionError",
    "ZoneOrigin",
    "ZoneStatus",
    "advance",
    "check_decision",
    "decision",
    "describe_outline",
    "describe_zones",
    "in_force",
    "new_zone_id",
    "public_release_dates",
    "public_release_due",
    "zone_changes",
]


class ZoneStatus(StrEnum):
    """Where a zone stands; the value is also the word shown (translated where shown)."""

    DRAFT = N_("draft")
    PROPOSED = N_("proposed")
    NOTIFIED = N_("notified")
    RELEASED = N_("released")


class ZoneOrigin(StrEnum):
    RULE = "rule"
    DRAWN = "drawn"


_NEXT: dict[ZoneStatus, frozenset[ZoneStatus]] = {
    ZoneStatus.DRAFT: frozenset({ZoneStatus.PROPOSED}),
    ZoneStatus.PROPOSED: frozenset({ZoneStatus.DRAFT, ZoneStatus.NOTIFIED}),
    ZoneStatus.NOTIFIED: frozenset({ZoneStatus.RELEASED}),
    ZoneStatus.RELEASED: frozenset(),
}


class TransitionError(ContainmentError):
    """A status change the life cycle does not allow, or one missing what it needs."""


@dataclass(frozen=True)
class SavedZone:
    """A zone a planner keeps. ``geometry`` is lon/lat (EPSG:4326)."""

    zone_id: str
    name: str
    kind: ZoneKind
    origin: ZoneOrigin
    rule: str
    geometry: shapely.Polygon | shapely.MultiPolygon
    status: ZoneStatus = ZoneStatus.DRAFT
    release_after_days: int = 28
    note: str = ""
    order_number: str = ""
    notified_on: dt.date | None = None
    released_on: dt.date | None = None
    created_on: dt.date = dataclasses.field(default_factory=dt.date.today)
    version: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ZoneKind(self.kind))
        object.__setattr__(self, "origin", ZoneOrigin(self.origin))
        object.__setattr__(self, "status", ZoneStatus(self.status))
        if not self.name.strip():
            msg = _("A zone needs a name (e.g. the mohalla, ward or village it covers).")
            raise ContainmentError(msg)
        if self.release_after_days < 1:
            msg = _("Zone {name}: release period must be at least 1 day.", name=repr(self.name))
            raise ContainmentError(msg)


SAVED_ZONE_FIELDS = tuple(f.name for f in dataclasses.fields(SavedZone) if f.name != "geometry")


def new_zone_id(prefix: str = "DZ") -> str:
    """A fresh id for a drawn zone (random; drawn zones have no cases to derive it from)."""
    return random_id(prefix)


def advance(
    zone: SavedZone, to: ZoneStatus | str, *, on: dt.date, order_number: str = ""
) -> SavedZone:
    """The zone moved to status ``to`` on day ``on``.

    Notifying needs the collector's order number; releasing records the day.

    Examples
    --------
    >>> ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    >>> z = SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", ward)
    >>> advance(z, "proposed", on=dt.date(2020, 5, 2)).status
    <ZoneStatus.PROPOSED: 'proposed'>
    """
    target = ZoneStatus(to)
    if target not in _NEXT[zone.status]:
        allowed = ", ".join(_(s.value) for s in sorted(_NEXT[zone.status])) or _(
            "none (it is final)"
        )
        msg = _(
            "Zone {name} is {status}; it cannot become {target}. Next steps from {status}: "
            "{allowed}.",
            name=repr(zone.name),
            status=_(zone.status.value),
            target=_(target.value),
            allowed=allowed,
        )
        raise TransitionError(msg)
    if target is ZoneStatus.NOTIFIED:
        if not order_number.strip():
            msg = _(
                "Notifying zone {name} needs the order number of the collector's order.",
                name=repr(zone.name),
            )
            raise TransitionError(msg)
        if zone.origin is ZoneOrigin.RULE and on < zone.created_on:
            msg = _(
                "Zone {name} cannot be notified on {day}: it was proposed for the cases as of "
                "{created}. Give the date of the order.",
                name=repr(zone.name),
                day=date_text(on),
                created=date_text(zone.created_on),
            )
            raise TransitionError(msg)
        return dataclasses.replace(
            zone, status=target, order_number=order_number.strip(), notified_on=on
        )
    if target is ZoneStatus.RELEASED:
        if zone.notified_on and on < zone.notified_on:
            msg = _(
                "Zone {name} cannot be released on {day}, before it was notified ({notified}).",
                name=repr(zone.name),
                day=date_text(on),
                notified=date_text(zone.notified_on),
            )
            raise TransitionError(msg)
        return dataclasses.replace(zone, status=target, released_on=on)
    return dataclasses.replace(zone, status=target)


def zone_changes(before: SavedZone, after: SavedZone) -> list[str]:
    """What differs between two versions of a zone, in words (no patient data: zones hold none).

    >>> ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    >>> z = SavedZone("DZ-1", "Ward 7", "containment", "drawn", "rajasthan-1km", ward)
    >>> zone_changes(z, advance(z, "proposed", on=dt.date(2020, 5, 2)))
    ['status draft → proposed']
    >>> zone_changes(z, dataclasses.replace(z, geometry=ward.buffer(0.001)))
    ['outline redrawn']
    """
    changes = [
        f"{field.replace('_', ' ')} {_shown(getattr(before, field))} → "
        f"{_shown(getattr(after, field))}"
        for field in SAVED_ZONE_FIELDS
        if field not in ("zone_id", "version", "note")
        and getattr(before, field) != getattr(after, field)
    ]
    if before.note != after.note:
        changes.append("note edited")
    if not before.geometry.equals(after.geometry):
        changes.append("outline redrawn")
    return changes


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def in_force(zones: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Which zones were notified on or before ``as_of`` and not yet released by then (only a
    zone whose status is notified or released was ever notified: a date on a draft is not)."""

    def by(day: object) -> bool:
        return isinstance(day, dt.date) and day <= as_of

    if "status" not in zones:  # an outline being drawn: never notified
        return pd.Series(False, index=zones.index)
    decided = zones["status"].astype(str).isin([ZoneStatus.NOTIFIED, ZoneStatus.RELEASED])
    notified = zones["notified_on"].map(by).astype(bool)
    released = zones["released_on"].map(by).astype(bool)
    return decided & notified & ~released


def decision(zone: SavedZone) -> tuple[str, dt.date | None, dt.date | None]:
    """What the collector's order decided about a zone: order number, notified and released on."""
    return zone.order_number, zone.notified_on, zone.released_on


def check_decision(zone: SavedZone) -> None:
    """Refuse a zone whose order number and dates do not fit its status: a draft or proposed
    zone has none, a notified one its order number and day, a released one also its release day.

    >>> ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    >>> z = SavedZone("DZ-1", "Ward 7", "containment", "drawn", "r", ward,
    ...               notified_on=dt.date(2020, 5, 2), order_number="F/1")
    >>> check_decision(z)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    containment.engine.lifecycle.TransitionError: Zone 'Ward 7' is draft, but says F/1, ...
    """
    if zone.status in (ZoneStatus.DRAFT, ZoneStatus.PROPOSED):
        wrong = decision(zone) != ("", None, None)
    elif zone.status is ZoneStatus.NOTIFIED:
        wrong = not zone.order_number.strip() or zone.notified_on is None or bool(zone.released_on)
    else:
        wrong = zone.notified_on is None or zone.released_on is None
    if wrong:
        order = zone.order_number or "no order"
        notified = f"{zone.notified_on:%d-%m-%Y}" if zone.notified_on else "never"
        released = f"{zone.released_on:%d-%m-%Y}" if zone.released_on else "never"
        msg = (
            f"Zone {zone.name!r} is {zone.status}, but says {order}, notified {notified}, "
            f"released {released}: only notifying and releasing set these."
        )
        raise TransitionError(msg)


def describe_zones(
    zones: gpd.GeoDataFrame, cases: gpd.GeoDataFrame, district: District, *, as_of: dt.date
) -> gpd.GeoDataFrame:
    """Saved zones with their figures as of a day.

    Adds ``case_count``, ``first_case_on``, ``last_case_on`` (cases inside reported up to
    ``as_of``), ``release_due_on`` (last case + the zone's release period; the day it was
    notified or made, when no case is inside), ``due_for_release`` (in force and due),
    ``in_force`` and the figures of :func:`containment.engine.figures.zone_figures`.
    """
    described = zones.copy()
    if described.empty:
        for column in (
            "case_count",
            "first_case_on",
            "last_case_on",
            "release_due_on",
            "due_for_release",
            "in_force",
        ):
            described[column] = pd.Series(dtype=object)
        return zone_figures(described.to_crs(district.metric_crs), district).to_crs(STORAGE_CRS)
    known = reported_in(cases, until=as_of)
    zone_idx, case_idx = (
        shapely.STRtree(known.geometry.to_numpy()).query(
            described.geometry.to_numpy(), predicate="intersects"
        )
        if len(known)
        else (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    )
    # Per zone at once (a city has thousands of zones): the cases' days grouped by zone.
    days = pd.to_datetime(known["reported_on"]).to_numpy(dtype="datetime64[D]")
    n = len(described)
    counts = np.bincount(zone_idx, minlength=n).astype(np.int64).tolist()
    firsts: list[dt.date | None] = [None] * n
    lasts: list[dt.date | None] = [None] * n
    if len(zone_idx):
        spans = pd.DataFrame({"zone": zone_idx, "day": days[case_idx]}).groupby("zone")["day"]
        earliest, latest = spans.min(), spans.max()
        for zone, first, last in zip(
            earliest.index.tolist(), earliest.tolist(), latest.tolist(), strict=True
        ):
            firsts[zone], lasts[zone] = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    due = [
        (last or notified or created) + dt.timedelta(days=int(after))
        for last, notified, created, after in zip(
            lasts,
            described["notified_on"],
            described["created_on"],
            described["release_after_days"],
            strict=True,
        )
    ]
    described["case_count"] = counts
    described["first_case_on"] = firsts
    described["last_case_on"] = lasts
    described["release_due_on"] = due
    described["in_force"] = in_force(described, as_of).to_numpy()
    described["due_for_release"] = described["in_force"] & (described["release_due_on"] <= as_of)
    figures = zone_figures(described.to_crs(district.metric_crs), district)
    return figures.to_crs(STORAGE_CRS)


#: What every paper giving :func:`public_release_due` dates says of them (translated where
#: shown), and what the planners' own screens say of the papers' dates.
PUBLIC_RELEASE_NOTE = N_(
    "Release dates on papers that leave the district's planners (police, public, orders) are "
    "the Sunday ending the week a zone falls due, so that no date tells the day of a case."
)


@overload
def public_release_due(day: dt.date) -> dt.date: ...
@overload
def public_release_due(day: None) -> None: ...
def public_release_due(day: dt.date | None) -> dt.date | None:
    """A release due date as it leaves the district's planners (police, the public, the
    papers): the Sunday that ends its week. The exact date is the last case's result date plus
    the release period; on a zone of one case it would give that person's result date away.

    >>> public_release_due(dt.date(2020, 6, 3)), public_release_due(dt.date(2020, 6, 7))
    (datetime.date(2020, 6, 7), datetime.date(2020, 6, 7))
    """
    if day is None:
        return None
    return day + dt.timedelta(days=6 - day.weekday())


def public_release_dates(described: gpd.GeoDataFrame, as_of: dt.date | None) -> gpd.GeoDataFrame:
    """Described zones (:func:`describe_zones`) with their release dates as they leave the
    planners (:func:`public_release_due`), and due for release by those dates as of ``as_of``
    (when not known, ``due_for_release`` is left as it is)."""
    shown = described.copy()
    if "release_due_on" not in shown.columns:
        return shown
    due = [
        public_release_due(pd.Timestamp(d).date()) if isinstance(d, dt.date) else None
        for d in shown["release_due_on"]
    ]
    shown["release_due_on"] = pd.Series(due, index=shown.index, dtype=object)
    if "due_for_release" in shown.columns and as_of is not None:
        passed = np.array([isinstance(d, dt.date) and d <= as_of for d in due], dtype=bool)
        shown["due_for_release"] = shown["due_for_release"].astype(bool).to_numpy() & passed
    return shown


def describe_outline(
    outline: shapely.Polygon | shapely.MultiPolygon,
    cases: gpd.GeoDataFrame,
    district: District,
    *,
    as_of: dt.date,
    release_after_days: int,
) -> pd.Series:
    """The figures of an outline not yet saved (a zone being drawn), as :func:`describe_zones`
    gives them for a draft made on ``as_of``: cases inside, people, households, blocks,
    facilities and the release date its cases would give it."""
    draft = gpd.GeoDataFrame(
        {
            "status": [ZoneStatus.DRAFT.value],
            "release_after_days": [release_after_days],
            "notified_on": [None],
            "released_on": [None],
            "created_on": [as_of],
        },
        geometry=[outline],
        crs=STORAGE_CRS,
    )
    figures: pd.Series = describe_zones(draft, cases, district, as_of=as_of).iloc[0]
    return figures
