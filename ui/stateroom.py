"""The state control room (the state role's one page): every district's zones in force,
checkpoints and centres on a map of the state, and a table per district. Read only; it never
shows a case, a case date, a draft or a note (the state views hold none)."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from containment.field.stateroom import STATE_TABLE_COLUMNS
from containment.i18n import _, time_text
from containment.io.neighbours import district_outlines
from containment.render.statemap import state_map
from containment.render.text import markdown_text as md
from containment.service import Workspace
from containment.store.stateroom import StateOverview
from ui import state
from ui.tables import show_table


@st.cache_data(show_spinner=False, ttl=60, max_entries=4)
def _overview(_ws: Workspace, key: str) -> StateOverview:
    """Read again at most once a minute (or on Refresh): the districts save without telling."""
    return _ws.state_overview()


@state.page
def page() -> None:
    ws = state.workspace()
    st.title(_("Rajasthan: state control room"))
    if st.button(_("Refresh"), key="state_refresh"):
        _overview.clear()
    overview = _overview(ws, ws.key)
    st.caption(
        _(
            "Every district's zones in force, checkpoints and centres, and its figures today. "
            "Never shown here: case points, case ids or dates, zones not yet notified, notes."
        )
    )
    if overview.synthetic:
        st.warning(
            _(
                "SYNTHETIC sample line list in: {districts}",
                districts=md(", ".join(overview.synthetic)),
            )
        )
    for message in overview.unread:  # a district left out is said, never silently missing
        st.warning(md(message), icon=":material/warning:")
    st_folium(
        state_map(district_outlines(), overview.zones, overview.checkpoints, overview.centres),
        key="state_map",
        height=620,
        use_container_width=True,
        returned_objects=[],
    )
    if overview.table.empty:
        st.info(_("No district has a store here yet."))
        return
    table = overview.table.assign(last_update_at=overview.table["last_update_at"].map(time_text))
    show_table(table, STATE_TABLE_COLUMNS)
