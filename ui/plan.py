"""Plan zones: propose by rule, draw and edit on the map, move zones through their life cycle."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

import containment as cp
from containment import i18n
from containment.auth import Permission
from containment.engine.crs import STORAGE_CRS
from containment.engine.decision_dates import dates_to_confirm
from containment.engine.district import District
from containment.engine.drawing import (
    DrawnShape,
    SnappedShape,
    drawn_shape,
    overlapping_zones,
    snap_to_units,
)
from containment.engine.lifecycle import (
    SavedZone,
    TransitionError,
    ZoneOrigin,
    ZoneStatus,
    advance,
    describe_outline,
    new_zone_id,
)
from containment.engine.timeline import reported_in
from containment.engine.update import Change, ZoneChange
from containment.engine.zones import ZonePlan
from containment.field.search import search_zones
from containment.i18n import N_, _, date_text, n_, number
from containment.render.labels import ZONE_LABELS, code_label
from containment.render.mapview import (
    MANY_ZONES,
    MapLayers,
    build_map,
    snapped_preview,
    zone_in_detail,
)
from containment.render.text import markdown_text as md
from containment.service import Workspace
from ui import crossings, state
from ui.imports import offer_sample
from ui.tables import show_table

# What fits across the page at 1280×720 without cutting a column; the chosen zone's other
# figures are written under the table (and in its popup on the map).
ZONE_TABLE = [
    "name", "kind", "status", "case_count", "population_est", "release_due_on", "due_for_release",
]  # fmt: skip
#: Past MANY_ZONES saved zones, the page lists this many (a search's best matches) at a time.
ZONES_LISTED = 50
OPENED_ZONE_ZOOM = 14
_UPDATE_TABLE = {
    "change": N_("Change"),
    "name": N_("Zone"),
    "kind": N_("Kind"),
    "detail": N_("What changes"),
    "collector": N_("Needs the collector"),
}
_HISTORY_TABLE = {
    "version": N_("Version"),
    "saved_at": N_("Saved at"),
    "by": N_("By"),
    "change": N_("Change"),
    "status": N_("Status"),
    "name": N_("Name"),
}


def _rule_picker() -> cp.Rule:
    names = list(cp.PRESETS)
    chosen = st.selectbox(
        _("Rule"),
        [*names, "custom"],
        index=names.index(state.district().working_rule),
        format_func=lambda n: _(cp.PRESETS[n].title) if n in cp.PRESETS else _("Custom radii"),
        key="rule_name",
    )
    if chosen != "custom":
        rule = cp.get_rule(chosen)
        st.caption(md(_(rule.source)))
        return rule
    c1, c2, c3 = st.columns(3)
    radius = c1.number_input(_("Containment radius (m)"), min_value=10, value=500, step=50)
    buffer = c2.number_input(_("Buffer width (m)"), min_value=0, value=1000, step=100)
    days = c3.number_input(_("Release after (days)"), min_value=1, value=28)
    return cp.custom_rule(
        containment_radius_m=radius, buffer_m=buffer, release_after_days=int(days)
    )


def _propose(rule: cp.Rule, as_of: dt.date) -> None:
    """The rule's zones as of the day, compared with the saved ones: the daily update."""
    district = state.district()

    def compare(ws: Workspace) -> dict[str, object]:
        plan = ws.propose_zones(rule, as_of=as_of, district=district)
        return {"plan": plan, "changes": ws.daily_update(plan, district)}

    done = state.act(compare)
    if done is not None:
        st.session_state["proposals"] = done.value


def _update_frame(changes: list[ZoneChange]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "change": [str(c.change) for c in changes],
            "name": [c.name or _("(new zone)") for c in changes],
            "kind": [c.kind for c in changes],
            "detail": [c.detail for c in changes],
            "collector": [c.touches_notified and c.to_apply for c in changes],
        },
        geometry=[c.geometry for c in changes],
        crs=STORAGE_CRS,
    )


