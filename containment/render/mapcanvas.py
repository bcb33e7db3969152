"""The map's own elements, drawn by the app's script ``static/map/containment-map.js``: panes that
stack the layers, names on a canvas, cases as counts or points, and a legend that folds away.

Data goes into the page as JSON made safe for a ``<script>`` (:func:`~containment.render.text.
script_json`); the script draws names with ``fillText`` and puts legend words in text nodes, so
a name is never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from containment.i18n import _
from containment.render.text import html_text, script_json

__all__ = [
    "PANES",
    "CaseLayer",
    "LabelLayer",
    "Legend",
    "VectorTiles",
    "WheelGuard",
    "add_panes",
]

_JS = [("containment_map_js", "map/containment-map.js")]
_VECTORGRID_JS = [
    ("leaflet_vectorgrid", "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"),
    *_JS,
]
_CSS = [("containment_map_css", "map/containment-map.css")]

#: The map's panes, bottom to top, with their z-index (Leaflet's own: tiles 200, vector
#: overlays 400, markers 600, tooltips 650): the ground (blocks, towns, wards) and roads lie
#: under the zones; cases and names above them; none of these catch the mouse.
PANES = {"cm-ground": 350, "cm-roads": 380, "cm-cases": 450, "cm-labels": 460}


def add_panes(fmap: folium.Map) -> None:
    """Create the map's own panes (before any layer that uses them)."""
    for name, z_index in PANES.items():
        folium.map.CustomPane(name, z_index=z_index, pointer_events=False).add_to(fmap)


class LabelLayer(JSCSSMixin, folium.map.Layer):
    """Names drawn on one canvas: ``rows`` are ``[lat, lon, text, kind, priority, min_zoom]``.

    In view and at or above its ``min_zoom``, a name is drawn unless a name of higher priority
    already took its place; ``kind`` is one of the script's styles (``block``, ``town``, ``hq``,
    ``zone``, ``buffer``, ``ward``, ``village``).
    """

    default_js = _JS
    default_css = _CSS

    def __init__(self, rows: Sequence[Sequence[object]], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "LabelLayer"
        self.rows = script_json([list(r) for r in rows])
        self._template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = L.Containment.labelLayer({{ this.rows }}, "
            "{pane: 'cm-labels'});\n"
            "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});\n"
            "{% endmacro %}"
        )


class CaseLayer(JSCSSMixin, folium.map.Layer):
    """Cases on one canvas: counts per cell below the zoom where points begin, points above it.

    ``data`` is what :func:`containment.render.mapcases.case_layer_data` makes.
    """

    default_js = _JS
    default_css = _CSS

    def __init__(self, data: dict[str, object], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CaseLayer"
        self.data = script_json(data)
        self._template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = L.Containment.caseLayer({{ this.data }}, "
            "{pane: 'cm-cases'});\n"
            "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});\n"
            "{% endmacro %}"
        )


class Legend(JSCSSMixin, MacroElement):
    """A legend in a corner whose title folds it away; each row is ``[(mark, text, css), ...]``
    (``mark``: the legend style's class, e.g. ``fill``, ``dot``, ``line proposed``)."""

    default_js = _JS
    default_css = _CSS

    def __init__(
        self,
        title: str,
        rows: Sequence[Sequence[tuple[str, str, str]]],
        *,
        position: str = "bottomright",
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.options = script_json(
            {
                "title": title,
                "position": position,
                "entries": [[list(part) for part in row] for row in rows],
            }
        )
        self._template = Template(
            "{% macro script(this, kwargs) %}"
            "L.Containment.legend({{ this._parent.get_name() }}, {{ this.options }});\n"
            "{% endmacro %}"
        )


class WheelGuard(JSCSSMixin, MacroElement):
    """The mouse wheel scrolls the page over the map until the map is clicked (then it zooms,
    until the mouse leaves the map): a tall map on a long page no longer traps the wheel. A
    wheel turned over a map not yet clicked says how to zoom it, for a moment."""

    default_js = _JS
    default_css = _CSS

    def __init__(self) -> None:
        super().__init__()
        self._name = "WheelGuard"
        self.hint = script_json(
            _("Click the map to zoom with the mouse wheel, or use the + and − buttons.")
        )
        self._template = Template(
            "{% macro script(this, kwargs) %}"
            "L.Containment.wheelGuard({{ this._parent.get_name() }}, {{ this.hint }});\n"
            "{% endmacro %}"
        )


class VectorTiles(JSCSSMixin, folium.map.Layer):
    """Vector tiles (Mapbox Vector Tiles) from the app's tile route, drawn by Leaflet.VectorGrid
    with a plain style per layer (``layer_names``: the file's own layers)."""

    default_js = _VECTORGRID_JS
    default_css = _CSS

    def __init__(
        self,
        url: str,
        name: str,
        layer_names: Sequence[str],
        *,
        min_zoom: int,
        max_zoom: int,
        attribution: str,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "VectorTiles"
        self.url = script_json(url)
        self.layer_names = script_json(list(layer_names))
        # Leaflet writes an attribution as markup: it must arrive escaped (the file's words).
        self.options = script_json(
            {
                "minNativeZoom": min_zoom,
                "maxNativeZoom": max_zoom,
                "attribution": html_text(attribution),
            }
        )
        self._template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = L.Containment.vectorTiles({{ this.url }}, "
            "{{ this.layer_names }}, {{ this.options }});\n"
            "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});\n"
            "{% endmacro %}"
        )
