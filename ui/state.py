"""What every page shares: the district, the store, the working date, and cached figures."""

from __future__ import annotations

import datetime as dt
import os

import geopandas as gpd
import pandas as pd
import streamlit as st

import containment as cp
from containment.lifecycle import describe_zones
from containment.store import SQLiteStore, default_store_path


@st.cache_resource
def district() -> cp.District:
    return cp.load_district(os.environ.get("CONTAINMENT_DISTRICT", cp.DEFAULT_DISTRICT))


@st.cache_resource
def _store(path: str) -> SQLiteStore:
    return SQLiteStore(path)


def store() -> SQLiteStore:
    return _store(str(default_store_path(district().folder.name).resolve()))


def data_version() -> int:
    """The store's revision: it grows with every save by anyone, so cached views refresh."""
    return store().revision()


@st.cache_data(show_spinner=False, max_entries=4)
def _cases(path: str, version: int) -> gpd.GeoDataFrame:
    return _store(path).cases()


def cases() -> gpd.GeoDataFrame:
    return _cases(str(store().path), data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _described(path: str, version: int, as_of: dt.date) -> gpd.GeoDataFrame:
    zones = _store(path).zones()
    return describe_zones(zones, _cases(path, version), district(), as_of=as_of)


def zones(as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """Saved zones with their figures as of the working date (or ``as_of``)."""
    return _described(str(store().path), data_version(), as_of or working_date())


@st.cache_data(show_spinner=False, max_entries=4)
def _centres(path: str, version: int) -> gpd.GeoDataFrame:
    return _store(path).centres()


def centres() -> gpd.GeoDataFrame:
    return _centres(str(store().path), data_version())


def _default_working_date() -> dt.date:
    today = dt.date.today()
    known = cases()
    if known.empty:
        return today
    last = pd.Timestamp(known["reported_on"].max()).date()
    return today if (today - last).days <= 60 else last


def working_date() -> dt.date:
    if "working_date" not in st.session_state:
        st.session_state["working_date"] = _default_working_date()
    return st.session_state["working_date"]


def sidebar() -> None:
    d = district()
    with st.sidebar:
        st.markdown(f"**{d.name} district**, {d.state}")
        working_date()
        st.date_input(
            "Working date",
            key="working_date",
            max_value=dt.date.today(),
            format="DD-MM-YYYY",
            help="Zones, release dates and figures are computed as of this day.",
        )
        if not cases().empty and (dt.date.today() - working_date()).days > 60:
            st.caption("The working date follows the last case in the store.")
        if holds_synthetic_cases():
            st.warning("The store holds the SYNTHETIC sample line list: not real cases.")
        with st.expander("About the reference data"):
            for caveat in d.caveats:
                st.caption(f"• {caveat}")
            st.caption(f"Households: {d.household_size_source}.")


def holds_synthetic_cases() -> bool:
    imports = store().imports()
    return (
        bool(imports["source"].str.contains("synthetic", case=False).any())
        if len(imports)
        else False
    )


def show_error(error: cp.ContainmentError) -> None:
    st.error(str(error), icon="⚠️")
