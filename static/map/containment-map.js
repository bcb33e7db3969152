/* Containment Planner's own map layers (served by the app; no internet, no build step).
 *
 * L.Containment.LabelLayer  names of blocks, towns, zones, wards and villages, drawn as text on
 *                           one canvas: only the names in view and at the zoom they belong to,
 *                           the most important first, none overlapping another (no DOM element
 *                           per name, so thousands of villages cost nothing at low zoom).
 * L.Containment.CaseLayer   cases as counts per cell at low zoom and as points when zoomed in,
 *                           from a compact array (three 16-bit numbers a case), on one canvas.
 * L.Containment.legend      a small legend in a corner that folds away.
 * L.Containment.wheelGuard  the mouse wheel scrolls the page over the map until the map is
 *                           clicked (then it zooms, until the mouse leaves the map); a wheel
 *                           turned over a map not yet clicked shows how to zoom it for a moment.
 *
 * Every name arrives as data and is drawn with fillText or put in a text node: never parsed as
 * markup.
 */
(function () {
    'use strict';

    var FONT = '"Noto Sans Devanagari", "Noto Sans", Arial, sans-serif';

    /* A layer drawn on one canvas in its own pane, drawn again after every move or zoom. */
    var CanvasLayer = L.Layer.extend({
        onAdd: function (map) {
            this._canvas = L.DomUtil.create('canvas', 'cm-canvas');
            this._canvas.style.pointerEvents = 'none';
            this._canvas.style.position = 'absolute';
            this.getPane().appendChild(this._canvas);
            map.on('moveend zoomend resize viewreset', this._reset, this);
            map.on('zoomstart', this._hide, this);
            this._reset();
            var self = this;
            if (document.fonts && document.fonts.ready) {
                document.fonts.ready.then(function () { self.redraw(); });
            }
        },
        onRemove: function (map) {
            map.off('moveend zoomend resize viewreset', this._reset, this);
            map.off('zoomstart', this._hide, this);
            L.DomUtil.remove(this._canvas);
            this._canvas = null;
        },
        redraw: function () {
            if (this._map && this._canvas) { this._reset(); }
        },
        _hide: function () { this._canvas.style.visibility = 'hidden'; },
        _reset: function () {
            var map = this._map, size = map.getSize(), ratio = window.devicePixelRatio || 1;
            L.DomUtil.setPosition(this._canvas, map.containerPointToLayerPoint([0, 0]));
            this._canvas.width = Math.round(size.x * ratio);
            this._canvas.height = Math.round(size.y * ratio);
            this._canvas.style.width = size.x + 'px';
            this._canvas.style.height = size.y + 'px';
            var ctx = this._canvas.getContext('2d');
            ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
            ctx.clearRect(0, 0, size.x, size.y);
            this._canvas.style.visibility = '';
            this._draw(ctx, map, size);
        }
    });

    /* Boxes already taken on screen, in buckets of 64 px, for placing names that do not overlap. */
    function Taken() { this.cells = {}; }
    Taken.prototype._keys = function (b) {
        var keys = [];
        for (var x = Math.floor(b[0] / 64); x <= Math.floor(b[2] / 64); x++) {
            for (var y = Math.floor(b[1] / 64); y <= Math.floor(b[3] / 64); y++) {
                keys.push(x + ':' + y);
            }
        }
        return keys;
    };
    Taken.prototype.free = function (b) {
        var keys = this._keys(b);
        for (var i = 0; i < keys.length; i++) {
            var boxes = this.cells[keys[i]] || [];
            for (var j = 0; j < boxes.length; j++) {
                var o = boxes[j];
                if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) { return false; }
            }
        }
        return true;
    };
    Taken.prototype.take = function (b) {
        var keys = this._keys(b);
        for (var i = 0; i < keys.length; i++) {
            (this.cells[keys[i]] = this.cells[keys[i]] || []).push(b);
        }
    };

    /* How each kind of name is drawn: size, weight, colour, where it sits beside its point. */
    var LABEL_STYLES = {
        block: {size: 15, weight: 600, colour: '#37474f', halo: 4, anchor: 'centre', spacing: 1},
        town: {size: 13, weight: 700, colour: '#3e2723', halo: 3, anchor: 'right', mark: 'square'},
        hq: {size: 12, weight: 600, colour: '#4e342e', halo: 3, anchor: 'right', mark: 'dot'},
        zone: {size: 12, weight: 700, colour: '#b71c1c', halo: 3, anchor: 'centre'},
        buffer: {size: 11, weight: 600, colour: '#bf360c', halo: 3, anchor: 'centre'},
        ward: {size: 11, weight: 400, colour: '#5d4037', halo: 3, anchor: 'centre', italic: true},
        village: {size: 11, weight: 400, colour: '#3e2723', halo: 3, anchor: 'right', gap: 6}
    };

    var LabelLayer = CanvasLayer.extend({
        /* rows: [lat, lon, text, kind, priority, minZoom, gap (px, optional)], any order. */
        initialize: function (rows, options) {
            L.setOptions(this, options);
            this._rows = rows.slice().sort(function (a, b) { return b[4] - a[4]; });
            this._widths = {};
        },
        _font: function (style) {
            return (style.italic ? 'italic ' : '') + style.weight + ' ' + style.size + 'px ' + FONT;
        },
        _draw: function (ctx, map, size) {
            var zoom = map.getZoom(), taken = new Taken(), margin = 40;
            ctx.textBaseline = 'middle';
            ctx.lineJoin = 'round';
            for (var i = 0; i < this._rows.length; i++) {
                var row = this._rows[i], style = LABEL_STYLES[row[3]] || LABEL_STYLES.village;
                if (row[5] > zoom) { continue; }
                var p = map.latLngToContainerPoint([row[0], row[1]]);
                if (p.x < -margin || p.y < -margin || p.x > size.x + margin || p.y > size.y + margin) {
                    continue;
                }
                ctx.font = this._font(style);
                var key = row[3] + '|' + row[2];
                var width = this._widths[key];
                if (width === undefined) {
                    width = this._widths[key] = ctx.measureText(row[2]).width + (style.spacing || 0) * row[2].length;
                }
                var h = style.size + 2, gap = (row[6] || style.gap || 0) + (style.mark ? 8 : 0);
                var place = null, tries = style.anchor === 'centre'
                    ? [[-width / 2, 0], [-width / 2, -h - 2], [-width / 2, h + 2]]
                    : [[gap, 0], [-gap - width, 0], [-width / 2, -h - gap / 2], [-width / 2, h + gap / 2]];
                for (var t = 0; t < tries.length && place === null; t++) {
                    var x0 = p.x + tries[t][0], y0 = p.y + tries[t][1];
                    var box = [x0 - 2, y0 - h / 2 - 1, x0 + width + 2, y0 + h / 2 + 1];
                    if (style.mark) { box[0] = Math.min(box[0], p.x - 6); box[2] = Math.max(box[2], p.x + 6); }
                    if (taken.free(box)) { place = [x0, y0, box]; }
                }
                if (place === null) { continue; }
                taken.take(place[2]);
                var x = place[0], y = place[1];
                if (style.mark === 'square') {
                    ctx.fillStyle = '#fff';
                    ctx.fillRect(p.x - 5, p.y - 5, 10, 10);
                    ctx.fillStyle = style.colour;
                    ctx.fillRect(p.x - 4, p.y - 4, 8, 8);
                } else if (style.mark === 'dot') {
                    ctx.beginPath();
                    ctx.arc(p.x, p.y, 3.5, 0, 2 * Math.PI);
                    ctx.fillStyle = style.colour;
                    ctx.strokeStyle = '#fff';
                    ctx.lineWidth = 1.5;
                    ctx.fill();
                    ctx.stroke();
                }
                if ('letterSpacing' in ctx) { ctx.letterSpacing = (style.spacing || 0) + 'px'; }
                ctx.strokeStyle = 'rgba(255,255,255,0.92)';
                ctx.lineWidth = style.halo;
                ctx.strokeText(row[2], x, y);
                ctx.fillStyle = style.colour;
                ctx.fillText(row[2], x, y);
                if ('letterSpacing' in ctx) { ctx.letterSpacing = '0px'; }
            }
        }
    });

    function decode(base64) {
        var text = atob(base64), bytes = new Uint8Array(text.length);
        for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
        return new DataView(bytes.buffer);
    }

    function dayText(ms) {
        var d = new Date(ms);
        function two(n) { return (n < 10 ? '0' : '') + n; }
        return two(d.getUTCDate()) + '-' + two(d.getUTCMonth() + 1) + '-' + d.getUTCFullYear();
    }

    var CaseLayer = CanvasLayer.extend({
        /* data: {south, west, dlat, dlon, first (ms), points (base64 of uint16 lat, lon, day),
         *        pointsMinZoom, levels: [{maxZoom, cells: [[lat, lon, n], ...]}],
         *        words: {reported, one, many}} */
        initialize: function (data, options) {
            L.setOptions(this, options);
            this._data = data;
            var view = decode(data.points || ''), n = Math.floor(view.byteLength / 6);
            this._lat = new Float64Array(n);
            this._lon = new Float64Array(n);
            this._day = new Uint16Array(n);
            for (var i = 0; i < n; i++) {
                this._lat[i] = data.south + view.getUint16(6 * i, true) * data.dlat;
                this._lon[i] = data.west + view.getUint16(6 * i + 2, true) * data.dlon;
                this._day[i] = view.getUint16(6 * i + 4, true);
            }
            this._shown = [];
        },
        onAdd: function (map) {
            CanvasLayer.prototype.onAdd.call(this, map);
            map.on('mousemove', this._hover, this);
            map.on('mouseout zoomstart movestart', this._unhover, this);
            map.on('draw:drawstart draw:editstart', this._quiet, this);
            map.on('draw:drawstop draw:editstop', this._wake, this);
        },
        onRemove: function (map) {
            map.off('mousemove', this._hover, this);
            map.off('mouseout zoomstart movestart', this._unhover, this);
            map.off('draw:drawstart draw:editstart', this._quiet, this);
            map.off('draw:drawstop draw:editstop', this._wake, this);
            this._unhover();
            CanvasLayer.prototype.onRemove.call(this, map);
        },
        _quiet: function () { this._drawing = true; this._unhover(); },
        _wake: function () { this._drawing = false; },
        _level: function (zoom) {
            var levels = this._data.levels || [];
            for (var i = 0; i < levels.length; i++) {
                if (zoom < levels[i].maxZoom) { return levels[i]; }
            }
            return null;
        },
        _draw: function (ctx, map, size) {
            var zoom = map.getZoom(), shown = this._shown = [], level = this._level(zoom);
            if (level === null && this._lat.length) {
                var r = Math.min(4.5, 2 + Math.max(0, zoom - this._data.pointsMinZoom) * 0.5);
                var bounds = map.getBounds().pad(0.05);
                var south = bounds.getSouth(), north = bounds.getNorth();
                var west = bounds.getWest(), east = bounds.getEast();
                ctx.beginPath();
                for (var i = 0; i < this._lat.length; i++) {
                    var lat = this._lat[i], lon = this._lon[i];
                    if (lat < south || lat > north || lon < west || lon > east) { continue; }
                    var p = map.latLngToContainerPoint([lat, lon]);
                    ctx.moveTo(p.x + r, p.y);
                    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
                    shown.push([p.x, p.y, r, -1, i]);
                }
                ctx.fillStyle = 'rgba(123, 31, 162, 0.5)';
                ctx.strokeStyle = 'rgba(74, 20, 140, 0.75)';
                ctx.lineWidth = 0.75;
                ctx.fill();
                ctx.stroke();
                return;
            }
            if (level === null) { return; }
            ctx.textAlign = 'center';
            ctx.textBaseline = 'middle';
            ctx.font = '700 10px ' + FONT;
            for (var j = 0; j < level.cells.length; j++) {
                var cell = level.cells[j], q = map.latLngToContainerPoint([cell[0], cell[1]]);
                var radius = Math.min(18, 3.5 + Math.sqrt(cell[2]) * 1.4);
                if (q.x < -radius || q.y < -radius || q.x > size.x + radius || q.y > size.y + radius) {
                    continue;
                }
                ctx.beginPath();
                ctx.arc(q.x, q.y, radius, 0, 2 * Math.PI);
                ctx.fillStyle = 'rgba(156, 39, 176, 0.32)';
                ctx.strokeStyle = 'rgba(106, 27, 154, 0.85)';
                ctx.lineWidth = 1;
                ctx.fill();
                ctx.stroke();
                if (radius >= 8.5) {
                    var label = cell[2] > 999 ? Math.round(cell[2] / 100) / 10 + 'k' : String(cell[2]);
                    ctx.lineWidth = 2.5;
                    ctx.strokeStyle = 'rgba(255,255,255,0.85)';
                    ctx.strokeText(label, q.x, q.y);
                    ctx.fillStyle = '#311b92';
                    ctx.fillText(label, q.x, q.y);
                }
                shown.push([q.x, q.y, radius, cell[2], -1]);
            }
        },
        _hover: function (e) {
            if (this._drawing) { return; }
            var x = e.containerPoint.x, y = e.containerPoint.y, best = null, bestD = Infinity;
            for (var i = 0; i < this._shown.length; i++) {
                var s = this._shown[i], dx = s[0] - x, dy = s[1] - y, d = dx * dx + dy * dy;
                var reach = Math.max(s[2], 4) + 1;
                if (d <= reach * reach && d < bestD) { best = s; bestD = d; }
            }
            if (best === null) { this._unhover(); return; }
            var words = this._data.words, text;
            if (best[4] >= 0) {
                text = words.reported.replace('{date}', dayText(this._data.first + this._day[best[4]] * 86400000));
            } else {
                text = (best[3] === 1 ? words.one : words.many)
                    .replace('{n}', best[3].toLocaleString('en-IN'));
            }
            var node = document.createElement('span');
            node.textContent = text;
            var where = this._map.containerPointToLatLng([best[0], best[1]]);
            if (!this._tooltip) {
                this._tooltip = L.tooltip({direction: 'top', offset: [0, -best[2]]});
            }
            this._tooltip.setLatLng(where).setContent(node);
            if (!this._map.hasLayer(this._tooltip)) { this._tooltip.addTo(this._map); }
        },
        _unhover: function () {
            if (this._tooltip && this._map && this._map.hasLayer(this._tooltip)) {
                this._map.removeLayer(this._tooltip);
            }
        }
    });

    /* A legend in a corner: a title that folds the entries away; the reader's choice is kept. */
    function legend(map, options) {
        var control = L.control({position: options.position || 'bottomright'});
        control.onAdd = function () {
            var div = L.DomUtil.create('div', 'map-legend');
            var head = L.DomUtil.create('button', 'map-legend-head', div);
            head.type = 'button';
            head.textContent = options.title;
            head.setAttribute('aria-expanded', 'true');
            var body = L.DomUtil.create('div', 'map-legend-body', div);
            options.entries.forEach(function (parts) {  /* a row: [[mark class, text, style], ...] */
                var line = L.DomUtil.create('div', 'map-legend-row', body);
                parts.forEach(function (part) {
                    var item = L.DomUtil.create('span', 'map-legend-part', line);
                    var mark = L.DomUtil.create('i', 'map-legend-mark ' + part[0], item);
                    if (part[2]) { mark.style.cssText = part[2]; }
                    item.appendChild(document.createTextNode(part[1]));
                });
            });
            var stored = null;
            try { stored = window.localStorage.getItem('containment-legend'); } catch (err) { stored = null; }
            var open = stored === null ? map.getSize().x >= 640 : stored === 'open';
            function show(isOpen) {
                body.style.display = isOpen ? '' : 'none';
                head.setAttribute('aria-expanded', isOpen ? 'true' : 'false');
                L.DomUtil[isOpen ? 'addClass' : 'removeClass'](div, 'open');
            }
            show(open);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            L.DomEvent.on(head, 'click', function () {
                open = !open;
                show(open);
                try { window.localStorage.setItem('containment-legend', open ? 'open' : 'closed'); } catch (err) { /* private mode */ }
            });
            return div;
        };
        control.addTo(map);
        return control;
    }

    /* A plain style for a vector tile layer, by its name (water blue, roads brown, buildings
     * grey, boundaries dashed, green areas green; names and points are left to our labels). */
    function vectorStyle(name) {
        var n = name.toLowerCase();
        if (/water|river|lake|ocean/.test(n)) {
            return {fill: true, fillColor: '#b3d4ec', fillOpacity: 0.8, weight: 0.5, color: '#8ab4d6'};
        }
        if (/road|street|transport|highway|path|rail/.test(n)) {
            return {weight: 1.4, color: '#9e8b7e', fill: false};
        }
        if (/building/.test(n)) {
            return {fill: true, fillColor: '#d9d0c9', fillOpacity: 0.9, weight: 0.3, color: '#bfb2a8'};
        }
        if (/boundar|admin|ward/.test(n)) {
            return {weight: 1, color: '#7e57c2', dashArray: '4 3', fill: false};
        }
        if (/landuse|landcover|park|wood|forest|green|farm/.test(n)) {
            return {fill: true, fillColor: '#dcebcf', fillOpacity: 0.6, stroke: false, weight: 0};
        }
        if (/place|label|poi|name|housenum/.test(n)) { return []; }
        return {weight: 0.8, color: '#8d8d8d', fill: false, radius: 1.5};
    }

    function vectorTiles(url, layerNames, options) {
        var styles = {};
        layerNames.forEach(function (name) { styles[name] = vectorStyle(name); });
        return L.vectorGrid.protobuf(url, L.extend({
            rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: false
        }, options));
    }

    function wheelGuard(map, hintText) {
        var box = map.getContainer(), hint = null, timer = null;
        function fullscreen() { return map.isFullscreen && map.isFullscreen(); }
        map.scrollWheelZoom.disable();
        map.on('click enterFullscreen', function () { map.scrollWheelZoom.enable(); });
        map.on('mouseout', function () { if (!fullscreen()) { map.scrollWheelZoom.disable(); } });
        box.addEventListener('wheel', function () {
            if (map.scrollWheelZoom.enabled()) { return; }
            if (!hint) {
                hint = L.DomUtil.create('div', 'map-wheel-hint', box);
                hint.textContent = hintText;
            }
            hint.style.display = 'block';
            clearTimeout(timer);
            timer = setTimeout(function () { hint.style.display = 'none'; }, 1600);
        }, {passive: true});
    }

    L.Containment = {
        CanvasLayer: CanvasLayer,
        LabelLayer: LabelLayer,
        CaseLayer: CaseLayer,
        labelLayer: function (rows, options) { return new LabelLayer(rows, options); },
        caseLayer: function (data, options) { return new CaseLayer(data, options); },
        legend: legend,
        vectorTiles: vectorTiles,
        wheelGuard: wheelGuard
    };
}());
