"""The police view: zones in force, their checkpoints and the centres — never case points."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from containment.io.export import PUBLIC_COLUMNS, public_zones
from containment.render.labels import labelled
from containment.render.mapview import MapLayers, build_map
from containment.render.text import markdown_text as md
from ui import state
from ui.fieldwork import police_downloads
from ui.papers import zone_papers


@state.page
def page() -> None:
    district = state.district()
    as_of = state.working_date()
    st.title(f"{md(district.name)}: zones in force")
    zones = state.zones()
    in_force = zones[zones["in_force"]] if len(zones) else zones
    checkpoints = state.workspace().checkpoints()
    checkpoints = checkpoints[checkpoints["zone_id"].isin(in_force["zone_id"])]
    centres = state.centres()
    st.caption(
        f"Zones notified by the collector and in force on {as_of:%d-%m-%Y}, with their entry "
        "and exit checkpoints and the COVID centres."
    )
    st_folium(
        build_map(
            district,
            MapLayers(zones=in_force, centres=centres, checkpoints=checkpoints),
            draw=False,
        ),
        key="police_map",
        height=560,
        use_container_width=True,
        returned_objects=[],
    )
    if in_force.empty:
        st.info("No zone is in force on this day.")
        return
    st.subheader(f"{len(in_force)} zones in force")
    st.dataframe(
        labelled(public_zones(in_force, district), PUBLIC_COLUMNS),
        hide_index=True,
        width="stretch",
    )
    st.subheader(f"{len(checkpoints)} checkpoints")
    police_downloads(in_force, checkpoints)
    zone_papers(in_force, checkpoints, centres, as_of=as_of, key="police")
