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
from containment.auth import Permission
from containment.engine.crs import STORAGE_CRS
from containment.field.allocation import allocate, beds_by_block, nearest_centres
from containment.field.centres import CentreKind
from containment.field.checkpoints import (
    missing_checkpoints,
    new_checkpoint_id,
    propose_checkpoints,
)
from containment.field.meeting import people_in_containment
from containment.field.public_list import PUBLIC_LIST_COLUMNS, public_zone_list
from containment.field.quarantine import GEOFENCE_M, ViolationAction, geofence_violations
from containment.field.sectors import survey_sectors, teams_by_block
from containment.i18n import N_, _, n_, number
from containment.io.export import SYNTHETIC_NOTE, csv_text, write_police_package
from containment.io.homes import read_checkins, read_homes
from containment.io.people import read_people
from containment.io.roads import read_roads, standard_roads
from containment.io.tables import RowProblem
from containment.render.labels import code_label, display_table
from containment.render.mapview import MapLayers, build_map
from containment.render.printable import checkpoint_list_html, public_list_html
from containment.render.text import markdown_text as md
from ui import state
from ui.papers import zone_papers
from ui.tables import PROBLEM_COLUMNS, show_table
from ui.widgets import LAYER_UPLOAD_MB, TABLE_UPLOAD_MB, uploader

CHECKPOINT_COLUMNS = {
    "checkpoint_id": N_("Checkpoint"),
    "zone_name": N_("Zone"),
    "road": N_("Road"),
    "road_class": N_("Road type"),
}
_SECTORS_PER_ZONE = {
    "zone_name": N_("Zone"),
    "sectors": N_("Sectors"),
    "teams_needed": N_("Teams needed"),
}
_TEAMS_BY_BLOCK = {
    "block": N_("Block"),
    "sectors": N_("Sectors"),
    "households": N_("Households"),
    "teams_needed": N_("Teams needed"),
}
_SECTORS = {
    "sector_id": N_("Sector"),
    "zone_name": N_("Zone"),
    "block": N_("Block"),
    "habitations": N_("Villages"),
    "habitation_count": N_("Number of villages"),
    "population": N_("People"),
    "households": N_("Households"),
    "households_per_team": N_("Households per team"),
    "teams_needed": N_("Teams needed"),
}
_NEAREST = {
    "zone_name": N_("Zone"),
    "kind": N_("Kind of centre"),
    "centre": N_("Centre"),
    "beds_free": N_("Beds free"),
    "distance_km": N_("Distance (km)"),
}
_BEDS_BY_BLOCK = {
    "block": N_("Block"),
    "beds": N_("Beds"),
    "beds_free": N_("Beds free"),
    "people_in_containment": N_("People in containment"),
}
_PLACED = {
    "person_id": N_("Person"),
    "centre": N_("Centre"),
    "distance_km": N_("Distance (km)"),
}
_UNPLACED = {"person_id": N_("Person"), "reason": N_("Why not placed")}
_VIOLATIONS = {
    "hq_id": N_("Home"),
    "checked_at": N_("Checked at"),
    "distance_m": N_("Distance from home (m)"),
    "action": N_("Action"),
    "action_on": N_("Action on"),
}
_PUBLIC_LIST = {column: column for column in PUBLIC_LIST_COLUMNS}


