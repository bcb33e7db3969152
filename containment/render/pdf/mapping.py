"""What every printed map shares: a figure of a given size in millimetres, shapes drawn in the
district's metric CRS, labels that do not overlap, a scale bar and a north arrow, and the PNG.

Maps are drawn with matplotlib's object interface on the Agg canvas (no pyplot, no global
state: two papers can be made at once on two threads), offline, in the vendored Noto Sans
Devanagari only (it has the Latin letters too): Hindi labels are shaped, and no system font is
ever asked for. A glyph the font lacks is drawn as "?".
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from containment.i18n import _, number
from containment.render.pdf.document import FONT_FILES

__all__ = [
    "DPI",
    "LabelPlacer",
    "MapCanvas",
    "font",
    "map_text",
    "north_arrow",
    "scale_bar",
    "shape_patch",
]

DPI = 200
_MM_PER_INCH = 25.4
_HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]


@functools.cache
def _glyphs() -> frozenset[int]:
    return frozenset(FT2Font(str(FONT_FILES[""])).get_charmap())


def map_text(value: object) -> str:
    """``value`` as a label the font can draw: a missing glyph becomes "?", a new line a space,
    and ``$`` is escaped (matplotlib would read ``$...$`` as mathematics).

    >>> map_text("Ward $7$\\n(old)")
    'Ward \\\\$7\\\\$ (old)'
    """
    glyphs = _glyphs()
    text = "".join(" " if ord(c) < 32 else c if ord(c) in glyphs else "?" for c in str(value))
    return text.replace("$", r"\$")


@functools.cache
def font(size_pt: float, *, bold: bool = False) -> FontProperties:
    """The vendored font at ``size_pt``, from its file (never looked up among system fonts)."""
    return FontProperties(fname=str(FONT_FILES["B" if bold else ""]), size=size_pt)


@dataclass
class MapCanvas:
    """A figure ``width_mm`` × ``height_mm`` with one map axes in metres, equal scale, no
    frame or ticks. ``extent`` is (west, south, east, north) of the axes, in metres: the
    asked-for box grown to the axes' shape."""

    width_mm: float
    height_mm: float
    extent: tuple[float, float, float, float]
    axes_box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # in figure fractions
    figure: Figure = field(init=False)
    ax: Axes = field(init=False)

    def __post_init__(self) -> None:
        self.figure = Figure(
            figsize=(self.width_mm / _MM_PER_INCH, self.height_mm / _MM_PER_INCH), dpi=DPI
        )
        FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_axes(self.axes_box)
        self.ax.set_axis_off()
        west, south, east, north = self.extent
        box_w = self.width_mm * self.axes_box[2]
        box_h = self.height_mm * self.axes_box[3]
        span_x, span_y = max(east - west, 1.0), max(north - south, 1.0)
        if span_x / span_y > box_w / box_h:  # wider than the box: grow north-south
            grow = span_x * box_h / box_w - span_y
            south, north = south - grow / 2, north + grow / 2
        else:
            grow = span_y * box_w / box_h - span_x
            west, east = west - grow / 2, east + grow / 2
        self.extent = (west, south, east, north)
        self.ax.set_xlim(west, east)
        self.ax.set_ylim(south, north)
        self.ax.set_aspect("equal", adjustable="box")

    @property
    def metres_per_mm(self) -> float:
        return (self.extent[2] - self.extent[0]) / (self.width_mm * self.axes_box[2])

    def renderer(self) -> RendererAgg:
        canvas = self.figure.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        renderer: RendererAgg = canvas.get_renderer()  # type: ignore[no-untyped-call]
        return renderer

    def png(self) -> bytes:
        """The map as a PNG of up to 256 colours (a map has few; the file stays small)."""
        raw = io.BytesIO()
        self.figure.savefig(raw, format="png", dpi=DPI, facecolor="white")
        image = Image.open(io.BytesIO(raw.getvalue())).convert("RGB")
        quantized = image.quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        out = io.BytesIO()
        quantized.save(out, format="PNG")
        return out.getvalue()


