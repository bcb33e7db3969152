"""Exports for the police and others: approved zones as GeoJSON, KML, GeoPackage or CSV."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

import containment as cp
from containment.auth import Permission
from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.i18n import N_, _, n_
from containment.io.export import PUBLIC_COLUMNS, public_zones
from containment.render.labels import ZONE_LABELS
from containment.render.printable import svg_map
from ui import state
from ui.tables import show_table

_FORMATS = {
    ".geojson": (N_("GeoJSON (zones only)"), "application/geo+json"),
    ".kml": (N_("KML (Google Earth)"), "application/vnd.google-earth.kml+xml"),
    ".gpkg": (N_("GeoPackage (QGIS)"), "application/geopackage+sqlite3"),
    ".shp.zip": (N_("Shapefile (zip)"), "application/zip"),
    ".csv": (N_("CSV (attributes)"), "text/csv"),
}


# What can be exported, in the order a user needs it: the zones in force are the police's.
_GROUPS = {
    "in_force": N_("In force (notified, not released)"),
    "released": N_("Released"),
    "proposed": N_("Proposed, not yet notified"),
    "draft": N_("Drafts"),
}
_ORDERED = ["in_force", "released"]  # all a role that sees only orders may export


def _zones_of(zones: gpd.GeoDataFrame, group: str) -> gpd.GeoDataFrame:
    if zones.empty:
        return zones
    if group == "in_force":
        return zones[zones["in_force"].astype(bool)]
    return zones[zones["status"] == group]


def _file(zones: gpd.GeoDataFrame, suffix: str, synthetic: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = cp.write_zones(
            zones, Path(folder) / f"zones{suffix}", state.district(), synthetic=synthetic
        )
        return path.read_bytes()


@state.page
def page() -> None:
    st.title(_("Export zones"))
    st.write(
        _(
            "The zones as files, with their dates and figures, for GIS, Google Earth and other "
            "systems. No export carries names, phone numbers, addresses, case ids or planners' "
            "notes."
        )
    )
    zones = state.zones()
    groups = list(_GROUPS) if state.workspace().may(Permission.READ_DRAFT_ZONES) else _ORDERED
    group = st.radio(
        _("Zones"), groups, format_func=lambda g: _(_GROUPS[g]), horizontal=True, key="export_of"
    )
    chosen = _zones_of(zones, group)
    if chosen.empty:
        st.info(
            _(
                "No zones with these statuses. The collector notifies zones on the *Plan zones* "
                "page."
            )
        )
        return
    public = public_zones(chosen, state.district(), synthetic=state.holds_synthetic_cases())
    st.subheader(
        n_(
            "Preview: {n} zone, every column the files hold",
            "Preview: {n} zones, every column the files hold",
            len(public),
        )
    )
    st.caption(
        _(
            "In the files the columns keep short English names and codes, the same whatever "
            "the language of the app, so that the police's and others' systems read every file "
            "alike."
        )
    )
    show_table(public, {"data": N_("Data"), **{c: ZONE_LABELS[c] for c in PUBLIC_COLUMNS}})
    st.caption(_(PUBLIC_RELEASE_NOTE))
    with st.expander(_("Map of the exported zones")):
        st.markdown(
            svg_map(state.district(), chosen, centres=chosen.iloc[0:0]), unsafe_allow_html=True
        )
    date = state.working_date()
    cols = st.columns(3)  # three to a row: five would cut "GeoJSON (zones only)" at 1280 px
    for n, (suffix, (label, mime)) in enumerate(_FORMATS.items()):
        with cols[n % 3]:
            state.download(
                label,
                functools.partial(_file, chosen, suffix),
                file_name=f"{state.district().name.lower()}-zones-{date:%Y-%m-%d}{suffix}",
                mime=mime,
                rows=len(chosen),
            )
    if state.workspace().may(Permission.READ_CASES):
        where = _(
            "These files hold the zones alone. The police's package, the notified zones with "
            "their checkpoints, is on the *Field work* page once checkpoints are placed."
        )
    else:
        where = _(
            "These files hold the zones alone. The package with each zone's checkpoints is on "
            "the *Zones in force* page."
        )
    st.caption(where)
