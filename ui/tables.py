"""Tables on a page: every one through :func:`containment.render.labels.display_table`, so
columns have plain headings in the reader's language, numbers Indian digit grouping (aligned
right), dates DD-MM-YYYY, times IST and missing values nothing at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from containment.i18n import N_
from containment.render.labels import display_table
from containment.render.text import markdown_text as md

__all__ = ["PROBLEM_COLUMNS", "show_table", "show_wrapped_table"]

#: The problems found in the rows of an uploaded file.
PROBLEM_COLUMNS = {"row": N_("Row"), "field": N_("Field"), "reason": N_("Reason")}


def show_table(
    frame: pd.DataFrame,
    headings: Mapping[str, str],
    *,
    digits: Mapping[str, int] | None = None,
    where: Any = st,
    **options: Any,
) -> None:
    """The columns of ``frame`` named in ``headings`` (column: English heading marked with
    ``N_()``), as a table on the page (``where``: a column, say)."""
    shown = display_table(frame, headings, digits=digits)
    numbers = {
        heading: st.column_config.TextColumn(heading, alignment="right")
        for heading in shown.attrs["numbers"]
    }
    where.dataframe(shown, hide_index=True, width="stretch", column_config=numbers, **options)


def show_wrapped_table(
    frame: pd.DataFrame, headings: Mapping[str, str], *, digits: Mapping[str, int] | None = None
) -> None:
    """Like :func:`show_table`, as a plain table whose headings and cells wrap: nothing is cut
    off on a narrow screen (a projector at 1280x720), at the cost of sorting and scrolling."""
    shown = display_table(frame, headings, digits=digits)
    numbers = list(shown.attrs["numbers"])
    shown = shown.map(md)  # st.table reads its cells as Markdown: a name stays text
    right = {"text-align": "right"}
    st.table(shown.style.hide(axis="index").set_properties(subset=numbers, **right))