def _update_panel(proposals: dict[str, Any]) -> None:
    plan: ZonePlan = proposals["plan"]
    changes: list[ZoneChange] = proposals["changes"]
    ws = state.workspace()
    mine = [
        c
        for c in changes
        if c.to_apply and (ws.may(Permission.NOTIFY_ZONES) or not c.touches_notified)
    ]
    counts = pd.Series([str(c.change) for c in changes]).value_counts()
    st.subheader(
        _(
            "Update by {rule} as of {day}",
            rule=md(_(plan.rule.title) or plan.rule.name),
            day=date_text(plan.as_of),
        )
    )
    st.caption(
        _(
            "{counts}. Dashed on the map in the colour of their change. Nothing is saved until "
            "you accept: new zones become proposals, grown and merged zones new versions of "
            "the saved ones (their history kept).",
            counts=", ".join(_changes_counted(Change(c), int(n)) for c, n in counts.items()),
        )
    )
    for note in plan.notes:
        st.caption(md(note))
    show_table(_update_frame(changes), _UPDATE_TABLE)
    waiting = [c for c in changes if c.to_apply and c not in mine]
    if waiting:
        st.caption(
            n_(
                "{n} change to notified zones: the collector accepts it.",
                "{n} changes to notified zones: the collector accepts those.",
                len(waiting),
            )
        )
    c1, c2 = st.columns(2)
    if c1.button(
        n_("Accept {n} change", "Accept {n} changes", len(mine)),
        type="primary",
        disabled=not mine,
        key="accept_update",
    ):
        outcome = state.act(lambda fresh: fresh.apply_update(mine, plan, state.district()))
        if outcome is not None:
            del st.session_state["proposals"]
            state.flash("success", outcome.value.summary())
        st.rerun()  # the outcome, or why nothing was saved, is shown on top
    if c2.button(_("Discard"), key="discard_update"):
        del st.session_state["proposals"]
        st.rerun()


def _changes_counted(change: Change, n: int) -> str:
    """How many zones of the daily update make one kind of change, in words."""
    if change is Change.NEW:
        return n_("{n} new zone", "{n} new zones", n)
    if change is Change.GROWN:
        return n_("{n} zone grown", "{n} zones grown", n)
    if change is Change.MERGED:
        return n_("{n} zone from merged zones", "{n} zones from merged zones", n)
    if change is Change.UNCHANGED:
        return n_("{n} zone unchanged", "{n} zones unchanged", n)
    return n_("{n} zone due for release", "{n} zones due for release", n)


def _release_rule_picker() -> cp.Rule:
    """The rule whose release period a drawn zone takes: the planner's choice, shown before
    saving, starting from the district's working rule (never whatever the rule picker above
    happens to show)."""
    names = list(cp.PRESETS)
    chosen = st.selectbox(
        _("Release period"),
        names,
        index=names.index(state.district().working_rule),
        format_func=lambda n: n_(
            "{n} day without a new case ({rule})",
            "{n} days without a new case ({rule})",
            cp.PRESETS[n].release_after_days,
            rule=_(cp.PRESETS[n].title),
        ),
        key="drawn_release_rule",
        help=_("The zone is due for release this long after its last case."),
    )
    return cp.get_rule(chosen)


def _same_map_as_before(*inputs: tuple[object, ...]) -> bool:
    """Whether the map is drawn from the same inputs as on the last run (so the browser keeps
    it and only takes the groups added to it). A group added while the map itself is drawn
    anew — after a save, a proposal, another date — raised script errors in the browser
    ('Invalid LatLng', a layer control declared twice) about one time in three."""
    key = repr(inputs)
    before = st.session_state.get("plan_map_inputs")
    st.session_state["plan_map_inputs"] = key
    return before == key


def _read_drawing(drawing: dict) -> tuple[DrawnShape, SnappedShape]:
    """A drawing from the map as a shape and the ground units it is saved as, worked out once
    for the preview on the map and the panel under it (a district-wide shape takes 0.1 s)."""
    return _read_drawing_text(json.dumps(drawing, sort_keys=True), state.district())


@functools.lru_cache(maxsize=8)
def _read_drawing_text(drawing: str, district: District) -> tuple[DrawnShape, SnappedShape]:
    shape = drawn_shape(json.loads(drawing), district)
    return shape, snap_to_units(shape.geometry, district)


