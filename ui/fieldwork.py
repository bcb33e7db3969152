"""From map to field: checkpoints, survey sectors, allocation, home quarantine, public list."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import containment as cp
from containment.engine.crs import STORAGE_CRS
from containment.field.allocation import allocate, beds_by_block, nearest_centres
from containment.field.centres import CentreKind
from containment.field.checkpoints import (
    missing_checkpoints,
    new_checkpoint_id,
    propose_checkpoints,
)
from containment.field.meeting import people_in_containment
from containment.field.public_list import public_zone_list
from containment.field.quarantine import GEOFENCE_M, ViolationAction, geofence_violations
from containment.field.sectors import survey_sectors, teams_by_block
from containment.io.export import SYNTHETIC_NOTE, csv_text, write_police_package
from containment.io.homes import read_checkins, read_homes
from containment.io.people import read_people
from containment.io.roads import read_roads, standard_roads
from containment.io.tables import RowProblem
from containment.render.mapview import MapLayers, build_map
from containment.render.printable import checkpoint_list_html, public_list_html
from containment.render.text import markdown_text as md
from ui import state
from ui.papers import zone_papers


def _active_containment(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if zones.empty:
        return zones
    return zones[(zones["kind"] == "containment") & zones["status"].isin(["proposed", "notified"])]


def _problems_table(problems: list[RowProblem]) -> None:
    st.dataframe(
        pd.DataFrame([{"Row": p.row, "Field": p.field, "Reason": p.reason} for p in problems]),
        hide_index=True,
        width="stretch",
    )


def _roads() -> gpd.GeoDataFrame:
    upload = st.file_uploader(
        "Road layer (optional: GeoJSON, GeoPackage or zipped shapefile, any CRS)",
        type=["geojson", "json", "gpkg", "zip"],
        key="roads_upload",
    )
    if upload is None:
        district = state.district()
        if district.roads.empty:
            st.info(
                f"{md(district.name)} has no shipped road layer (PMGSY lists no road proposal "
                "for it): upload one to find checkpoints, or add them on the map."
            )
            empty = {"road": pd.Series([], dtype=object), "road_class": pd.Series([], dtype=object)}
            return gpd.GeoDataFrame(empty, geometry=[], crs=STORAGE_CRS)
        st.caption("Using the shipped road layer: PMGSY road proposals (a sample, not all roads).")
        return standard_roads(district.roads)
    return read_roads(upload.getvalue(), name=upload.name)  # the name is never a path


def _checkpoints_tab(zones: gpd.GeoDataFrame) -> None:
    ws = state.workspace()
    district = state.district()
    containment = _active_containment(zones)
    if containment.empty:
        st.info("No proposed or notified containment zones yet.")
        return
    try:
        roads = _roads()
    except cp.ContainmentError as error:
        state.show_error(error)
        return
    merge_m = st.number_input("Merge crossings closer than (m)", min_value=0, value=50, step=10)
    saved = ws.checkpoints()
    if st.button(
        "Propose checkpoints where roads cross the perimeters",
        type="primary",
        key="propose_checkpoints",
    ):
        proposed = propose_checkpoints(containment, roads, district, merge_m=merge_m)
        known = set(saved["checkpoint_id"])
        new = proposed[~proposed["checkpoint_id"].isin(known)]
        if state.act(
            lambda fresh: fresh.save_checkpoints(new), done=f"{len(new)} checkpoints added."
        ):
            st.rerun()
        state.show_flash()
    saved = saved[saved["zone_id"].isin(containment["zone_id"])]
    open_roads = missing_checkpoints(containment, roads, saved, district, merge_m=merge_m)
    if len(open_roads):
        st.warning(
            f"{len(open_roads)} road crossings have no checkpoint: "
            + md("; ".join(f"{r.zone_name} ({r.road})" for r in open_roads.itertuples()))
        )
    output = st_folium(
        build_map(
            district, MapLayers(zones=containment, checkpoints=saved, roads=roads), draw=False
        ),
        key="checkpoint_map",
        height=480,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    st.dataframe(saved.drop(columns="geometry"), hide_index=True, width="stretch")
    clicked = (output or {}).get("last_clicked")
    c1, c2 = st.columns(2)
    with c1:
        labels = dict(zip(containment["zone_id"], containment["name"], strict=True))
        zone_id = st.selectbox("Zone", list(labels), format_func=labels.get, key="checkpoint_zone")
        road = st.text_input("Road", key="checkpoint_road")
        if st.button("Add checkpoint at the clicked point", disabled=not clicked):
            point = gpd.GeoSeries.from_xy([clicked["lng"]], [clicked["lat"]], crs=STORAGE_CRS)
            frame = gpd.GeoDataFrame(
                {
                    "checkpoint_id": [new_checkpoint_id()],
                    "zone_id": [zone_id],
                    "zone_name": [labels[zone_id]],
                    "road": [road or "added by planner"],
                    "road_class": [""],
                },
                geometry=point,
            )
            if state.act(lambda fresh: fresh.save_checkpoints(frame), done="Checkpoint added."):
                st.rerun()
            state.show_flash()
    with c2:
        if len(saved):
            choice = st.selectbox(
                "Checkpoint",
                saved["checkpoint_id"],
                format_func=lambda c: f"{c} ({saved.set_index('checkpoint_id').loc[c, 'road']})",
            )
            if st.button("Move it to the clicked point", disabled=not clicked):
                moved = saved[saved["checkpoint_id"] == choice].copy()
                moved["geometry"] = gpd.GeoSeries.from_xy(
                    [clicked["lng"]], [clicked["lat"]], crs=STORAGE_CRS
                ).to_numpy()
                if state.act(lambda fresh: fresh.save_checkpoints(moved), done="Checkpoint moved."):
                    st.rerun()
                state.show_flash()
            if st.button("Remove it"):
                if state.act(
                    lambda fresh: fresh.delete_checkpoint(choice), done="Checkpoint removed."
                ):
                    st.rerun()
                state.show_flash()
    if len(saved):
        police_downloads(zones, saved)


def police_downloads(zones: gpd.GeoDataFrame, checkpoints: gpd.GeoDataFrame) -> None:
    """The police package (notified zones with their checkpoints) and the printable list."""
    district = state.district()
    notified = zones[zones["status"] == "notified"] if len(zones) else zones
    police_checkpoints = checkpoints[checkpoints["zone_id"].isin(notified["zone_id"])]

    def package(suffix: str, synthetic: bool) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            return write_police_package(
                notified,
                police_checkpoints,
                Path(folder) / f"police{suffix}",
                district,
                synthetic=synthetic,
            ).read_bytes()

    for suffix, label, mime in (
        (".geojson", "Police GeoJSON: notified zones with checkpoints", "application/geo+json"),
        (
            ".gpkg",
            "Police GeoPackage: zones and checkpoints layers",
            "application/geopackage+sqlite3",
        ),
    ):
        state.download(
            label,
            functools.partial(package, suffix),
            file_name=f"{district.name.lower()}-police{suffix}",
            mime=mime,
            rows=len(notified) + len(police_checkpoints),
        )
    state.download(
        "Printable checkpoint list by block",
        lambda synthetic: checkpoint_list_html(police_checkpoints, district, synthetic=synthetic),
        file_name=f"{district.name.lower()}-checkpoints.html",
        mime="text/html",
        rows=len(police_checkpoints),
    )


def _sectors_tab(zones: gpd.GeoDataFrame) -> None:
    district = state.district()
    containment = _active_containment(zones)
    if containment.empty:
        st.info("No proposed or notified containment zones yet.")
        return
    c1, c2 = st.columns(2)
    per_team = c1.number_input("Households per team", min_value=5, value=50, step=5)
    labels = dict(zip(containment["zone_id"], containment["name"], strict=True))
    difficult = c2.multiselect(
        "Difficult areas (30 households per team)", list(labels), format_func=labels.get
    )
    sectors = survey_sectors(
        containment,
        district,
        households_per_team=int(per_team),
        team_size_by_zone=dict.fromkeys(difficult, 30),
    )
    if sectors.empty:
        st.info("No habitation or town cell lies inside these zones.")
        return
    per_zone = sectors.groupby("zone_name").agg(
        sectors=("sector_id", "count"), teams_needed=("teams_needed", "sum")
    )
    st.markdown(f"**{len(sectors)} sectors, {int(sectors['teams_needed'].sum())} teams needed.**")
    c1, c2 = st.columns(2)
    c1.dataframe(per_zone, width="stretch")
    c2.dataframe(teams_by_block(sectors), hide_index=True, width="stretch")
    st.dataframe(sectors.drop(columns="geometry"), hide_index=True, width="stretch")

    def sectors_geojson(synthetic: bool) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sectors.geojson"
            shown = sectors.copy()
            if synthetic:
                shown.insert(0, "data", SYNTHETIC_NOTE)
            shown.to_file(path, driver="GeoJSON", engine="pyogrio")
            return path.read_bytes()

    c1, c2 = st.columns(2)
    with c1:
        state.download(
            "Sectors map (GeoJSON)",
            sectors_geojson,
            file_name="survey-sectors.geojson",
            mime="application/geo+json",
            rows=len(sectors),
        )
    with c2:
        state.download(
            "Sectors list (CSV)",
            lambda synthetic: csv_text(sectors.drop(columns="geometry"), synthetic=synthetic),
            file_name="survey-sectors.csv",
            mime="text/csv",
            rows=len(sectors),
        )


def _allocation_tab(zones: gpd.GeoDataFrame) -> None:
    district = state.district()
    centres = state.centres()
    containment = _active_containment(zones)
    st.subheader("Nearest centres with free beds")
    st.dataframe(nearest_centres(containment, centres, district), hide_index=True, width="stretch")
    st.subheader("Beds and people in containment, by block")
    people = people_in_containment(zones, district) if len(zones) else pd.Series(dtype=float)
    st.dataframe(beds_by_block(centres, people, district), hide_index=True, width="stretch")
    st.subheader("Allocate people to institutional quarantine")
    st.caption("A CSV with an id and home village (and block), e.g. returning migrants. No names.")
    upload = st.file_uploader("People", type=["csv", "xlsx"], key="people_upload")
    kinds = st.multiselect(
        "Centres of kind",
        list(CentreKind),
        default=[CentreKind.QUARANTINE_CENTRE],
        format_func=lambda k: k.label,
    )
    if upload is None:
        return
    try:
        people, problems = read_people(upload.getvalue(), district, name=upload.name)
    except cp.ContainmentError as error:
        state.show_error(error)
        return
    placed, unplaced = allocate(people, centres, district, kinds=kinds)
    st.markdown(f"**{len(placed)} placed, {len(unplaced) + len(problems)} not placed.**")
    st.dataframe(placed, hide_index=True, width="stretch")
    if len(unplaced):
        st.dataframe(unplaced, hide_index=True, width="stretch")
    if problems:
        _problems_table(problems)
    state.download(
        "Allocation (CSV)",
        lambda synthetic: csv_text(placed, synthetic=synthetic),
        file_name="allocation.csv",
        mime="text/csv",
        rows=len(placed),
    )
    if len(placed) and st.button("Record these people as occupying their beds"):
        counts = {str(c): int(n) for c, n in placed["centre_id"].value_counts().items()}
        if state.act(lambda fresh: fresh.occupy_beds(counts), done=f"{len(placed)} beds taken."):
            st.rerun()
        state.show_flash()


def _home_quarantine_tab(as_of: dt.date) -> None:
    district = state.district()
    ws = state.workspace()
    homes = ws.homes()
    st.caption(
        "Homes are registered by id and place only: no names. Check-ins come from the tracking "
        "app as a CSV of id, time, latitude, longitude."
    )
    upload = st.file_uploader(
        "Register homes (CSV: id, latitude, longitude, start, end)",
        type=["csv"],
        key="homes_upload",
    )
    if upload is not None:
        try:
            frame, problems = read_homes(
                upload.getvalue(), district, name=upload.name, today=dt.date.today()
            )
        except cp.ContainmentError as error:
            state.show_error(error)
        else:
            if problems:
                _problems_table(problems)
            if len(frame) and st.button(f"Register {len(frame)} homes"):
                if state.act(lambda fresh: fresh.register_homes(frame), done="Homes registered."):
                    st.rerun()
                state.show_flash()
    radius = st.number_input("Geofence radius (m)", min_value=10, value=int(GEOFENCE_M), step=10)
    checkins = st.file_uploader(
        "Check-ins (CSV: id, time, lat, lon)", type=["csv"], key="checkins_upload"
    )
    if checkins is not None and len(homes):
        try:
            rows, problems = read_checkins(
                checkins.getvalue(),
                name=checkins.name,
                known_ids=set(homes["hq_id"]),
                today=dt.date.today(),
            )
        except cp.ContainmentError as error:
            state.show_error(error)
        else:
            found = geofence_violations(homes, rows, district, radius_m=radius)
            st.markdown(
                f"**{len(rows)} check-ins read, {len(found)} outside the {radius} m fence.**"
            )
            if problems:
                _problems_table(problems)
            st.dataframe(found, hide_index=True, width="stretch")
            if len(found) and st.button("Record these violations"):
                added = state.act(lambda fresh: fresh.record_violations(found))
                if added is not None:
                    state.flash("success", f"{added.value} new violations recorded.")
                    st.rerun()
                state.show_flash()
    violations = ws.violations()
    if len(violations):
        st.subheader("Violations and action taken")
        st.dataframe(violations, hide_index=True, width="stretch")
        pending = violations[violations["action"] == ""]
        if len(pending):
            keys = [f"{v.hq_id} at {v.checked_at}" for v in pending.itertuples()]
            chosen = st.selectbox("Violation", range(len(keys)), format_func=lambda i: keys[i])
            action = st.selectbox(
                "Action", list(ViolationAction), format_func=lambda a: a.value.replace("_", " ")
            )
            if st.button("Record action"):
                row = pending.iloc[chosen]
                if state.act(
                    lambda fresh: fresh.record_action(
                        row["hq_id"], row["checked_at"], action.value, on=as_of
                    ),
                    done="Action recorded.",
                ):
                    st.rerun()
                state.show_flash()


def _public_list_tab(zones: gpd.GeoDataFrame, as_of: dt.date) -> None:
    district = state.district()
    table = public_zone_list(zones, district, as_of=as_of)
    if table.empty:
        st.info("No containment zone is in force on this day.")
        return
    st.dataframe(table, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    with c1:
        state.download(
            "Public list (CSV)",
            lambda synthetic: csv_text(table, synthetic=synthetic),
            file_name="containment-zones.csv",
            mime="text/csv",
            rows=len(table),
        )
    with c2:
        state.download(
            "Printable page (HTML)",
            lambda synthetic: public_list_html(table, district, as_of=as_of, synthetic=synthetic),
            file_name="containment-zones.html",
            mime="text/html",
            rows=len(table),
        )
    zone_papers(zones, state.workspace().checkpoints(), state.centres(), as_of=as_of, key="field")


@state.page
def page() -> None:
    st.title("Field work")
    as_of = state.working_date()
    zones = state.zones()
    tabs = st.tabs(
        [
            "Checkpoints",
            "Survey sectors",
            "Centres and allocation",
            "Home quarantine",
            "Public zone list",
        ]
    )
    with tabs[0]:
        _checkpoints_tab(zones)
    with tabs[1]:
        _sectors_tab(zones)
    with tabs[2]:
        _allocation_tab(zones)
    with tabs[3]:
        _home_quarantine_tab(as_of)
    with tabs[4]:
        _public_list_tab(zones, as_of)
