"""The collector's meeting view: figures, blocks, map, changes; any past date; a printable pack."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from containment.engine.timeline import reported_in
from containment.field.meeting import block_table, changes_since, headline, quarantine_by_block
from containment.i18n import _
from containment.render.charts import meeting_charts
from containment.render.mapview import MapLayers, build_map
from containment.render.pdf.meeting_pack import meeting_pack_pdf
from containment.render.text import markdown_text as md
from ui import meeting_trends, state

_BLOCK_COLUMNS = {
    "block": "Block",
    "new_cases_14d": "New cases (14 days)",
    "zones_in_force": "Zones in force",
    "people_in_containment": "People in containment",
    "households_in_containment": "Households in containment",
    "beds_total": "Beds",
    "beds_free": "Beds free",
}


@state.page
def page() -> None:
    district = state.district()
    cases = state.cases()
    end = state.working_date()
    start = pd.Timestamp(cases["reported_on"].min()).date() if not cases.empty else end
    st.title(f"{md(district.name)}: meeting view")
    as_of = (
        st.slider("Situation as of", min_value=start, max_value=end, value=end, format="DD-MM-YYYY")
        if start < end
        else end
    )
    since = st.date_input(
        "Changes since", value=as_of - dt.timedelta(days=7), max_value=as_of, format="DD-MM-YYYY"
    )
    zones = state.zones(as_of)
    centres = state.centres()
    known = reported_in(cases, until=as_of)
    figures = dataclasses.asdict(headline(zones, known, centres, district, as_of=as_of))
    row1 = st.columns(4)
    row1[0].metric("New cases, 14 days", f"{figures['new_cases_14d']:,}")
    row1[1].metric("Zones in force", figures["zones_in_force"])
    row1[2].metric("People in containment", f"{figures['people_in_containment']:,}")
    row1[3].metric("Households in containment", f"{figures['households_in_containment']:,}")
    row2 = st.columns(4)
    row2[0].metric("Cases to date", f"{figures['cases_to_date']:,}")
    row2[1].metric("Zones due for release", figures["zones_due_for_release"])
    row2[2].metric("Beds free", f"{figures['beds_free']:,}")
    row2[3].metric("Beds in centres", f"{figures['beds_total']:,}")
    meeting_trends.section(state.workspace(), as_of=as_of)

    left, right = st.columns([3, 2])
    with left:
        in_force = zones[zones["in_force"]] if len(zones) else zones
        st_folium(
            build_map(
                district, MapLayers(zones=in_force, cases=known, centres=centres), draw=False
            ),
            key="meeting_map",
            height=520,
            use_container_width=True,
            returned_objects=[],
        )
    with right:
        st.subheader("By block")
        table = block_table(zones, known, centres, district, as_of=as_of)
        st.dataframe(table.rename(columns=_BLOCK_COLUMNS), hide_index=True, width="stretch")
        st.subheader(f"Changes since {since:%d-%m-%Y}")
        st.dataframe(
            changes_since(zones, known, since=since, as_of=as_of), hide_index=True, width="stretch"
        )
    homes = state.workspace().homes()
    if len(homes):
        st.subheader("Home quarantine")
        violations = state.workspace().violations()
        st.dataframe(
            quarantine_by_block(homes, violations, district, as_of=as_of),
            hide_index=True,
            width="stretch",
        )
    due = zones[zones["due_for_release"]] if len(zones) else zones
    if len(due):
        st.warning("Due for release: " + md(", ".join(due["name"])))
    ws = state.workspace()  # the file is made on another thread, where st.session_state is not
    state.download(
        _("Download the meeting pack (PDF, A4 landscape)"),
        lambda synthetic: meeting_pack_pdf(
            district,
            zones,
            known,
            centres,
            as_of=as_of,
            since=since,
            synthetic=synthetic,
            charts=meeting_charts(ws.trends(district, as_of=as_of)),
        ),
        file_name=f"{district.name.lower()}-meeting-{as_of:%Y-%m-%d}.pdf",
        mime="application/pdf",
        rows=len(zones),
    )
