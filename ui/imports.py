"""Import the day's line list: see what was accepted and rejected, then confirm."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import containment as cp
from ui import state

_ACCEPTED = {
    "reported_on": "Reported",
    "status": "Status",
    "village": "Village",
    "block": "Block",
    "placed_by": "Placed by",
    "row": "Row",
}


def offer_sample() -> None:
    district = state.district()
    if district.sample_cases is None:
        return
    if st.button("Load the SYNTHETIC sample line list (not real cases)"):
        result = cp.read_cases(district.sample_cases, district)
        saved = state.act(
            lambda ws: ws.import_cases(
                result.cases,
                source=f"{district.sample_cases.name} (synthetic)",
                rejected=len(result.rejected),
            )
        )
        if saved is None:
            state.show_flash()
            return
        st.session_state.pop("working_date", None)
        st.rerun()


@state.page
def page() -> None:
    st.title("Import cases")
    st.write(
        "Upload the day's positive-case line list (CSV, Excel, GeoJSON or GeoPackage). "
        "You will see every accepted and rejected row before anything is saved. Names, phone "
        "numbers and addresses in the file are never read."
    )
    upload = st.file_uploader("Line list", type=["csv", "xlsx", "geojson", "json", "gpkg"])
    if upload is not None:
        try:
            result = cp.read_cases(upload.getvalue(), state.district(), name=upload.name)
        except cp.ContainmentError as error:
            state.show_error(error)
            return
        st.subheader(upload.name)
        st.text(result.summary())
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
            if st.button(f"Save {result.accepted_count} accepted cases", type="primary"):
                summary = state.act(
                    lambda ws: ws.import_cases(
                        result.cases, source=upload.name, rejected=len(result.rejected)
                    )
                )
                if summary is not None:
                    state.flash(
                        "success",
                        f"Saved: {summary.value.added} new cases, {summary.value.updated} "
                        "updated (already known by case id).",
                    )
                state.show_flash()
    if state.cases().empty:
        offer_sample()
    history = state.workspace().imports()
    if not history.empty:
        st.subheader("Imports so far")
        st.dataframe(history, hide_index=True, width="stretch")
