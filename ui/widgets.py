"""Small pieces of form that several pages share."""

from __future__ import annotations

import streamlit as st

from containment.auth import MIN_PASSWORD_LENGTH
from containment.i18n import N_, _

__all__ = ["new_password", "passwords_match"]

_FIRST = {
    False: N_("Password (at least {n} characters)"),
    True: N_("New password (at least {n} characters)"),
}
_AGAIN = {False: N_("Password again"), True: N_("New password again")}


def new_password(key: str, *, new: bool = False) -> tuple[str, str]:
    """Two password boxes side by side (``{key}_password``, ``{key}_again``); their values.
    ``new``: the boxes say "New password"."""
    c1, c2 = st.columns(2)
    first = c1.text_input(
        _(_FIRST[new], n=MIN_PASSWORD_LENGTH), type="password", key=f"{key}_password"
    )
    again = c2.text_input(_(_AGAIN[new]), type="password", key=f"{key}_again")
    return first, again


def passwords_match(first: str, again: str) -> bool:
    """Whether the two are the same; if not, says so on the page."""
    if first != again:
        st.error(_("The two passwords differ; type them again."))
        return False
    return True