def _ring_codes(n: int) -> list[np.uint8]:
    return [Path.MOVETO] + [Path.LINETO] * (n - 2) + [Path.CLOSEPOLY]


def shape_patch(geometry: shapely.Geometry, **style: object) -> PathPatch | None:
    """A polygon or multipolygon (holes kept) as one patch; None for an empty one."""
    vertices: list[np.ndarray] = []
    codes: list[np.uint8] = []
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            vertices.append(xy)
            codes.extend(_ring_codes(len(xy)))
    if not vertices:
        return None
    return PathPatch(Path(np.concatenate(vertices), codes), **style)


def lines_xy(geometry: shapely.Geometry) -> Iterable[np.ndarray]:
    """The coordinate arrays of each line (or polygon ring) in ``geometry``."""
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.Polygon):
            for ring in [part.exterior, *part.interiors]:
                yield np.asarray(ring.coords)
        elif isinstance(part, shapely.LineString) and not part.is_empty:
            yield np.asarray(part.coords)


class LabelPlacer:
    """Puts labels where they overlap no label placed before them (nor a marked obstacle),
    trying a few positions around each anchor; a label that fits nowhere is left out and
    counted. Place the labels that matter most first."""

    def __init__(self, canvas: MapCanvas, *, gap_px: float = 3.0) -> None:
        self.canvas = canvas
        self.renderer = canvas.renderer()
        self.gap_px = gap_px
        self.taken: list[Bbox] = []
        self.left_out = 0
        self._frame = canvas.ax.get_window_extent(self.renderer)

    def block(self, x: float, y: float, radius_mm: float) -> None:
        """Keep labels off a marker of ``radius_mm`` at (x, y) (metres)."""
        cx, cy = self.canvas.ax.transData.transform((x, y))
        r = radius_mm / _MM_PER_INCH * DPI
        self.taken.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))

    def reserve_mm(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Keep labels out of a box given in millimetres from the figure's lower left (where
        the scale bar or the north arrow goes)."""
        px = DPI / _MM_PER_INCH
        self.taken.append(Bbox.from_extents(x0 * px, y0 * px, x1 * px, y1 * px))

    def _free(self, box: Bbox) -> bool:
        inside = (
            box.x0 >= self._frame.x0
            and box.x1 <= self._frame.x1
            and box.y0 >= self._frame.y0
            and box.y1 <= self._frame.y1
        )
        return inside and not any(box.overlaps(other) for other in self.taken)

    def place(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size_pt: float = 9.0,
        bold: bool = False,
        colour: str = "#263238",
        offsets_mm: Sequence[tuple[float, float]] = ((0.0, 0.0),),
        must: bool = False,
        halo: bool = True,
        zorder: float = 20,
    ) -> Text | None:
        """Label (x, y) (metres) with ``text`` at the first offset where it overlaps nothing;
        with ``must``, at the first offset anyway. Returns the label drawn, or None.

        An offset (mm) is the gap between the anchor and the label's near side: (3, 0) puts
        the label's left end 3 mm right of the point, (0, -3) its top 3 mm below it, (0, 0)
        its middle on the point.
        """
        ax = self.canvas.ax
        label = ax.text(
            x,
            y,
            map_text(text),
            fontproperties=font(size_pt, bold=bold),
            color=colour,
            zorder=zorder,
            path_effects=_HALO if halo else None,
            clip_on=False,
        )
        px_per_mm = DPI / _MM_PER_INCH
        base = ax.transData.transform((x, y))
        inverse = ax.transData.inverted()

        def put(dx: float, dy: float) -> Bbox:
            position = inverse.transform((base[0] + dx * px_per_mm, base[1] + dy * px_per_mm))
            label.set_position((float(position[0]), float(position[1])))
            label.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0 else "center")
            label.set_verticalalignment("bottom" if dy > 0 else "top" if dy < 0 else "center")
            return label.get_window_extent(self.renderer).padded(self.gap_px)

        for dx, dy in offsets_mm:
            box = put(dx, dy)
            if self._free(box):
                self.taken.append(box)
                return label
        if must:
            self.taken.append(put(*offsets_mm[0]))
            return label
        label.remove()
        self.left_out += 1
        return None


def around(distance_mm: float) -> tuple[tuple[float, float], ...]:
    """Offsets to try for a point's label (see :meth:`LabelPlacer.place`): right, left, above,
    below, then the diagonals."""
    d = distance_mm
    return ((d, 0), (-d, 0), (0, d), (0, -d), (d, d), (-d, d), (d, -d), (-d, -d))


def _nice_length(most_m: float) -> float:
    """The largest 1, 2 or 5 × 10^k metres not over ``most_m``."""
    power = 10.0 ** math.floor(math.log10(most_m))
    return float(max(step * power for step in (1, 2, 5) if step * power <= most_m))


def scale_bar(canvas: MapCanvas, *, x_mm: float, y_mm: float, most_mm: float = 40.0) -> None:
    """A scale bar in kilometres (metres when short) with its lower left at (x_mm, y_mm) from
    the figure's lower left: four black and white parts and their figures."""
    length_m = _nice_length(most_mm * canvas.metres_per_mm)
    fig = canvas.figure
    w_mm = length_m / canvas.metres_per_mm
    to_fig = (1 / canvas.width_mm, 1 / canvas.height_mm)
    height_mm = 1.6
    kilometres = length_m >= 1000
    for part in range(4):
        fig.add_artist(
            Rectangle(
                ((x_mm + part * w_mm / 4) * to_fig[0], (y_mm + 3.2) * to_fig[1]),
                w_mm / 4 * to_fig[0],
                height_mm * to_fig[1],
                facecolor="#212121" if part % 2 == 0 else "white",
                edgecolor="#212121",
                linewidth=0.6,
                transform=fig.transFigure,
                zorder=30,
            )
        )
    for part in (0, 2, 4):
        value = length_m * part / 4
        shown = number(value / 1000, 1 if value % 1000 else 0) if kilometres else number(value)
        fig.text(
            (x_mm + part * w_mm / 4) * to_fig[0],
            (y_mm + 0.2) * to_fig[1],
            map_text(shown),
            fontproperties=font(8),
            ha="center",
            va="bottom",
            zorder=30,
            path_effects=_HALO,
        )
    unit = _("km") if kilometres else _("m")
    fig.text(
        (x_mm + w_mm + 2.2) * to_fig[0],
        (y_mm + 3.2 + height_mm / 2) * to_fig[1],
        map_text(unit),
        fontproperties=font(8.5),
        ha="left",
        va="center",
        zorder=30,
        path_effects=_HALO,
    )


def north_arrow(canvas: MapCanvas, *, x_mm: float, y_mm: float, size_mm: float = 9.0) -> None:
    """An arrow pointing to grid north (within a degree of true north here), with "N" above,
    its foot at (x_mm, y_mm) from the figure's lower left."""
    fig = canvas.figure
    fx, fy = 1 / canvas.width_mm, 1 / canvas.height_mm
    half = size_mm * 0.32
    for side, colour in ((-1, "#212121"), (1, "white")):
        fig.add_artist(
            Polygon(
                [
                    (x_mm * fx, (y_mm + size_mm) * fy),
                    ((x_mm + side * half) * fx, y_mm * fy),
                    (x_mm * fx, (y_mm + size_mm * 0.3) * fy),
                ],
                closed=True,
                facecolor=colour,
                edgecolor="#212121",
                linewidth=0.7,
                transform=fig.transFigure,
                zorder=30,
            )
        )
    fig.text(
        x_mm * fx,
        (y_mm + size_mm + 0.8) * fy,
        map_text(_("N")),
        fontproperties=font(10, bold=True),
        ha="center",
        va="bottom",
        zorder=30,
        path_effects=_HALO,
    )
