"""COVID care centres, quarantine centres and dedicated hospitals, and their beds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import streamlit as st
from streamlit_folium import st_folium

from containment.engine.ids import random_id
from containment.field.centres import Centre, CentreKind, facility_labels
from containment.i18n import N_, _, number
from containment.render.mapview import MapLayers, build_map, picked_point
from ui import state
from ui.tables import show_table

_TABLE = {
    "name": N_("Centre"),
    "kind": N_("Kind"),
    "capacity": N_("Beds"),
    "occupied": N_("Occupied"),
    "beds_free": N_("Free"),
    "note": N_("Note"),
}
_FACILITY, _MAP = N_("Pick a health facility"), N_("Click on the map")


def _location_picker() -> tuple[float, float, str, str] | None:
    """The new centre's place: (lon, lat, facility id, a name to suggest), or None yet."""
    district = state.district()
    how = st.radio(_("Location"), [_FACILITY, _MAP], format_func=_, horizontal=True)
    if how == _FACILITY:
        facilities = district.health_facilities
        labels = facility_labels(facilities).to_dict()
        chosen = st.selectbox(
            _("Health facility"), list(labels), format_func=labels.get, key="centre_facility"
        )
        point = facilities.geometry.loc[chosen]
        facility_id = (
            str(facilities["facility_id"].loc[chosen]) if "facility_id" in facilities else ""
        )
        return point.x, point.y, facility_id, str(facilities["name"].loc[chosen])
    picked = st.session_state.get("centre_point")  # (lon, lat): marked until saved or cleared
    round_ = st.session_state.get("centre_map_round", 0)
    key = f"centre_map_{round_}"
    st_folium(
        build_map(district, MapLayers(centres=state.centres(), own=state.own_layers()), draw=False),
        key=key,
        height=480,
        use_container_width=True,
        returned_objects=["last_clicked"],
        feature_group_to_add=picked_point(*picked, _("New centre here")) if picked else None,
        on_change=functools.partial(_take_click, key),
    )
    if not picked:
        st.caption(_("Click the centre's place on the map."))
        return None
    c1, c2 = st.columns([3, 1])
    c1.caption(
        _(
            "Chosen point (marked on the map): {lat} N, {lon} E",
            lat=number(picked[1], 5),
            lon=number(picked[0], 5),
        )
    )
    c2.button(_("Clear the point"), on_click=_forget_click, key="clear_centre_point")
    return picked[0], picked[1], "", ""


def _take_click(key: str) -> None:
    """The map's click, kept until the centre is saved or the point cleared."""
    clicked = (st.session_state.get(key) or {}).get("last_clicked")
    if clicked:
        st.session_state["centre_point"] = (float(clicked["lng"]), float(clicked["lat"]))


def _forget_click() -> None:
    """No point chosen; a fresh map, which forgets its last click too."""
    st.session_state.pop("centre_point", None)
    st.session_state["centre_map_round"] = st.session_state.get("centre_map_round", 0) + 1


@state.page
def page() -> None:
    st.title(_("Centres"))
    ws = state.workspace()
    centres = state.centres()
    if centres.empty:
        st.info(
            _("No centres yet. The reference data has no COVID centre locations: add them here.")
        )
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(_("Centres"), number(len(centres)))
        c2.metric(_("Beds"), number(int(centres["capacity"].sum())))
        c3.metric(_("Beds free"), number(int(centres["beds_free"].sum())))
        show_table(centres, _TABLE)

    st.subheader(_("Add a centre"))
    location = _location_picker()
    with st.form("add_centre"):  # a refused centre keeps what was typed
        st.text_input(_("Name"), value=location[3] if location else "", key="centre_name")
        st.selectbox(_("Kind"), list(CentreKind), format_func=lambda k: k.label, key="centre_kind")
        c1, c2 = st.columns(2)
        c1.number_input(_("Beds"), min_value=0, value=50, step=10, key="centre_beds")
        c2.number_input(_("Occupied"), min_value=0, value=0, step=1, key="centre_occupied")
        st.text_input(_("Note"), key="centre_note")
        st.form_submit_button(
            _("Add centre"),
            type="primary",
            key="add_centre",
            on_click=_add_centre,
            args=(location, state.working_date()),
        )
    state.show_flash("add_centre")

    if not centres.empty:
        st.subheader(_("Update or remove a centre"))
        labels = dict(zip(centres["centre_id"], centres["name"], strict=True))
        centre_id = st.selectbox(_("Centre"), list(labels), format_func=labels.get)
        centre = ws.centre(centre_id)  # the version on screen: the form saves over this one
        on = state.working_date()  # the occupancy history is dated by it
        shown = f"{centre_id}_{centre.version}"  # fresh inputs for each version
        with st.form("edit_centre"):
            c1, c2 = st.columns(2)
            c1.number_input(
                _("Beds"), min_value=0, value=centre.capacity, step=10, key=f"beds_{shown}"
            )
            c2.number_input(
                _("Occupied"), min_value=0, value=centre.occupied, step=1, key=f"occupied_{shown}"
            )
            save, remove = st.columns(2)
            save.form_submit_button(
                _("Save beds"),
                key=f"save_beds_{shown}",
                type="primary",
                on_click=_save_beds,
                args=(centre, shown, on),
            )
            remove.form_submit_button(
                _("Remove centre"),
                key=f"remove_centre_{shown}",
                on_click=state.act,
                args=(lambda fresh: fresh.delete_centre(centre_id, on=on),),
                kwargs={"done": _("Centre {name} removed.", name=repr(centre.name))},
            )


_FORM_KEYS = ("centre_name", "centre_kind", "centre_beds", "centre_occupied", "centre_note")


def _add_centre(location: tuple[float, float, str, str] | None, on: dt.date) -> None:
    """Save the new centre; the form is emptied only once it is saved."""
    if location is None:
        state.flash("error", _("Choose the centre's location first."), place="add_centre")
        return
    lon, lat, facility, _suggested = location
    form = st.session_state
    name = str(form["centre_name"])
    added = state.act(
        lambda fresh: fresh.save_centre(
            Centre(
                random_id("C"),
                name,
                form["centre_kind"],
                lon,
                lat,
                int(form["centre_beds"]),
                int(form["centre_occupied"]),
                facility_id=facility,
                note=str(form["centre_note"]),
            ),
            on=on,
        ),
        done=lambda: _("Centre {name} added.", name=repr(name)),
        place="add_centre",
    )
    if added is not None:
        for key in _FORM_KEYS:
            st.session_state.pop(key, None)
        _forget_click()


def _save_beds(centre: Centre, shown: str, on: dt.date) -> None:
    """Save the form's beds over the version of the centre the user had on screen."""
    state.act(
        lambda fresh: fresh.save_centre(
            dataclasses.replace(
                centre,
                capacity=int(st.session_state[f"beds_{shown}"]),
                occupied=int(st.session_state[f"occupied_{shown}"]),
            ),
            on=on,
        ),
        done=lambda: _("Beds of {name} saved.", name=repr(centre.name)),
    )
