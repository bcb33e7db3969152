"""The meeting's charts, drawn offline with matplotlib: the same figure as PNG or SVG.

One function per chart, each taking the :class:`~containment.field.trends.Trends` of a day and
returning the file's bytes — PNG (200 dpi by default, for print; the app shows the same PNG)
or SVG (text drawn as outlines, so it needs no font where it is shown)::

    png = charts.epidemic_curve(trend, by_block=True, language="hi")
    svg = charts.spread_trend(trend, language="en", file_format="svg")

Every text (title, axes, legend) is in the reader's language through :mod:`containment.i18n`,
dates on the axes DD-MM, numbers with Indian digit grouping. The only font is the vendored
Noto Sans Devanagari (``render/fonts``, Latin and Devanagari in one file, shaped by matplotlib's
libraqm): no system font is ever chosen, nothing is fetched. The default size, 10.5 × 4.4
inches, fits the width of an A4 landscape page and stays legible on a 1280×720 projector.

Matplotlib's settings are global; a chart is drawn under a lock with its own settings
(:func:`matplotlib.rc_context`), so two sessions drawing at once do not mix them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from containment import i18n
from containment.field.trends import Trends
from containment.i18n import _, number
from containment.render.trend_words import growth_text, spread_sentence

__all__ = [
    "CHARTS",
    "FONT_FAMILY",
    "FONT_FILES",
    "ChartFormat",
    "epidemic_curve",
    "font_file",
    "meeting_charts",
    "occupancy",
    "spread_trend",
    "zones_in_force",
]

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FILES = (FONT_DIR / "NotoSansDevanagari-400.ttf", FONT_DIR / "NotoSansDevanagari-700.ttf")
FONT_FAMILY = "Noto Sans Devanagari"
ChartFormat = Literal["png", "svg"]
SIZE_IN = (10.5, 4.4)  # 267 x 112 mm: an A4 landscape page less 15 mm margins

# Okabe-Ito colours (told apart with colour-blindness); blocks in the order the district lists
_BLOCK_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_INK, _MUTED, _BARS, _ALERT = "#263238", "#78909c", "#90a4ae", "#c62828"
_RC: dict[Any, Any] = {
    "font.family": [FONT_FAMILY],
    "font.size": 13,
    "axes.titlesize": 16,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": _MUTED,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#e0e0e0",
    "legend.fontsize": 12,
    "legend.frameon": False,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "axes.unicode_minus": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "containment-charts",
}
_LOCK = threading.Lock()
_CANVASES: dict[str, type[FigureCanvasAgg] | type[FigureCanvasSVG]] = {
    "png": FigureCanvasAgg,
    "svg": FigureCanvasSVG,
}


@functools.cache
def _register_fonts() -> None:
    """Make the vendored font known to matplotlib (once per process), ahead of any font of the
    same name the system may have: matplotlib takes the first of equally good matches."""
    manager = font_manager.fontManager
    for path in FONT_FILES:
        manager.addfont(str(path))  # also empties matplotlib's cache of font look-ups
    ours = {str(path) for path in FONT_FILES}
    manager.ttflist.sort(key=lambda entry: entry.fname not in ours)


def font_file(*, bold: bool = False) -> Path:
    """The font file matplotlib draws the charts' text with (regular or bold): always one of
    :data:`FONT_FILES`, whatever fonts the system has.

    >>> font_file().name, font_file(bold=True).name
    ('NotoSansDevanagari-400.ttf', 'NotoSansDevanagari-700.ttf')
    """
    _register_fonts()
    found = font_manager.findfont(
        font_manager.FontProperties(family=FONT_FAMILY, weight="bold" if bold else "normal"),
        fallback_to_default=False,
    )
    return Path(found)


@contextlib.contextmanager
def _drawing(language: str | None) -> Iterator[None]:
    """Settings, language and the lock for drawing one chart."""
    _register_fonts()
    words = i18n.language(language) if language else contextlib.nullcontext()
    with _LOCK, matplotlib.rc_context(_RC), words:
        yield


def _save(figure: Figure, file_format: ChartFormat, dpi: int) -> bytes:
    canvas = _CANVASES.get(file_format)
    if canvas is None:
        msg = f"A chart is drawn as png or svg, not {file_format!r}."
        raise ValueError(msg)
    canvas(figure)
    buffer = io.BytesIO()
    # no date or software version in the file: the same chart gives the same bytes
    metadata = {"Software": None} if file_format == "png" else {"Date": None, "Creator": None}
    figure.savefig(buffer, format=file_format, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def _chart(
    draw: Callable[[Figure], None],
    *,
    language: str | None,
    file_format: ChartFormat,
    dpi: int,
    size_in: tuple[float, float],
) -> bytes:
    with _drawing(language):
        figure = Figure(figsize=size_in, layout="constrained")
        draw(figure)
        return _save(figure, file_format, dpi)


def _day_axis(axes: Axes, first: dt.date, last: dt.date) -> None:
    """Dates as DD-MM, a tick every few days (at most about 12), the days shown in full."""
    span = (last - first).days + 1
    step = max(1, -(-span // 12))
    step = next(s for s in (1, 2, 3, 7, 14, 28, 56, 10_000) if s >= step)
    locator = (
        mdates.DayLocator(interval=step)
        if step < 7
        else mdates.WeekdayLocator(byweekday=mdates.MO, interval=step // 7)
    )
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d-%m"))
    half_day = dt.timedelta(hours=12)
    axes.set_xlim(
        mdates.date2num(dt.datetime.combine(first, dt.time()) - half_day),
        mdates.date2num(dt.datetime.combine(last, dt.time()) + half_day),
    )


def _whole_numbers(axes: Axes) -> None:
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=3))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value)))
    axes.set_ylim(bottom=0)


def _note(axes: Axes, text: str) -> None:
    """A line of text in the middle of an empty chart."""
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
              color=_MUTED, fontsize=14)  # fmt: skip


def _block_colour(position: int, name: str) -> str:
    return "#bdbdbd" if name == "outside" else _BLOCK_COLOURS[position % len(_BLOCK_COLOURS)]


def epidemic_curve(
    trend: Trends,
    *,
    by_block: bool = False,
    language: str | None = None,
    file_format: ChartFormat = "png",
    dpi: int = 200,
    size_in: tuple[float, float] = SIZE_IN,
) -> bytes:
    """New cases per reported day as bars (stacked by block with ``by_block``) and their
    7-day average as a line, for the days of ``trend``."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        daily = trend.curve.daily
        days = daily.index
        if by_block:
            bottom = np.zeros(len(days))
            table = trend.curve.by_block
            for position, block in enumerate(table.columns):
                values = table[block].to_numpy(dtype=float)
                if not values.any():
                    continue
                label = _("outside the blocks") if block == "outside" else str(block)
                axes.bar(days, values, bottom=bottom, width=0.85, label=label,
                         color=_block_colour(position, str(block)), linewidth=0)  # fmt: skip
                bottom += values
        else:
            axes.bar(days, daily["new_cases"], width=0.85, color=_BARS, linewidth=0,
                     label=_("New cases"))  # fmt: skip
        axes.plot(days, daily["average_7d"], color=_INK, linewidth=2.6,
                  label=_("7-day average"))  # fmt: skip
        axes.set_title(_("New cases per day, by block") if by_block else _("New cases per day"))
        axes.set_ylabel(_("Cases"))
        _day_axis(axes, trend.first, trend.as_of)
        _whole_numbers(axes)
        if daily["new_cases"].sum() == 0:
            _note(axes, _("No case reported in these days"))
        figure.legend(loc="outside lower center", ncols=8)

    return _chart(draw, language=language, file_format=file_format, dpi=dpi, size_in=size_in)


