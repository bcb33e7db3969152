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
import json
import math
import re

import markupsafe
import numpy as np
import pandas as pd

from containment.i18n import _, date_text, number, time_text

__all__ = ["cell_text", "html_text", "markdown_text", "script_json"]

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


# Characters that are plain in HTML but code in a JavaScript template literal, where some map
# libraries put their text (folium's string tooltips: bindTooltip(`<div>...</div>`)). As
# character references they show the same in HTML and run as nothing.
_TEMPLATE_UNSAFE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def html_text(value: object) -> str:
    """``value`` as text that HTML shows as it is (``&``, ``<``, ``>``, quotes escaped), safe
    in a JavaScript template literal too (`` ` ``, ``$`` and ``\\`` as character references).

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&#34;alert(1)&#34;&gt;'
    >>> html_text("${alert(1)}`")
    '&#36;{alert(1)}&#96;'
    >>> html_text(None)
    ''
    """
    if value is None:
        return ""
    return str(markupsafe.escape(str(value))).translate(_TEMPLATE_UNSAFE)


# Inside <script>, "</script>" or "<!--" in a string ends or upsets the script; U+2028 and U+2029
# end a line in older JavaScript. As \u escapes they are the same characters to the script.
_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    r"""``value`` as a JavaScript literal to put inside a ``<script>`` element: JSON in which no
    name can end the script or become markup. The script gets the text as it is (draw it with
    ``fillText`` or put it in a text node, never in ``innerHTML``).

    >>> print(script_json(["</script><b>Ward 7</b>", 1.5]))
    ["\u003c/script\u003e\u003cb\u003eWard 7\u003c/b\u003e", 1.5]
    """
    return json.dumps(value, ensure_ascii=False, allow_nan=False).translate(_SCRIPT_UNSAFE)


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


def cell_text(value: object, digits: int | None = None) -> str:
    """A table cell as people read it, in the reader's language: empty for a missing value,
    DD-MM-YYYY for a date, a moment in IST, numbers with Indian digit grouping (``digits``
    decimals; by default none for a whole number, up to two otherwise), "yes" or nothing for a
    yes/no; other values as they are (escaping is the page's).

    >>> [cell_text(v) for v in (None, float("nan"), dt.date(2020, 5, 31), 138855, 2.5, "Ward 7")]
    ['', '', '31-05-2020', '1,38,855', '2.5', 'Ward 7']
    >>> cell_text(dt.datetime(2020, 5, 31, 18, 45, tzinfo=dt.UTC)), cell_text(True)
    ('01-06-2020 00:15 IST', 'yes')
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if digits is None:
            shown = number(float(value), 2)
            return shown.rstrip("0").rstrip(".") if "." in shown else shown
        return number(float(value), digits)
    if isinstance(value, dt.datetime | pd.Timestamp):
        return time_text(value) if value.time() != dt.time() else date_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, bool | np.bool_):
        return _("yes") if value else ""
    if isinstance(value, int | np.integer):
        return number(int(value))
    return str(value)
