"""Printable pages from Jinja2 templates: the checkpoint list for the police,
the public zone list, and the static map they share.

Every template extends ``base.html.j2`` and uses the one stylesheet ``print.css``; autoescape
is on, so every name and number arrives as text (see :mod:`containment.render.text`). A page
made while the store holds the synthetic sample says so at its top (and on every printed page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import markupsafe

from containment.render.text import cell_text

__all__ = ["MapDot", "MapLabel", "MapShape", "render_page", "render_svg_map"]


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("containment.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = cell_text
    return env


@cache
def _stylesheet() -> markupsafe.Markup:
    css = resources.files("containment.render").joinpath("templates/print.css").read_text("utf-8")
    return markupsafe.Markup(css)  # our own file, not user text


def render_page(template: str, *, synthetic: bool = False, **context: Any) -> str:
    """Render ``template`` (a name under ``templates/``) with the shared stylesheet.

    Values in ``context`` are escaped as they are put into the page; a DataFrame given to the
    ``table`` macro has each cell shown with :func:`containment.render.text.cell_text`.
    """
    return (
        _environment()
        .get_template(template)
        .render(stylesheet=_stylesheet(), synthetic=synthetic, **context)
    )


@dataclass(frozen=True)
class MapShape:
    """A filled path of the static map (``d`` in SVG path syntax, pixels)."""

    d: str
    fill: str
    stroke: str
    stroke_width: float = 1.0
    fill_opacity: float = 1.0
    title: str = ""


@dataclass(frozen=True)
class MapLabel:
    x: float
    y: float
    text: str
    size: int = 16


@dataclass(frozen=True)
class MapDot:
    x: float
    y: float
    title: str


def render_svg_map(
    *,
    district: str,
    width: int,
    height: int,
    shapes: Sequence[MapShape],
    labels: Sequence[MapLabel] = (),
    dots: Sequence[MapDot] = (),
) -> markupsafe.Markup:
    """A static SVG map (no script, no network), safe to put into a page as it is."""
    svg = (
        _environment()
        .get_template("map.svg.j2")
        .render(
            district=district, width=width, height=height, shapes=shapes, labels=labels, dots=dots
        )
    )
    return markupsafe.Markup(svg)  # rendered with autoescape: its text is escaped


def day(value: dt.date) -> str:
    """A date as every page prints it: DD-MM-YYYY."""
    return f"{value:%d-%m-%Y}"
