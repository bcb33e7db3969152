"""Import the day's line list: see what was accepted and rejected and what would change, then
confirm; the collector can take an import back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import containment as cp
from containment.auth import Permission
from containment.i18n import N_, _, date_text, n_, number, time_text
from containment.io.dates import EPIDEMIC_START
from containment.render.text import markdown_text as md
from ui import state
from ui.tables import PROBLEM_COLUMNS, show_table
from ui.widgets import TABLE_UPLOAD_MB, uploader

_ACCEPTED = {
    "reported_on": N_("Reported"),
    "status": N_("Status"),
    "village": N_("Village"),
    "block": N_("Block"),
    "placed_by": N_("Placed by"),
    "row": N_("Row"),
}
_NOTES = {"row": N_("Row"), "reason": N_("Note")}
_IMPORTS = {
    "import_id": N_("Import"),
    "source": N_("File"),
    "imported_at": N_("When"),
    "added": N_("Added"),
    "updated": N_("Updated"),
    "rejected": N_("Rejected"),
    "synthetic": N_("Synthetic"),
    "undone_at": N_("Undone"),
}


def offer_sample() -> None:
    district = state.district()
    if district.sample_cases is None:
        return
    if st.button(_("Load the SYNTHETIC sample line list (not real cases)"), key="load_sample"):
        result = cp.read_cases(district.sample_cases, district)
        saved = state.act(
            lambda ws: ws.import_cases(
                result.cases,
                source=f"{district.sample_cases.name} (synthetic)",  # a record: as written
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
    c1.metric(_("Accepted rows"), number(result.accepted_count))
    c2.metric(_("Rejected rows"), number(len(result.rejected)))
    if result.rejected:
        st.markdown(_("**Rejected rows** — correct them in the file and upload again:"))
        show_table(
            pd.DataFrame(
                [{"row": p.row, "field": p.field, "reason": p.reason} for p in result.rejected]
            ),
            PROBLEM_COLUMNS,
        )
    if result.notes:
        st.markdown(_("**Accepted with a note:**"))
        show_table(pd.DataFrame([{"row": p.row, "reason": p.reason} for p in result.notes]), _NOTES)
    if result.accepted_count:
        with st.expander(_("Accepted rows ({n})", n=number(result.accepted_count))):
            show_table(result.cases, _ACCEPTED)


def _save(result: cp.CaseList, source: str) -> None:
    ws = state.workspace()
    preview = ws.preview_import(result.cases, rejected=len(result.rejected))
    st.markdown(
        _("**If you save, the store gets:**")
        + "\n\n"
        + "\n".join(
            ("    - " if line.startswith(" ") else "- ") + md(line.strip())
            for line in preview.lines()
        )
    )
    sample = ws.synthetic_cases()
    replace = False
    if result.synthetic:
        st.warning(
            _(
                "This file says it is SYNTHETIC (its Data column): it is saved as the synthetic "
                "sample, never as real cases, and every page, pack and export says so."
            )
        )
    elif sample:
        st.warning(
            n_(
                "This store holds the SYNTHETIC sample ({n} case that is not real). Real cases "
                "are never mixed with it: saving removes the sample, and the zones drawn since "
                "it was loaded, first.",
                "This store holds the SYNTHETIC sample ({n} cases that are not real). Real "
                "cases are never mixed with it: saving removes the sample, and the zones drawn "
                "since it was loaded, first.",
                sample,
            )
        )
        replace = st.checkbox(
            _("Remove the synthetic sample and save the real cases"), key="replace"
        )
    label = n_("Save {n} accepted case", "Save {n} accepted cases", result.accepted_count)
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
            saved = "; ".join(line.strip() for line in summary.value.lines())
            state.flash(
                "success",
                n_(
                    "Saved: {saved}. The synthetic sample ({n} case) was removed.",
                    "Saved: {saved}. The synthetic sample ({n} cases) was removed.",
                    removed,
                    saved=saved,
                )
                if removed
                else _("Saved: {saved}.", saved=saved),
            )
            st.rerun()
        state.show_flash()


def _history() -> None:
    ws = state.workspace()
    history = ws.imports()
    if history.empty:
        return
    st.subheader(_("Imports so far"))
    show_table(history, _IMPORTS)
    live = history[history["undone_at"].isna()]
    if not ws.may(Permission.UNDO_IMPORTS) or live.empty:
        return
    with st.expander(_("Undo an import (collector)")):
        labels = {
            int(
                r.import_id
            ): f"{r.import_id}: {r.source} ({time_text(pd.Timestamp(r.imported_at))})"
            for r in live.itertuples()
        }
        chosen = st.selectbox(
            _("Import"), list(labels)[::-1], format_func=labels.get, key="undo_id"
        )
        st.caption(
            _(
                "The cases it added are removed and the ones it updated get their earlier "
                "values back, in one step; the audit trail keeps a record."
            )
        )
        state.action_button(
            _("Undo this import"),
            lambda fresh: fresh.undo_import(chosen),
            key="undo_import",
            done=_("Import {number} undone.", number=chosen),
        )


@state.page
def page() -> None:
    st.title(_("Import cases"))
    st.write(
        _(
            "Upload the day's positive-case line list (CSV, Excel, GeoJSON or GeoPackage). You "
            "will see every accepted and rejected row, and what would change, before anything "
            "is saved. Names, phone numbers and addresses in the file are never read."
        )
    )
    upload = uploader(
        _("Line list"),
        ["csv", "xlsx", "geojson", "json", "gpkg"],
        cap_mb=TABLE_UPLOAD_MB,
        key=f"line_list_{st.session_state.get('uploads', 0)}",
        help=_("A larger line list is imported from the command line: `containment import`."),
    )
    with st.expander(_("Dates before {day}", day=date_text(EPIDEMIC_START))):
        earliest = st.date_input(
            _("Refuse dates before"),
            value=EPIDEMIC_START,
            format="DD-MM-YYYY",
            help=_(
                "India's first case was reported on {day}: earlier dates are taken as typos "
                "(01-01-1900, 2002 for 2020). Set an earlier day only if the list has real "
                "cases from before it.",
                day=date_text(EPIDEMIC_START),
            ),
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
