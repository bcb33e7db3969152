"""The state control room's map: every district's outline, zones in force, checkpoints and
centres — what the state views hold, nothing more. Offline like every map of the app."""

from __future__ import annotations

import folium
import geopandas as gpd

from containment.i18n import _, number
from containment.render.mapcanvas import WheelGuard
from containment.render.offline import serve_locally
from containment.render.text import html_text

__all__ = ["state_map"]

_ZONE_COLOUR = "#c62828"


def _named(frame: gpd.GeoDataFrame, label: list[str]) -> gpd.GeoDataFrame:
    """Only the geometry and an escaped ``label``: no other field reaches the page."""
    return gpd.GeoDataFrame(
        {"label": [html_text(t) for t in label]}, geometry=frame.geometry.values, crs=frame.crs
    )


def state_map(
    outlines: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    *,
    local_assets: bool = True,
) -> folium.Map:
    """A map of the state: ``outlines`` (``name``), and the districts' ``zones`` (``name``,
    ``district``), ``checkpoints`` (``road``, ``district``) and ``centres`` (``name``,
    ``capacity``, ``occupied``, ``district``), all EPSG:4326."""
    west, south, east, north = outlines.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True, zoom_snap=0.5)
    WheelGuard().add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.GeoJson(
        _named(outlines.assign(geometry=outlines.geometry.simplify(0.002)), list(outlines["name"])),
        name=_("Districts"),
        style_function=lambda _f: {"color": "#455a64", "weight": 1, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    if len(zones):
        labels = [
            _("{zone} ({district})", zone=z, district=d)
            for z, d in zip(zones["name"], zones["district"], strict=True)
        ]
        folium.GeoJson(
            _named(zones, labels),
            name=_("Zones in force ({n})", n=number(len(zones))),
            style_function=lambda _f: {
                "color": _ZONE_COLOUR,
                "weight": 2,
                "fillColor": _ZONE_COLOUR,
                "fillOpacity": 0.3,
            },
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap)
    for frame, name, colour, words in (
        (checkpoints, _("Checkpoints"), "#303030", "road"),
        (centres, _("Centres"), "#f0932b", "name"),
    ):
        group = folium.FeatureGroup(name=f"{name} ({number(len(frame))})")
        for point, what, district in zip(
            frame.geometry, frame[words] if len(frame) else [], frame["district"], strict=True
        ):
            folium.CircleMarker(
                [point.y, point.x], radius=4, color=colour, fill=True, fill_opacity=0.9,
                tooltip=html_text(_("{what} ({district})", what=what, district=district)),
            ).add_to(group)  # fmt: skip
        group.add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    return serve_locally(fmap) if local_assets else fmap
