"""Zones of neighbouring districts reaching into this one: a warning on the Plan and Meeting
pages, and their overlaps for the map (see containment/field/crossings.py)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import streamlit as st

from containment.field.crossings import alert_text
from containment.i18n import _
from containment.render.text import markdown_text as md
from containment.service import BorderAlerts, Workspace
from ui import state


@st.cache_data(show_spinner=False, ttl=60, max_entries=16)
def _alerts(_ws: Workspace, key: str, slug: str, as_of: dt.date) -> BorderAlerts:
    """Read again at most once a minute: the neighbours' stores change without telling us."""
    return _ws.border_alerts(state.district(), as_of=as_of)


def alerts(as_of: dt.date) -> BorderAlerts:
    ws = state.workspace()
    return _alerts(ws, ws.key, state.district_slug(), as_of)


def section(as_of: dt.date) -> gpd.GeoDataFrame:
    """The warning (nothing when no neighbour's zone reaches over the line); the overlaps for
    the map."""
    found = alerts(as_of)
    district = state.district()
    if not found.alerts.empty:
        title = _(
            "Zones of neighbouring districts reaching into {district}", district=md(district.name)
        )
        st.subheader(title)
        for _i, alert in found.alerts.iterrows():
            st.warning(md(alert_text(alert, district.name)), icon=":material/warning:")
        st.caption(
            _(
                "The land within the rule's distance of the neighbour's zone (its containment "
                "radius, or its buffer's width): the most its rule would seal here. Decide with "
                "the neighbouring district which of these places to seal; it is drawn dashed "
                "on the map."
            )
        )
    for message in found.unread:
        st.caption(md(message))
    return found.alerts