def zones_in_force(
    trend: Trends,
    *,
    language: str | None = None,
    file_format: ChartFormat = "png",
    dpi: int = 200,
    size_in: tuple[float, float] = SIZE_IN,
) -> bytes:
    """Zones in force per day (above) and the people sealed in the containment zones in force
    (below), on the same days."""

    def draw(figure: Figure) -> None:
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.3))
        table = trend.zones
        top.step(table.index, table["zones_in_force"], where="mid", color=_ALERT,
                 linewidth=2.4, label=_("All zones"))  # fmt: skip
        top.step(table.index, table["containment_zones"], where="mid", color=_INK,
                 linewidth=1.8, linestyle="--", label=_("Containment zones"))  # fmt: skip
        top.set_title(_("Zones in force and people sealed"))
        top.set_ylabel(_("Zones"))
        figure.legend(loc="outside lower center", ncols=2)
        _whole_numbers(top)
        bottom.fill_between(table.index, table["people_sealed"], step="mid", color="#ef9a9a",
                            linewidth=0)  # fmt: skip
        bottom.step(table.index, table["people_sealed"], where="mid", color=_ALERT,
                    linewidth=1.6)  # fmt: skip
        bottom.set_ylabel(_("People sealed"))
        _whole_numbers(bottom)
        _day_axis(bottom, trend.first, trend.as_of)
        if table["zones_in_force"].sum() == 0:
            _note(top, _("No zone in force in these days"))

    return _chart(draw, language=language, file_format=file_format, dpi=dpi, size_in=size_in)


