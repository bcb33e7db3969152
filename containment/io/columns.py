"""Recognising the columns of a real line list, whatever they are called.

Line lists come from many hands: ``Latitude``, ``lat``, ``LAT.``; ``Date of Result``,
``Result Date``; ``ICMR ID``, ``SRF ID``. Headers are compared after lower-casing and removing
everything but letters and digits. Identifying columns (names, phone numbers, addresses...)
are recognised so that they can be dropped before anything else happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from containment.errors import CaseFileError
from containment.i18n import _, listed

__all__ = [
    "FIELDS",
    "MAX_COLUMNS",
    "ColumnMap",
    "find_columns",
    "map_columns",
    "normalise_header",
]

#: The most columns a line list (or property names a map layer) may have. A district's line
#: list has tens of columns (the ICMR sample form about 100); a ward or road layer a few to a few
#: dozen. Reading a table costs rows × columns: a 3 MB CSV whose header has 300,000 columns took
#: 50 s and 1.8 GB before this cap, and a 1 MB GeoJSON whose 10,000 features each had their own
#: property name 7 GB. Files are refused by their header (or their property names) before any
#: table is built.
MAX_COLUMNS = 500

# standard field -> recognised spellings (already normalised: lower case, letters and digits)
FIELDS: dict[str, tuple[str, ...]] = {
    "case_id": (
        "caseid",
        "icmrid",
        "icmrno",
        "icmrnumber",
        "srfid",
        "srfno",
        "patientid",
        "labid",
        "sampleid",
        "id",
        "caseno",
        "casenumber",
        "patientcode",
    ),
    "latitude": ("lat", "latitude", "latdd", "latitudedd", "y", "gpslat", "gpslatitude"),
    "longitude": (
        "lon",
        "lng",
        "long",
        "longitude",
        "longdd",
        "longitudedd",
        "x",
        "gpslon",
        "gpslong",
        "gpslongitude",
    ),
    "reported_on": (
        "dateofresult",
        "resultdate",
        "dateofreport",
        "reportdate",
        "reportedon",
        "date",
        "positivedate",
        "dateofpositive",
        "datepositive",
        "dateofconfirmation",
        "confirmationdate",
        "confirmedon",
        "dateofsampleresult",
        "testresultdate",
        "dateofdiagnosis",
    ),
    "village": (
        "village",
        "villagename",
        "habitation",
        "habitationname",
        "gaon",
        "gram",
        "place",
        "locality",
        "mohalla",
        "ward",
        "villagetown",
        "villagecity",
    ),
    "block": ("block", "blockname", "panchayatsamiti", "samiti", "blockpanchayatsamiti"),
    "status": ("status", "currentstatus", "patientstatus", "casestatus", "outcome"),
}

# Identifying or quasi-identifying columns: never read past the header.
_IDENTIFYING = re.compile(
    r"name|father|husband|guardian|phone|mobile|contact|cell|address|aadha?r|house|street|"
    r"email|age|sex|gender|dob|birth|occupation|pincode|pin"
)
# Columns whose header merely contains "name" but are places, not people.
_PLACE_NAMES = {"villagename", "habitationname", "blockname"}


def normalise_header(header: object) -> str:
    """``'Date of Result '`` -> ``'dateofresult'``."""
    return re.sub(r"[^a-z0-9]", "", str(header).lower())


@dataclass(frozen=True)
class ColumnMap:
    """Which source column feeds which standard field, and what was set aside."""

    fields: dict[str, str]
    identifying: tuple[str, ...]
    ignored: tuple[str, ...]


def map_columns(headers: Iterable[object], explicit: Mapping[str, str] | None = None) -> ColumnMap:
    """Match source headers to the standard fields.

    ``explicit`` maps a standard field to a source header and wins over recognition.

    Examples
    --------
    >>> m = map_columns(["S.No", "ICMR ID", "Patient Name", "Latitude", "Long", "Date of Result"])
    >>> m.fields["case_id"], m.fields["longitude"], m.identifying
    ('ICMR ID', 'Long', ('Patient Name',))
    """
    names = [str(h) for h in headers]
    explicit = dict(explicit or {})
    for field, source in explicit.items():
        if field not in FIELDS:
            msg = _(
                "Unknown field {field} in the column mapping; fields are: {fields}.",
                field=repr(field),
                fields=", ".join(FIELDS),
            )
            raise CaseFileError(msg)
        if source not in names:
            msg = _(
                "The column mapping names {column} for {field}, but the file has no such "
                "column. Its columns are: {columns}.",
                column=repr(source),
                field=repr(field),
                columns=listed(names),
            )
            raise CaseFileError(msg)
    fields: dict[str, str] = dict(explicit)
    taken = set(explicit.values())
    identifying: list[str] = []
    ignored: list[str] = []
    for header in names:
        if header in taken:
            continue
        key = normalise_header(header)
        match = next(
            (f for f, names in FIELDS.items() if key in names and f not in fields),
            None,
        )
        if match is not None:
            fields[match] = header
            taken.add(header)
        elif key not in _PLACE_NAMES and _IDENTIFYING.search(key):
            identifying.append(header)
        else:
            ignored.append(header)
    return ColumnMap(fields=fields, identifying=tuple(identifying), ignored=tuple(ignored))


def find_columns(
    headers: Iterable[object],
    spellings: Mapping[str, tuple[str, ...]],
    *,
    source: str,
    optional: tuple[str, ...] = (),
) -> dict[str, str]:
    """The header that each field's spellings name (normalised as line-list headers are).

    Raises :class:`CaseFileError` naming the fields not found, the spellings looked for and the
    file's columns.

    >>> find_columns(["S.No", "Person ID", "Home Village"], {"id": ("personid",),
    ...     "village": ("village", "homevillage")}, source="people.csv")
    {'id': 'Person ID', 'village': 'Home Village'}
    """
    names = [str(h) for h in headers]
    by_key = {normalise_header(h): h for h in names}
    found: dict[str, str] = {}
    missing: list[str] = []
    for field, options in spellings.items():
        header = next((by_key[o] for o in options if o in by_key), None)
        if header is not None:
            found[field] = header
        elif field not in optional:
            examples = ", ".join(repr(o) for o in options[:3])
            missing.append(_("{field} (e.g. {examples})", field=field, examples=examples))
    if missing:
        msg = _(
            "{file}: no column for {missing}. Its columns are: {columns}. Rename the column "
            "and upload again.",
            file=source,
            missing="; ".join(missing),
            columns=listed(names),
        )
        raise CaseFileError(msg)
    return found
