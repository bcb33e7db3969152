"""COVID care centres, quarantine centres and dedicated hospitals, with their beds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from containment.errors import ContainmentError

__all__ = ["CENTRE_FIELDS", "Centre", "CentreError", "CentreKind"]


class CentreKind(StrEnum):
    COVID_CARE_CENTRE = "covid_care_centre"
    QUARANTINE_CENTRE = "quarantine_centre"
    DEDICATED_HOSPITAL = "dedicated_hospital"

    @property
    def label(self) -> str:
        return {
            "covid_care_centre": "COVID care centre",
            "quarantine_centre": "Quarantine centre",
            "dedicated_hospital": "Dedicated COVID hospital",
        }[self.value]


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
            msg = "A centre needs a name."
            raise CentreError(msg)
        if self.capacity < 0:
            msg = f"Centre {self.name!r}: capacity cannot be negative ({self.capacity})."
            raise CentreError(msg)
        if self.occupied < 0:
            msg = f"Centre {self.name!r}: occupied beds cannot be negative ({self.occupied})."
            raise CentreError(msg)
        if self.occupied > self.capacity:
            msg = (
                f"Centre {self.name!r}: {self.occupied} beds occupied is more than its capacity "
                f"of {self.capacity}. Raise the capacity or correct the occupancy."
            )
            raise CentreError(msg)

    @property
    def beds_free(self) -> int:
        return self.capacity - self.occupied


CENTRE_FIELDS = tuple(f.name for f in dataclasses.fields(Centre))