def occupancy(
    trend: Trends,
    *,
    language: str | None = None,
    file_format: ChartFormat = "png",
    dpi: int = 200,
    size_in: tuple[float, float] = SIZE_IN,
) -> bytes:
    """Beds in the centres per day: occupied and free, stacked to the beds in all. Days before
    the occupancy history began are left blank, not drawn as zero."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        table = trend.occupancy
        days = table.index
        occupied = table["beds_occupied"].to_numpy(dtype=float)
        free = table["beds_free"].to_numpy(dtype=float)
        axes.fill_between(days, 0, occupied, step="mid", color="#1565c0", linewidth=0,
                          label=_("Beds occupied"))  # fmt: skip
        axes.fill_between(days, occupied, occupied + free, step="mid", color="#a5d6a7",
                          linewidth=0, label=_("Beds free"))  # fmt: skip
        axes.set_title(_("Beds in the centres"))
        axes.set_ylabel(_("Beds"))
        _day_axis(axes, trend.first, trend.as_of)
        _whole_numbers(axes)
        known = table["beds_total"].notna()
        if not known.any():
            _note(axes, _("No record of beds in these days"))
        elif not known.iloc[0]:
            began = table.index[int(known.to_numpy().argmax())].date()
            axes.text(0.01, 0.5, _("No record of beds\nbefore {day}", day=began.strftime("%d-%m")),
                      transform=axes.transAxes, va="center", color=_MUTED)  # fmt: skip
        figure.legend(loc="outside lower center", ncols=2)

    return _chart(draw, language=language, file_format=file_format, dpi=dpi, size_in=size_in)


def spread_trend(
    trend: Trends,
    *,
    language: str | None = None,
    file_format: ChartFormat = "png",
    dpi: int = 200,
    size_in: tuple[float, float] = SIZE_IN,
) -> bytes:
    """The community-spread signal week by week: the share of each week's cases that fell
    outside every zone in force, with "outside / cases" written on each bar (a week whose
    cases all came before any zone was in force says so, without a bar)."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        weekly = trend.spread.weekly
        labels = [f"{row.first:%d-%m}–{row.last:%d-%m}" for row in weekly.itertuples()]
        shares = weekly["share"].fillna(0).to_numpy(dtype=float)
        positions = np.arange(len(weekly))
        colours = [_ALERT if s > 0 else _BARS for s in shares]
        axes.bar(positions, shares, width=0.7, color=colours, linewidth=0)
        cases = weekly["cases"].to_numpy(dtype=int)
        outside = weekly["outside_zones"].to_numpy(dtype=int)
        early = weekly["before_zones"].to_numpy(dtype=int)
        for x, share, total, out, before in zip(
            positions, shares, cases, outside, early, strict=True
        ):
            if total:
                text = _("{outside} of {cases}", outside=number(out), cases=number(total))
            else:
                text = _("before any zone") if before else _("no case")
            axes.text(float(x), float(share) + 0.02, text, ha="center", va="bottom",
                      fontsize=12, color=_INK)  # fmt: skip
        axes.set_xticks(positions, labels)
        axes.set_ylim(0, 1.12)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_title(_("New cases outside every zone in force, week by week"))
        axes.set_ylabel(_("Share of the week's cases"))

    return _chart(draw, language=language, file_format=file_format, dpi=dpi, size_in=size_in)


#: Every chart, by name: what the printable pack may draw, in the order the meeting shows them.
CHARTS: dict[str, Callable[..., bytes]] = {
    "epidemic_curve": epidemic_curve,
    "spread_trend": spread_trend,
    "zones_in_force": zones_in_force,
    "occupancy": occupancy,
}


def meeting_charts(trend: Trends) -> list[tuple[str, bytes]]:
    """The meeting pack's charts with their headings, in the current language: the spread
    signal (headed by the sentence the collector reads out), the epidemic curve (headed by the
    doubling time), zones in force and people sealed, and beds."""
    growth = _("Is it getting better?") + " " + growth_text(trend.growth_7d)
    return [
        (spread_sentence(trend.spread.last_7d), spread_trend(trend)),
        (growth, epidemic_curve(trend)),
        (_("Zones in force and people sealed"), zones_in_force(trend)),
        (_("Beds in the centres"), occupancy(trend)),
    ]
