"""Turning a district, its zones, cases and centres into a ``folium.Map``. No streamlit here.

Every layer can be switched on and off; a legend says what the colours mean. The map works
with no internet: its basemap is drawn from the shipped layers, its scripts are served by the
app (:mod:`containment.render.offline`), and the online OpenStreetMap tiles are an extra that stays
off until a user ticks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.field.centres import CentreKind
from containment.i18n import N_, _, number
from containment.render.labels import ZONE_LABELS, code_label
from containment.render.offline import serve_locally
from containment.render.text import cell_text, html_text

__all__ = ["CENTRE_ICONS", "ZONE_COLOURS", "MapLayers", "build_map"]

ZONE_COLOURS = {"containment": "#d32f2f", "buffer": "#ef6c00"}
_STATUS_DASH = {"draft": "2 6", "proposed": "8 6", "notified": None, "released": "1 8"}
CENTRE_ICONS = {
    CentreKind.COVID_CARE_CENTRE: ("house-medical", "orange"),
    CentreKind.QUARANTINE_CENTRE: ("bed", "blue"),
    CentreKind.DEDICATED_HOSPITAL: ("hospital", "red"),
}
HABITATIONS_MIN_ZOOM = 11
_DISPLAY_TOLERANCE_M = 5.0  # well under a pixel at the zoom a zone is looked at

_ZONE_POPUP = {
    c: ZONE_LABELS[c]
    for c in [
        "name", "zone_id", "kind", "status", "order_number", "case_count", "population_est",
        "households_est", "release_due_on", "blocks", "facilities_inside", "area_km2",
    ]
}  # fmt: skip


@dataclass(frozen=True)
class MapLayers:
    """What to show besides the district itself; every part is optional."""

    zones: gpd.GeoDataFrame | None = None
    proposals: gpd.GeoDataFrame | None = None
    update: gpd.GeoDataFrame | None = None  # the daily update: ``change``, ``name``, ``detail``
    guide: gpd.GeoDataFrame | None = None  # the rule's exact circles: a planner's guide only
    cases: gpd.GeoDataFrame | None = None
    centres: gpd.GeoDataFrame | None = None
    checkpoints: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    editable: shapely.Geometry | None = None


class _Script(MacroElement):
    """A piece of map script with access to the map (``map``) and named layers."""

    def __init__(self, body: str, **layers: Element) -> None:
        super().__init__()
        self._name = "Script"
        self.body = body
        self.layers = layers
        self._template = Template(
            "{% macro script(this, kwargs) %}(function () {\n"
            "var map = {{ this._parent.get_name() }};\n"
            "{% for name, layer in this.layers.items() %}"
            "var {{ name }} = {{ layer.get_name() }};\n{% endfor %}"
            "{{ this.body }}\n})();\n{% endmacro %}"
        )


def _for_display(
    frame: gpd.GeoDataFrame, fields: Iterable[str], district: District | None = None
) -> gpd.GeoDataFrame:
    """Only the fields a layer shows, each as the reader reads it (codes in words, dates
    DD-MM-YYYY, numbers with Indian digit grouping) and escaped for HTML; outlines simplified in
    metres (when ``district`` is given).

    Every layer's data passes through here: popups, tooltips and the village search put
    property values into the page as HTML, so a name such as ``<img src=x onerror=...>`` must
    arrive as text (see :mod:`containment.render.text`).
    """
    shown = frame[[c for c in fields if c in frame.columns] + ["geometry"]].copy()
    for column in shown.columns:
        if column == "geometry":
            continue
        if column in ("kind", "status", "change"):
            if column == "status":  # the code, for the outline's style
                shown["status_code"] = shown[column]
            shown[column] = shown[column].map(lambda v: html_text(code_label(v)))
        elif pd.api.types.is_numeric_dtype(shown[column]) and column != "population":
            digits = 2 if column == "area_km2" else 0
            shown[column] = shown[column].map(lambda v, d=digits: number(v, d))
        elif not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: html_text(cell_text(v)))
    if district is not None:
        metric = shown.geometry.to_crs(district.metric_crs).simplify(_DISPLAY_TOLERANCE_M)
        shown["geometry"] = metric.to_crs(STORAGE_CRS)
    return shown


def _popup(frame: gpd.GeoDataFrame, fields: dict[str, str]) -> folium.GeoJsonPopup:
    present = [c for c in fields if c in frame.columns]
    return folium.GeoJsonPopup(fields=present, aliases=[html_text(_(fields[c])) for c in present])


def _add_reference_layers(fmap: folium.Map, district: District) -> None:
    blocks = folium.FeatureGroup(name=_("Blocks"), show=True)
    folium.GeoJson(
        _for_display(district.blocks, ["name"]),
        style_function=lambda _: {
            "color": "#546e7a",
            "weight": 1.2,
            "fillColor": "#eceff1",
            "fillOpacity": 0.35,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[_("Block")]),
    ).add_to(blocks)
    for block in district.blocks.itertuples():
        point = block.geometry.representative_point()
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="block-label">{html_text(block.name)}</div>',
                icon_size=(120, 20),
                icon_anchor=(60, 10),
            ),
        ).add_to(blocks)
    blocks.add_to(fmap)

    folium.GeoJson(
        gpd.GeoDataFrame(geometry=[district.outline], crs=STORAGE_CRS),
        name=html_text(_("{district} district", district=district.name)),
        style_function=lambda _: {"color": "#263238", "weight": 3, "fill": False},
    ).add_to(fmap)

    habitations = _for_display(district.habitations, ["name", "population", "block"])
    habitations["population"] = habitations["population"].round().astype(int)
    habitations["people"] = habitations["population"].map(number)
    villages = folium.GeoJson(
        habitations,
        name=_("Villages (zoom in to {zoom}+)", zoom=HABITATIONS_MIN_ZOOM),
        marker=folium.CircleMarker(),
        style_function=lambda f: {
            "radius": float(2 + np.sqrt(f["properties"]["population"]) / 12),
            "color": "#5d4037",
            "weight": 1,
            "fillColor": "#a1887f",
            "fillOpacity": 0.5,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "people", "block"], aliases=[_("Village"), _("People"), _("Block")]
        ),
    ).add_to(fmap)
    # The search control puts its layer on the map: it must come before the script below.
    folium.plugins.Search(
        layer=villages,
        search_label="name",
        search_zoom=14,
        placeholder=_("Find a village"),
        collapsed=False,
        position="topright",
    ).add_to(fmap)
    _Script(
        f"""
        // Off the map (not merely transparent) below the zoom, so that unseen villages
        // neither catch clicks meant for the drawing tools nor show tooltips.
        var wanted = true, ours = false;
        map.on('overlayadd overlayremove', function (e) {{
            if (e.layer === villages && !ours) {{ wanted = e.type === 'overlayadd'; }}
        }});
        function update() {{
            var show = wanted && map.getZoom() >= {HABITATIONS_MIN_ZOOM};
            ours = true;
            if (show && !map.hasLayer(villages)) {{ map.addLayer(villages); }}
            if (!show && map.hasLayer(villages)) {{ map.removeLayer(villages); }}
            ours = false;
        }}
        map.on('zoomend', update); update();
        """,
        villages=villages,
    ).add_to(fmap)

    facilities = _for_display(district.health_facilities, ["name", "kind", "block"])
    folium.GeoJson(
        facilities,
        name=_("Health facilities"),
        marker=folium.CircleMarker(
            radius=5, color="#1b5e20", fill_color="#66bb6a", fill_opacity=0.9, weight=1
        ),
        popup=folium.GeoJsonPopup(
            fields=["name", "kind", "block"], aliases=[_("Facility"), _("Type"), _("Block")]
        ),
    ).add_to(fmap)


def _add_zones(
    fmap: folium.Map, zones: gpd.GeoDataFrame, district: District, *, name: str, dashed: bool
) -> None:
    for kind in ("buffer", "containment"):
        chosen = zones[zones["kind"] == kind]
        if chosen.empty:
            continue
        shown = _for_display(chosen, _ZONE_POPUP, district)
        colour = ZONE_COLOURS[kind]
        fill = 0.12 if kind == "buffer" else 0.3

        def style(
            feature: dict[str, Any], colour: str = colour, fill: float = fill
        ) -> dict[str, object]:
            status = feature["properties"].get("status_code", "proposed")
            return {
                "color": colour,
                "weight": 3 if status == "notified" else 2,
                "dashArray": "8 6" if dashed else _STATUS_DASH.get(status),
                "fillColor": colour,
                "fillOpacity": fill * (0.5 if status == "released" else 1),
            }

        folium.GeoJson(
            shown,
            name=_("{layer}: {kind}", layer=name, kind=code_label(kind)),
            style_function=style,
            popup=_popup(shown, _ZONE_POPUP),
            tooltip=folium.GeoJsonTooltip(
                fields=["name"] if "name" in shown else ["kind"], labels=False
            ),
        ).add_to(fmap)


UPDATE_COLOURS = {
    "new": "#c62828",
    "grown": "#ef6c00",
    "merged": "#6a1b9a",
    "unchanged": "#78909c",
    "due for release": "#2e7d32",
    "no case now": "#8d6e63",
}
_UPDATE_TOOLTIP = {
    "change": N_("Change"),
    "name": N_("Zone"),
    "kind": N_("Kind"),
    "detail": N_("What changes"),
}


def _add_update(fmap: folium.Map, update: gpd.GeoDataFrame, district: District) -> None:
    """The daily update on the map: each proposed change in its colour, dashed."""
    for change, colour in UPDATE_COLOURS.items():
        chosen = update[update["change"] == change]
        if chosen.empty:
            continue
        shown = _for_display(chosen, _UPDATE_TOOLTIP, district)
        folium.GeoJson(
            shown,
            name=_("Update: {change} ({n})", change=code_label(change), n=number(len(chosen))),
            style_function=lambda _, colour=colour: {
                "color": colour,
                "weight": 3,
                "dashArray": "8 6",
                "fillColor": colour,
                "fillOpacity": 0.15,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=list(_UPDATE_TOOLTIP), aliases=[_(a) for a in _UPDATE_TOOLTIP.values()]
            ),
        ).add_to(fmap)


def _add_guide(fmap: folium.Map, guide: gpd.GeoDataFrame, district: District) -> None:
    """The rule's exact circles, thin and unfilled: where the radius reaches, for the planner's
    eye only (they are never saved or exported)."""
    folium.GeoJson(
        _for_display(guide, ["kind"], district),
        name=_("Rule circles (guide, not for release)"),
        style_function=lambda _: {
            "color": "#1565c0",
            "weight": 1,
            "dashArray": "2 4",
            "fill": False,
        },
        interactive=False,
    ).add_to(fmap)


class _CaseLayer(folium.map.Layer):
    """Cases as canvas circle markers built in the browser from a compact array.

    Ten thousand cases as GeoJSON are megabytes of script; as ``[lat, lon, day]`` rows
    rounded to about a metre they are a tenth of that, and the page stays quick.
    """

    def __init__(self, cases: gpd.GeoDataFrame, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CaseLayer"
        self.reported = json.dumps(_("Reported"))
        reported = pd.to_datetime(cases["reported_on"])
        self.first_day = reported.min().strftime("%Y-%m-%d") if len(cases) else "2020-01-01"
        days = (reported - reported.min()).dt.days.to_numpy() if len(cases) else []
        rows = zip(cases.geometry.y.to_numpy(), cases.geometry.x.to_numpy(), days, strict=True)
        self.rows = (
            "[" + ",".join(f"[{lat:.5f},{lon:.5f},{int(day)}]" for lat, lon, day in rows) + "]"
        )
        self._template = Template(
            """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
