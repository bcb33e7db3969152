"""COVID care centres, quarantine centres and dedicated hospitals, with their beds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from containment.errors import ContainmentError
from containment.i18n import N_, _, number

__all__ = [
    "CENTRE_FIELDS",
    "SAME_PLACE_M",
    "Centre",
    "CentreError",
    "CentreKind",
    "facility_labels",
    "same_centre",
]


class CentreKind(StrEnum):
    COVID_CARE_CENTRE = "covid_care_centre"
    QUARANTINE_CENTRE = "quarantine_centre"
    DEDICATED_HOSPITAL = "dedicated_hospital"

    @property
    def label(self) -> str:
        """The kind in words, in the reader's language."""
        return _(_KIND_LABELS[self.value])


_KIND_LABELS = {
    "covid_care_centre": N_("COVID care centre"),
    "quarantine_centre": N_("Quarantine centre"),
    "dedicated_hospital": N_("Dedicated COVID hospital"),
}


class CentreError(ContainmentError):
    """A centre that cannot be saved as given; the message says what to fix."""


@dataclass(frozen=True)
class Centre:
    """A centre at a lon/lat point, with its beds. ``facility_id`` links a reference facility."""

    centre_id: str
    name: str
    kind: CentreKind
    lon: float
    lat: float
    capacity: int
    occupied: int = 0
    facility_id: str = ""
    note: str = ""
    version: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CentreKind(self.kind))
        if not self.name.strip():
            msg = _("A centre needs a name.")
            raise CentreError(msg)
        if self.capacity < 0:
            msg = _(
                "Centre {name}: capacity cannot be negative ({n}).",
                name=repr(self.name),
                n=self.capacity,
            )
            raise CentreError(msg)
        if self.occupied < 0:
            msg = _(
                "Centre {name}: occupied beds cannot be negative ({n}).",
                name=repr(self.name),
                n=self.occupied,
            )
            raise CentreError(msg)
        if self.occupied > self.capacity:
            msg = _(
                "Centre {name}: {occupied} beds occupied is more than its capacity of "
                "{capacity}. Raise the capacity or correct the occupancy.",
                name=repr(self.name),
                occupied=number(self.occupied),
                capacity=number(self.capacity),
            )
            raise CentreError(msg)

    @property
    def beds_free(self) -> int:
        return self.capacity - self.occupied


CENTRE_FIELDS = tuple(f.name for f in dataclasses.fields(Centre))


def facility_labels(facilities: pd.DataFrame) -> pd.Series:
    """Each health facility as the centre picker shows it: its name, village and block, so
    that two facilities of the same name are told apart (their PMGSY id added where even
    those are the same). Indexed like ``facilities``.

    >>> f = pd.DataFrame({"name": ["PHC", "PHC"], "hab_name": ["Aspur", "Sabla"],
    ...                   "block": ["Aspur", "Aspur"], "facility_id": ["1", "2"]})
    >>> list(facility_labels(f))
    ['PHC — Aspur, Aspur block', 'PHC — Sabla, Aspur block']
    """
    villages = facilities.get("hab_name", pd.Series("", index=facilities.index)).fillna("")
    labels = pd.Series(
        [
            _("{name} — {village}, {block} block", name=n, village=v, block=b)
            if v
            else _("{name} — {block} block", name=n, block=b)
            for n, v, b in zip(facilities["name"], villages, facilities["block"], strict=True)
        ],
        index=facilities.index,
        dtype=object,
    )
    same = labels.duplicated(keep=False)
    if same.any() and "facility_id" in facilities:
        ids = facilities["facility_id"].astype(str)
        labels[same] = labels[same] + " (" + ids[same] + ")"
    return labels


#: A new centre of the same name this close to a saved one is that one, added again.
SAME_PLACE_M = 100.0


def same_centre(centre: Centre, saved: pd.DataFrame) -> str | None:
    """The id of a saved centre (``centre_id``, ``name``, ``lon``, ``lat``) that ``centre``
    repeats — another id, the same name (whatever its case and spaces) within
    :data:`SAME_PLACE_M` — or None.

    >>> saved = pd.DataFrame({"centre_id": ["C-1"], "name": ["QC School"], "lon": [73.7],
    ...                       "lat": [23.8]})
    >>> new = Centre("C-2", " qc  school ", "quarantine_centre", 73.7003, 23.8002, 50, 0)
    >>> same_centre(new, saved), same_centre(dataclasses.replace(new, lon=73.71), saved)
    ('C-1', None)
    """
    if saved.empty:
        return None

    def words(name: object) -> str:
        return " ".join(str(name).split()).casefold()

    others = saved[(saved["centre_id"] != centre.centre_id)]
    named = others[others["name"].map(words) == words(centre.name)]
    if named.empty:
        return None
    lat = np.radians(centre.lat)
    north_m = (named["lat"].astype(float) - centre.lat) * 111_320.0
    east_m = (named["lon"].astype(float) - centre.lon) * 111_320.0 * np.cos(lat)
    near = named[np.hypot(north_m, east_m) <= SAME_PLACE_M]
    return None if near.empty else str(near["centre_id"].iloc[0])
