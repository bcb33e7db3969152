"""Containment Planner — the Streamlit app. Thin: widgets and caching; the package does the work."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

import containment as cp
from containment.mapview import district_map

st.set_page_config(page_title="Containment Planner", layout="wide")


@st.cache_resource
def district() -> cp.District:
    return cp.load_district(cp.DEFAULT_DISTRICT)


@st.cache_data
def sample_zones(rule_name: str, as_of: dt.date):
    d = district()
    cases = cp.read_cases(d.sample_cases, d)
    return cp.plan_zones(cases.cases, cp.get_rule(rule_name), as_of=as_of, district=d).zones


d = district()
st.title(f"Containment Planner — {d.name}")
st.caption("Sample zones from a SYNTHETIC line list. Not real cases.")
with st.sidebar:
    rule_name = st.selectbox("Rule", list(cp.PRESETS), index=1)
    as_of = st.date_input("As of", value=dt.date(2020, 5, 15))
    st.caption(cp.get_rule(rule_name).source)
zones = sample_zones(rule_name, as_of)
st_folium(district_map(d, zones), height=600, use_container_width=True, returned_objects=[])
st.dataframe(zones.drop(columns="geometry"), hide_index=True)
st.caption(d.attribution)
