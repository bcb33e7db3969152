"""The printed maps: the district for the meeting pack, and one zone for its sheet.

Zones are drawn as the whole ground units they hold (as they leave the system), never as the
circles around cases; no case is drawn. Labels are placed so they do not overlap (block names
first, then what matters most); a label that fits nowhere is left out and counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch

from containment.engine.district import District
from containment.field.orders import ZoneOrder
from containment.i18n import _, n_
from containment.render.pdf.mapping import (
    LabelPlacer,
    MapCanvas,
    around,
    font,
    lines_xy,
    map_text,
    north_arrow,
    scale_bar,
    shape_patch,
)

__all__ = ["PackZone", "SheetMap", "district_map_png", "zone_sheet_map"]

ZONE_FILL = {"containment": "#e53935", "buffer": "#fb8c00"}
ZONE_EDGE = {"containment": "#b71c1c", "buffer": "#e65100"}
PROPOSED = "#6d4c41"
CENTRE = "#1565c0"
ROAD = "#8d6e63"
BLOCK_LINE = "#78909c"
OUTLINE = "#263238"
UNIT_LINE = "#b0bec5"
CHECKPOINT = "#212121"
_SCALE_MM = 45.0
_CELL_AREA_M2 = 176_500.0  # a town cell: a hexagon about 450 m across
_CELL_LABEL_MM = 7.0  # a town cell's number is shown when the cell is this wide on paper


@dataclass(frozen=True)
class PackZone:
    """A zone on the district map: in force (numbered as in the pack's table; ``None``: filled,
    not numbered — zones the pack counts but does not list) or proposed."""

    number: int | None
    name: str
    kind: str
    outline_m: shapely.Geometry


def _bounds(geometry: shapely.Geometry) -> tuple[float, float, float, float]:
    west, south, east, north = (float(v) for v in shapely.bounds(geometry))
    return west, south, east, north


def _add(ax: Axes, patch: PathPatch | None) -> None:
    if patch is not None:
        ax.add_patch(patch)


def _towns(district: District) -> list[tuple[str, shapely.Point]]:
    """Each town (its cells' middle) with its name."""
    units = district.unit_index.units_m
    cells = units[units["kind"] == "town_cell"]
    return [
        (str(town), shapely.centroid(shapely.union_all(rows.geometry.to_numpy())))
        for town, rows in cells.groupby("town", sort=True)
    ]


def _draw_district(canvas: MapCanvas, district: District, *, block_width: float) -> None:
    ax = canvas.ax
    for block in district.blocks_m.geometry:
        for xy in lines_xy(block):
            ax.plot(xy[:, 0], xy[:, 1], color=BLOCK_LINE, linewidth=block_width, zorder=3)
    for xy in lines_xy(district.outline_m):
        ax.plot(xy[:, 0], xy[:, 1], color=OUTLINE, linewidth=1.8, zorder=4)


def district_map_png(
    district: District,
    zones: Sequence[PackZone],
    proposed: Sequence[shapely.Geometry],
    centres_m: gpd.GeoSeries,
    *,
    width_mm: float,
    height_mm: float,
) -> bytes:
    """The district with its blocks (named), towns, centres, the zones in force filled and
    numbered, and the proposed zones hatched, with a legend, a scale bar and a north arrow at
    the right. Sizes in millimetres as printed."""
    legend_mm = 62.0
    canvas = MapCanvas(
        width_mm,
        height_mm,
        _bounds(district.outline_m),
        axes_box=(0.0, 0.0, 1 - legend_mm / width_mm, 1.0),
    )
    ax = canvas.ax
    _add(ax, shape_patch(district.outline_m, facecolor="#fafafa", edgecolor="none", zorder=0))
    _draw_district(canvas, district, block_width=0.9)
    for outline in proposed:
        patch = shape_patch(
            outline, facecolor="none", edgecolor=PROPOSED, hatch="/////", linewidth=0.7, zorder=5
        )
        if patch is not None:
            ax.add_patch(patch)
    for zone in zones:
        patch = shape_patch(
            zone.outline_m,
            facecolor=ZONE_FILL.get(zone.kind, ZONE_FILL["containment"]),
            edgecolor=ZONE_EDGE.get(zone.kind, ZONE_EDGE["containment"]),
            linewidth=1.2,
            alpha=0.9,
            zorder=6,
        )
        if patch is not None:
            ax.add_patch(patch)
    points = [(p.x, p.y) for p in centres_m] if len(centres_m) else []
    if points:
        xy = np.array(points)
        ax.scatter(xy[:, 0], xy[:, 1], marker="s", s=22, color=CENTRE, edgecolors="white",
                   linewidths=0.6, zorder=8)  # fmt: skip
    placer = LabelPlacer(canvas)
    for x, y in points:
        placer.block(x, y, 1.2)
    for name, point in zip(
        district.blocks_m["name"], district.blocks_m.representative_point(), strict=True
    ):
        placer.place(point.x, point.y, str(name), size_pt=11, bold=True, colour="#455a64",
                     offsets_mm=((0, 0), (0, 6), (0, -6)), must=True, zorder=12)  # fmt: skip
    for zone in zones:
        if zone.number is None:
            continue
        centre = shapely.point_on_surface(zone.outline_m)
        label = placer.place(centre.x, centre.y, str(zone.number), size_pt=9, bold=True,
                             offsets_mm=((0, 0), *around(1.5), *around(4.0)), must=True,
                             halo=False, zorder=14)  # fmt: skip
        if label is not None:
            label.set_bbox({"boxstyle": "circle,pad=0.25", "facecolor": "white",
                            "edgecolor": ZONE_EDGE["containment"], "linewidth": 0.8})  # fmt: skip
    for name, point in _towns(district):
        ax.scatter([point.x], [point.y], marker="o", s=16, color=OUTLINE, zorder=9)
        placer.block(point.x, point.y, 0.8)
        placer.place(point.x, point.y, name, size_pt=9, offsets_mm=around(1.6), zorder=13)

    handles = [
        Patch(facecolor=ZONE_FILL["containment"], edgecolor=ZONE_EDGE["containment"],
              label=_("Containment zone in force (numbered as in the table)")),
        Patch(facecolor=ZONE_FILL["buffer"], edgecolor=ZONE_EDGE["buffer"],
              label=_("Buffer zone in force")),
        Patch(facecolor="none", edgecolor=PROPOSED, hatch="/////",
              label=_("Proposed, not notified: not in force")),
        Line2D([], [], marker="s", linestyle="", color=CENTRE, markersize=6,
               label=_("COVID centre")),
        Line2D([], [], marker="o", linestyle="", color=OUTLINE, markersize=4, label=_("Town")),
        Line2D([], [], color=BLOCK_LINE, linewidth=0.9, label=_("Block boundary")),
        Line2D([], [], color=OUTLINE, linewidth=1.8, label=_("District boundary")),
    ]  # fmt: skip
    for handle in handles:
        handle.set_label(map_text(handle.get_label()))
    canvas.figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1 - (legend_mm - 2) / width_mm, 0.98),
        prop=font(8.5),
        frameon=False,
        handlelength=2.2,
        labelspacing=1.0,
        borderaxespad=0,
    )
    _wrap_legend_labels(canvas, legend_mm - 14)
    scale_bar(canvas, x_mm=width_mm - legend_mm + 3, y_mm=6, most_mm=40)
    north_arrow(canvas, x_mm=width_mm - 12, y_mm=height_mm - 62 if height_mm > 90 else 20)
    return canvas.png()