def _snapped_preview() -> list[folium.FeatureGroup]:
    """The outline the last shape drawn on the map is saved as (the map's value from the
    browser, known before the map is drawn again); none when nothing is drawn or the shape
    cannot be read (the panel under the map says why)."""
    drawings = (st.session_state.get("plan_map") or {}).get("all_drawings") or []
    if not drawings:
        return []
    try:
        _shape, snapped = _read_drawing(drawings[-1])
    except cp.ContainmentError:
        return []  # told by the drawing panel, from the same drawing, in this run
    return [snapped_preview(snapped.geometry, snapped.places)]


def _drawing_panel(drawing: dict, as_of: dt.date) -> None:
    district = state.district()
    try:
        shape, snapped = _read_drawing(drawing)
    except cp.ContainmentError as error:
        state.show_error(error)
        return
    for repair in shape.repairs:
        st.warning(md(repair))
    st.subheader(_("Drawn zone"))
    zones = state.zones()
    in_force = zones[zones["in_force"]] if len(zones) else zones
    for name, km2 in overlapping_zones(snapped.geometry, in_force, district):
        st.warning(
            _(
                "This zone overlaps {name}, a zone in force, over {km2} km². Check that it "
                "is not the same area drawn twice.",
                name=md(name),
                km2=number(km2, 2),
            )
        )
    rule = _release_rule_picker()
    figures = describe_outline(
        snapped.geometry,
        state.cases(),
        district,
        as_of=as_of,
        release_after_days=rule.release_after_days,
    )
    st.caption(
        n_(
            "Saved as the {n} ground unit it covers, dashed in orange on the map (zones follow "
            "village limits and town cells): {places}.",
            "Saved as the {n} ground units it covers, dashed in orange on the map (zones follow "
            "village limits and town cells): {places}.",
            snapped.unit_count,
            places=md(snapped.places),
        )
    )
    cols = st.columns(4)
    cols[0].metric(_("Cases inside"), number(int(figures["case_count"])))
    cols[1].metric(_("People (est.)"), number(int(figures["population_est"])))
    cols[2].metric(_("Households (est.)"), number(int(figures["households_est"])))
    cols[3].metric(_("Area km²"), number(figures["area_km2"], 2))
    st.caption(
        _(
            "Blocks: {blocks} · Facilities inside: {inside} · Nearest facility: {nearest} "
            "({distance} m) · Release due: {due} ({rule})",
            blocks=md(figures["blocks"]) or "—",
            inside=md(figures["facilities_inside"]) or _("none"),
            nearest=md(figures["nearest_facility"]),
            distance=number(figures["nearest_facility_m"]),
            due=date_text(figures["release_due_on"]),
            rule=md(_(rule.title) or rule.name),
        )
    )
    with st.form("save_drawing", clear_on_submit=True):
        name = st.text_input(_("Zone name"), placeholder=_("e.g. Ward 7, Sagwara town"))
        kind = st.radio(
            _("Kind"), ["containment", "buffer"], format_func=code_label, horizontal=True
        )
        note = st.text_area(_("Note (not exported)"), height=68)
        if st.form_submit_button(_("Save zone"), type="primary", key="save_drawing_submit"):
            saved = state.act(
                lambda ws: ws.save_zone(
                    SavedZone(
                        zone_id=new_zone_id(),
                        name=name,
                        kind=kind,
                        origin=ZoneOrigin.DRAWN,
                        rule=rule.name,
                        geometry=snapped.geometry,
                        release_after_days=rule.release_after_days,
                        note=note,
                        created_on=as_of,
                    )
                ),
                done=_("Zone {name} saved as a draft.", name=repr(name)),
            )
            if saved is None:
                state.show_flash()
                return
            # Opened on the next run: the zone picker is already drawn in this one.
            st.session_state["open_next"] = saved.value.zone_id
            st.rerun()


