"""COVID care centres, quarantine centres and dedicated hospitals, with their beds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from containment.errors import ContainmentError
from containment.i18n import N_, _, number

__all__ = ["CENTRE_FIELDS", "Centre", "CentreError", "CentreKind", "facility_labels"]


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
