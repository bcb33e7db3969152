"""Import the day's line list: see what was accepted and rejected and what would change, then
confirm; the collector can take an import back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import containment as cp
from containment.auth import Permission
from containment.io.dates import EPIDEMIC_START
from containment.render.text import markdown_text as md
from ui import state

_ACCEPTED = {
    "reported_on": "Reported",
    "status": "Status",
    "village": "Village",
    "block": "Block",
    "placed_by": "Placed by",
    "row": "Row",
}
_IMPORTS = {
    "import_id": "Import",
    "source": "File",
    "imported_at": "When (UTC)",
    "added": "Added",
    "updated": "Updated",
    "rejected": "Rejected",
    "synthetic": "Synthetic",
    "undone_at": "Undone (UTC)",
}


def offer_sample() -> None:
    district = state.district()
    if district.sample_cases is None:
        return
    if st.button("Load the SYNTHETIC sample line list (not real cases)", key="load_sample"):
        result = cp.read_cases(district.sample_cases, district)
        saved = state.act(
            lambda ws: ws.import_cases(
                result.cases,
                source=f"{district.sample_cases.name} (synthetic)",
                rejected=len(result.rejected),
                synthetic=True,
            )
        )
        if saved is None:
            state.show_flash()
            return
        state.follow_new_cases()
        st.rerun()


def _rows_tables(result: cp.CaseList) -> None:
    c1, c2 = st.columns(2)
    c1.metric("Accepted rows", result.accepted_count)
    c2.metric("Rejected rows", len(result.rejected))
    if result.rejected:
        st.markdown("**Rejected rows** — correct them in the file and upload again:")
        st.dataframe(
            pd.DataFrame(
                [{"Row": p.row, "Field": p.field, "Reason": p.reason} for p in result.rejected]
            ),
            hide_index=True,
            width="stretch",
        )
    if result.notes:
        st.markdown("**Accepted with a note:**")
        st.dataframe(
            pd.DataFrame([{"Row": p.row, "Note": p.reason} for p in result.notes]),
            hide_index=True,
            width="stretch",
        )
    if result.accepted_count:
        accepted = result.cases[list(_ACCEPTED)].rename(columns=_ACCEPTED)
        accepted["Reported"] = accepted["Reported"].dt.strftime("%d-%m-%Y")
        with st.expander(f"Accepted rows ({result.accepted_count})"):
            st.dataframe(accepted, hide_index=True, width="stretch")


def _save(result: cp.CaseList, source: str) -> None:
    ws = state.workspace()
    preview = ws.preview_import(result.cases, rejected=len(result.rejected))
    st.markdown(
        "**If you save, the store gets:**\n\n" + "\n".join(f"- {line}" for line in preview.lines())
    )
    sample = ws.synthetic_cases()
    replace = False
    if result.synthetic:
        st.warning(
            "This file says it is SYNTHETIC (its Data column): it is saved as the synthetic "
            "sample, never as real cases, and every page, pack and export says so."
        )
    elif sample:
        st.warning(
            f"This store holds the SYNTHETIC sample ({sample:,} cases that are not real). Real "
            "cases are never mixed with it: saving removes the sample, and the zones drawn "
            "since it was loaded, first."
        )
        replace = st.checkbox("Remove the synthetic sample and save the real cases", key="replace")
    label = f"Save {result.accepted_count} accepted cases"
    held = bool(sample) and not replace and not result.synthetic
    if st.button(label, type="primary", disabled=held, key="save_import"):
        summary = state.act(
            lambda fresh: fresh.import_cases(
                result.cases,
                source=source,
                rejected=len(result.rejected),
                synthetic=result.synthetic,
                replace_synthetic=replace,
            )
        )
        if summary is not None:
            st.session_state["uploads"] = st.session_state.get("uploads", 0) + 1  # a new box
            state.follow_new_cases()
            removed = summary.value.removed_synthetic
            state.flash(
                "success",
                "Saved: "
                + "; ".join(line.strip() for line in summary.value.lines())
                + (f". The synthetic sample ({removed:,} cases) was removed." if removed else "."),
            )
            st.rerun()
        state.show_flash()


def _history() -> None:
    ws = state.workspace()
    history = ws.imports()
    if history.empty:
        return
    st.subheader("Imports so far")
    st.dataframe(history.rename(columns=_IMPORTS), hide_index=True, width="stretch")
    live = history[history["undone_at"].isna()]
    if not ws.may(Permission.UNDO_IMPORTS) or live.empty:
        return
    with st.expander("Undo an import (collector)"):
        labels = {
            int(r.import_id): f"{r.import_id}: {r.source} ({r.imported_at[:16]})"
            for r in live.itertuples()
        }
        chosen = st.selectbox("Import", list(labels)[::-1], format_func=labels.get, key="undo_id")
        st.caption(
            "The cases it added are removed and the ones it updated get their earlier values "
            "back, in one step; the audit trail keeps a record."
        )
        state.action_button(
            "Undo this import",
            lambda fresh: fresh.undo_import(chosen),
            key="undo_import",
            done=f"Import {chosen} undone.",
        )


@state.page
def page() -> None:
    st.title("Import cases")
    st.write(
        "Upload the day's positive-case line list (CSV, Excel, GeoJSON or GeoPackage). "
        "You will see every accepted and rejected row, and what would change, before anything "
        "is saved. Names, phone numbers and addresses in the file are never read."
    )
    upload = st.file_uploader(
        "Line list",
        type=["csv", "xlsx", "geojson", "json", "gpkg"],
        key=f"line_list_{st.session_state.get('uploads', 0)}",
    )
    with st.expander("Dates before 30-01-2020"):
        earliest = st.date_input(
            "Refuse dates before",
            value=EPIDEMIC_START,
            format="DD-MM-YYYY",
            help="India's first case was reported on 30-01-2020: earlier dates are taken as "
            "typos (01-01-1900, 2002 for 2020). Set an earlier day only if the list has real "
            "cases from before it.",
            key="earliest",
        )
    if upload is not None:
        try:
            result = cp.read_cases(
                upload.getvalue(), state.district(), name=upload.name, earliest=earliest
            )
        except cp.ContainmentError as error:
            state.show_error(error)
            return
        st.subheader(md(upload.name))
        st.text(result.summary())
        _rows_tables(result)
        if result.accepted_count:
            _save(result, upload.name)
    if state.cases().empty:
        offer_sample()
    _history()
