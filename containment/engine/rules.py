"""Zone rules as data: radii, release window and where each preset comes from.

A rule is a frozen dataclass handed to the zone engine; nothing about a rule lives in code
paths. Presets are looked up by name with :func:`get_rule`; :func:`custom_rule` makes one from
radii a planner types in.
"""

from __future__ import annotations

from dataclasses import dataclass

from containment.errors import RuleError
from containment.i18n import N_, _, n_

__all__ = ["PRESETS", "Rule", "custom_rule", "get_rule"]


@dataclass(frozen=True)
class Rule:
    """How zones are drawn around cases and when they are released.

    Parameters
    ----------
    name
        Short identifier, e.g. ``"mohfw-2020-urban"``.
    containment_radius_m
        Radius of the containment circle around each case, in metres.
    buffer_m
        Width of the buffer zone beyond the containment circle, in metres (0: no buffer zone).
    release_after_days
        A zone is released this many days after its last case; it is also the window of
        cases a rule counts as of a date.
    min_cases
        A containment zone is declared only where at least this many cases fall in one
        connected part (1 for every rule except the Kerala micro-zone).
    source
        Where the numbers come from, so a planner can check them.
    """

    name: str
    containment_radius_m: float
    buffer_m: float
    release_after_days: int
    source: str
    min_cases: int = 1
    title: str = ""

    def __post_init__(self) -> None:
        if not self.containment_radius_m > 0:
            msg = _(
                "Rule {name}: containment radius must be more than 0 m, got {value}.",
                name=repr(self.name),
                value=self.containment_radius_m,
            )
            raise RuleError(msg)
        if self.buffer_m < 0:
            msg = _(
                "Rule {name}: buffer width cannot be negative, got {value} m.",
                name=repr(self.name),
                value=self.buffer_m,
            )
            raise RuleError(msg)
        if self.release_after_days < 1:
            msg = _(
                "Rule {name}: release period must be at least 1 day, got {value}.",
                name=repr(self.name),
                value=self.release_after_days,
            )
            raise RuleError(msg)
        if self.min_cases < 1:
            msg = _(
                "Rule {name}: the fewest cases for a zone must be at least 1, got {value}.",
                name=repr(self.name),
                value=self.min_cases,
            )
            raise RuleError(msg)

    @property
    def outer_radius_m(self) -> float:
        """Radius of the containment circle plus the buffer, in metres."""
        return self.containment_radius_m + self.buffer_m


_MOHFW_MICROPLAN = N_(
    "MoHFW, Containment Plan for Novel Coronavirus Disease (micro-plan), March 2020: "
    "containment zone 3 km around a case while contacts are not yet mapped, buffer zone a "
    "further 5 km (7 km in rural areas); MoHFW large-outbreak plan, April 2020: release when "
    "no new case for 28 days after the last case was isolated."
)

PRESETS: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            name="mohfw-2020-urban",
            title=N_("MoHFW 2020, urban: 3 km containment, 5 km buffer, 28 days"),
            containment_radius_m=3000,
            buffer_m=5000,
            release_after_days=28,
            source=_MOHFW_MICROPLAN,
        ),
        Rule(
            name="mohfw-2020-rural",
            title=N_("MoHFW 2020, rural: 3 km containment, 7 km buffer, 28 days"),
            containment_radius_m=3000,
            buffer_m=7000,
            release_after_days=28,
            source=_MOHFW_MICROPLAN,
        ),
        Rule(
            name="mohfw-2020-07",
            title=N_("MoHFW from 29 July 2020: 3 km containment, 5 km buffer, 14 days"),
            containment_radius_m=3000,
            buffer_m=5000,
            release_after_days=14,
            source=N_(
                "MoHFW containment guidance as revised from 29 July 2020: a zone is released "
                "14 days (not 28) after the last case was isolated; radii as the March 2020 "
                "micro-plan (3 km containment, 5 km buffer)."
            ),
        ),
        Rule(
            name="rajasthan-1km",
            title=N_("Rajasthan 2020: 1 km curfew zone, no buffer, 28 days"),
            containment_radius_m=1000,
            buffer_m=0,
            release_after_days=28,
            source=N_(
                "Rajasthan practice, 2020 (Jaipur): curfew within 1 km of a positive case; "
                "release period from the MoHFW large-outbreak plan (28 days)."
            ),
        ),
        Rule(
            name="karnataka-200m",
            title=N_("Karnataka 2020: 100 m containment, 200 m buffer, 28 days"),
            containment_radius_m=100,
            buffer_m=200,
            release_after_days=28,
            source=N_(
                "Karnataka 2020 containment orders: buffer zone 200 m from the edge of the "
                "containment zone. The 100 m containment radius (a house and its street) is "
                "this tool's assumption; use a custom rule where the order says otherwise."
            ),
        ),
        Rule(
            name="kerala-micro-2021",
            title=N_("Kerala 2021 micro-zone: 5+ cases within 100 m, 7 days"),
            containment_radius_m=100,
            buffer_m=0,
            release_after_days=7,
            min_cases=5,
            source=N_(
                "Kerala, 2021: a micro-containment zone where five or more cases lie within "
                "100 m, lapsing after 7 days. Cases are joined when their 100 m circles "
                "touch; parts with fewer than 5 cases are not zones."
            ),
        ),
    )
}


def get_rule(name: str) -> Rule:
    """The preset called ``name``.

    Examples
    --------
    >>> get_rule("rajasthan-1km").containment_radius_m
    1000
    """
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        msg = _(
            "Unknown rule {name}. Choose one of: {known}; or give custom radii.",
            name=repr(name),
            known=known,
        )
        raise RuleError(msg) from None


def custom_rule(
    *,
    containment_radius_m: float,
    buffer_m: float = 0.0,
    release_after_days: int = 28,
    min_cases: int = 1,
) -> Rule:
    """A rule from radii a planner chose, named after its numbers.

    Examples
    --------
    >>> custom_rule(containment_radius_m=500, buffer_m=1000).name
    'custom-500m-1000m-28d'
    """
    name = f"custom-{containment_radius_m:g}m-{buffer_m:g}m-{release_after_days}d" + (
        f"-min{min_cases}" if min_cases > 1 else ""
    )
    return Rule(
        name=name,
        title=n_(
            "Custom: {containment} m containment, {buffer} m buffer, {n} day",
            "Custom: {containment} m containment, {buffer} m buffer, {n} days",
            release_after_days,
            containment=format(containment_radius_m, "g"),
            buffer=format(buffer_m, "g"),
        ),
        containment_radius_m=containment_radius_m,
        buffer_m=buffer_m,
        release_after_days=release_after_days,
        min_cases=min_cases,
        source=_("Custom radii chosen by the planner."),
    )
