"""Day-first dates as Indian line lists write them.

``11-05-2020`` is 11 May 2020. ISO dates (``2020-05-11``) and spreadsheet date cells are
accepted as they are. Impossible dates (``31-02-2020``) are refused, never rolled over.
"""

from __future__ import annotations

import datetime as dt
import re

from containment.engine.timeline import day_month_year
from containment.i18n import _

__all__ = [
    "EPIDEMIC_START",
    "DateProblem",
    "day_month_year",
    "parse_day_first",
    "parse_day_first_time",
]

EPIDEMIC_START = dt.date(2020, 1, 30)
"""The first case of COVID-19 in India (Thrissur, Kerala): a case reported before it is a typo
(01-01-1900, 2002 for 2020) unless the user says the epidemic began earlier."""

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.\s](\d{1,2}|[A-Za-z]+)[-/.\s](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TIME = re.compile(r"^(.*?)[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")


class DateProblem(ValueError):
    """A date cell that is not a real, past date; the message says why."""


def parse_day_first(
    value: object, *, today: dt.date, earliest: dt.date = EPIDEMIC_START
) -> dt.date:
    """Parse a line-list date, day first, refusing impossible and future dates and dates
    before ``earliest`` (by default :data:`EPIDEMIC_START`).

    Examples
    --------
    >>> parse_day_first("11-05-2020", today=dt.date(2020, 6, 1))
    datetime.date(2020, 5, 11)
    >>> parse_day_first("11 May 2020", today=dt.date(2020, 6, 1))
    datetime.date(2020, 5, 11)
    """
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    else:
        parsed = _parse_text(str(value).strip())
    if parsed > today:
        msg = _(
            "{day} is in the future (today is {today})",
            day=day_month_year(parsed),
            today=day_month_year(today),
        )
        raise DateProblem(msg)
    if parsed < earliest:
        if earliest == EPIDEMIC_START:
            msg = _(
                "{day} is before {earliest}, the first case in India: correct the year, or set "
                "an earlier start if the date is right",
                day=day_month_year(parsed),
                earliest=day_month_year(earliest),
            )
        else:
            msg = _(
                "{day} is before {earliest}, the epidemic's start: correct the year, or set an "
                "earlier start if the date is right",
                day=day_month_year(parsed),
                earliest=day_month_year(earliest),
            )
        raise DateProblem(msg)
    return parsed


def parse_day_first_time(
    value: object, *, today: dt.date, earliest: dt.date = EPIDEMIC_START
) -> dt.datetime:
    """A date and time (``12-05-2020 10:30``, ``2020-05-12T10:30:00``), the date day first as
    :func:`parse_day_first` reads it; a date alone is midnight.

    >>> parse_day_first_time("12-05-2020 10:30", today=dt.date(2020, 6, 1))
    datetime.datetime(2020, 5, 12, 10, 30)
    """
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
        parse_day_first(moment.date(), today=today, earliest=earliest)
        return moment
    text = str(value).strip()
    match = _TIME.match(text)
    if not match:
        return dt.datetime.combine(parse_day_first(text, today=today, earliest=earliest), dt.time())
    day = parse_day_first(match.group(1), today=today, earliest=earliest)
    hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    if hour > 23 or minute > 59 or second > 59:
        msg = _(
            "{text}: {time} is not a time of day",
            text=repr(text),
            time=dt.time(hour, minute, second).isoformat(),
        )
        raise DateProblem(msg)
    return dt.datetime.combine(day, dt.time(hour, minute, second))


def _parse_text(text: str) -> dt.date:
    text = _TIME_SUFFIX.sub("", text)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _make(year, month, day, text)
    if match := _DAY_FIRST.match(text):
        day_text, month_text, year_text = match.groups()
        if month_text.isdigit():
            month = int(month_text)
        else:
            month = _MONTHS.get(month_text.lower(), 0)
            if not month:
                msg = _("{text}: unknown month {month}", text=repr(text), month=repr(month_text))
                raise DateProblem(msg)
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000
        return _make(year, month, int(day_text), text)
    msg = _("{text} is not a date; write day-month-year, e.g. 11-05-2020", text=repr(text))
    raise DateProblem(msg)


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        msg = _(
            "{text} is not a real date (day {day}, month {month}, year {year})",
            text=repr(text),
            day=day,
            month=month,
            year=year,
        )
        raise DateProblem(msg) from None
