"""Every script, style sheet, image and font the map needs, served by the app itself.

folium points each map element at public CDNs. :func:`serve_locally` rewrites them to the
copies in ``static/vendor/`` (fetched from the npm registry by ``tools/vendor_map_assets.sh``),
which Streamlit serves at ``/app/static/``. An element whose assets are not known here is an
error, not a silent request to the internet.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import branca.element
import folium

__all__ = ["ASSETS", "STATIC_DIR", "STATIC_URL", "UnknownAssetError", "serve_locally"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
STATIC_URL = "/app/static/"

# folium's asset name -> the vendored file under static/, or None for assets the map does not
# need (Bootstrap and its glyphicons: folium loads them for styling these maps do not use).
ASSETS: dict[str, str | None] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "jquery": "vendor/jquery/jquery.min.js",
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_rotate_css": None,
    "awesome_markers": "vendor/leaflet.awesome-markers/leaflet.awesome-markers.js",
    "awesome_markers_css": "vendor/leaflet.awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "vendor/fontawesome/css/all.min.css",
    "leaflet_draw_js": "vendor/leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "vendor/leaflet-draw/leaflet.draw.css",
    "Control.Fullscreen.js": "vendor/leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "vendor/leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_measure_js": "vendor/leaflet-measure/leaflet-measure.js",
    "leaflet_measure_css": "vendor/leaflet-measure/leaflet-measure.css",
    "Leaflet.Search.js": "vendor/leaflet-search/dist/leaflet-search.min.js",
    "Leaflet.Search.css": "vendor/leaflet-search/dist/leaflet-search.min.css",
    "leaflet_vectorgrid": "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
    # The app's own map script and style (not vendored: written for this app).
    "containment_map_js": "map/containment-map.js",
    "containment_map_css": "map/containment-map.css",
}


class UnknownAssetError(LookupError):
    """A map element wants a script or style sheet that is not served locally."""


def _elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    yield root
    for child in root._children.values():
        yield from _elements(child)


def _localise(pairs: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    local = []
    for name, url in pairs:
        if name not in ASSETS:
            msg = (
                f"The map asset {name!r} ({url}) is not served locally. Vendor it with "
                "tools/vendor_map_assets.sh and add it to containment.render.offline.ASSETS."
            )
            raise UnknownAssetError(msg)
        path = ASSETS[name]
        if path is not None:
            local.append((name, prefix + path))
    return local


# The app's font (Noto Sans Devanagari, as the pages use): Hindi words and Devanagari names on the
# map, its legend, tooltips and search box are drawn with it, not as boxes on a computer
# without a Devanagari font. Its faces go into the map's own style (the map component keeps a
# map's <style> but not a link of the figure's head), each file served by the app.
FONT_CSS = "vendor/fonts/noto-sans-devanagari.css"
_FONT_USE = (
    ".leaflet-container, .leaflet-container input, .leaflet-container button,"
    " .leaflet-container .map-legend, .leaflet-container .block-label"
    ' {font-family: "Noto Sans Devanagari", sans-serif !important;}'
)


@functools.cache
def _font_style(prefix: str) -> str:
    faces = (STATIC_DIR / FONT_CSS).read_text("utf-8")
    folder = prefix + FONT_CSS.rsplit("/", 1)[0] + "/"
    return f"<style>{faces.replace('url(./', 'url(' + folder)}\n{_FONT_USE}</style>"


def serve_locally(fmap: folium.Map, *, prefix: str = STATIC_URL) -> folium.Map:
    """Point every element of ``fmap`` at the app's own copies of its assets, and give it the
    app's font; returns ``fmap``."""
    for element in _elements(fmap):
        if isinstance(element, folium.elements.JSCSSMixin):
            element.default_js = _localise(list(element.default_js), prefix)
            element.default_css = _localise(list(element.default_css), prefix)
    root = fmap.get_root()
    assert isinstance(root, branca.element.Figure)
    root.header.add_child(branca.element.Element(_font_style(prefix)), name="app_font")
    return fmap
