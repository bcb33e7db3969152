"""The collector's meeting view: figures, blocks, map, changes; any past date; a printable pack."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from containment.engine.timeline import reported_in
from containment.field.meeting import block_table, changes_since, headline, quarantine_by_block
from containment.i18n import N_, _, date_text, number
from containment.render.charts import meeting_charts
from containment.render.mapview import MapLayers, build_map
from containment.render.pdf.meeting_pack import meeting_pack_pdf
from containment.render.text import markdown_text as md
from ui import crossings, meeting_trends, state
from ui.tables import show_table, show_wrapped_table

_BLOCK_COLUMNS = {
    "block": N_("Block"),
    "new_cases_14d": N_("New cases (14 days)"),
    "zones_in_force": N_("Zones in force"),
    "people_in_containment": N_("People in containment"),
    "households_in_containment": N_("Households in containment"),
    "beds_total": N_("Beds"),
    "beds_free": N_("Beds free"),
}
_CHANGES_COLUMNS = {"date": N_("Date"), "change": N_("Change"), "detail": N_("Detail")}
_QUARANTINE_COLUMNS = {
    "block": N_("Block"),
    "homes_in_quarantine": N_("Homes in quarantine"),
    "violations": N_("Violations"),
    "actions_taken": N_("Actions taken"),
}


@state.page
def page() -> None:
    district = state.district()
    cases = state.cases()
    end = state.working_date()
    start = pd.Timestamp(cases["reported_on"].min()).date() if not cases.empty else end
    st.title(_("{district}: meeting view", district=md(district.name)))
    as_of = (
        st.slider(
            _("Situation as of"), min_value=start, max_value=end, value=end, format="DD-MM-YYYY"
        )
        if start < end
        else end
    )
    since = st.date_input(
        _("Changes since"),
        value=as_of - dt.timedelta(days=7),
        max_value=as_of,
        format="DD-MM-YYYY",
    )
    zones = state.zones(as_of)
    centres = state.centres()
    known = reported_in(cases, until=as_of)
    figures = dataclasses.asdict(headline(zones, known, centres, district, as_of=as_of))
    row1 = st.columns(4)
    row1[0].metric(_("New cases, 14 days"), number(figures["new_cases_14d"]))
    row1[1].metric(_("Zones in force"), number(figures["zones_in_force"]))
    row1[2].metric(_("People in containment"), number(figures["people_in_containment"]))
    row1[3].metric(_("Households in containment"), number(figures["households_in_containment"]))
    row2 = st.columns(4)
    row2[0].metric(_("Cases to date"), number(figures["cases_to_date"]))
    row2[1].metric(_("Zones due for release"), number(figures["zones_due_for_release"]))
    row2[2].metric(_("Beds free"), number(figures["beds_free"]))
    row2[3].metric(_("Beds in centres"), number(figures["beds_total"]))
    meeting_trends.section(state.workspace(), as_of=as_of)

    # The map takes the width (a projector at 1280×720 has no room beside it); tables below.
    in_force = zones[zones["in_force"]] if len(zones) else zones
    reaching = crossings.section(as_of)
    st_folium(
        build_map(
            district,
            MapLayers(
                zones=in_force,
                cases=known,
                centres=centres,
                own=state.own_layers(),
                crossings=reaching,
            ),
            draw=False,
        ),
        key="meeting_map",
        height=560,
        use_container_width=True,
        returned_objects=[],
    )
    # Plain tables: their headings and sentences wrap instead of being cut off at 1280×720.
    st.subheader(_("By block"))
    show_wrapped_table(block_table(zones, known, centres, district, as_of=as_of), _BLOCK_COLUMNS)
    st.subheader(_("Changes since {day}", day=date_text(since)))
    show_wrapped_table(changes_since(zones, known, since=since, as_of=as_of), _CHANGES_COLUMNS)
    homes = state.workspace().homes()
    if len(homes):
        st.subheader(_("Home quarantine"))
        violations = state.workspace().violations()
        show_table(
            quarantine_by_block(homes, violations, district, as_of=as_of), _QUARANTINE_COLUMNS
        )
    due = zones[zones["due_for_release"]] if len(zones) else zones
    if len(due):
        st.warning(_("Due for release: {zones}", zones=md(", ".join(due["name"]))))
    ws = state.workspace()  # the file is made on another thread, where st.session_state is not
    state.download(
        N_("Download the meeting pack (PDF, A4 landscape)"),
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
