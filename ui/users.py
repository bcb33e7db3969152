"""The collector's Users page: add planners and police, reset passwords, disable, enable and
unlock — the same rules as the command line, each change in the audit trail."""

from __future__ import annotations

import streamlit as st

from containment.auth import MIN_PASSWORD_LENGTH, Role
from ui import state

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
        c1, c2 = st.columns(2)
        password = c1.text_input(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            type="password",
            key="new_user_password",
        )
        again = c2.text_input("Password again", type="password", key="new_user_again")
        if st.form_submit_button("Add user", type="primary", key="add_user_submit"):
            if password != again:
                st.error("The two passwords differ; type them again.")
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
    c1.button(
        "Disable",
        key="disable_user",
        on_click=state.act,
        args=(lambda ws: ws.set_active(user, False),),
        kwargs={"done": f"{user} disabled: their sessions have ended."},
    )
    c2.button(
        "Enable",
        key="enable_user",
        on_click=state.act,
        args=(lambda ws: ws.set_active(user, True),),
        kwargs={"done": f"{user} may log in again."},
    )
    c3.button(
        "Unlock",
        key="unlock_user",
        help="Lift the 15-minute lock after five wrong passwords.",
        on_click=state.act,
        args=(lambda ws: ws.unlock(user),),
        kwargs={"done": f"{user} unlocked."},
    )
    with st.form("reset_password", clear_on_submit=True):
        password = st.text_input("New password", type="password", key="reset_password_1")
        again = st.text_input("New password again", type="password", key="reset_password_2")
        if st.form_submit_button("Reset the password"):
            if password != again:
                st.error("The two passwords differ; type them again.")
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
