"""Small pieces of form that several pages share."""

from __future__ import annotations

import streamlit as st

from containment.auth import MIN_PASSWORD_LENGTH

__all__ = ["new_password", "passwords_match"]


def new_password(key: str, *, label: str = "Password") -> tuple[str, str]:
    """Two password boxes side by side (``{key}_password``, ``{key}_again``); their values."""
    c1, c2 = st.columns(2)
    first = c1.text_input(
        f"{label} (at least {MIN_PASSWORD_LENGTH} characters)",
        type="password",
        key=f"{key}_password",
    )
    again = c2.text_input(f"{label} again", type="password", key=f"{key}_again")
    return first, again


def passwords_match(first: str, again: str) -> bool:
    """Whether the two are the same; if not, says so on the page."""
    if first != again:
        st.error("The two passwords differ; type them again.")
        return False
    return True
