"""The collector's Users page: add planners and police, reset passwords, disable, enable and
unlock — the same rules as the command line, each change in the audit trail."""

from __future__ import annotations

import streamlit as st

from containment.auth import Role
from containment.i18n import N_, _
from containment.render.labels import code_label
from ui import state
from ui.tables import show_table
from ui.widgets import new_password, passwords_match

_COLUMNS = {
    "username": N_("User"),
    "role": N_("Role"),
    "active": N_("May log in"),
    "language": N_("Language"),
    "locked_until": N_("Locked until"),
    "created_at": N_("Added on"),
    "password_set_at": N_("Password set on"),
}


def _add() -> None:
    with st.form("add_user", clear_on_submit=True):
        st.markdown(_("**Add a user**"))
        c1, c2 = st.columns(2)
        name = c1.text_input(_("User name"), key="new_user_name")
        role = c2.selectbox(
            _("Role"),
            [r for r in Role if r is not Role.STATE],
            format_func=code_label,
            key="new_user_role",
        )
        password, again = new_password("new_user")
        if st.form_submit_button(_("Add user"), type="primary", key="add_user_submit"):
            if not passwords_match(password, again):
                return
            added = state.act(
                lambda ws: ws.add_user(name, role, password),
                done=_("{user} added as {role}.", user=name.strip().lower(), role=code_label(role)),
            )
            if added:
                st.rerun()
            state.show_flash()


def _change(usernames: list[str]) -> None:
    st.markdown(_("**Change a user**"))
    user = st.selectbox(_("User"), usernames, key="chosen_user")
    c1, c2, c3 = st.columns(3)
    state.action_button(
        _("Disable"),
        lambda ws: ws.set_active(user, False),
        key="disable_user",
        done=_("{user} disabled: their sessions have ended.", user=user),
        where=c1,
    )
    state.action_button(
        _("Enable"),
        lambda ws: ws.set_active(user, True),
        key="enable_user",
        done=_("{user} may log in again.", user=user),
        where=c2,
    )
    state.action_button(
        _("Unlock"),
        lambda ws: ws.unlock(user),
        key="unlock_user",
        done=_("{user} unlocked.", user=user),
        where=c3,
        help=_("Lift the 15-minute lock after five wrong passwords."),
    )
    with st.form("reset_password", clear_on_submit=True):
        password, again = new_password("reset", new=True)
        if st.form_submit_button(_("Reset the password"), key="reset_submit"):
            if not passwords_match(password, again):
                return
            if state.act(
                lambda ws: ws.reset_password(user, password),
                done=_("Password of {user} reset: their sessions have ended.", user=user),
            ):
                st.rerun()
            state.show_flash()


@state.page
def page() -> None:
    st.title(_("Users"))
    st.caption(
        _(
            "Planners import, draw and propose; the police see the zones in force; collectors "
            "also notify and release zones, read the audit trail and manage users."
        )
    )
    users = state.workspace().users()
    show_table(users, _COLUMNS)
    _add()
    _change(users["username"].tolist())
