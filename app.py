"""Containment Planner — the Streamlit app. Thin: navigation here, pages in ``ui/``."""

from pathlib import Path

import streamlit as st

from ui import centres, export, fieldwork, imports, meeting, plan, state

st.set_page_config(
    page_title="Containment Planner",
    page_icon=str(Path(__file__).parent / "static/favicon.png"),
    layout="wide",
)

PAGES = [
    st.Page(plan.page, title="Plan zones", icon=":material/map:", default=True),
    st.Page(imports.page, title="Import cases", icon=":material/upload_file:", url_path="import"),
    st.Page(centres.page, title="Centres", icon=":material/local_hospital:", url_path="centres"),
    st.Page(fieldwork.page, title="Field work", icon=":material/assignment:", url_path="field"),
    st.Page(meeting.page, title="Meeting view", icon=":material/groups:", url_path="meeting"),
    st.Page(export.page, title="Export", icon=":material/download:", url_path="export"),
]
navigation = st.navigation(PAGES)
state.sidebar()
navigation.run()
with st.sidebar:
    st.caption(state.district().attribution)
