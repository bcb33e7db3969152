"""The collector's Users page: add planners and police, reset passwords, disable, enable and
unlock — the same rules as the command line, each change in the audit trail."""

from __future__ import annotations

import streamlit as st

from containment.auth import Role
from ui import state
from ui.widgets import new_password, passwords_match

_COLUMNS = {
    "username": "User",
    "role": "Role",
    "active": "May log in",
    "locked_until": "Locked until (UTC)",
    "created_at": "Added (UTC)",
    "password_set_at": "Password set (UTC)",
}


def _add() -> None:
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        c1, c2 = st.columns(2)
        name = c1.text_input("User name", key="new_user_name")
        role = c2.selectbox("Role", list(Role), format_func=str, key="new_user_role")
        password, again = new_password("new_user")
        if st.form_submit_button("Add user", type="primary", key="add_user_submit"):
            if not passwords_match(password, again):
                return
            added = state.act(
                lambda ws: ws.add_user(name, role, password),
                done=f"{name.strip().lower()} added as {role}.",
            )
            if added:
                st.rerun()
            state.show_flash()


def _change(usernames: list[str]) -> None:
    st.markdown("**Change a user**")
    user = st.selectbox("User", usernames, key="chosen_user")
    c1, c2, c3 = st.columns(3)
    state.action_button(
        "Disable",
        lambda ws: ws.set_active(user, False),
        key="disable_user",
        done=f"{user} disabled: their sessions have ended.",
        where=c1,
    )
    state.action_button(
        "Enable",
        lambda ws: ws.set_active(user, True),
        key="enable_user",
        done=f"{user} may log in again.",
        where=c2,
    )
    state.action_button(
        "Unlock",
        lambda ws: ws.unlock(user),
        key="unlock_user",
        done=f"{user} unlocked.",
        where=c3,
        help="Lift the 15-minute lock after five wrong passwords.",
    )
    with st.form("reset_password", clear_on_submit=True):
        password, again = new_password("reset", label="New password")
        if st.form_submit_button("Reset the password", key="reset_submit"):
            if not passwords_match(password, again):
                return
            if state.act(
                lambda ws: ws.reset_password(user, password),
                done=f"Password of {user} reset: their sessions have ended.",
            ):
                st.rerun()
            state.show_flash()


@state.page
def page() -> None:
    st.title("Users")
    st.caption(
        "Planners import, draw and propose; the police see the zones in force; collectors "
        "also notify and release zones, read the audit trail and manage users."
    )
    users = state.workspace().users()
    shown = users.rename(columns=_COLUMNS)
    st.dataframe(shown[list(_COLUMNS.values())], hide_index=True, width="stretch")
    _add()
    _change(users["username"].tolist())
