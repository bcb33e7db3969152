"""The checks of a line list's cells, a whole column at a time.

Each check looks at a batch of rows at once (pyarrow string columns, numpy arrays) and tells
the planner exactly what the row-by-row reading always told: ``row N: field: reason``, the
first problem of each row. A reason that quotes the cell is written only for the rows that
have the problem; a rule that depends on the cell alone (a date, a status, a village) is
worked out once per distinct cell.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from containment.i18n import N_, _
from containment.io.dates import DateProblem, parse_day_first
from containment.io.places import PlaceIndex, PlaceMatch

__all__ = [
    "Coordinates",
    "Rejections",
    "check_coordinates",
    "distinct",
    "is_empty",
    "parse_dates",
    "place_villages",
    "read_statuses",
    "stripped",
    "upper_case",
]

Reasons = str | np.ndarray | Callable[[np.ndarray], Sequence[str]]
"""One reason for every row, a reason per row of the batch, or a function giving the reasons
of the rows (positions) it is given."""


class Rejections:
    """The first problem of each row of a batch; later problems of a rejected row are not
    told (as a planner fixes one thing at a time)."""

    def __init__(self, size: int) -> None:
        self.rejected = np.zeros(size, dtype=bool)
        self.field = np.empty(size, dtype=object)
        self.reason = np.empty(size, dtype=object)

    def reject(self, mask: np.ndarray, field: str, reasons: Reasons) -> None:
        """Reject the rows in ``mask`` not rejected yet, for ``reasons``."""
        new = np.flatnonzero(mask & ~self.rejected)
        if len(new) == 0:
            return
        self.rejected[new] = True
        self.field[new] = field
        if isinstance(reasons, str):
            self.reason[new] = reasons
        elif isinstance(reasons, np.ndarray):
            self.reason[new] = reasons[new]
        else:
            self.reason[new] = list(reasons(new))

    @property
    def positions(self) -> np.ndarray:
        return np.flatnonzero(self.rejected)


def stripped(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The cells without surrounding whitespace (pyarrow's trim and Python's ``str.strip``
    agree on every character)."""
    return _array(pc.utf8_trim_whitespace(column))


def upper_case(column: pa.Array) -> pa.Array:
    """Upper case as Python's ``str.upper`` makes it: pyarrow's, except for the cells that are
    not plain ASCII (``ß`` becomes ``SS`` in Python), which Python does."""
    upper = _array(pc.utf8_upper(column))
    other = np.flatnonzero(~np.asarray(pc.string_is_ascii(column), dtype=bool))
    if len(other) == 0:
        return upper
    values = upper.to_numpy(zero_copy_only=False).astype(object)
    values[other] = [str(v).upper() for v in column.take(pa.array(other)).to_pylist()]
    return pa.array(values, pa.string())


def is_empty(column: pa.Array) -> np.ndarray:
    """For each (stripped) cell: is it empty?"""
    return np.asarray(pc.equal(pc.utf8_length(column), 0), dtype=bool)


def distinct(values: pa.Array | np.ndarray) -> tuple[np.ndarray, list[object]]:
    """Each cell's code and the distinct cells (as Python objects), in order of first use."""
    if isinstance(values, np.ndarray):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.asarray(codes, dtype=np.int64), list(uniques)
    encoded = pc.dictionary_encode(values)
    codes = np.asarray(encoded.indices, dtype=np.int64)
    return codes, encoded.dictionary.to_pylist()


# --- dates -----------------------------------------------------------------------------------

_MISSING_DATE = N_("missing; give the date of the result")


@dataclass
class _DateRule:
    today: dt.date
    earliest: dt.date
    known: dict[object, tuple[np.datetime64, str | None]]


