"""The trends in words the collector can read out, in the reader's language.

Shared by the Meeting view and the printable pack; the figures come from
:mod:`containment.field.trends` and :mod:`containment.field.spread`. The text is plain (not
escaped): on its way into HTML or Markdown it goes through :mod:`containment.render.text`.
"""

from __future__ import annotations

from containment.field.spread import SpreadWindow
from containment.field.trends import Growth, GrowthTrend
from containment.i18n import _, date_text, n_, number

__all__ = ["block_list", "growth_text", "percent", "spread_sentence"]

OUTSIDE_BLOCKS = "outside"


def percent(share: float | None) -> str:
    """A share as a whole percentage ("7%"); an empty string for no share.

    >>> percent(3 / 42), percent(None), percent(0.004)
    ('7%', '', '0%')
    """
    return "" if share is None else f"{number(100 * share)}%"


def block_list(blocks: tuple[str, ...] | list[str]) -> str:
    """Block names joined the way a sentence lists them: "Sagwara, Aspur and Dungarpur".

    >>> block_list(["Sagwara"]), block_list(["Sagwara", "Aspur", "Dungarpur"])
    ('Sagwara', 'Sagwara, Aspur and Dungarpur')
    """
    names = [_("outside the blocks") if b == OUTSIDE_BLOCKS else b for b in blocks]
    if len(names) <= 1:
        return "".join(names)
    return _("{first} and {last}", first=", ".join(names[:-1]), last=names[-1])


def spread_sentence(window: SpreadWindow) -> str:
    """The community-spread signal of a window as one sentence, e.g. "Of 42 cases in the last
    7 days, 3 (7%) were outside every zone in force — new foci in Sagwara and Aspur."; cases
    reported before any zone was in force are told apart, never counted as new foci."""
    total = window.cases + window.before_zones
    if total == 0:
        return _("No case was reported in the last {days} days.", days=window.days)
    of_cases = n_(
        "Of {n} case in the last {days} days,",
        "Of {n} cases in the last {days} days,",
        total,
        days=window.days,
    )
    if window.cases == 0:
        before = n_(
            "The {n} case of the last {days} days came before any zone was in force.",
            "The {n} cases of the last {days} days came before any zone was in force.",
            window.before_zones,
            days=window.days,
        )
        if window.first_zone_on is None:
            return before + " " + _("The signal starts once the first zone is notified.")
        return (
            before
            + " "
            + _(
                "The first zone came into force on {day}: cases reported after that day count.",
                day=date_text(window.first_zone_on),
            )
        )
    if window.before_zones:
        of_cases += " " + n_(
            "{n} came before any zone was in force; of the other {counted},",
            "{n} came before any zone was in force; of the other {counted},",
            window.before_zones,
            counted=number(window.cases),
        )
    if window.outside_zones == 0:
        return of_cases + " " + _("none was outside the zones in force: no new focus.")
    outside = n_(
        "{n} ({share}) was outside every zone in force",
        "{n} ({share}) were outside every zone in force",
        window.outside_zones,
        share=percent(window.share),
    )
    blocks = window.new_foci_blocks
    where = n_(
        "a new focus in {blocks}.",
        "new foci in {blocks}.",
        window.outside_zones,
        blocks=block_list(blocks),
    )
    return f"{of_cases} {outside} — {where}"


def growth_text(growth: Growth) -> str:
    """How the cases grow over a window, shortly: "doubling in 9.3 days", "halving in 12.0
    days", "steady", and the cases without a rate (none before, none now, none at all)."""
    trend = growth.trend
    if trend is GrowthTrend.GROWING:
        assert growth.doubling_days is not None
        return _("doubling in {days} days", days=number(growth.doubling_days, 1))
    if trend is GrowthTrend.SHRINKING:
        assert growth.halving_days is not None
        return _("halving in {days} days", days=number(growth.halving_days, 1))
    return {
        GrowthTrend.STEADY: _("steady"),
        GrowthTrend.NEW: _("new: none the {days} days before", days=growth.window_days),
        GrowthTrend.ENDED: _("no case now"),
        GrowthTrend.NONE: _("no cases"),
    }[trend]
