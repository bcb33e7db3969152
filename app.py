"""Containment Planner — the Streamlit app. Thin: log in, pages by role, pages in ``ui/``.

streamlit run serve.py                          # Dungarpur; the login page offers every district
streamlit run serve.py -- --district banswara   # one district only (or CONTAINMENT_DISTRICT)
streamlit run serve.py -- --state               # the state control room (or --district state)
"""

import argparse
import functools
import os
import sys
from pathlib import Path

import streamlit as st

from containment.auth import Permission
from containment.i18n import _
from containment.logs import configure_logging
from containment.render.text import markdown_text as md
from containment.service import Workspace
from ui import (
    audit,
    centres,
    export,
    fieldwork,
    imports,
    layers,
    meeting,
    plan,
    police,
    state,
    stateroom,
    users,
)


def _district_flag(argv: list[str]) -> None:
    """``--district NAME`` after ``--`` on the streamlit command line: the same as setting
    CONTAINMENT_DISTRICT (no abbreviations: ``--dist`` from another tool is not it)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--district")
    parser.add_argument("--state", action="store_true")  # the state control room
    known, _ = parser.parse_known_args(argv)
    if known.district:
        os.environ[state.DISTRICT_VARIABLE] = known.district
    if known.state:
        os.environ[state.DISTRICT_VARIABLE] = "state"


_district_flag(sys.argv[1:])
configure_logging()


def ws_refused() -> None:
    st.error(_("This is the state control room: only a state user may open it."))


def pages_for(ws: Workspace | None) -> list[st.Page]:
    """The pages a user's role opens (all of them, hidden, before login: the URL is kept)."""
    if state.state_room():  # the state control room: one page, for the state role only
        room = st.Page(stateroom.page, title=_("State control room"), icon=":material/public:")
        if ws is not None and not ws.may(Permission.READ_STATE):
            return [st.Page(ws_refused, title=_("State control room"))]
        return [room]
    planning = [
        st.Page(plan.page, title=_("Plan zones"), icon=":material/map:", default=True),
        st.Page(
            imports.page, title=_("Import cases"), icon=":material/upload_file:", url_path="import"
        ),
        st.Page(
            centres.page, title=_("Centres"), icon=":material/local_hospital:", url_path="centres"
        ),
        st.Page(
            fieldwork.page, title=_("Field work"), icon=":material/assignment:", url_path="field"
        ),
        st.Page(
            meeting.page, title=_("Meeting view"), icon=":material/groups:", url_path="meeting"
        ),
    ]
    exports = st.Page(export.page, title=_("Export"), icon=":material/download:", url_path="export")
    own = st.Page(layers.page, title=_("Map layers"), icon=":material/layers:", url_path="layers")
    trail = st.Page(audit.page, title=_("Audit trail"), icon=":material/history:", url_path="audit")
    people = st.Page(users.page, title=_("Users"), icon=":material/group:", url_path="users")
    in_force = st.Page(
        police.page, title=_("Zones in force"), icon=":material/map:", url_path="police"
    )
    every = [*planning, exports, own, trail, people, in_force]
    if ws is None:
        return every
    pages = [*planning, exports] if ws.may(Permission.READ_CASES) else [in_force, exports]
    pages += [own] if ws.may(Permission.ADD_MAP_LAYERS) else []
    pages += [trail] if ws.may(Permission.READ_AUDIT) else []
    pages += [people] if ws.may(Permission.MANAGE_USERS) else []
    # A link to a page this role does not have (a colleague's bookmark) opens the role's first.
    mine = {p.url_path for p in pages}
    return pages + [
        st.Page(
            functools.partial(st.switch_page, pages[0]),
            title=page.title,
            url_path=page.url_path or "plan",
            visibility="hidden",
        )
        for page in every
        if page.url_path not in mine
    ]


ws = state.signed_in()  # first: it sets the reader's language
st.set_page_config(
    page_title=_("Containment Planner"),
    page_icon=str(Path(__file__).parent / "static/favicon.png"),
    layout="wide",
)
navigation = st.navigation(pages_for(ws), position="sidebar" if ws else "hidden")
state.sidebar(ws or state.gate())  # the login page, and a stop, until someone is logged in
navigation.run()
if not state.state_room():
    with st.sidebar:
        st.caption(md(state.district().attribution))
