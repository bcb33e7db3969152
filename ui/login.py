"""Log in; on a new embedded store with no users yet, create the collector's account first."""

from __future__ import annotations

import streamlit as st

from containment import i18n
from containment.auth import AuthError
from containment.i18n import _
from containment.render.text import markdown_text as md
from containment.service import first_collector, setup_code
from containment.store.backends import SQLiteBackend
from ui import state
from ui.widgets import new_password, passwords_match


def _first_run() -> None:
    svc = state.service()
    setup_code(svc.store)  # made now, so that it is in the server's log to be read
    st.info(
        _(
            "This store has no users yet. Create the **collector's** account with the set-up "
            "code from the server's log (the window where the app was started): the collector "
            "adds planners and police afterwards (command line: `containment users add`)."
        )
    )
    with st.form("first_collector"):
        code = st.text_input(_("Set-up code (from the server's log)"), key="first_code")
        username = st.text_input(_("Collector's user name"), key="first_username")
        password, again = new_password("first")
        if st.form_submit_button(_("Create the account"), type="primary", key="first_submit"):
            if not passwords_match(password, again):
                return
            try:
                first_collector(svc.store, username, password, code)
            except AuthError as error:
                state.show_error(error)
                return
            st.session_state["login_notice"] = _(
                "Account {name} created: log in.", name=repr(username.strip().lower())
            )
            st.rerun()


def _picked() -> None:
    state.choose_district(st.session_state["district_picker"])


def _district_picker() -> None:
    """Several districts shipped and none fixed at start: pick one (its store, its users)."""
    offered = state.picker_districts()
    if len(offered) < 2:
        return
    names = {d.slug: d.shown_name(i18n.current_language()) for d in offered}
    slugs = list(names)
    st.selectbox(
        _("District"),
        slugs,
        index=slugs.index(state.district_slug()),
        format_func=names.__getitem__,
        key="district_picker",
        on_change=_picked,
        help=_("Each district has its own store and its own users: log in to the one you work in."),
    )


def page() -> None:
    svc = state.service()
    state.language_picker(None)
    where = _("Rajasthan state control room") if state.state_room() else state.district().name
    st.title(_("Containment Planner — {district}", district=md(where)))
    _district_picker()
    message = st.session_state.pop("login_message", None)
    if message:
        st.warning(md(message))
    notice = st.session_state.pop("login_notice", None)
    if notice:
        st.success(md(notice))
    if not svc.has_users():
        if state.state_room():
            st.error(
                _(
                    "The state control room has no users yet. An administrator adds them on "
                    "the server: `containment users add NAME --role state --district state`."
                )
            )
            return
        if isinstance(svc.store.backend, SQLiteBackend):
            _first_run()
        else:
            st.error(
                _(
                    "This database has no users yet. An administrator creates the first ones on "
                    "the server: `containment users add NAME --role collector`."
                )
            )
            return
    with st.form("login"):
        username = st.text_input(_("User name"), key="login_username")
        password = st.text_input(_("Password"), type="password", key="login_password")
        if st.form_submit_button(_("Log in"), type="primary", key="login_submit"):
            try:
                session = svc.login(username, password, client=state.client_address())
            except AuthError as error:
                state.show_error(error)
                return
            st.session_state["session_token"] = session.token
            state.keep_login(session.token)
            chosen = st.session_state.get("login_language")
            picked = st.session_state.get("login_language_chosen")
            if picked and chosen and chosen != session.user.language:  # the last one chosen
                svc.workspace(session.token).set_language(chosen)
            st.rerun()
    kind = _("embedded") if isinstance(svc.store.backend, SQLiteBackend) else "PostGIS"
    # where it is (host, path) is not for anyone who has not logged in
    st.caption(_("Store: {store}", store=kind))