def parse_dates(
    cells: pa.Array | np.ndarray,
    *,
    today: dt.date,
    earliest: dt.date,
    known: dict[object, tuple[np.datetime64, str | None]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's day (``datetime64[D]``, NaT when refused), whether it was refused, and why.

    A cell is a date cell of a workbook (a ``Timestamp``) or text, read day first by
    :func:`~containment.io.dates.parse_day_first`, once per distinct cell; ``known`` keeps the
    answers from batch to batch.
    """
    rule = _DateRule(today, earliest, known)
    codes, uniques = distinct(cells)
    answers = [_date_answer(value, rule) for value in uniques]
    days = np.array([a[0] for a in answers], dtype="datetime64[D]")
    refused = np.array([a[1] is not None for a in answers], dtype=bool)
    reasons = np.array([a[1] for a in answers], dtype=object)
    return days[codes], refused[codes], reasons[codes]


def _date_answer(value: object, rule: _DateRule) -> tuple[np.datetime64, str | None]:
    if value in rule.known:
        return rule.known[value]
    raw = value if isinstance(value, pd.Timestamp) else str(value).strip()
    answer: tuple[np.datetime64, str | None]
    if raw == "":
        answer = (np.datetime64("NaT", "D"), _(_MISSING_DATE))
    else:
        try:
            day = parse_day_first(raw, today=rule.today, earliest=rule.earliest)
            answer = (np.datetime64(day, "D"), None)
        except DateProblem as exc:
            answer = (np.datetime64("NaT", "D"), str(exc))
    rule.known[value] = answer
    return answer


# --- statuses --------------------------------------------------------------------------------


def read_statuses(
    cells: pa.Array, words: dict[str, str], unknown: Callable[[str], str]
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Each cell's status (from ``words``, keyed by the letters and digits of the cell in lower
    case; empty when refused), whether it was refused, and why; once per distinct cell."""
    codes, uniques = distinct(cells)
    statuses: list[str] = []
    reasons: list[str | None] = []
    for value in uniques:
        raw = str(value).strip()
        key = "".join(ch for ch in raw.lower() if ch.isalnum())
        status = words.get(key)
        statuses.append(status if status is not None else "")
        reasons.append(None if status is not None else unknown(raw))
    status_of_cell = pa.array(statuses, pa.string()).take(pa.array(codes))
    refused = np.array([r is not None for r in reasons], dtype=bool)
    return status_of_cell, refused[codes], np.array(reasons, dtype=object)[codes]


# --- coordinates -----------------------------------------------------------------------------

_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


@dataclass(frozen=True)
class Coordinates:
    """The rows whose coordinates are good (``given``) with their ``lon``/``lat`` in degrees
    (NaN elsewhere), and the rows that give neither coordinate (``neither``)."""

    given: np.ndarray
    neither: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def decimal_degrees(texts: pa.Array, given: np.ndarray) -> np.ndarray:
    """The (stripped) cells in ``given`` as Python's ``float`` reads them once spaces are taken
    out, NaN when not a finite number (and elsewhere). Plain decimals are converted by pyarrow
    (correctly rounded, as Python's are); anything else (``1_000``, digits of other
    scripts...) by Python itself."""
    values = np.full(len(texts), np.nan)
    rows = np.flatnonzero(given)
    if len(rows) == 0:
        return values
    compact = pc.replace_substring(texts.take(pa.array(rows)), " ", "")
    plain = np.asarray(pc.match_substring_regex(compact, _DECIMAL), dtype=bool)
    found = np.full(len(rows), np.nan)
    if plain.any():
        where = pa.array(np.flatnonzero(plain))
        found[plain] = np.asarray(pc.cast(compact.take(where), pa.float64()), dtype=float)
    other = np.flatnonzero(~plain)
    if len(other):
        found[other] = [_python_number(t) for t in compact.take(pa.array(other)).to_pylist()]
    found[~np.isfinite(found)] = np.nan
    values[rows] = found
    return values


def _python_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def check_coordinates(
    lat_text: pa.Array, lon_text: pa.Array, village_empty: np.ndarray, rejections: Rejections
) -> Coordinates:
    """Reject rows whose latitude and longitude cells are not a place in decimal degrees, with
    what is wrong and how to fix it; the coordinates of the others."""
    lat_empty, lon_empty = is_empty(lat_text), is_empty(lon_text)
    neither = lat_empty & lon_empty
    reject = rejections.reject
    reject(
        neither & village_empty, "latitude", _("no coordinates and no village; give one of them")
    )
    reject(
        lat_empty & ~lon_empty,
        "latitude",
        _("missing ({other} is given); give both or neither", other="longitude"),
    )
    reject(
        lon_empty & ~lat_empty,
        "longitude",
        _("missing ({other} is given); give both or neither", other="latitude"),
    )
    both = ~lat_empty & ~lon_empty
    lat, lon = decimal_degrees(lat_text, both), decimal_degrees(lon_text, both)
    lat_bad = both & np.isnan(lat)
    lon_bad = both & ~lat_bad & np.isnan(lon)
    reject(lat_bad, "latitude", _not_a_number(lat_text))
    reject(lon_bad, "longitude", _not_a_number(lon_text))
    numbers = both & ~lat_bad & ~lon_bad
    zero = numbers & (lat == 0) & (lon == 0)
    reject(zero, "latitude", _("0, 0 is a placeholder, not a location"))
    with np.errstate(invalid="ignore"):
        out = numbers & ~zero & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    _reject_out_of_range(out, lat, lon, rejections)
    given = numbers & ~zero & ~out
    return Coordinates(
        given=given,
        neither=neither,
        lon=np.where(given, lon, np.nan),
        lat=np.where(given, lat, np.nan),
    )


def _not_a_number(texts: pa.Array) -> Callable[[np.ndarray], list[str]]:
    def reasons(rows: np.ndarray) -> list[str]:
        cells = texts.take(pa.array(rows)).to_pylist()
        return [_("{text} is not a number in decimal degrees", text=repr(text)) for text in cells]

    return reasons


def _reject_out_of_range(
    out: np.ndarray, lat: np.ndarray, lon: np.ndarray, rejections: Rejections
) -> None:
    """Latitude beyond ±90 or longitude beyond ±180: metres, swapped, or just out of range."""
    abs_lat, abs_lon = np.abs(lat), np.abs(lon)
    with np.errstate(invalid="ignore"):
        metres = out & (abs_lat > 1000) & (abs_lon > 1000)
        swapped = out & ~metres & (abs_lat > 90) & (abs_lon <= 90)
        lat_out = out & ~metres & ~swapped & (abs_lat > 90)
        lon_out = out & ~metres & ~swapped & ~lat_out

    def metres_reasons(rows: np.ndarray) -> list[str]:
        return [
            _(
                "{lat}, {lon} look like metres in a projected CRS (UTM?); give latitude and "
                "longitude in decimal degrees",
                lat=format(float(lat[p]), "g"),
                lon=format(float(lon[p]), "g"),
            )
            for p in rows
        ]

    def swapped_reasons(rows: np.ndarray) -> list[str]:
        return [
            _(
                "latitude {lat} is outside -90..90 and longitude {lon} would fit: latitude and "
                "longitude look swapped",
                lat=format(float(lat[p]), "g"),
                lon=format(float(lon[p]), "g"),
            )
            for p in rows
        ]

    rejections.reject(metres, "latitude", metres_reasons)
    rejections.reject(swapped, "latitude", swapped_reasons)
    rejections.reject(
        lat_out,
        "latitude",
        lambda rows: [_("{lat} is outside -90..90", lat=format(float(lat[p]), "g")) for p in rows],
    )
    rejections.reject(
        lon_out,
        "longitude",
        lambda rows: [
            _("{lon} is outside -180..180", lon=format(float(lon[p]), "g")) for p in rows
        ],
    )


# --- villages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """Rows placed at their village's habitation: ``rows`` (positions), the habitation of
    each, and the note told of each (``None``: none, the name matched as written)."""

    rows: np.ndarray
    habitation: np.ndarray
    notes: list[str | None]


def place_villages(
    rows: np.ndarray,
    village: pa.Array,
    block: pa.Array,
    places: PlaceIndex,
    known: dict[tuple[str, str], PlaceMatch],
    rejections: Rejections,
) -> Placed:
    """Place ``rows`` (ascending, none rejected yet) at the habitation their village names
    (within their block if given), matching each distinct (village, block) once; reject the
    rows whose name matches none or several. ``known`` keeps the matches from batch to
    batch."""
    if len(rows) == 0:
        return Placed(rows, np.empty(0, dtype=np.int64), [])
    taken = pa.array(rows)
    villages = village.take(taken).to_numpy(zero_copy_only=False).astype(object)
    blocks = block.take(taken).to_numpy(zero_copy_only=False).astype(object)
    village_codes, village_names = distinct(villages)
    block_codes, block_names = distinct(blocks)
    pair_codes, pairs = distinct(village_codes * (len(block_names) + 1) + block_codes)
    matches: list[PlaceMatch] = []
    for pair in pairs:
        name = str(village_names[int(pair) // (len(block_names) + 1)])  # type: ignore[call-overload]
        where = str(block_names[int(pair) % (len(block_names) + 1)])  # type: ignore[call-overload]
        if (name, where) not in known:
            known[(name, where)] = places.match(name, where or None)
        matches.append(known[(name, where)])
    index = np.array([-1 if m.index is None else m.index for m in matches], dtype=np.int64)
    habitation = index[pair_codes]
    found = habitation >= 0
    unmatched = pair_codes[~found]
    failed = np.zeros(len(rejections.rejected), dtype=bool)
    failed[rows[~found]] = True
    rejections.reject(failed, "village", lambda _: [matches[int(c)].reason for c in unmatched])
    notes = [matches[int(c)].note or None for c in pair_codes[found]]
    return Placed(rows[found], habitation[found], notes)


def _array(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values
