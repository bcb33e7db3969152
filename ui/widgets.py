"""Small pieces of form that several pages share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from containment.auth import MIN_PASSWORD_LENGTH
from containment.i18n import N_, _, number
from containment.io.layers import MAX_UNPACKED_BYTES
from containment.io.tables import MAX_FILE_BYTES

__all__ = [
    "LAYER_UPLOAD_MB",
    "TABLE_UPLOAD_MB",
    "TILES_UPLOAD_MB",
    "new_password",
    "passwords_match",
    "uploader",
]

# What each upload may be, in Streamlit's megabytes (MiB), so that the uploader's own
# "… MB per file" is the app's cap: a line list or other table as the package reads it, a
# vector layer as it unpacks, and map tiles up to the server's maxUploadSize
# (.streamlit/config.toml; larger tile files are added from the command line).
TABLE_UPLOAD_MB = MAX_FILE_BYTES // 2**20
LAYER_UPLOAD_MB = MAX_UNPACKED_BYTES // 2**20
TILES_UPLOAD_MB = 200


def uploader(
    label: str, types: Sequence[str], *, cap_mb: int, key: str, help: str = "", **options: Any
) -> Any:
    """A file uploader that refuses files over ``cap_mb`` and says its cap in its help (and in
    Streamlit's own "… MB per file" under it)."""
    limit = _("Files up to {mb} MB.", mb=number(cap_mb))
    return st.file_uploader(
        label,
        type=list(types),
        key=key,
        max_upload_size=cap_mb,
        help=f"{help} {limit}".strip(),
        **options,
    )


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
