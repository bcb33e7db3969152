#!/usr/bin/env bash
# Fetch the map's JavaScript, style sheets, images and fonts from the npm registry into
# static/vendor/, so the app serves them itself and the map works with no internet.
# Re-run after changing a version; commit the result. Versions are listed in
# static/vendor/README.md and in containment/offline.py.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vendor=static/vendor
mkdir -p "$vendor"
find "$vendor" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

fetch() {  # fetch PACKAGE@VERSION DIR
    (cd "$work" && npm pack --silent "$1" >/dev/null)
    mkdir -p "$work/$2"
    tar xzf "$work"/*.tgz -C "$work/$2" --strip-components=1
    rm "$work"/*.tgz
}

fetch leaflet@1.9.4 leaflet
mkdir -p $vendor/leaflet/images
cp "$work"/leaflet/dist/{leaflet.js,leaflet.css} "$work"/leaflet/LICENSE $vendor/leaflet/
cp "$work"/leaflet/dist/images/*.png $vendor/leaflet/images/

# folium's popups build their HTML with jQuery.
fetch jquery@3.7.1 jquery
mkdir -p $vendor/jquery
cp "$work"/jquery/dist/jquery.min.js "$work"/jquery/LICENSE.txt $vendor/jquery/

fetch leaflet-draw@1.0.4 leaflet-draw
mkdir -p $vendor/leaflet-draw/images
cp "$work"/leaflet-draw/dist/{leaflet.draw.js,leaflet.draw.css} $vendor/leaflet-draw/
cp "$work"/leaflet-draw/dist/images/* $vendor/leaflet-draw/images/

fetch leaflet.fullscreen@3.0.0 leaflet.fullscreen
mkdir -p $vendor/leaflet.fullscreen
cp "$work"/leaflet.fullscreen/{Control.FullScreen.js,Control.FullScreen.css,icon-fullscreen.svg,LICENSE} \
    $vendor/leaflet.fullscreen/

fetch leaflet-measure@3.1.0 leaflet-measure
mkdir -p $vendor/leaflet-measure/assets
cp "$work"/leaflet-measure/dist/{leaflet-measure.js,leaflet-measure.css} $vendor/leaflet-measure/
cp "$work"/leaflet-measure/dist/assets/*.png $vendor/leaflet-measure/assets/

fetch leaflet-search@2.9.7 leaflet-search
mkdir -p $vendor/leaflet-search/dist $vendor/leaflet-search/images
cp "$work"/leaflet-search/dist/{leaflet-search.min.js,leaflet-search.min.css} $vendor/leaflet-search/dist/
cp "$work"/leaflet-search/images/{search-icon.png,loader.gif} $vendor/leaflet-search/images/
cp "$work"/leaflet-search/license.txt $vendor/leaflet-search/

fetch leaflet.awesome-markers@2.0.5 awesome-markers
mkdir -p $vendor/leaflet.awesome-markers/images
cp "$work"/awesome-markers/dist/{leaflet.awesome-markers.js,leaflet.awesome-markers.css} \
    "$work"/awesome-markers/LICENSE $vendor/leaflet.awesome-markers/
cp "$work"/awesome-markers/dist/images/{markers-soft.png,markers-soft@2x.png,markers-shadow.png,markers-shadow@2x.png} \
    $vendor/leaflet.awesome-markers/images/

fetch @fortawesome/fontawesome-free@6.2.0 fontawesome
mkdir -p $vendor/fontawesome/css $vendor/fontawesome/webfonts
cp "$work"/fontawesome/css/all.min.css $vendor/fontawesome/css/
cp "$work"/fontawesome/webfonts/*.{woff2,ttf} $vendor/fontawesome/webfonts/
cp "$work"/fontawesome/LICENSE.txt $vendor/fontawesome/

# Noto Sans Devanagari (Latin and Devanagari glyphs; SIL OFL 1.1): the app's and the map's font,
# so Hindi names and pages show as letters, not boxes. Web subsets for the browser; one TTF per
# weight, merged from the subsets, for the PDF pack and the charts (containment/render/fonts/).
fetch @fontsource/noto-sans-devanagari@5.3.0 noto
mkdir -p $vendor/fonts
fonts=containment/render/fonts
mkdir -p $fonts
for weight in 400 700; do
    for subset in latin latin-ext devanagari; do
        cp "$work"/noto/files/noto-sans-devanagari-$subset-$weight-normal.woff2 $vendor/fonts/
    done
    "${PYTHON:-.venv/bin/python}" tools/merge_font.py "$fonts/NotoSansDevanagari-$weight.ttf" \
        "$work"/noto/files/noto-sans-devanagari-{latin,latin-ext,devanagari}-$weight-normal.woff
done
cp "$work"/noto/LICENSE $vendor/fonts/LICENSE
# The same faces for the map and printable pages (the app itself declares them in .streamlit/config.toml).
cat "$work"/noto/400.css "$work"/noto/700.css \
    | sed -e 's|url(./files/|url(./|g' -e "s|, url([^)]*\.woff) format('woff')||" > $vendor/fonts/noto-sans-devanagari.css
cp "$work"/noto/LICENSE $fonts/LICENSE

du -sh $vendor
