"""Turning a district, its zones, cases and centres into a ``folium.Map``. No streamlit here.

Every layer can be switched on and off; a legend says what the colours mean. The map works
with no internet: its basemap is drawn from the shipped layers, its scripts are served by the
app (:mod:`containment.render.offline`), and the online OpenStreetMap tiles are an extra that stays
off until a user ticks it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
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
from containment.i18n import N_, _, n_, number
from containment.render.labels import ZONE_LABELS, code_label
from containment.render.mapcanvas import (
    CaseLayer,
    LabelLayer,
    Legend,
    VectorTiles,
    WheelGuard,
    add_panes,
)
from containment.render.mapcases import case_layer_data
from containment.render.maplabels import district_labels, place_labels, town_extents
from containment.render.maplabels import zone_labels as zone_name_labels
from containment.render.offline import serve_locally
from containment.render.text import cell_text, html_text

__all__ = [
    "CENTRE_ICONS",
    "MANY_ZONES",
    "ZONE_COLOURS",
    "MapLayers",
    "OwnLayer",
    "build_map",
    "drawable_features",
    "picked_point",
    "zone_in_detail",
    "zone_overview",
]

logger = logging.getLogger(__name__)

ZONE_COLOURS = {"containment": "#d32f2f", "buffer": "#ef6c00"}
_STATUS_DASH = {"draft": "2 6", "proposed": "8 6", "notified": None, "released": "1 8"}
CENTRE_ICONS = {
    CentreKind.COVID_CARE_CENTRE: ("house-medical", "orange"),
    CentreKind.QUARANTINE_CENTRE: ("bed", "blue"),
    CentreKind.DEDICATED_HOSPITAL: ("hospital", "red"),
}
HABITATIONS_MIN_ZOOM = 11
_DISPLAY_TOLERANCE_M = 5.0  # well under a pixel at the zoom a zone is looked at
#: More zones than this on a map (a city's micro-containment zones) are drawn as one outline
#: per kind and status (:func:`zone_overview`), without their names (11,000 names would
#: double the page the map is sent in, on every run of the page); the zone a user opens is
#: drawn in detail over them, named (:func:`zone_in_detail`). Fewer are drawn one by one,
#: each named and with its popup.
MANY_ZONES = 300
_OVERVIEW_TOLERANCE_M = 20.0  # about a pixel at zoom 13
_OVERVIEW_ORDER = ("released", "draft", "proposed", "notified")

_ZONE_POPUP = {
    c: ZONE_LABELS[c]
    for c in [
        "name", "zone_id", "kind", "status", "order_number", "notified_on", "case_count",
        "population_est", "households_est", "release_due_on", "released_on", "blocks",
        "facilities_inside", "area_km2",
    ]
}  # fmt: skip


@dataclass(frozen=True)
class OwnLayer:
    """One of the district's own base layers, as the map draws it: ``kind`` ``roads`` or
    ``areas`` (with ``features``: ``label`` and geometry) or ``tiles`` (from ``url``, a
    ``{z}/{x}/{y}`` template of the app's tile route, in ``format`` png/jpg/webp or pbf)."""

    name: str
    kind: str
    features: gpd.GeoDataFrame | None = None
    url: str = ""
    format: str = ""
    min_zoom: int = 0
    max_zoom: int = 18
    bounds: tuple[float, float, float, float] | None = None
    vector_layers: tuple[str, ...] = ()
    attribution: str = ""


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
    own: tuple[OwnLayer, ...] = ()  # the district's own base layers (roads, wards, tiles)
    # More than MANY_ZONES zones: their outlines as zone_overview() makes them (made here when
    # not given; a page that draws the map on every run keeps it between runs).
    zone_overview: gpd.GeoDataFrame | None = None
    # Neighbouring districts' zones reaching over the line (containment/field/crossings.py)
    crossings: gpd.GeoDataFrame | None = None


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
    return folium.GeoJsonPopup(
        fields=present,
        aliases=[html_text(_(fields[c])) for c in present],
        max_width=_POPUP_WIDTH_PX,
        style=_POPUP_STYLE,
    )


# A popup wraps long names and lists inside the map (a zone's facilities can be a long list)
# and scrolls when it is taller than a small map.
_POPUP_WIDTH_PX = 320
_POPUP_STYLE = "white-space: normal; overflow-wrap: anywhere; max-height: 260px; overflow-y: auto;"


# Soft tints, one per block, so that neighbouring blocks read apart under the zones.
_BLOCK_TINTS = ("#e3ecd9", "#e8e0ef", "#f3e6d4", "#dcebee", "#efe3e3", "#e6e9d3", "#e2e4f0")
ROAD_COLOUR = "#8d6e63"
TOWN_FILL = "#d7ccc8"


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    data: dict[str, Any] = frame.to_geo_dict(drop_id=False)
    return data


@functools.cache
def _district_geojson(district: District) -> dict[str, dict[str, Any]]:
    """The district's own layers as GeoJSON, made once per district (they never change while
    the app runs, and making them is most of the time a map takes to build)."""
    west, south, east, north = district.outline.bounds
    world = shapely.box(west - 20, south - 20, east + 20, north + 20)
    blocks = _for_display(district.blocks, ["name"])
    blocks["tint"] = [_BLOCK_TINTS[i % len(_BLOCK_TINTS)] for i in range(len(blocks))]
    habitations = _for_display(district.habitations, ["name", "population", "block"])
    habitations["population"] = habitations["population"].round().astype(int)
    return {
        "mask": _geojson(
            gpd.GeoDataFrame(geometry=[world.difference(district.outline)], crs=STORAGE_CRS)
        ),
        "blocks": _geojson(blocks),
        "towns": _geojson(_for_display(town_extents(district), ["name"], district)),
        "roads": _geojson(_for_display(district.roads, [], district)),
        "outline": _geojson(gpd.GeoDataFrame(geometry=[district.outline], crs=STORAGE_CRS)),
        "villages": _geojson(habitations),
        "facilities": _geojson(_for_display(district.health_facilities, ["name", "kind", "block"])),
    }


def _ground(fmap: folium.Map, district: District, *, under_tiles: bool = False) -> None:
    """What lies under everything: outside the district greyed, blocks in soft tints with their
    boundaries, the towns' extent; then the roads. Nothing here catches the mouse. Over a
    district's own tiles (``under_tiles``) the tints are faint, so the tiles show through."""
    data = _district_geojson(district)
    tint = 0.12 if under_tiles else 0.7
    folium.GeoJson(
        data["mask"],
        style_function=lambda _f: {"stroke": False, "fillColor": "#b0bec5", "fillOpacity": 0.45},
        interactive=False,
        pane="cm-ground",
        control=False,
    ).add_to(fmap)
    folium.GeoJson(
        data["blocks"],
        name=_("Blocks"),
        style_function=lambda f: {
            "color": "#78909c",
            "weight": 1.2,
            "fillColor": f["properties"]["tint"],
            "fillOpacity": tint,
        },
        interactive=False,
        pane="cm-ground",
    ).add_to(fmap)
    if data["towns"]["features"]:
        folium.GeoJson(
            data["towns"],
            name=_("Towns"),
            style_function=lambda _f: {
                "color": "#a1887f",
                "weight": 1,
                "fillColor": TOWN_FILL,
                "fillOpacity": 0.8,
            },
            interactive=False,
            pane="cm-ground",
        ).add_to(fmap)


def _add_roads(
    fmap: folium.Map, roads: gpd.GeoDataFrame | dict[str, Any], name: str, *, weight: float
) -> None:
    """Roads, thin, under the zones (they do not catch the mouse: the zones under them do)."""
    folium.GeoJson(
        roads if isinstance(roads, dict) else _for_display(roads, []),
        name=name,
        style_function=lambda _f: {"color": ROAD_COLOUR, "weight": weight, "opacity": 0.9},
        interactive=False,
        pane="cm-roads",
    ).add_to(fmap)


def drawable_features(features: gpd.GeoDataFrame) -> np.ndarray:
    """For each feature of a stored road or ward layer: can a map draw it (every coordinate a
    number, in longitude and latitude)? A layer stored before uploads were checked may hold
    one that cannot: it is left off the maps, and the Map layers page says so."""
    geometry = features.geometry.to_crs(STORAGE_CRS).to_numpy()
    coordinates, owner = shapely.get_coordinates(geometry, return_index=True)
    wrong = ~(
        np.isfinite(coordinates).all(axis=1)
        & (np.abs(coordinates[:, 0]) <= 180)
        & (np.abs(coordinates[:, 1]) <= 90)
    )
    ok = np.ones(len(geometry), dtype=bool)
    ok[np.unique(owner[wrong])] = False
    shown: np.ndarray = ok & ~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)
    return shown