def _wrap_legend_labels(canvas: MapCanvas, width_mm: float) -> None:
    """Wrap long legend labels onto two lines so the legend keeps to its strip."""
    legend = canvas.figure.legends[-1]
    renderer = canvas.renderer()
    most_px = width_mm / 25.4 * canvas.figure.dpi
    for text in legend.get_texts():
        words = text.get_text().split(" ")
        if text.get_window_extent(renderer).width <= most_px or len(words) < 2:
            continue
        lines: list[str] = []
        current = ""
        for word in words:
            trial = f"{current} {word}".strip()
            text.set_text(trial)
            if current and text.get_window_extent(renderer).width > most_px:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
        text.set_text("\n".join(lines))


@dataclass(frozen=True)
class SheetMap:
    """A zone's map for its sheet, and how many place names had no room on it."""

    png: bytes
    names_left_out: int


def _extent(
    outline: shapely.Geometry, *, pad: float = 0.22, least_m: float = 2500.0
) -> tuple[float, float, float, float]:
    west, south, east, north = shapely.bounds(outline).tolist()
    span = max(east - west, north - south, least_m)
    grow = span * pad
    cx, cy = (west + east) / 2, (south + north) / 2
    half = span / 2 + grow
    return (cx - half, cy - half, cx + half, cy + half)


