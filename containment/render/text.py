"""Text on its way into HTML and Markdown: the one place where escaping happens.

A zone name, a centre name, an order number, a road name from an uploaded layer or a village
name from a district file is *text*: ``<img src=x onerror=alert(1)>`` must show as those
characters on a map, a page or a printed sheet, never become an element or run. Maps build
their popups and tooltips with :func:`html_text`; Jinja2 templates escape with the same rules
(autoescape, :mod:`markupsafe`); Streamlit pages put user text into Markdown with
:func:`markdown_text`.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import markupsafe
import numpy as np
import pandas as pd

from containment.words import count

__all__ = ["cell_text", "count", "html_text", "markdown_text"]

# Characters that make inline Markdown in Streamlit: emphasis, code, links and images, autolinks,
# tables, strike-through, LaTeX, colour and icon directives (":red[...]", ":material/x:"),
# character references ("&lt;").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$:#&@])")
# At the start of a line: a list item, a quote or a numbered list.
_BLOCK_START = re.compile(r"^(\s*)([-+>]|\d+[.)])", re.MULTILINE)
# Streamlit finds directives, emoji shortcodes and bare links (www.x.org, a@b.org, https://...)
# in the text after escapes are undone: a zero-width space after ":" or "@" (unless a space
# follows) and inside "www." breaks each of them without changing what the reader sees.
_BREAK_AFTER = re.compile(r"\\([:@])(?=\S)")
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_ZWSP = "\u200b"


def html_text(value: object) -> str:
    """``value`` as text that HTML shows as it is (``&``, ``<``, ``>``, quotes escaped).

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&#34;alert(1)&#34;&gt;'
    >>> html_text(None)
    ''
    """
    if value is None:
        return ""
    return str(markupsafe.escape(str(value)))


def markdown_text(value: object) -> str:
    """``value`` as text that Streamlit's Markdown shows as it is: no links (bare ones either),
    images, emphasis, colour directives (``:red[...]``), icons, emoji or LaTeX from a name.

    >>> print(markdown_text("![x](http://example.org/x.png) *Ward 7*, :red[B]").replace(_ZWSP, "^"))
    !\\[x\\](http\\:^//example.org/x.png) \\*Ward 7\\*, \\:^red\\[B\\]
    >>> print(markdown_text("- 1. Ward"))
    \\- 1. Ward
    >>> print(markdown_text("www.x.org a@b.org &lt;").replace(_ZWSP, "^"))
    www^.x.org a\\@^b.org \\&lt;
    """
    if value is None:
        return ""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")
    text = _BREAK_AFTER.sub(lambda m: m.group(0) + _ZWSP, text)
    text = _WWW.sub(lambda m: m.group(1) + _ZWSP, text)
    return _BLOCK_START.sub(r"\1\\\2", text)


def cell_text(value: object) -> str:
    """A table cell as printed: empty for a missing value, DD-MM-YYYY for a date, digits grouped
    for a whole number; other values as they are (escaping is the template's).

    >>> [cell_text(v) for v in (None, float("nan"), dt.date(2020, 5, 31), 138855, 2.5, "Ward 7")]
    ['', '', '31-05-2020', '138,855', '2.5', 'Ward 7']
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return f"{value:%d-%m-%Y %H:%M}" if value.time() != dt.time() else f"{value:%d-%m-%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)
