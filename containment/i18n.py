"""Words in the user's language, and numbers, dates and times the way an Indian office writes them.

Every piece of text a user reads is written in English in the code, marked with :func:`_` (or
:func:`n_` when it counts something) and translated at the moment it is shown, into the language
of whoever is reading: the app sets it from the logged-in user's choice, the command line from
``--lang``. The translations live in one place a translator can edit with any PO editor
(Poedit, Lokalize, Weblate): ``containment/locales/hi.po``. ``make translations`` collects new
strings into it; a test fails while any string has no translation.

Placeholders are named and in braces, ``_("Zone {name} was released.", name=zone.name)``; the
translation must keep the same names. Values are not escaped here: text on its way into HTML
goes through :mod:`containment.render.text` like any other.

Numbers use Indian digit grouping (1,38,855), dates DD-MM-YYYY and times Indian Standard Time,
in both languages.

>>> with language("hi"):
...     _("Zones in force")
'लागू ज़ोन'
>>> with language("en"):
...     n_("{n} case", "{n} cases", 138855)
'1,38,855 cases'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext
import io
import math
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = [
    "DEFAULT_LANGUAGE",
    "IST",
    "LANGUAGES",
    "N_",
    "_",
    "current_language",
    "date_text",
    "india_today",
    "language",
    "listed",
    "n_",
    "ngettext",
    "number",
    "set_language",
    "time_text",
]

LOCALES = Path(__file__).parent / "locales"
#: Language codes and their names, each written in its own script (the switcher shows them so).
LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
DEFAULT_LANGUAGE = "en"
#: Indian Standard Time: UTC+05:30 all year (no daylight saving since 1945), no tz database needed.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

_current: ContextVar[str] = ContextVar("containment_language", default=DEFAULT_LANGUAGE)


def india_today() -> dt.date:
    """Today in India, whatever time zone the machine keeps (the day every default uses)."""
    return dt.datetime.now(IST).date()


def current_language() -> str:
    """The code of the language text is being written in now (``"en"`` unless set)."""
    return _current.get()


def set_language(code: str) -> None:
    """Write text in ``code`` from now on, in this thread or task (the app: for this page run).

    >>> set_language("ta")
    Traceback (most recent call last):
    ...
    ValueError: No language 'ta': choose one of en, hi.
    """
    _current.set(_known(code))


@contextlib.contextmanager
def language(code: str) -> Iterator[None]:
    """Write text in ``code`` inside the ``with`` block, and as before after it."""
    token = _current.set(_known(code))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str, /, **values: object) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``.

    >>> _("Zone {name} was released.", name="Ward 7")
    'Zone Ward 7 was released.'
    """
    text = _translations(current_language()).gettext(message)
    return text.format(**values) if values else text


def n_(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a counted message that goes with ``n``; ``{n}`` is ``n`` with digits grouped.

    >>> n_("{n} zone", "{n} zones", 1), n_("{n} zone", "{n} zones", 1200)
    ('1 zone', '1,200 zones')
    """
    text = _translations(current_language()).ngettext(singular, plural, n)
    return text.format(n=number(n), **values)


def ngettext(singular: str, plural: str, n: int, /) -> str:
    """The form of a counted message that goes with ``n``, its placeholders not yet filled (for
    the printable pages' templates, which fill them with the values escaped)."""
    return _translations(current_language()).ngettext(singular, plural, n)


def N_(message: str, /) -> str:
    """Mark ``message`` for translation without translating it yet (a constant defined once and
    shown later: translate it with :func:`_` where it is shown)."""
    return message


def number(value: float | None, digits: int = 0) -> str:
    """``value`` with Indian digit grouping: thousands, then every two digits (lakhs, crores).

    >>> number(138855), number(1388552), number(-12345678), number(999), number(2.456, 1)
    ('1,38,855', '13,88,552', '-1,23,45,678', '999', '2.5')
    >>> number(None), number(float("nan"))
    ('', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{abs(value):.{digits}f}"
    whole, _dot, fraction = text.partition(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        pairs = [head[max(0, i - 2) : i] for i in range(len(head), 0, -2)][::-1]
        whole = ",".join([*pairs, tail])
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + whole + (f".{fraction}" if fraction else "")


#: How many names a message lists before "and N more": a file's columns can number thousands.
LISTED_NAMES = 30


def listed(names: Iterable[object], most: int = LISTED_NAMES) -> str:
    """Names joined with commas, the first ``most`` only and then how many more.

    >>> listed(["a", "b", "c"]), listed([f"c{i}" for i in range(5)], most=2)
    ('a, b, c', 'c0, c1 and 3 more')
    """
    shown = [str(name) for name in names]
    if len(shown) <= most:
        return ", ".join(shown)
    return n_(
        "{names} and {n} more",
        "{names} and {n} more",
        len(shown) - most,
        names=", ".join(shown[:most]),
    )


def date_text(value: dt.date | None) -> str:
    """A date as DD-MM-YYYY (a time of day, if any, left out).

    >>> date_text(dt.date(2020, 5, 31)), date_text(None)
    ('31-05-2020', '')
    """
    return "" if value is None else f"{value:%d-%m-%Y}"


def time_text(value: dt.datetime | None) -> str:
    """A moment as DD-MM-YYYY HH:MM IST; a naive time is taken to be UTC (as the store keeps it).

    >>> time_text(dt.datetime(2020, 5, 31, 18, 45, tzinfo=dt.timezone.utc))
    '01-06-2020 00:15 IST'
    >>> time_text(dt.datetime(2020, 5, 31, 9, 0))
    '31-05-2020 14:30 IST'
    """
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{value.astimezone(IST):%d-%m-%Y %H:%M} IST"


def _known(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"No language {code!r}: choose one of {', '.join(LANGUAGES)}.")
    return code


@functools.cache
def _translations(code: str) -> gettext.NullTranslations:
    """The catalog of ``code``, read from its PO file once (English is the messages as written)."""
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with open(LOCALES / f"{code}.po", "rb") as po:
        catalog = read_po(po, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
