"""The Meeting view's trends: is there community spread, and is it getting better?

The figures come from :meth:`containment.service.Workspace.trends` (planner and collector
only), the words from :mod:`containment.render.trend_words`, the charts from
:mod:`containment.render.charts` — the same PNGs the printable pack prints.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from containment import i18n
from containment.auth import Permission
from containment.field.spread import SpreadWindow
from containment.field.trends import Growth, Trends
from containment.i18n import _, n_, number
from containment.render import charts
from containment.render.text import markdown_text as md
from containment.render.trend_words import growth_text, percent, spread_sentence
from containment.service import Workspace
from ui import state

#: The charts are drawn at this resolution for the screen: crisp on a 1920-pixel display.
SCREEN_DPI = 130


@st.cache_data(show_spinner=False, max_entries=8)
def _trends(_ws: Workspace, key: str, version: int, as_of: dt.date) -> Trends:
    return _ws.trends(state.district(), as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _chart(
    _trend: Trends,
    key: str,
    version: int,
    as_of: dt.date,
    name: str,
    language: str,
    **options: bool,
) -> bytes:
    return charts.CHARTS[name](_trend, language=language, dpi=SCREEN_DPI, **options)


def _outside_count(window: SpreadWindow) -> str:
    """ "10 of 32 cases", "no case", "1 of 1 case", "before any zone", "1 of 7 cases; 3
    before any zone"."""
    if window.cases == 0:
        return _("before any zone") if window.before_zones else _("no case")
    counted = n_(
        "{outside} of {n} case",
        "{outside} of {n} cases",
        window.cases,
        outside=number(window.outside_zones),
    )
    if not window.before_zones:
        return counted
    return _(
        "{counted}; {before} before any zone", counted=counted, before=number(window.before_zones)
    )


def _growth_delta(growth: Growth) -> str:
    return n_(
        "{n} case, against {before} the {days} days before",
        "{n} cases, against {before} the {days} days before",
        growth.cases_recent,
        before=number(growth.cases_before),
        days=growth.window_days,
    )


def _block_table(trend: Trends) -> pd.DataFrame:
    """Per block, for the last 7 and 14 days: the cases outside every zone, of all the cases."""
    blocks = trend.spread.last_7d.by_block["block"]
    table = pd.DataFrame(index=pd.Index(blocks))
    for window in (trend.spread.last_7d, trend.spread.last_14d):
        rows = window.by_block.set_index("block").reindex(blocks, fill_value=0)
        table[_("New foci, {days} days", days=window.days)] = [
            _(
                "{outside} of {cases} ({share})",
                outside=number(outside),
                cases=number(cases),
                share=percent(outside / cases),
            )
            if cases
            else "–"
            for outside, cases in zip(rows["outside_zones"], rows["cases"], strict=True)
        ]
    names = [_("outside the blocks") if b == "outside" else b for b in table.index]
    table.index = pd.Index(names, name=_("Block"))
    return table.reset_index()


def section(ws: Workspace, *, as_of: dt.date) -> None:
    """The trends as of ``as_of``: the community-spread signal first, then the curve and
    growth, zones and people sealed, and beds."""
    if not ws.may(Permission.READ_CASES):
        return
    version = state.data_version()
    trend = _trends(ws, ws.key, version, as_of)
    language = i18n.current_language()

    def chart(name: str, **options: bool) -> None:
        png = _chart(trend, ws.key, version, as_of, name, language, **options)
        st.image(png, width="stretch")

    st.subheader(_("Is there community spread?"))
    spread = trend.spread
    st.markdown(f"**{md(spread_sentence(spread.last_7d))}**")
    left, right = st.columns([1, 1])
    with left:
        figures = st.columns(2)
        for column, window in zip(figures, (spread.last_7d, spread.last_14d), strict=True):
            column.metric(
                _("New foci, {days} days", days=window.days),
                percent(window.share) or "–",
                help=_(
                    "A case is outside when no zone (containment or buffer) was in force at "
                    "its place as the day it was reported began: a new focus. Cases reported "
                    "before the first zone came into force are not counted."
                ),
            )
            column.caption(_outside_count(window))
    with right:
        st.dataframe(_block_table(trend), hide_index=True, width="stretch")
    chart("spread_trend")

    st.subheader(_("Is it getting better?"))
    growth = st.columns(2)
    for column, g in zip(growth, (trend.growth_7d, trend.growth_14d), strict=True):
        column.metric(
            _("Last {days} days", days=g.window_days),
            growth_text(g),
            help=_(
                "Doubling time: ln 2 / r days, r the daily growth rate ln(cases in the window "
                "/ cases in the window before) / days in the window. Halving time when the "
                "cases fall."
            ),
        )
        column.caption(_growth_delta(g))
    by_block = st.toggle(_("New cases by block"), key="meeting_curve_by_block")
    chart("epidemic_curve", by_block=by_block)
    sealed, beds = st.tabs([_("Zones in force and people sealed"), _("Beds in the centres")])
    with sealed:
        chart("zones_in_force")
    with beds:
        chart("occupancy")
