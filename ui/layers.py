"""Map layers: the district's own offline base layers — a road or ward map, or tiles — that every
map draws under the zones. Planners and the collector add and remove them; everyone sees them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from containment.auth import Permission
from containment.i18n import N_, _, number
from containment.render.mapview import drawable_features
from containment.render.text import markdown_text as md
from ui import state
from ui.tables import show_wrapped_table
from ui.widgets import LAYER_UPLOAD_MB, TILES_UPLOAD_MB, uploader

_TABLE = {
    "name": N_("Layer"),
    "kind": N_("Kind"),
    "format": N_("Format"),
    "features": N_("Features or tiles"),
    "min_zoom": N_("From zoom"),
    "max_zoom": N_("To zoom"),
    "source": N_("File"),
    "added_by": N_("Added by"),
    "added_at": N_("Added at"),
}
# What an upload may be: vector layers as everywhere in the app, tiles up to Streamlit's limit.
_TYPES = ["geojson", "json", "gpkg", "zip", "mbtiles", "pmtiles"]


def _warn_undrawable() -> None:
    """Name each stored layer that has features no map can draw (they are left off the maps)."""
    for layer in state.own_layers():
        if layer.features is None or layer.features.empty:
            continue
        drawn = drawable_features(layer.features)
        if not drawn.all():
            st.warning(
                _(
                    "Layer {name}: {n} of its {total} features cannot be drawn (their "
                    "coordinates are not numbers, or lie outside longitude and latitude); the "
                    "maps leave them off. Remove the layer and add it again, corrected.",
                    name=md(layer.name),
                    n=number(int((~drawn).sum())),
                    total=number(len(drawn)),
                )
            )


@state.page
def page() -> None:
    st.title(_("Map layers"))
    st.caption(
        _(
            "The district's own base layers, drawn under the zones on every map with no "
            "internet: a road layer or a ward, mohalla or colony map (GeoJSON, GeoPackage or a "
            "zipped shapefile, in any coordinate system), or map tiles (MBTiles or PMTiles, "
            "raster or vector) that the app serves itself. A larger tile file can be added "
            "from the command line: containment layers add FILE --user NAME."
        )
    )
    ws = state.workspace()
    layers = ws.base_layers()
    if layers.empty:
        st.info(_("No layers of the district's own yet."))
    else:
        added_at = pd.to_datetime(layers["added_at"], utc=True).dt.floor("min")
        show_wrapped_table(layers.assign(added_at=added_at.astype(object)), _TABLE)
        _warn_undrawable()
    if not ws.may(Permission.ADD_MAP_LAYERS):
        return
    st.subheader(_("Add a layer"))
    with st.form("add_layer", clear_on_submit=True):
        upload = uploader(
            _("Layer file"),
            _TYPES,
            cap_mb=TILES_UPLOAD_MB,
            key="layer_upload",
            help=_(
                "A vector layer may unpack to {layer} MB at most; tile files are copied tile "
                "by tile.",
                layer=number(LAYER_UPLOAD_MB),
            ),
        )
        name = st.text_input(_("Name on the map"), placeholder=_("e.g. Sagwara wards"))
        if st.form_submit_button(_("Add layer"), type="primary", key="add_layer_submit"):
            if upload is None:
                st.error(_("Choose a file first."))
            else:
                data, file_name = upload.getvalue(), upload.name  # the name is never a path
                district = state.district()
                added = state.act(
                    lambda fresh: fresh.add_base_layer(
                        data, file_name, district=district, name=name
                    ),
                    done=_("Layer added: it is drawn on every map."),
                )
                if added is None:
                    state.show_flash()
                else:
                    st.rerun()
    if layers.empty:
        return
    st.subheader(_("Remove a layer"))
    labels = dict(zip(layers["layer_id"], layers["name"], strict=True))
    chosen = st.selectbox(_("Layer"), list(labels), format_func=labels.get, key="layer_to_remove")
    state.action_button(
        _("Remove layer"),
        lambda fresh: fresh.remove_base_layer(chosen),
        key="remove_layer",
        done=_("Layer {name} removed.", name=labels[chosen]),
    )
