"""Printable pages from Jinja2 templates: the checkpoint list for the police,
the public zone list, and the static map they share.

Every template extends ``base.html.j2`` and uses the one stylesheet ``print.css``; autoescape
is on, so every name and number arrives as text (see :mod:`containment.render.text`). A page
made while the store holds the synthetic sample says so at its top (and on every printed page).

Templates write their words as ``{{ _("Changes since {day}", day=since) }}`` and
``{{ ngettext("{n} checkpoint", "{n} checkpoints", count) }}`` (Jinja2's i18n extension, wired
to :mod:`containment.i18n`): the page comes out in the current language, with the same named
placeholders as the Python code, and the values put into a message are escaped like any other.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import markupsafe

from containment import i18n
from containment.engine.lifecycle import PUBLIC_RELEASE_NOTE
from containment.render.offline import STATIC_DIR
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
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.globals.update(gettext=_gettext, ngettext=_ngettext)  # {named} placeholders, escaped
    env.globals["PUBLIC_RELEASE_NOTE"] = PUBLIC_RELEASE_NOTE  # translated where it is shown
    env.filters["cell"] = cell_text
    return env


def _fill(context: jinja2.runtime.Context, text: str, values: dict[str, Any]) -> str:
    """``text`` (a translation: trusted) with its placeholders filled; under autoescape the
    values are escaped as they go in."""
    if context.eval_ctx.autoescape:
        return markupsafe.Markup(text).format(**values)
    return text.format(**values)


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, /, **values: Any) -> str:
    return _fill(context, i18n._(message), values)


@jinja2.pass_context
def _ngettext(
    context: jinja2.runtime.Context, singular: str, plural: str, n: int, /, **values: Any
) -> str:
    return _fill(context, i18n.ngettext(singular, plural, n), {"n": i18n.number(n), **values})


@cache
def _stylesheet() -> markupsafe.Markup:
    css = resources.files("containment.render").joinpath("templates/print.css").read_text("utf-8")
    return markupsafe.Markup(_embedded_fonts() + css)  # our own files, not user text


def _embedded_fonts() -> str:
    """The app's Noto Sans Devanagari faces, put into the page itself: a saved page shows Hindi
    (and a Devanagari zone name) in its own font on any computer, with no network."""
    folder = STATIC_DIR / "vendor" / "fonts"
    css = (folder / "noto-sans-devanagari.css").read_text("utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:font/woff2;base64,{data})"

    return re.sub(r"url\(\./([\w.-]+\.woff2)\)", inline, css) + "\n"


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
    return i18n.date_text(value)
