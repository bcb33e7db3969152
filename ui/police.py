"""The police view: zones in force, their checkpoints and the centres — never case points."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from containment.i18n import _, date_text, n_
from containment.io.export import PUBLIC_COLUMNS, public_zones
from containment.render.labels import ZONE_LABELS
from containment.render.mapview import MapLayers, build_map
from containment.render.text import markdown_text as md
from ui import state
from ui.fieldwork import CHECKPOINT_COLUMNS, police_downloads
from ui.papers import zone_papers
from ui.tables import show_table


@state.page
def page() -> None:
    district = state.district()
    as_of = state.working_date()
    st.title(_("{district}: zones in force", district=md(district.name)))
    zones = state.zones()
    in_force = zones[zones["in_force"]] if len(zones) else zones
    checkpoints = state.workspace().checkpoints()
    checkpoints = checkpoints[checkpoints["zone_id"].isin(in_force["zone_id"])]
    centres = state.centres()
    st.caption(
        _(
            "Zones notified by the collector and in force on {day}, with their entry and exit "
            "checkpoints and the COVID centres.",
            day=date_text(as_of),
        )
    )
    st_folium(
        build_map(
            district,
            MapLayers(
                zones=in_force,
                centres=centres,
                checkpoints=checkpoints,
                own=state.own_layers(),
            ),
            draw=False,
        ),
        key="police_map",
        height=560,
        use_container_width=True,
        returned_objects=[],
    )
    if in_force.empty:
        st.info(_("No zone is in force on this day."))
        return
    st.subheader(n_("{n} zone in force", "{n} zones in force", len(in_force)))
    show_table(public_zones(in_force, district), {c: ZONE_LABELS[c] for c in PUBLIC_COLUMNS})
    st.subheader(n_("{n} checkpoint", "{n} checkpoints", len(checkpoints)))
    if len(checkpoints):
        show_table(checkpoints, CHECKPOINT_COLUMNS)
    else:
        st.caption(_("No checkpoint has been placed on these zones yet."))
    police_downloads(in_force, checkpoints)
    zone_papers(in_force, checkpoints, centres, as_of=as_of, key="police")