(function () {
    var rows = {{ this.rows }};
    var first = new Date('{{ this.first_day }}T00:00:00Z');
    var style = {radius: 3, color: '#4a148c', weight: 1, fillColor: '#7b1fa2', fillOpacity: 0.8};
    for (var i = 0; i < rows.length; i++) {
        var marker = L.circleMarker([rows[i][0], rows[i][1]], style);
        marker.day = rows[i][2];
        {{ this.get_name() }}.addLayer(marker);
    }
    {{ this.get_name() }}.on('mouseover', function (e) {
        var day = new Date(first.getTime() + e.layer.day * 86400000);
        var iso = day.toISOString();  // DD-MM-YYYY, as every date is shown
        var shown = iso.slice(8, 10) + '-' + iso.slice(5, 7) + '-' + iso.slice(0, 4);
        e.layer.bindTooltip({{ this.reported }} + ' ' + shown).openTooltip();
    });
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}"""
        )


def _add_cases(fmap: folium.Map, cases: gpd.GeoDataFrame) -> None:
    _CaseLayer(cases, _("Cases ({n})", n=number(len(cases)))).add_to(fmap)


_CENTRE_POPUP = {
    "name": N_("Centre"),
    "kind_label": N_("Kind"),
    "capacity": N_("Beds"),
    "occupied": N_("Occupied"),
    "beds_free": N_("Free"),
}


def _add_centres(fmap: folium.Map, centres: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name=_("Centres"))
    for kind, (icon, colour) in CENTRE_ICONS.items():
        chosen = centres[centres["kind"] == kind.value].copy()
        if chosen.empty:
            continue
        chosen["kind_label"] = kind.label
        chosen["beds_free"] = chosen["capacity"].astype(int) - chosen["occupied"].astype(int)
        shown = _for_display(chosen, _CENTRE_POPUP)
        folium.GeoJson(
            shown,
            marker=folium.Marker(icon=folium.Icon(icon=icon, prefix="fa", color=colour)),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            popup=_popup(shown, _CENTRE_POPUP),
        ).add_to(group)
    group.add_to(fmap)


_CHECKPOINT_TOOLTIP = {
    "checkpoint_id": N_("Checkpoint"),
    "zone_name": N_("Zone"),
    "road": N_("Road"),
}


def _add_checkpoints(fmap: folium.Map, checkpoints: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name=_("Checkpoints"))
    shown = _for_display(checkpoints, _CHECKPOINT_TOOLTIP)
    folium.GeoJson(
        shown,
        marker=folium.Marker(icon=folium.Icon(icon="road-barrier", prefix="fa", color="black")),
        tooltip=folium.GeoJsonTooltip(
            fields=list(_CHECKPOINT_TOOLTIP), aliases=[_(a) for a in _CHECKPOINT_TOOLTIP.values()]
        ),
    ).add_to(group)
    group.add_to(fmap)


_LEGEND = f"""
var legend = L.control({{position: 'bottomright'}});
legend.onAdd = function () {{
    var div = L.DomUtil.create('div', 'map-legend');
    div.innerHTML = '<b>@@Legend@@</b><br>'
      + '<i style="background:{ZONE_COLOURS["containment"]}"></i>@@Containment zone@@<br>'
      + '<i style="background:{ZONE_COLOURS["buffer"]}"></i>@@Buffer zone@@<br>'
      + '<i class="line notified"></i>@@notified@@ &nbsp;<i class="line proposed"></i>@@proposed@@'
      + ' &nbsp;<i class="line draft"></i>@@draft@@<br>'
      + '@@CASE@@<i class="dot" style="background:#66bb6a"></i>@@Health facility@@<br>'
      + '<i class="dot" style="background:#a1887f"></i>@@Village (by population)@@<br>'
      + '<span style="color:#f0932b">&#9632;</span> @@COVID care@@'
      + ' <span style="color:#38aadd">&#9632;</span> @@quarantine@@'
      + ' <span style="color:#d63e2a">&#9632;</span> @@hospital@@';
    return div;
}};
legend.addTo(map);
var style = document.createElement('style');
style.innerHTML = '.map-legend {{background: white; padding: 6px 8px; font: 12px/18px sans-serif;'
  + ' border-radius: 4px; box-shadow: 0 0 6px rgba(0,0,0,.3);}}'
  + ' .map-legend i {{display: inline-block; width: 14px; height: 12px; margin-right: 5px;'
  + ' opacity: .7; vertical-align: middle;}}'
  + ' .map-legend i.dot {{width: 10px; height: 10px; border-radius: 5px;}}'
  + ' .map-legend i.line {{height: 0; border-top: 3px solid #d32f2f; opacity: 1;}}'
  + ' .map-legend i.proposed {{border-top-style: dashed;}}'
  + ' .map-legend i.draft {{border-top-style: dotted;}}'
  + ' .block-label {{font: bold 13px sans-serif; color: #37474f; text-align: center;'
  + ' text-shadow: 0 0 3px white; white-space: nowrap; pointer-events: none;}}';
document.head.appendChild(style);
"""


# The legend's words, put into its script in the reader's language (escaped for HTML and for
# the script's quoted strings).
_LEGEND_WORDS = (
    N_("Legend"), N_("Containment zone"), N_("Buffer zone"), N_("notified"), N_("proposed"),
    N_("draft"), N_("Health facility"), N_("Village (by population)"), N_("COVID care"),
    N_("quarantine"), N_("hospital"), N_("Case"),
)  # fmt: skip


def _in_words(script: str) -> str:
    """``script`` with each ``@@word@@`` in the reader's language."""
    for word in _LEGEND_WORDS:
        text = json.dumps(html_text(_(word)), ensure_ascii=False)[1:-1].replace("'", "\\'")
        script = script.replace(f"@@{word}@@", text)
    return script


# The drawing tools' own words (Leaflet.draw's L.drawLocal), in the reader's language.
_DRAW_WORDS = {
    "draw.toolbar.actions.title": N_("Cancel drawing"),
    "draw.toolbar.actions.text": N_("Cancel"),
    "draw.toolbar.finish.title": N_("Finish drawing"),
    "draw.toolbar.finish.text": N_("Finish"),
    "draw.toolbar.undo.title": N_("Delete the last point drawn"),
    "draw.toolbar.undo.text": N_("Delete last point"),
    "draw.toolbar.buttons.polygon": N_("Draw a polygon"),
    "draw.toolbar.buttons.rectangle": N_("Draw a rectangle"),
    "draw.toolbar.buttons.circle": N_("Draw a circle"),
    "draw.handlers.circle.tooltip.start": N_("Click and drag to draw a circle."),
    "draw.handlers.circle.radius": N_("Radius"),
    "draw.handlers.polygon.tooltip.start": N_("Click to start drawing the shape."),
    "draw.handlers.polygon.tooltip.cont": N_("Click to continue drawing the shape."),
    "draw.handlers.polygon.tooltip.end": N_("Click the first point to close the shape."),
    "draw.handlers.polyline.error": N_("The shape's edges cannot cross."),
    "draw.handlers.rectangle.tooltip.start": N_("Click and drag to draw a rectangle."),
    "draw.handlers.simpleshape.tooltip.end": N_("Release the mouse to finish drawing."),
    "edit.toolbar.actions.save.title": N_("Save changes"),
    "edit.toolbar.actions.save.text": N_("Save"),
    "edit.toolbar.actions.cancel.title": N_("Cancel editing, discarding every change"),
    "edit.toolbar.actions.cancel.text": N_("Cancel"),
    "edit.toolbar.actions.clearAll.title": N_("Clear every shape"),
    "edit.toolbar.actions.clearAll.text": N_("Clear all"),
    "edit.toolbar.buttons.edit": N_("Edit shapes"),
    "edit.toolbar.buttons.editDisabled": N_("No shapes to edit"),
    "edit.toolbar.buttons.remove": N_("Delete shapes"),
    "edit.toolbar.buttons.removeDisabled": N_("No shapes to delete"),
    "edit.handlers.edit.tooltip.text": N_("Drag the handles to change the shape."),
    "edit.handlers.edit.tooltip.subtext": N_("Click Cancel to undo the changes."),
    "edit.handlers.remove.tooltip.text": N_("Click a shape to delete it."),
}


def _draw_words() -> str:
    """A script setting the drawing tools' words (our own text, quoted as script strings)."""
    lines = [
        f"L.drawLocal.{path} = {json.dumps(_(words), ensure_ascii=False)};"
        for path, words in _DRAW_WORDS.items()
    ]
    return "if (window.L && L.drawLocal) {\n" + "\n".join(lines) + "\n}"


# While a drawing or editing tool is active, the features on the canvas (cases, villages,
# facilities, zones) stop answering the mouse, so every click lands on the drawing.
_QUIET_WHILE_DRAWING = """
var quieted = [];
function quiet() {
    map.eachLayer(function (layer) {
        if (layer instanceof L.Path && layer.options.interactive) {
            layer.options.interactive = false;
            quieted.push(layer);
        }
    });
}
function wake() {
    quieted.forEach(function (layer) { layer.options.interactive = true; });
    quieted = [];
}
map.on('draw:drawstart draw:editstart', quiet);
map.on('draw:drawstop draw:editstop', wake);
"""


def build_map(
    district: District,
    layers: MapLayers | None = None,
    *,
    draw: bool = True,
    local_assets: bool = True,
) -> folium.Map:
    """The planning map: reference layers, zones, cases, centres, tools and a legend.

    ``draw`` adds the drawing tools (polygon, rectangle, circle); ``layers.editable`` puts a
    saved zone's outline into the drawing layer so that it can be edited. ``local_assets``
    serves every script from the app (see :func:`containment.render.offline.serve_locally`).
    """
    layers = layers or MapLayers()
    west, south, east, north = district.outline.bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True, zoom_snap=0.5)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.TileLayer(
        "OpenStreetMap",
        name=_("OpenStreetMap (needs internet)"),
        overlay=True,
        show=False,
        control=True,
    ).add_to(fmap)
    _add_reference_layers(fmap, district)
    if layers.proposals is not None and not layers.proposals.empty:
        _add_zones(
            fmap, layers.proposals, district, name=_("Rule proposals (not saved)"), dashed=True
        )
    if layers.guide is not None and not layers.guide.empty:
        _add_guide(fmap, layers.guide, district)
    if layers.update is not None and not layers.update.empty:
        _add_update(fmap, layers.update, district)
    if layers.zones is not None and not layers.zones.empty:
        shown = layers.zones[layers.zones["status"] != "released"]
        _add_zones(fmap, shown, district, name=_("Zones"), dashed=False)
    if layers.cases is not None and not layers.cases.empty:
        _add_cases(fmap, layers.cases)
    if layers.centres is not None and not layers.centres.empty:
        _add_centres(fmap, layers.centres)
    if layers.roads is not None and not layers.roads.empty:
        folium.GeoJson(
            _for_display(layers.roads, ["road", "road_class"]),
            name=_("Roads"),
            style_function=lambda _: {"color": "#37474f", "weight": 2, "opacity": 0.8},
            tooltip=folium.GeoJsonTooltip(fields=["road"], labels=False),
        ).add_to(fmap)
    if layers.checkpoints is not None and not layers.checkpoints.empty:
        _add_checkpoints(fmap, layers.checkpoints)
    if draw:
        editable = folium.FeatureGroup(name="Drawing", control=False)
        if layers.editable is not None:
            for polygon in shapely.get_parts(layers.editable):
                rings = [
                    list(polygon.exterior.coords),
                    *[list(r.coords) for r in polygon.interiors],
                ]
                folium.Polygon(
                    [[(lat, lon) for lon, lat in ring] for ring in rings], color="#1565c0", weight=3
                ).add_to(editable)
        editable.add_to(fmap)
        _Script(_draw_words()).add_to(fmap)  # before the drawing tools read them
        folium.plugins.Draw(
            feature_group=editable,
            show_geometry_on_click=False,
            draw_options={
                "polyline": False,
                "marker": False,
                "circlemarker": False,
                "polygon": {"allowIntersection": False, "showArea": True},
                "rectangle": {"showArea": True},
                "circle": {"showRadius": True, "metric": True},
            },
            edit_options={"edit": True, "remove": True},
        ).add_to(fmap)
        _Script(_QUIET_WHILE_DRAWING).add_to(fmap)
    folium.plugins.Fullscreen(
        position="topleft", title=_("Full screen"), title_cancel=_("Leave full screen")
    ).add_to(fmap)
    folium.plugins.MeasureControl(
        position="bottomleft",
        primary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_length_unit="meters",
        secondary_area_unit="hectares",
    ).add_to(fmap)
    case_entry = '<i class="dot" style="background:#7b1fa2"></i>@@Case@@ &nbsp;'
    legend = _LEGEND.replace("@@CASE@@", case_entry if layers.cases is not None else "")
    _Script(_in_words(legend)).add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    return serve_locally(fmap) if local_assets else fmap
