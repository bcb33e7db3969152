"""The police view: zones in force, their checkpoints and the centres — never case points."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.field.orders import checkpoint_list, zone_orders
from containment.i18n import N_, _, date_text, n_
from containment.io.export import PUBLIC_COLUMNS, public_zones
from containment.render.labels import ZONE_LABELS
from containment.render.mapview import MapLayers, build_map
from containment.render.text import markdown_text as md
from ui import state
from ui.fieldwork import police_downloads
from ui.papers import zone_papers
from ui.tables import show_table

_CHECKPOINTS = {
    "number": N_("No."),
    "checkpoint_id": N_("Checkpoint"),
    "zone_name": N_("Zone"),
    "road": N_("Road"),
    "road_class": N_("Road type"),
    "village": N_("Village or town"),
}


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
    shown = [c for c in PUBLIC_COLUMNS if c != "released_on"]
    show_table(public_zones(in_force, district), {c: ZONE_LABELS[c] for c in shown})
    st.caption(_(PUBLIC_RELEASE_NOTE))
    orders = zone_orders(in_force, checkpoints, centres, district)
    listed = checkpoint_list(orders, district)
    st.subheader(n_("{n} checkpoint", "{n} checkpoints", len(listed)))
    if len(listed):
        st.caption(_("Zone by zone, numbered as on each zone's sheet and order annexure."))
        show_table(listed, _CHECKPOINTS)
    else:
        st.caption(_("No checkpoint has been placed on these zones yet."))
    police_downloads(in_force, checkpoints)
    zone_papers(in_force, checkpoints, centres, as_of=as_of, key="police")
    _released(zones)


def _released(zones: pd.DataFrame) -> None:
    """Zones released already: apart, with their day, so that nobody still guards them."""
    released = zones[zones["status"] == "released"] if len(zones) else zones
    if released.empty:
        return
    st.subheader(n_("{n} zone released", "{n} zones released", len(released)))
    for row in released.sort_values("released_on", ascending=False).itertuples():
        st.markdown(
            _("{name} — released on {day}", name=md(row.name), day=date_text(row.released_on))
        )