def _add_own_layers(fmap: folium.Map, own: tuple[OwnLayer, ...]) -> list[list[object]]:
    """The district's own base layers, under everything the app draws; the names of their
    areas (wards) for the label layer. A feature no map can draw is left off (logged; the Map
    layers page names the layer), never allowed to stop every map."""
    labels: list[list[object]] = []
    for layer in own:
        if layer.features is not None:
            drawn = drawable_features(layer.features)
            if not drawn.all():
                logger.warning(
                    "base layer %r: %d of %d features have coordinates no map can draw; "
                    "left off the map",
                    layer.name,
                    int((~drawn).sum()),
                    len(drawn),
                )
                layer = dataclasses.replace(layer, features=layer.features[drawn])
        title = html_text(layer.name)
        if layer.kind == "tiles" and layer.format == "pbf":
            VectorTiles(
                layer.url,
                title,
                layer.vector_layers,
                min_zoom=layer.min_zoom,
                max_zoom=layer.max_zoom,
                attribution=layer.attribution or layer.name,
            ).add_to(fmap)
        elif layer.kind == "tiles":
            west, south, east, north = layer.bounds or (-180.0, -85.0, 180.0, 85.0)
            folium.TileLayer(
                tiles=layer.url,
                attr=html_text(layer.attribution or layer.name),
                name=title,
                overlay=True,
                show=True,
                control=True,
                max_zoom=20,
                max_native_zoom=layer.max_zoom,
                min_native_zoom=layer.min_zoom,
                bounds=[[south, west], [north, east]],
            ).add_to(fmap)
        elif layer.features is not None and layer.kind == "roads":
            _add_roads(fmap, layer.features, title, weight=1.2)
        elif layer.features is not None:
            folium.GeoJson(
                _for_display(layer.features, []),
                name=title,
                style_function=lambda _f: {
                    "color": "#6d4c41",
                    "weight": 1.2,
                    "dashArray": "5 4",
                    "fill": False,
                },
                interactive=False,
                pane="cm-ground",
            ).add_to(fmap)
            labels += place_labels(layer.features, layer.features["label"])
    return labels