def _edit_panel(opened: SavedZone, drawings: list[dict]) -> None:
    """Save a new outline over the version the user opened (someone else's save since then is
    a conflict, not overwritten)."""
    st.info(
        _(
            "Editing the shape of **{name}**: use the edit tool (pencil) on the map, click "
            "*Save* on the map toolbar, then save here.",
            name=md(opened.name),
        )
    )
    c1, c2 = st.columns(2)
    if c2.button(_("Cancel editing")):
        del st.session_state["editing_zone"]
        st.rerun()
    if not drawings:
        return
    try:
        shape, snapped = _read_drawing(drawings[-1])
    except cp.ContainmentError as error:
        state.show_error(error)
        return
    for repair in shape.repairs:
        st.warning(md(repair))
    if shapely.equals(snapped.geometry, opened.geometry):
        st.info(
            _(
                "The new shape covers the same ground units as the saved one ({places}): "
                "nothing to save. Move the outline over another village or town cell.",
                places=md(snapped.places),
            )
        )
        return
    st.caption(
        n_(
            "The new shape is the {n} ground unit it covers, dashed in orange on the map: "
            "{places}.",
            "The new shape is the {n} ground units it covers, dashed in orange on the map: "
            "{places}.",
            snapped.unit_count,
            places=md(snapped.places),
        )
    )
    if c1.button(_("Save new shape"), type="primary"):
        saved = state.act(
            lambda ws: ws.save_zone(dataclasses.replace(opened, geometry=snapped.geometry)),
            done=_("New shape of {name} saved.", name=repr(opened.name)),
        )
        if saved is None:
            state.show_flash()
            return
        del st.session_state["editing_zone"]
        st.rerun()


