"""Exports for the police and others: approved zones as GeoJSON, KML, GeoPackage or CSV."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

import containment as cp
from containment.io.export import public_zones
from containment.render.printable import svg_map
from ui import state

_FORMATS = {
    ".geojson": ("GeoJSON (police)", "application/geo+json"),
    ".kml": ("KML (Google Earth)", "application/vnd.google-earth.kml+xml"),
    ".gpkg": ("GeoPackage (QGIS)", "application/geopackage+sqlite3"),
    ".shp.zip": ("Shapefile (zip)", "application/zip"),
    ".csv": ("CSV (attributes)", "text/csv"),
}


def _file(zones: gpd.GeoDataFrame, suffix: str, synthetic: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = cp.write_zones(
            zones, Path(folder) / f"zones{suffix}", state.district(), synthetic=synthetic
        )
        return path.read_bytes()


@state.page
def page() -> None:
    st.title("Export zones")
    st.write(
        "Approved (notified) zones for the police, with their dates and figures. No export "
        "carries names, phone numbers, addresses, case ids or planners' notes."
    )
    zones = state.zones()
    statuses = st.multiselect(
        "Zones with status", ["notified", "proposed", "draft", "released"], default=["notified"]
    )
    chosen = zones[zones["status"].isin(statuses)] if len(zones) else zones
    if "notified" in statuses and len(chosen):
        chosen = chosen[(chosen["status"] != "notified") | chosen["in_force"]]
    if chosen.empty:
        st.info(
            "No zones with these statuses. The collector notifies zones on the *Plan zones* page."
        )
        return
    public = public_zones(chosen, state.district(), synthetic=state.holds_synthetic_cases())
    st.subheader(f"Preview: {len(public)} zones, the columns exactly as exported")
    st.dataframe(public.drop(columns="geometry"), hide_index=True, width="stretch")
    with st.expander("Map of the exported zones"):
        st.markdown(
            svg_map(state.district(), chosen, centres=chosen.iloc[0:0]), unsafe_allow_html=True
        )
    date = state.working_date()
    cols = st.columns(len(_FORMATS))
    for col, (suffix, (label, mime)) in zip(cols, _FORMATS.items(), strict=True):
        with col:
            state.download(
                label,
                functools.partial(_file, chosen, suffix),
                file_name=f"{state.district().name.lower()}-zones-{date:%Y-%m-%d}{suffix}",
                mime=mime,
                rows=len(chosen),
            )