def _add_reference_layers(fmap: folium.Map, district: District) -> None:
    data = _district_geojson(district)
    folium.GeoJson(
        data["outline"],
        name=_("{district} district", district=html_text(district.name)),
        style_function=lambda _f: {"color": "#263238", "weight": 3, "fill": False},
        interactive=False,
    ).add_to(fmap)

    villages = folium.GeoJson(
        data["villages"],
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
            fields=["name", "population", "block"],
            aliases=[html_text(_("Village")), html_text(_("Population")), html_text(_("Block"))],
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

    folium.GeoJson(
        data["facilities"],
        name=_("Health facilities"),
        marker=folium.CircleMarker(
            radius=4, color="#1b5e20", fill_color="#66bb6a", fill_opacity=0.9, weight=1
        ),
        popup=folium.GeoJsonPopup(
            fields=["name", "kind", "block"],
            aliases=[html_text(_("Facility")), html_text(_("Type")), html_text(_("Block"))],
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


def zone_overview(zones: gpd.GeoDataFrame, district: District) -> gpd.GeoDataFrame:
    """Many zones as one outline per kind and status: ``kind``, ``status``, ``zone_count`` and
    the union of their outlines, simplified to about a pixel at zoom 13 (lon/lat). Eleven
    thousand zones become a few shapes, drawn at once whatever the zoom."""
    if zones.empty:
        return gpd.GeoDataFrame(
            {"kind": [], "status": [], "zone_count": []}, geometry=[], crs=STORAGE_CRS
        )
    metric = zones[["kind", "status", "geometry"]].to_crs(district.metric_crs)
    rows = []
    for (kind, status), group in metric.groupby(["kind", "status"], sort=True):
        outline = shapely.union_all(group.geometry.to_numpy())
        rows.append(
            {
                "kind": str(kind),
                "status": str(status),
                "zone_count": len(group),
                "geometry": shapely.simplify(outline, _OVERVIEW_TOLERANCE_M),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=district.metric_crs)
    frame["_order"] = frame["status"].map(
        lambda s: _OVERVIEW_ORDER.index(s) if s in _OVERVIEW_ORDER else 0
    )
    ordered = frame.sort_values(["_order", "kind"], kind="stable").drop(columns="_order")
    return ordered.to_crs(STORAGE_CRS).reset_index(drop=True)


def _add_zone_overview(fmap: folium.Map, overview: gpd.GeoDataFrame) -> None:
    """The outlines of :func:`zone_overview`, one shape per kind and status, in one layer;
    hovering says how many zones it holds."""
    shown = overview.copy()
    shown["status_code"] = shown["status"]
    shown["label"] = [
        html_text(
            n_(
                "{n} {kind} zone, {status}",
                "{n} {kind} zones, {status}",
                int(n),
                kind=code_label(kind),
                status=code_label(status),
            )
        )
        for n, kind, status in zip(shown["zone_count"], shown["kind"], shown["status"], strict=True)
    ]
    shown = shown[["label", "kind", "status_code", "geometry"]]

    def style(feature: dict[str, Any]) -> dict[str, object]:
        status = feature["properties"]["status_code"]
        colour = ZONE_COLOURS.get(feature["properties"]["kind"], ZONE_COLOURS["containment"])
        fill = 0.12 if feature["properties"]["kind"] == "buffer" else 0.3
        return {
            "color": colour,
            "weight": 2 if status == "notified" else 1.5,
            "dashArray": _STATUS_DASH.get(status),
            "fillColor": colour,
            "fillOpacity": fill * (0.5 if status == "released" else 1),
        }

    folium.GeoJson(
        shown,
        name=_("Zones ({n})", n=number(int(overview["zone_count"].sum()))),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)


def zone_in_detail(zone: gpd.GeoDataFrame, district: District) -> folium.FeatureGroup:
    """A zone drawn in detail over a map of many zones (its outline in blue, its popup): the
    one a user opened. Put on a drawn map without drawing it again (streamlit-folium's
    ``feature_group_to_add``)."""
    group = folium.FeatureGroup(name=_("Zone opened"), control=False)
    shown = _for_display(zone, _ZONE_POPUP, district)
    folium.GeoJson(
        shown,
        style_function=lambda _f: {
            "color": "#1565c0",
            "weight": 4,
            "fillColor": "#1565c0",
            "fillOpacity": 0.15,
        },
        popup=_popup(shown, _ZONE_POPUP),
        # Put on a drawn map: a tooltip following the mouse met events without a place there.
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False, sticky=False),
    ).add_to(group)
    return group


SNAPPED_COLOUR = "#e65100"


def snapped_preview(outline: shapely.Geometry, places: str) -> folium.FeatureGroup:
    """What a drawn shape is saved as — the outline of the ground units it covers (lon/lat),
    dashed in orange over the drawing — with the places named in its tooltip. Put on the drawn
    map without drawing it again (streamlit-folium's ``feature_group_to_add``), so the drawing
    stays as it is."""
    group = folium.FeatureGroup(name=_("Saved as these ground units"), control=False)
    folium.GeoJson(
        json.loads(shapely.to_geojson(outline)),
        style_function=lambda _f: {
            "color": SNAPPED_COLOUR,
            "weight": 3,
            "dashArray": "8 6",
            "fillColor": SNAPPED_COLOUR,
            "fillOpacity": 0.08,
            "className": "snapped-preview",
        },
        tooltip=folium.Tooltip(  # wrapped: Leaflet keeps a tooltip on one line
            html_text(_("Saved as these ground units: {places}", places=places)),
            style="white-space: normal; width: 22em;",
            sticky=False,  # following the mouse, it met events without a place ('NaN, NaN')
        ),
    ).add_to(group)
    return group


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


CROSSING_COLOUR = "#ef6c00"


def _add_crossings(fmap: folium.Map, crossings: gpd.GeoDataFrame, district: District) -> None:
    """Where a neighbouring district's zone in force reaches over the line: dashed orange,
    labelled with the neighbour's zone and district (no case data: there is none in it)."""
    shown = _for_display(crossings, ["zone", "district"], district)
    shown["label"] = [
        html_text(_("{zone} ({district})", zone=cell_text(z), district=cell_text(d)))
        for z, d in zip(crossings["zone"], crossings["district"], strict=True)
    ]
    folium.GeoJson(
        shown[["label", "geometry"]],
        name=_("Neighbouring districts' zones ({n})", n=number(len(crossings))),
        style_function=lambda _: {
            "color": CROSSING_COLOUR,
            "weight": 3,
            "dashArray": "10 6",
            "fillColor": CROSSING_COLOUR,
            "fillOpacity": 0.08,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, permanent=True),
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


def _add_cases(fmap: folium.Map, cases: gpd.GeoDataFrame, district: District) -> None:
    """Cases as counts per hexagon at the district's zooms, as points from zoom 12: they must not
    hide the zones (small, half transparent, above the zones but under the names)."""
    words = {
        "reported": _("Reported {date}"),
        "one": _("{n} case"),
        "many": _("{n} cases"),
    }
    data = case_layer_data(cases, district.metric_crs, words=words)
    CaseLayer(data, _("Cases ({n})", n=number(len(cases)))).add_to(fmap)


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


def _legend(fmap: folium.Map, layers: MapLayers, *, zones: bool) -> None:
    """Only what this map shows, in a corner, folded away on a narrow map."""
    rows: list[list[tuple[str, str, str]]] = []
    if zones:
        rows.append(
            [
                ("fill", _("Containment zone"), f"background:{ZONE_COLOURS['containment']}"),
                ("fill", _("Buffer zone"), f"background:{ZONE_COLOURS['buffer']}"),
            ]
        )
        rows.append(
            [
                ("line", _("notified"), ""),
                ("line proposed", _("proposed"), ""),
                ("line draft", _("draft"), ""),
            ]
        )
    if layers.crossings is not None and not layers.crossings.empty:
        rows.append(
            [("line", _("Neighbouring district's zone"), f"border-color:{CROSSING_COLOUR}")]
        )
    if layers.cases is not None:
        rows.append([("ring", _("Cases (count)"), ""), ("dot", _("case"), "background:#9c4dcc")])
    rows.append(
        [
            ("square", _("Town"), ""),
            ("dot", _("Village"), "background:#a1887f"),
            ("road", _("Road"), ""),
            ("dot", _("Health facility"), "background:#66bb6a"),
        ]
    )
    if layers.centres is not None and not layers.centres.empty:
        rows.append(
            [
                ("pin", _("COVID care"), "background:#f0932b"),
                ("pin", _("quarantine"), "background:#38aadd"),
                ("pin", _("hospital"), "background:#d63e2a"),
            ]
        )
    if layers.checkpoints is not None and not layers.checkpoints.empty:
        rows.append([("pin", _("Checkpoint"), "background:#303030")])
    Legend(_("Legend"), rows).add_to(fmap)


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
    fmap = folium.Map(tiles=None, control_scale=False, prefer_canvas=True, zoom_snap=0.5)
    WheelGuard().add_to(fmap)
    # A metric scale bar only: the district measures in kilometres, never in miles.
    _Script("L.control.scale({metric: true, imperial: false}).addTo(map);").add_to(fmap)
    # Room on the right for the legend, so that it does not cover the district.
    fmap.fit_bounds([[south, west], [north, east]], padding_bottom_right=(170, 0))
    add_panes(fmap)
    folium.TileLayer(
        "OpenStreetMap",
        name=_("OpenStreetMap (needs internet)"),
        overlay=True,
        show=False,
        control=True,
    ).add_to(fmap)
    _ground(fmap, district, under_tiles=any(layer.kind == "tiles" for layer in layers.own))
    own_labels = _add_own_layers(fmap, layers.own)
    if not district.roads.empty:
        _add_roads(fmap, _district_geojson(district)["roads"], _("Roads"), weight=1.6)
    if layers.roads is not None and not layers.roads.empty:
        _add_roads(fmap, layers.roads, _("Roads (for checkpoints)"), weight=2)
    _add_reference_layers(fmap, district)
    if layers.proposals is not None and not layers.proposals.empty:
        _add_zones(
            fmap, layers.proposals, district, name=_("Rule proposals (not saved)"), dashed=True
        )
    if layers.guide is not None and not layers.guide.empty:
        _add_guide(fmap, layers.guide, district)
    if layers.crossings is not None and not layers.crossings.empty:
        _add_crossings(fmap, layers.crossings, district)
    if layers.update is not None and not layers.update.empty:
        _add_update(fmap, layers.update, district)
    labels = [*district_labels(district), *own_labels]
    if layers.zones is not None and not layers.zones.empty:
        shown = layers.zones[layers.zones["status"] != "released"]
        if len(shown) > MANY_ZONES:
            overview = layers.zone_overview
            _add_zone_overview(
                fmap, overview if overview is not None else zone_overview(shown, district)
            )
        else:
            _add_zones(fmap, shown, district, name=_("Zones"), dashed=False)
            labels += zone_name_labels(shown)
    if layers.cases is not None and not layers.cases.empty:
        _add_cases(fmap, layers.cases, district)
    if layers.centres is not None and not layers.centres.empty:
        _add_centres(fmap, layers.centres)
    if layers.checkpoints is not None and not layers.checkpoints.empty:
        _add_checkpoints(fmap, layers.checkpoints)
    LabelLayer(labels, _("Names")).add_to(fmap)
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
    zoned = any(
        frame is not None and not frame.empty
        for frame in (layers.zones, layers.proposals, layers.update)
    )
    _legend(fmap, layers, zones=zoned)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    return serve_locally(fmap) if local_assets else fmap


def picked_point(lon: float, lat: float, label: str) -> folium.FeatureGroup:
    """A mark where the user clicked (a red ring with a dot), to put on a drawn map without
    drawing it again (streamlit-folium's ``feature_group_to_add`` keeps the map's view)."""
    group = folium.FeatureGroup(name=html_text(label), control=False)
    tooltip = folium.Tooltip(html_text(label), sticky=False)  # put on a drawn map, as above
    folium.CircleMarker(
        [lat, lon], radius=11, color="#d50000", weight=3, fill=False, tooltip=tooltip
    ).add_to(group)
    folium.CircleMarker(
        [lat, lon], radius=3, color="#d50000", weight=1, fill=True, fill_opacity=1
    ).add_to(group)
    return group