def _listed(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The zones the page lists and offers to open: what the search found when something is
    typed; otherwise every zone, or, past :data:`MANY_ZONES` (a city's thousands), those due
    for release and then the newest, :data:`ZONES_LISTED` of them.

    Called before the map is drawn (the map shows the zone opened): the zone chosen is made
    one of those listed — a search's best match when the one open is not among its matches.
    """
    if "open_next" in st.session_state:  # a zone just saved, opened (before its picker is drawn)
        st.session_state["selected_zone"] = st.session_state.pop("open_next")
    query = str(st.session_state.get("zone_query") or "")
    if query.strip():
        listed = search_zones(zones, query, limit=ZONES_LISTED)
    elif len(zones) > MANY_ZONES:
        order = zones.assign(
            _due=~zones["due_for_release"].astype(bool),
            _made=pd.to_datetime(zones["created_on"], errors="coerce"),
        ).sort_values(["_due", "_made", "name"], ascending=[True, False, True], kind="stable")
        listed = order.head(ZONES_LISTED).drop(columns=["_due", "_made"])
        chosen = st.session_state.get("selected_zone")
        if chosen is not None and chosen not in set(listed["zone_id"]):
            listed = pd.concat([zones[zones["zone_id"] == chosen], listed])  # a zone just saved
    else:
        listed = zones
    ids = list(listed["zone_id"])
    if ids and st.session_state.get("selected_zone") not in ids:
        if query.strip() or len(zones) <= MANY_ZONES:
            st.session_state["selected_zone"] = ids[0]
        else:
            st.session_state["selected_zone"] = None
    return listed


def _zone_actions(zones: gpd.GeoDataFrame, listed: gpd.GeoDataFrame, as_of: dt.date) -> None:
    if zones.empty:
        st.caption(_("No saved zones yet: propose them by rule or draw one on the map."))
        return
    many = len(zones) > MANY_ZONES
    query = st.text_input(
        _("Find a zone"),
        key="zone_query",
        placeholder=_("Part of a name, zone number, village or order number, then Enter"),
    )
    if query.strip() and listed.empty:
        st.info(_("No zone matches {query}.", query=md(repr(query.strip()))))
        return
    if query.strip() or many:
        st.caption(
            _(
                "{listed} of {n} zones listed; type part of a name, zone number, village or order "
                "number to find others.",
                listed=number(len(listed)),
                n=number(len(zones)),
            )
        )
    show_table(listed, {c: ZONE_LABELS[c] for c in ZONE_TABLE})
    if state.workspace().may(Permission.NOTIFY_ZONES):
        _notify_several(zones, as_of)
    labels = {row.zone_id: f"{row.name} ({code_label(row.kind)})" for row in listed.itertuples()}
    zone_id = st.selectbox(
        _("Zone"),
        list(labels),
        format_func=lambda z: labels.get(z, z),
        key="selected_zone",
        index=None if many else 0,
        placeholder=_("Find a zone above, or choose one of those listed"),
    )
    if zone_id is None:
        return
    ws = state.workspace()
    zone = ws.zone(zone_id)  # the version on screen: every button below acts on this one
    row = zones.set_index("zone_id").loc[zone_id]
    if zone.notified_on:
        st.markdown(
            _(
                "Status: **{status}**, order {order} of {day}",
                status=code_label(zone.status),
                order=md(zone.order_number),
                day=date_text(zone.notified_on),
            )
        )
    else:
        st.markdown(_("Status: **{status}**", status=code_label(zone.status)))
    st.caption(_("Zone number {zone_id}", zone_id=md(zone.zone_id)))
    st.caption(
        _(
            "Households (est.): {households} · Area: {area} km² · Blocks: {blocks} · Facilities "
            "inside: {inside} · Nearest facility: {nearest} ({distance} m)",
            households=number(int(row["households_est"])),
            area=number(row["area_km2"], 2),
            blocks=md(row["blocks"]) or "—",
            inside=md(row["facilities_inside"]) or _("none"),
            nearest=md(row["nearest_facility"]),
            distance=number(row["nearest_facility_m"]),
        )
    )
    if row["due_for_release"]:
        st.warning(
            _(
                "{name} is due for release: no new case since {day}.",
                name=md(zone.name),
                day=date_text(row["last_case_on"]),
            )
        )

    def move(to: ZoneStatus, on_key: str | None = None, order_key: str | None = None) -> None:
        on = st.session_state[on_key] if on_key else as_of
        order = st.session_state[order_key] if order_key else ""
        state.act(
            lambda fresh: fresh.save_zone(advance(zone, to, on=on, order_number=order)),
            done=lambda: _("{name}: {status}.", name=zone.name, status=code_label(to)),
            place=f"decide_{zone_id}" if on_key else "",
        )

    def decide(
        to: ZoneStatus, label: str, key: str, on_key: str, order_key: str | None = None
    ) -> None:
        """The decision's button, after the collector confirms a date that looks wrong; a
        refusal is shown under the button."""
        on = st.session_state.get(on_key) or as_of
        try:  # a date the service refuses whatever is confirmed: said at once, no button
            advance(zone, to, on=on, order_number="-")
        except TransitionError as refused:
            st.error(md(str(refused)))
            st.button(label, type="primary", key=key, disabled=True)
            return
        due = row["release_due_on"]
        doubts = dates_to_confirm(
            zone,
            to,
            on=on,
            working_date=as_of,
            release_due_on=None if pd.isna(due) else pd.Timestamp(due).date(),
        )
        for doubt in doubts:
            st.warning(md(doubt))
        sure = bool(doubts) and st.checkbox(
            _("This date is right: go ahead."), key=f"sure_{on_key}_{on:%Y%m%d}"
        )
        st.button(
            label,
            type="primary",
            key=key,
            on_click=move,
            args=(to, on_key, order_key),
            disabled=bool(doubts) and not sure,
        )
        state.show_flash(f"decide_{zone_id}")

    decided = zone.status in (ZoneStatus.NOTIFIED, ZoneStatus.RELEASED)
    may_notify = ws.may(Permission.NOTIFY_ZONES)
    may_edit = ws.may(Permission.EDIT_ZONES) and (may_notify or not decided)
    may_propose = ws.may(Permission.PROPOSE_ZONES)
    cols = st.columns(4)
    if zone.status is ZoneStatus.DRAFT and may_propose:
        cols[0].button(
            _("Propose"), key=f"propose_{zone_id}", on_click=move, args=(ZoneStatus.PROPOSED,)
        )
    if zone.status is ZoneStatus.PROPOSED:
        if may_propose:
            cols[0].button(
                _("Back to draft"),
                key=f"to_draft_{zone_id}",
                on_click=move,
                args=(ZoneStatus.DRAFT,),
            )
        if may_notify:
            with st.expander(_("Notify (collector)"), key=f"notify_{zone_id}"):
                st.text_input(_("Order number"), key=f"order_{zone_id}")
                st.date_input(
                    _("Order date"), value=as_of, format="DD-MM-YYYY", key=f"order_on_{zone_id}"
                )
                decide(
                    ZoneStatus.NOTIFIED,
                    _("Notify zone"),
                    f"notify_zone_{zone_id}",
                    f"order_on_{zone_id}",
                    f"order_{zone_id}",
                )
        else:
            st.caption(_("The collector notifies proposed zones."))
    if zone.status is ZoneStatus.NOTIFIED and may_notify:
        with st.expander(_("Release (collector)"), key=f"release_{zone_id}"):
            st.date_input(
                _("Released on"), value=as_of, format="DD-MM-YYYY", key=f"release_on_{zone_id}"
            )
            decide(
                ZoneStatus.RELEASED,
                _("Release zone"),
                f"release_zone_{zone_id}",
                f"release_on_{zone_id}",
            )
    editable = may_edit and zone.status is not ZoneStatus.RELEASED
    if editable and cols[2].button(_("Edit shape"), key=f"edit_{zone_id}"):
        st.session_state["editing_zone"] = zone  # saved later over this version, or refused
        st.rerun()
    if may_edit:
        with cols[3].popover(_("Delete"), key=f"delete_{zone_id}"):
            st.write(
                _(
                    "Delete {name}? Its history is kept in the audit trail.",
                    name=md(repr(zone.name)),
                )
            )
            state.action_button(
                _("Delete zone"),
                lambda fresh: fresh.delete_zone(zone_id, version=zone.version),
                key=f"delete_zone_{zone_id}",
                done=_("Zone {name} deleted.", name=repr(zone.name)),
                type="primary",
            )
    _history(zone, may_edit)


def _notify_several(zones: gpd.GeoDataFrame, as_of: dt.date) -> None:
    """The collector notifies several proposed zones under one order, in one step."""
    proposed = zones[zones["status"] == "proposed"]
    if len(proposed) < 2:
        return
    with st.expander(
        _(
            "Notify several proposed zones under one order ({n} proposed)",
            n=number(len(proposed)),
        )
    ):
        labels = dict(zip(proposed["zone_id"], proposed["name"], strict=True))
        chosen = st.multiselect(
            _("Zones"), list(labels), format_func=labels.get, key="notify_several_zones"
        )
        c1, c2 = st.columns(2)
        c1.text_input(_("Order number"), key="notify_several_order")
        c2.date_input(_("Order date"), value=as_of, format="DD-MM-YYYY", key="notify_several_on")
        ws = state.workspace()
        # The versions on screen (those chosen, read once: a city proposes hundreds): saved
        # over, or refused.
        seen = {z: ws.zone(z) for z in chosen}

        def notify(fresh: Workspace) -> object:  # reads the form as it was when clicked
            picked = st.session_state["notify_several_zones"]
            return fresh.notify_zones(
                [seen[z] if z in seen else fresh.zone(z) for z in picked],
                order_number=st.session_state["notify_several_order"],
                on=st.session_state["notify_several_on"],
            )

        state.action_button(
            n_(
                "Notify {n} zone under this order",
                "Notify {n} zones under this order",
                len(chosen),
            ),
            notify,
            key="notify_several",
            done=n_(
                "{n} zone notified under one order.",
                "{n} zones notified under one order.",
                len(chosen),
            ),
            type="primary",
            disabled=not chosen,
        )


def _history(zone: SavedZone, may_restore: bool) -> None:
    """Every saved version of the zone; restore an earlier one as the newest."""
    ws = state.workspace()
    versions = ws.zone_history(zone.zone_id)
    with st.expander(
        n_("History ({n} version)", "History ({n} versions)", len(versions)),
        key=f"history_{zone.zone_id}",
    ):
        table = pd.DataFrame(
            [
                {
                    "version": z.version,
                    "saved_at": at,
                    "by": by,
                    "change": change,
                    "status": str(z.status),
                    "name": z.name,
                }
                for z, by, at, change in reversed(versions)
            ]
        )
        show_table(table, _HISTORY_TABLE)
        earlier = [z.version for z, *_rest in versions if z.version != zone.version]
        if not (may_restore and earlier):
            return
        chosen = st.selectbox(
            _("Version to restore"), earlier[::-1], key=f"restore_version_{zone.zone_id}"
        )
        state.action_button(
            _("Restore version {version}", version=chosen),
            lambda fresh: fresh.restore_zone(zone.zone_id, chosen, current_version=zone.version),
            key=f"restore_{zone.zone_id}",
            done=_(
                "Version {version} of {name} restored as the newest version.",
                version=chosen,
                name=repr(zone.name),
            ),
        )


def _guide(rule: cp.Rule, as_of: dt.date) -> gpd.GeoDataFrame | None:
    done = state.act(
        lambda ws: ws.propose_zones(rule, as_of=as_of, district=state.district(), shape="circles")
    )
    return done.value.zones if done is not None else None


@state.page
def page() -> None:
    as_of = state.working_date()
    all_cases = state.cases()
    st.title(_("Plan zones"))
    if all_cases.empty:
        st.info(_("No cases yet. Import the day's line list on the *Import cases* page."))
        offer_sample()
    cases = reported_in(all_cases, until=as_of)
    with st.expander(_("Propose zones by rule"), expanded="proposals" not in st.session_state):
        rule = _rule_picker()
        if st.button(
            _("Propose zones as of {day}", day=date_text(as_of)),
            disabled=cases.empty,
            key="propose_rule",
        ):
            _propose(rule, as_of)
        guide = st.checkbox(
            _(
                "Show the rule's exact circles on the map (a planner's guide: never saved or "
                "exported, since circles give away where the cases live)"
            ),
            key="show_guide",
        )
    proposals = st.session_state.get("proposals")
    editing = st.session_state.get("editing_zone")
    zones = state.zones()
    listed = _listed(zones) if not zones.empty else zones
    many = len(zones[zones["status"] != "released"]) > MANY_ZONES if len(zones) else False
    # On screen: the map, the panels that read it, then the saved zones. Run in another order:
    # the saved zones first, so a zone found or opened shows before the map is built and sent.
    map_area, panels = st.container(), st.container()
    st.subheader(_("Saved zones"))
    _zone_actions(zones, listed, as_of)
    opened = st.session_state.get("selected_zone") if many else None
    opened_zone = zones[zones["zone_id"] == opened] if opened else zones.iloc[0:0]
    centre = opened_zone.geometry.iloc[0].representative_point() if len(opened_zone) else None
    layers = MapLayers(
        crossings=crossings.section(as_of),
        zones=zones,
        zone_overview=state.zone_overview() if many else None,
        update=_update_frame(proposals["changes"]) if proposals else None,
        guide=_guide(rule, as_of) if guide and not cases.empty else None,
        cases=cases,
        centres=state.centres(),
        editable=editing.geometry if editing else None,
        own=state.own_layers(),
    )
    # Put on the drawn map without drawing it again: with many zones, the one opened in detail
    # (and the map moved to it); under a shape just drawn, the ground units it is saved as.
    added = [zone_in_detail(opened_zone, state.district())] if centre else []
    unchanged = _same_map_as_before(
        (state.data_version(), as_of, i18n.current_language(), id(proposals), guide, rule.name),
        (editing.zone_id if editing else None, opened),
    )
    added += _snapped_preview() if unchanged else []
    with map_area:
        output = st_folium(
            build_map(state.district(), layers),
            key="plan_map",
            height=620,
            use_container_width=True,
            returned_objects=["all_drawings"],
            feature_group_to_add=added or None,
            center=(centre.y, centre.x) if centre else None,
            zoom=OPENED_ZONE_ZOOM if centre else None,
        )
    drawings = (output or {}).get("all_drawings") or []
    with panels:
        if proposals:
            _update_panel(proposals)
        if editing:
            _edit_panel(editing, drawings)
        elif drawings:
            _drawing_panel(drawings[-1], as_of)
