"""Turning a district and its zones into a ``folium.Map``. No streamlit here."""

from __future__ import annotations

import folium
import geopandas as gpd

from containment.district import District

__all__ = ["ZONE_STYLE", "district_map"]

ZONE_STYLE = {
    "containment": {"color": "#c62828", "fillColor": "#e53935", "fillOpacity": 0.35, "weight": 2},
    "buffer": {"color": "#ef6c00", "fillColor": "#fb8c00", "fillOpacity": 0.2, "weight": 1},
}
_ZONE_TOOLTIP = {
    "zone_id": "Zone",
    "kind": "Kind",
    "case_count": "Cases",
    "population_est": "Population (est.)",
    "households_est": "Households (est.)",
    "release_due_on": "Release due",
    "blocks": "Blocks",
}


def district_map(district: District, zones: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The district outline, its named blocks and, if given, the zones coloured by kind."""
    west, south, east, north = district.outline.bounds
    fmap = folium.Map(tiles=None, control_scale=True)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.GeoJson(
        district.blocks[["name", "geometry"]],
        name="Blocks",
        style_function=lambda _: {"color": "#455a64", "weight": 1, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Block"]),
    ).add_to(fmap)
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=[district.outline], crs=district.blocks.crs),
        name=f"{district.name} district",
        style_function=lambda _: {"color": "#263238", "weight": 3, "fill": False},
    ).add_to(fmap)
    if zones is not None and not zones.empty:
        shown = zones[[*_ZONE_TOOLTIP, "geometry"]].copy()
        shown["release_due_on"] = shown["release_due_on"].astype(str)
        for kind in ("buffer", "containment"):
            subset = shown[shown["kind"] == kind]
            if subset.empty:
                continue
            folium.GeoJson(
                subset,
                name=f"{kind.capitalize()} zones",
                style_function=lambda _, style=ZONE_STYLE[kind]: style,
                tooltip=folium.GeoJsonTooltip(
                    fields=list(_ZONE_TOOLTIP), aliases=list(_ZONE_TOOLTIP.values())
                ),
            ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