def _short(name: str, most: int = 48) -> str:
    """A name as a map label: cut to ``most`` characters with "…" (the sheet's title has it
    whole, or as much as fits).

    >>> _short("Ward 7"), _short("x" * 60, 10)
    ('Ward 7', 'xxxxxxxxx…')
    """
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def _cell_label(name: str) -> str:
    """A town cell's label on the map: its number ("Dungarpur town, cell 07" → "07")."""
    return name.rsplit(" ", 1)[-1] if "," in name else name


def zone_sheet_map(
    order: ZoneOrder,
    district: District,
    *,
    width_mm: float,
    height_mm: float,
) -> SheetMap:
    """One zone close up: its villages and town cells named, the villages around it, roads,
    its checkpoints numbered (as in the annexure), the centres nearby, block and district
    boundaries, a scale bar and a north arrow."""
    canvas = MapCanvas(width_mm, height_mm, _extent(order.outline_m))
    ax = canvas.ax
    west, south, east, north = canvas.extent
    view = shapely.box(west, south, east, north)
    units = district.unit_index.units_m
    near = units[units.intersects(view)]
    _add(ax, shape_patch(view, facecolor="#fafafa", edgecolor="none", zorder=0))
    outside = shapely.difference(view, district.outline_m)
    shaded = shape_patch(outside, facecolor="#eceff1", edgecolor="none", zorder=1)
    if shaded is not None:
        ax.add_patch(shaded)
    for geometry in near.geometry:
        for xy in lines_xy(geometry):
            ax.plot(xy[:, 0], xy[:, 1], color=UNIT_LINE, linewidth=0.5, zorder=2)
    _draw_district(canvas, district, block_width=1.4)
    zone_patch = shape_patch(order.outline_m, facecolor="#ffcdd2", edgecolor="none", zorder=3)
    if zone_patch is not None:
        ax.add_patch(zone_patch)
    edge = ZONE_EDGE.get(order.kind, ZONE_EDGE["containment"])
    for xy in lines_xy(order.outline_m):
        ax.plot(xy[:, 0], xy[:, 1], color=edge, linewidth=2.4, zorder=7)

    roads = district.roads.to_crs(district.metric_crs)
    roads = roads[roads.intersects(view)]
    road_lines = []
    for name, geometry in zip(roads["name"], roads.geometry, strict=True):
        clipped = shapely.intersection(geometry, view)
        for xy in lines_xy(clipped):
            ax.plot(xy[:, 0], xy[:, 1], color="white", linewidth=3.6, zorder=5,
                    solid_capstyle="round")  # fmt: skip
            ax.plot(xy[:, 0], xy[:, 1], color=ROAD, linewidth=2.0, zorder=6,
                    solid_capstyle="round")  # fmt: skip
        if not clipped.is_empty:
            road_lines.append((str(name), clipped))

    placer = LabelPlacer(canvas)
    placer.reserve_mm(4, 3, 4 + _SCALE_MM + 14, 13)
    placer.reserve_mm(width_mm - 16, height_mm - 20, width_mm - 4, height_mm - 3)
    for checkpoint in order.checkpoints:
        ax.scatter([checkpoint.x_m], [checkpoint.y_m], s=150, marker="o", facecolor="white",
                   edgecolor=CHECKPOINT, linewidths=1.4, zorder=15)  # fmt: skip
        ax.text(checkpoint.x_m, checkpoint.y_m, str(checkpoint.number),
                fontproperties=font(8.5, bold=True), ha="center", va="center",
                zorder=16)  # fmt: skip
        placer.block(checkpoint.x_m, checkpoint.y_m, 2.4)
    for centre in order.centres:
        if view.contains(shapely.Point(centre.x_m, centre.y_m)):
            ax.scatter([centre.x_m], [centre.y_m], s=60, marker="s", color=CENTRE,
                       edgecolors="white", linewidths=0.8, zorder=14)  # fmt: skip
            placer.block(centre.x_m, centre.y_m, 1.6)
    placer.place(
        *_label_point(order.outline_m, view),
        _short(order.name),
        size_pt=12,
        bold=True,
        colour=edge,
        offsets_mm=((0, 0), (0, 8), (0, -8), (0, 14), (0, -14)),
        must=True,
        zorder=18,
    )
    for centre in order.centres:
        if view.contains(shapely.Point(centre.x_m, centre.y_m)):
            placer.place(centre.x_m, centre.y_m, centre.name, size_pt=8.5, colour=CENTRE,
                         offsets_mm=around(3.5), zorder=17)  # fmt: skip
    cells = [p for p in order.places if p.kind == "town_cell"]
    cell_mm = math.sqrt(_CELL_AREA_M2) / canvas.metres_per_mm
    for town in sorted({p.town for p in cells}):
        mine = [p for p in cells if p.town == town]
        x = sum(p.x_m for p in mine) / len(mine)
        y = sum(p.y_m for p in mine) / len(mine)
        label = n_("{town} town: {n} cell", "{town} town: {n} cells", len(mine), town=town)
        placer.place(x, y, label, size_pt=10, bold=True, colour=OUTLINE,
                     offsets_mm=((0, 0), (0, 5), (0, -5)), must=True, zorder=13)  # fmt: skip
    if cell_mm >= _CELL_LABEL_MM:  # each cell big enough on paper for its number
        for place in cells:
            placer.place(place.x_m, place.y_m, _cell_label(place.name), size_pt=8,
                         offsets_mm=((0, 0), (0, 2), (0, -2)), zorder=12)  # fmt: skip
    left_out_before = placer.left_out
    for place in order.places:
        if place.kind != "town_cell":
            placer.place(place.x_m, place.y_m, place.name, size_pt=9, bold=True,
                         offsets_mm=((0, 0), (0, 3), (0, -3), (3, 0), (-3, 0)),
                         zorder=12)  # fmt: skip
    names_left_out = placer.left_out - left_out_before
    for town, point in _towns(district):
        if view.contains(point) and town not in {p.town for p in cells}:
            placer.place(point.x, point.y, _("{town} town", town=town), size_pt=10, bold=True,
                         colour=OUTLINE, offsets_mm=((0, 0), (0, 6), (0, -6)),
                         zorder=13)  # fmt: skip
    for name, line in road_lines:
        middle = shapely.line_interpolate_point(shapely.line_merge(line), 0.5, normalized=True)
        if isinstance(middle, shapely.Point) and not middle.is_empty:
            placer.place(middle.x, middle.y, name, size_pt=8, colour="#5d4037",
                         offsets_mm=((0, 2.5), (0, -2.5)), zorder=11)  # fmt: skip
    held = {p.name for p in order.places}
    others = near[~near["name"].isin(held) & (near["kind"] != "town_cell")]
    points = shapely.point_on_surface(others.geometry.to_numpy())
    for name, point in zip(others["name"], points, strict=True):
        if view.contains(point):
            placer.place(point.x, point.y, str(name), size_pt=8, colour="#607d8b", zorder=10)
    scale_bar(canvas, x_mm=6, y_mm=5, most_mm=_SCALE_MM)
    north_arrow(canvas, x_mm=width_mm - 10, y_mm=height_mm - 18)
    return SheetMap(canvas.png(), names_left_out)


def _label_point(outline: shapely.Geometry, view: shapely.Geometry) -> tuple[float, float]:
    """Where a zone's name goes: above its outline's top, inside the view."""
    west, _south, east, north = shapely.bounds(outline).tolist()
    top = min(north, shapely.bounds(view)[3])
    return ((west + east) / 2, top)