def _active_containment(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if zones.empty:
        return zones
    return zones[(zones["kind"] == "containment") & zones["status"].isin(["proposed", "notified"])]


def _problems_table(problems: list[RowProblem]) -> None:
    show_table(
        pd.DataFrame([{"row": p.row, "field": p.field, "reason": p.reason} for p in problems]),
        PROBLEM_COLUMNS,
    )


def _roads() -> gpd.GeoDataFrame:
    upload = uploader(
        _("Road layer (optional: GeoJSON, GeoPackage or zipped shapefile, any CRS)"),
        ["geojson", "json", "gpkg", "zip"],
        cap_mb=LAYER_UPLOAD_MB,
        key="roads_upload",
    )
    if upload is None:
        district = state.district()
        if district.roads.empty:
            st.info(
                _(
                    "{district} has no shipped road layer (PMGSY lists no road proposal for "
                    "it): upload one to find checkpoints, or add them on the map.",
                    district=md(district.name),
                )
            )
            empty = {"road": pd.Series([], dtype=object), "road_class": pd.Series([], dtype=object)}
            return gpd.GeoDataFrame(empty, geometry=[], crs=STORAGE_CRS)
        st.caption(
            _("Using the shipped road layer: PMGSY road proposals (a sample, not all roads).")
        )
        return standard_roads(district.roads)
    return read_roads(upload.getvalue(), name=upload.name)  # the name is never a path


def _checkpoints_tab(zones: gpd.GeoDataFrame) -> None:
    ws = state.workspace()
    district = state.district()
    containment = _active_containment(zones)
    if containment.empty:
        st.info(_("No proposed or notified containment zones yet."))
        return
    mine = containment  # the zones whose checkpoints this user may change
    if not ws.may(Permission.NOTIFY_ZONES):  # a notified zone's checkpoints are in its order
        notified = containment["status"] != "proposed"
        mine = containment[~notified]
        if notified.any():
            st.caption(
                n_(
                    "{n} zone is notified: its checkpoints are part of the collector's order, "
                    "so the collector adds them.",
                    "{n} zones are notified: their checkpoints are part of the collector's "
                    "order, so the collector adds them.",
                    int(notified.sum()),
                )
            )
    try:
        roads = _roads()
    except cp.ContainmentError as error:
        state.show_error(error)
        return
    merge_m = st.number_input(_("Merge crossings closer than (m)"), min_value=0, value=50, step=10)
    saved = ws.checkpoints()
    if st.button(
        _("Propose checkpoints where roads cross the perimeters"),
        type="primary",
        key="propose_checkpoints",
        disabled=mine.empty,
    ):
        proposed = propose_checkpoints(mine, roads, district, merge_m=merge_m)
        known = set(saved["checkpoint_id"])
        new = proposed[~proposed["checkpoint_id"].isin(known)]
        if state.act(
            lambda fresh: fresh.save_checkpoints(new),
            done=n_("{n} checkpoint added.", "{n} checkpoints added.", len(new)),
        ):
            st.rerun()
        state.show_flash()
    saved = saved[saved["zone_id"].isin(containment["zone_id"])]
    open_roads = missing_checkpoints(containment, roads, saved, district, merge_m=merge_m)
    if len(open_roads):
        st.warning(
            n_(
                "{n} road crossing has no checkpoint: {crossings}",
                "{n} road crossings have no checkpoint: {crossings}",
                len(open_roads),
                crossings=md(
                    "; ".join(f"{r.zone_name} ({r.road})" for r in open_roads.itertuples())
                ),
            )
        )
    output = st_folium(
        build_map(
            district,
            MapLayers(zones=containment, checkpoints=saved, roads=roads, own=state.own_layers()),
            draw=False,
        ),
        key="checkpoint_map",
        height=480,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    show_table(saved, CHECKPOINT_COLUMNS)
    clicked = (output or {}).get("last_clicked")
    c1, c2 = st.columns(2)
    with c1:
        labels = dict(zip(mine["zone_id"], mine["name"], strict=True))
        zone_id = st.selectbox(
            _("Zone"), list(labels), format_func=labels.get, key="checkpoint_zone"
        )
        road = st.text_input(_("Road"), key="checkpoint_road")
        if st.button(
            _("Add checkpoint at the clicked point"), disabled=not clicked or zone_id is None
        ):
            point = gpd.GeoSeries.from_xy([clicked["lng"]], [clicked["lat"]], crs=STORAGE_CRS)
            frame = gpd.GeoDataFrame(
                {
                    "checkpoint_id": [new_checkpoint_id()],
                    "zone_id": [zone_id],
                    "zone_name": [labels[zone_id]],
                    "road": [road or _("added by planner")],
                    "road_class": [""],
                },
                geometry=point,
            )
            if state.act(lambda fresh: fresh.save_checkpoints(frame), done=_("Checkpoint added.")):
                st.rerun()
            state.show_flash()
    with c2:
        if len(saved):
            choice = st.selectbox(
                _("Checkpoint"),
                saved["checkpoint_id"],
                format_func=lambda c: f"{c} ({saved.set_index('checkpoint_id').loc[c, 'road']})",
            )
            if st.button(_("Move it to the clicked point"), disabled=not clicked):
                moved = saved[saved["checkpoint_id"] == choice].copy()
                moved["geometry"] = gpd.GeoSeries.from_xy(
                    [clicked["lng"]], [clicked["lat"]], crs=STORAGE_CRS
                ).to_numpy()
                if state.act(
                    lambda fresh: fresh.save_checkpoints(moved), done=_("Checkpoint moved.")
                ):
                    st.rerun()
                state.show_flash()
            if st.button(_("Remove it")):
                if state.act(
                    lambda fresh: fresh.delete_checkpoint(choice), done=_("Checkpoint removed.")
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
    bare = len(set(notified["zone_id"]) - set(police_checkpoints["zone_id"]))
    if bare:
        st.warning(
            n_(
                "{n} of the {total} notified zones has no checkpoint yet: the police files "
                "hold its outline only. Checkpoints of notified zones are the collector's to "
                "place (Field work, *Propose checkpoints*).",
                "{n} of the {total} notified zones have no checkpoint yet: the police files "
                "hold their outlines only. Checkpoints of notified zones are the collector's "
                "to place (Field work, *Propose checkpoints*).",
                bare,
                total=len(notified),
            )
        )

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
        (
            ".geojson",
            N_("Police GeoJSON: notified zones with checkpoints"),
            "application/geo+json",
        ),
        (
            ".gpkg",
            N_("Police GeoPackage: zones and checkpoints layers"),
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
        N_("Printable checkpoint list by block"),
        lambda synthetic: checkpoint_list_html(police_checkpoints, district, synthetic=synthetic),
        file_name=f"{district.name.lower()}-checkpoints.html",
        mime="text/html",
        rows=len(police_checkpoints),
    )


def _sectors_tab(zones: gpd.GeoDataFrame) -> None:
    district = state.district()
    containment = _active_containment(zones)
    if containment.empty:
        st.info(_("No proposed or notified containment zones yet."))
        return
    c1, c2 = st.columns(2)
    per_team = c1.number_input(_("Households per team"), min_value=5, value=50, step=5)
    labels = dict(zip(containment["zone_id"], containment["name"], strict=True))
    difficult = c2.multiselect(
        _("Difficult areas (30 households per team)"), list(labels), format_func=labels.get
    )
    sectors = survey_sectors(
        containment,
        district,
        households_per_team=int(per_team),
        team_size_by_zone=dict.fromkeys(difficult, 30),
    )
    if sectors.empty:
        st.info(_("No habitation or town cell lies inside these zones."))
        return
    per_zone = (
        sectors.groupby("zone_name")
        .agg(sectors=("sector_id", "count"), teams_needed=("teams_needed", "sum"))
        .reset_index()
    )
    teams = int(sectors["teams_needed"].sum())
    st.markdown(
        "**"
        + _(
            "{sectors}, {teams}.",
            sectors=n_("{n} sector", "{n} sectors", len(sectors)),
            teams=n_("{n} team needed", "{n} teams needed", teams),
        )
        + "**"
    )
    c1, c2 = st.columns(2)
    show_table(per_zone, _SECTORS_PER_ZONE, where=c1)
    show_table(teams_by_block(sectors), _TEAMS_BY_BLOCK, where=c2)
    show_table(sectors, _SECTORS)

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
            N_("Sectors map (GeoJSON)"),
            sectors_geojson,
            file_name="survey-sectors.geojson",
            mime="application/geo+json",
            rows=len(sectors),
        )
    with c2:
        state.download(
            N_("Sectors list (CSV)"),
            lambda synthetic: csv_text(sectors.drop(columns="geometry"), synthetic=synthetic),
            file_name="survey-sectors.csv",
            mime="text/csv",
            rows=len(sectors),
        )


def _allocation_tab(zones: gpd.GeoDataFrame) -> None:
    district = state.district()
    centres = state.centres()
    containment = _active_containment(zones)
    st.subheader(_("Nearest centres with free beds"))
    show_table(nearest_centres(containment, centres, district), _NEAREST)
    st.subheader(_("Beds and people in containment, by block"))
    people = people_in_containment(zones, district) if len(zones) else pd.Series(dtype=float)
    show_table(beds_by_block(centres, people, district), _BEDS_BY_BLOCK)
    st.subheader(_("Allocate people to institutional quarantine"))
    st.caption(
        _("A CSV with an id and home village (and block), e.g. returning migrants. No names.")
    )
    upload = uploader(_("People"), ["csv", "xlsx"], cap_mb=TABLE_UPLOAD_MB, key="people_upload")
    kinds = st.multiselect(
        _("Centres of kind"),
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
    st.markdown(
        "**"
        + _(
            "{placed}, {unplaced}.",
            placed=n_("{n} person placed", "{n} people placed", len(placed)),
            unplaced=n_(
                "{n} person not placed",
                "{n} people not placed",
                len(unplaced) + len(problems),
            ),
        )
        + "**"
    )
    show_table(placed, _PLACED)
    if len(unplaced):
        show_table(unplaced, _UNPLACED)
    if problems:
        _problems_table(problems)
    state.download(
        N_("Allocation (CSV)"),
        lambda synthetic: csv_text(placed, synthetic=synthetic),
        file_name="allocation.csv",
        mime="text/csv",
        rows=len(placed),
    )
    if len(placed) and st.button(_("Record these people as occupying their beds")):
        counts = {str(c): int(n) for c, n in placed["centre_id"].value_counts().items()}
        if state.act(
            lambda fresh: fresh.occupy_beds(counts, on=state.working_date()),
            done=n_("{n} bed taken.", "{n} beds taken.", len(placed)),
        ):
            st.rerun()
        state.show_flash()


def _home_quarantine_tab(as_of: dt.date) -> None:
    district = state.district()
    ws = state.workspace()
    homes = ws.homes()
    st.caption(
        _(
            "Homes are registered by id and place only: no names. Check-ins come from the "
            "tracking app as a CSV of id, time, latitude, longitude."
        )
    )
    upload = uploader(
        _("Register homes (CSV: id, latitude, longitude, start, end)"),
        ["csv"],
        cap_mb=TABLE_UPLOAD_MB,
        key="homes_upload",
    )
    if upload is not None:
        try:
            frame, problems = read_homes(
                upload.getvalue(), district, name=upload.name, today=state.today()
            )
        except cp.ContainmentError as error:
            state.show_error(error)
        else:
            if problems:
                _problems_table(problems)
            if len(frame) and st.button(n_("Register {n} home", "Register {n} homes", len(frame))):
                if state.act(
                    lambda fresh: fresh.register_homes(frame), done=_("Homes registered.")
                ):
                    st.rerun()
                state.show_flash()
    radius = st.number_input(_("Geofence radius (m)"), min_value=10, value=int(GEOFENCE_M), step=10)
    checkins = uploader(
        _("Check-ins (CSV: id, time, lat, lon)"),
        ["csv"],
        cap_mb=TABLE_UPLOAD_MB,
        key="checkins_upload",
    )
    if checkins is not None and len(homes):
        try:
            rows, problems = read_checkins(
                checkins.getvalue(),
                name=checkins.name,
                known_ids=set(homes["hq_id"]),
                today=state.today(),
            )
        except cp.ContainmentError as error:
            state.show_error(error)
        else:
            found = geofence_violations(homes, rows, district, radius_m=radius)
            st.markdown(
                "**"
                + _(
                    "{read}, {outside}.",
                    read=n_("{n} check-in read", "{n} check-ins read", len(rows)),
                    outside=n_(
                        "{n} outside the {radius} m fence",
                        "{n} outside the {radius} m fence",
                        len(found),
                        radius=number(radius),
                    ),
                )
                + "**"
            )
            if problems:
                _problems_table(problems)
            show_table(found, _VIOLATIONS)
            if len(found) and st.button(_("Record these violations")):
                added = state.act(lambda fresh: fresh.record_violations(found))
                if added is not None:
                    state.flash(
                        "success",
                        n_(
                            "{n} new violation recorded.",
                            "{n} new violations recorded.",
                            added.value,
                        ),
                    )
                    st.rerun()
                state.show_flash()
    violations = ws.violations()
    if len(violations):
        st.subheader(_("Violations and action taken"))
        show_table(violations, _VIOLATIONS)
        pending = violations[violations["action"] == ""]
        if len(pending):
            keys = [
                _("{home} at {time}", home=v.hq_id, time=v.checked_at.strftime("%d-%m-%Y %H:%M"))
                for v in pending.itertuples()
            ]
            chosen = st.selectbox(_("Violation"), range(len(keys)), format_func=lambda i: keys[i])
            action = st.selectbox(_("Action"), list(ViolationAction), format_func=code_label)
            if st.button(_("Record action")):
                row = pending.iloc[chosen]
                if state.act(
                    lambda fresh: fresh.record_action(
                        row["hq_id"], row["checked_at"], action.value, on=as_of
                    ),
                    done=_("Action recorded."),
                ):
                    st.rerun()
                state.show_flash()


def _public_list_tab(zones: gpd.GeoDataFrame, as_of: dt.date) -> None:
    district = state.district()
    table = public_zone_list(zones, district, as_of=as_of)
    if table.empty:
        st.info(_("No containment zone is in force on this day."))
        return
    show_table(table, _PUBLIC_LIST)
    c1, c2 = st.columns(2)
    with c1:
        state.download(
            N_("Public list (CSV)"),
            lambda synthetic: csv_text(display_table(table, _PUBLIC_LIST), synthetic=synthetic),
            file_name="containment-zones.csv",
            mime="text/csv",
            rows=len(table),
        )
    with c2:
        state.download(
            N_("Printable page (HTML)"),
            lambda synthetic: public_list_html(table, district, as_of=as_of, synthetic=synthetic),
            file_name="containment-zones.html",
            mime="text/html",
            rows=len(table),
        )
    zone_papers(zones, state.workspace().checkpoints(), state.centres(), as_of=as_of, key="field")


@state.page
def page() -> None:
    st.title(_("Field work"))
    as_of = state.working_date()
    zones = state.zones()
    tabs = st.tabs(
        [
            _("Checkpoints"),
            _("Survey sectors"),
            _("Centres and allocation"),
            _("Home quarantine"),
            _("Public zone list"),
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
