"""The audit trail: who did what, when — filter it and download it (collector only)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from containment.io.export import csv_text
from ui import state

_COLUMNS = {
    "at": "When (UTC)",
    "username": "User",
    "role": "Role",
    "action": "Action",
    "subject": "What",
    "detail": "Change",
}


@state.page
def page() -> None:
    ws = state.workspace()
    st.title("Audit trail")
    st.caption(
        "Every import, zone change, status change, centre change, login and export, with who "
        "and when. Entries hold counts, zone names and file names, never patient data."
    )
    users = ws.audit(action=None)["username"].drop_duplicates().sort_values().tolist()
    c1, c2, c3, c4 = st.columns(4)
    today = dt.datetime.now(dt.UTC).date()
    since = c1.date_input("From", value=today - dt.timedelta(days=30), format="DD-MM-YYYY")
    until = c2.date_input("To", value=today, format="DD-MM-YYYY")
    user = c3.selectbox("User", ["(everyone)", *users], key="audit_user")
    action = c4.selectbox("Action", ["(all)", *ws.audit_actions()], key="audit_action")
    entries = ws.audit(
        since=dt.datetime.combine(since, dt.time(), dt.UTC),
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC),
        username=None if user == "(everyone)" else user,
        action=None if action == "(all)" else action,
    )
    st.markdown(f"**{len(entries)} entries**")
    shown = entries.rename(columns=_COLUMNS)
    shown["When (UTC)"] = shown["When (UTC)"].str.slice(0, 19).str.replace("T", " ")
    st.dataframe(shown, hide_index=True, width="stretch")
    state.download(
        "Download (CSV)",
        lambda synthetic: csv_text(entries, synthetic=synthetic),
        file_name=f"{state.district().name.lower()}-audit-{since:%Y%m%d}-{until:%Y%m%d}.csv",
        mime="text/csv",
        rows=len(entries),
    )
