"""The audit trail: who did what, when — filter it and download it (collector only)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from containment.i18n import N_, _, n_
from containment.io.export import csv_text
from containment.render.labels import code_label
from ui import state
from ui.tables import show_table

_COLUMNS = {
    "at": N_("When"),
    "username": N_("User"),
    "role": N_("Role"),
    "action": N_("Action"),
    "subject": N_("What"),
    "detail": N_("Change"),
}
_EVERYONE, _ALL = "(everyone)", "(all)"


@state.page
def page() -> None:
    ws = state.workspace()
    st.title(_("Audit trail"))
    st.caption(
        _(
            "Every import, zone change, status change, centre change, login and export, with "
            "who and when (times in IST). Entries hold counts, zone names and file names, never "
            "patient data."
        )
    )
    users = ws.audit(action=None)["username"].drop_duplicates().sort_values().tolist()
    c1, c2, c3, c4 = st.columns(4)
    today = dt.datetime.now(dt.UTC).date()
    since = c1.date_input(_("From"), value=today - dt.timedelta(days=30), format="DD-MM-YYYY")
    until = c2.date_input(_("To"), value=today, format="DD-MM-YYYY")
    user = c3.selectbox(
        _("User"),
        [_EVERYONE, *users],
        format_func=lambda u: _("(everyone)") if u == _EVERYONE else u,
        key="audit_user",
    )
    action = c4.selectbox(
        _("Action"),
        [_ALL, *ws.audit_actions()],
        format_func=lambda a: _("(all)") if a == _ALL else code_label(a),
        key="audit_action",
    )
    entries = ws.audit(
        since=dt.datetime.combine(since, dt.time(), dt.UTC),
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC),
        username=None if user == _EVERYONE else user,
        action=None if action == _ALL else action,
    )
    st.markdown("**" + n_("{n} entry", "{n} entries", len(entries)) + "**")
    show_table(entries, _COLUMNS)
    state.download(
        N_("Download (CSV)"),
        lambda synthetic: csv_text(entries, synthetic=synthetic),
        file_name=f"{state.district().name.lower()}-audit-{since:%Y%m%d}-{until:%Y%m%d}.csv",
        mime="text/csv",
        rows=len(entries),
    )
