"""A case line list in, accepted cases and one reason per rejected row out.

Every rejected row is reported with its spreadsheet row number (the header is row 1), the
field and the reason; good rows still load. Identifying columns are dropped when the header
is read and never reach the cases, the zones, a log line or a message.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.errors import CaseFileError
from containment.i18n import _, india_today, listed, n_, number
from containment.io.case_checks import (
    Rejections,
    check_coordinates,
    is_empty,
    parse_dates,
    place_villages,
    read_statuses,
    stripped,
    upper_case,
)
from containment.io.columns import ColumnMap, map_columns
from containment.io.dates import EPIDEMIC_START
from containment.io.places import PlaceIndex, PlaceMatch
from containment.io.points import check_in_district
from containment.io.synthetic import SYNTHETIC_MARK, synthetic_column, synthetic_verdict
from containment.io.tables import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    MAX_FILE_BYTES,
    RawTable,
    RowBatch,
    RowProblem,
    TableBatches,
    blank_rows,
    is_blank,
    read_table_batches,
    table_batches,
)

__all__ = ["CASE_COLUMNS", "CaseList", "CaseStatus", "RowProblem", "read_cases", "validate_table"]

logger = logging.getLogger(__name__)

CASE_COLUMNS = ("case_id", "reported_on", "status", "village", "block", "placed_by", "row")


class CaseStatus(StrEnum):
    """Where a case stands. Every status counts towards zones: the date is what matters."""

    ACTIVE = "active"
    RECOVERED = "recovered"
    DECEASED = "deceased"
    REFERRED_OUT = "referred_out"


_STATUS_WORDS: dict[str, CaseStatus] = {
    **dict.fromkeys(
        (
            "",
            "active",
            "positive",
            "confirmed",
            "undertreatment",
            "admitted",
            "hospitalised",
            "hospitalized",
            "isolated",
            "homeisolation",
            "ccc",
            "dch",
        ),
        CaseStatus.ACTIVE,
    ),
    **dict.fromkeys(("recovered", "discharged", "cured", "negative"), CaseStatus.RECOVERED),
    **dict.fromkeys(("deceased", "dead", "died", "death", "expired"), CaseStatus.DECEASED),
    **dict.fromkeys(
        ("referred", "referredout", "transferred", "migrated", "shifted"), CaseStatus.REFERRED_OUT
    ),
}


@dataclass(frozen=True)
class CaseList:
    """The accepted cases (EPSG:4326 points) and what was said about the other rows.

    ``cases`` has the columns in :data:`CASE_COLUMNS` plus ``geometry``; ``reported_on`` is a
    ``datetime64`` day. Its points are made when first asked for (checking a file needs none:
    a million of them take half a second). ``rejected`` has one entry per rejected row;
    ``notes`` tells of accepted rows placed by a spelling variant of their village.
    """

    table: pd.DataFrame = field(repr=False, compare=False)  # ``cases`` without its points
    lon: np.ndarray = field(repr=False, compare=False)  # degrees, one per accepted case
    lat: np.ndarray = field(repr=False, compare=False)
    rejected: tuple[RowProblem, ...]
    notes: tuple[RowProblem, ...]
    total_rows: int
    columns: ColumnMap
    source: str = ""
    summary_lines: tuple[str, ...] = field(default=())
    synthetic: bool = False  # the file says it is the synthetic sample (its Data column)

    @functools.cached_property
    def cases(self) -> gpd.GeoDataFrame:
        """The accepted cases as points (EPSG:4326)."""
        return gpd.GeoDataFrame(
            self.table, geometry=shapely.points(self.lon, self.lat), crs=STORAGE_CRS
        )

    def located(self) -> pd.DataFrame:
        """The accepted cases with ``lon`` and ``lat`` (degrees) instead of points: what the
        zone engine reads (:func:`containment.plan_zones`), with no million points made."""
        return self.table.assign(lon=self.lon, lat=self.lat)

    @property
    def accepted_count(self) -> int:
        return len(self.table)

    def summary(self) -> str:
        """One paragraph a planner can read: counts, what was dropped and why."""
        lines = [
            n_(
                "{file}: {n} row, {accepted} accepted, {rejected} rejected.",
                "{file}: {n} rows, {accepted} accepted, {rejected} rejected.",
                self.total_rows,
                file=self.source or _("line list"),
                accepted=number(self.accepted_count),
                rejected=number(len(self.rejected)),
            )
        ]
        if self.columns.identifying:
            lines.append(
                _(
                    "Identifying columns not read: {columns}.",
                    columns=listed(self.columns.identifying),
                )
            )
        if self.columns.ignored:
            lines.append(
                _("Other columns not used: {columns}.", columns=listed(self.columns.ignored))
            )
        spelled = sum(1 for note in self.notes if note.field == "village")
        if spelled:
            lines.append(
                n_(
                    "{n} accepted row was placed by a spelling variant.",
                    "{n} accepted rows were placed by a spelling variant.",
                    spelled,
                )
            )
        edge = sum(1 for note in self.notes if note.field == "latitude")
        if edge:
            lines.append(
                n_(
                    "{n} accepted row lies just outside the district's outline (within its "
                    "tolerance): its zone may reach over the district line.",
                    "{n} accepted rows lie just outside the district's outline (within its "
                    "tolerance): their zones may reach over the district line.",
                    edge,
                )
            )
        return "\n".join(lines)


def read_cases(
    source: str | Path | bytes,
    district: District,
    *,
    name: str | None = None,
    columns: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    earliest: dt.date = EPIDEMIC_START,
    max_bytes: int | None = MAX_FILE_BYTES,
) -> CaseList:
    """Read and validate a line list (CSV, XLSX, GeoJSON or GeoPackage).

    A CSV file is read and checked a batch of rows at a time, so its size is bounded only by
    ``max_bytes``.

    Parameters
    ----------
    source
        A path, or the bytes of an upload (then ``name`` gives its file name).
    district
        Where the cases must lie, and the habitations to place village-only rows.
    columns
        Explicit mapping of standard fields (``case_id``, ``latitude``, ``longitude``,
        ``reported_on``, ``village``, ``block``, ``status``) to the file's headers.
    today
        Dates after this are refused; defaults to today in India (whatever the machine's
        time zone).
    earliest
        Dates before this are refused as typos; defaults to India's first case (30-01-2020).
    max_bytes
        A larger file is refused (an upload's cap, :data:`MAX_FILE_BYTES` unless told);
        ``None`` reads a file of any size (the command line).

    Raises
    ------
    CaseFileError
        When the file cannot be read at all; row-level problems are returned, not raised.
    """
    table = read_table_batches(source, name=name, max_bytes=max_bytes)
    source_name = name or (Path(source).name if not isinstance(source, bytes) else "")
    result = _validate(
        table, district, columns=columns, today=today, earliest=earliest, source=source_name
    )
    logger.info(
        "line list read: %d rows, %d accepted, %d rejected, %d notes",
        result.total_rows,
        result.accepted_count,
        len(result.rejected),
        len(result.notes),
    )
    return result


def validate_table(
    table: RawTable,
    district: District,
    *,
    columns: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    earliest: dt.date = EPIDEMIC_START,
    source: str = "",
) -> CaseList:
    """Validate the cells of a line list read whole; see :func:`read_cases`."""
    return _validate(
        table_batches(table),
        district,
        columns=columns,
        today=today,
        earliest=earliest,
        source=source,
    )


def _validate(
    table: TableBatches,
    district: District,
    *,
    columns: Mapping[str, str] | None,
    today: dt.date | None,
    earliest: dt.date,
    source: str,
) -> CaseList:
    batches = _with_a_row(table, source)
    explicit = dict(columns or {})
    if GEOMETRY_LON in table.columns:
        explicit.setdefault("longitude", GEOMETRY_LON)
        explicit.setdefault("latitude", GEOMETRY_LAT)
    try:
        column_map = map_columns(table.columns, explicit)
        _require_columns(column_map, table.columns, source)
    except CaseFileError:
        for _ in batches:  # a file that cannot be read is told first, as it always was
            pass
        raise
    checker = _BatchChecker(table, column_map, district, today or india_today(), earliest)
    found = [checker.check(batch) for batch in batches]
    return _collect(found, table, column_map, source)


def _with_a_row(table: TableBatches, source: str) -> Iterator[RowBatch]:
    """The batches, once one row that is not blank has been seen (a file of blank rows is a
    header without rows, told before its columns are looked at)."""
    held: list[RowBatch] = []
    for batch in table.batches:
        held.append(batch)
        if not blank_rows(batch.text).all():
            break
    else:
        if table.trailing_blank_kept or not any(b.text.num_rows for b in held):
            msg = _("{file}: has a header but no rows.", file=source or _("the file"))
            raise CaseFileError(msg)
    yield from held
    yield from table.batches


def _require_columns(column_map: ColumnMap, headers: Sequence[str], source: str) -> None:
    fields = column_map.fields
    where = f"{source}: " if source else ""
    shown = listed(headers)
    if "reported_on" not in fields:
        msg = where + _(
            "no date column found (looked for 'Date of Result', 'Result Date', 'Date'...). "
            "Columns are: {columns}. Name the date column in the column mapping "
            "(reported_on=...).",
            columns=shown,
        )
        raise CaseFileError(msg)
    for field_name, column in fields.items():
        if f"{column}.1" in headers:  # how a repeated header comes out of the readers
            msg = where + _(
                "two columns are named {column} ({field}): rename or delete one, so it is clear "
                "which one to read.",
                column=repr(column),
                field=field_name,
            )
            raise CaseFileError(msg)
    has_xy = "latitude" in fields and "longitude" in fields
    if not has_xy and "village" not in fields:
        msg = where + _(
            "no coordinate columns (latitude and longitude) and no village column. Columns "
            "are: {columns}. Add one, or name them in the column mapping.",
            columns=shown,
        )
        raise CaseFileError(msg)
    if ("latitude" in fields) != ("longitude" in fields):
        have = "latitude" if "latitude" in fields else "longitude"
        missing = "longitude" if have == "latitude" else "latitude"
        msg = where + _(
            "found a {have} column but no {missing} column. Columns are: {columns}.",
            have=have,
            missing=missing,
            columns=shown,
        )
        raise CaseFileError(msg)


@dataclass
class _Found:
    """What the checks of one batch found (positions count from the file's first row), and
    every row's case id, day, status, place and point (meaningful where ``accepted``)."""

    start: int
    rejected: list[RowProblem]
    village_notes: list[RowProblem]
    edge_notes: list[RowProblem]
    last_filled: int  # the last row that is not blank (-1: none)
    synthetic_rows: tuple[int, int]  # rows marked SYNTHETIC, rows not (blank rows left out)
    accepted: np.ndarray  # of each row of the batch
    case_id: pa.Array
    day: np.ndarray
    status: pa.Array
    village: pa.Array
    block: pa.Array
    by_coordinates: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


@dataclass(frozen=True)
class _Batch:
    """A batch of rows and the stripped text of each field the file has a column for."""

    rows: RowBatch
    text: dict[str, pa.Array]

    @property
    def size(self) -> int:
        return int(self.rows.text.num_rows)

    def field(self, name: str) -> pa.Array:
        """The field's stripped cells (empty when the file has no column for it)."""
        if name in self.text:
            return self.text[name]
        return pa.array([""] * self.size, pa.string())


class _BatchChecker:
    """The checks of every row, a batch at a time, in the order a row's first problem is
    found: blank, case id, date, status, geometry, coordinates, village, district."""

    def __init__(
        self,
        table: TableBatches,
        column_map: ColumnMap,
        district: District,
        today: dt.date,
        earliest: dt.date,
    ) -> None:
        self.table = table
        self.fields = column_map.fields
        self.district = district
        self.today = today
        self.earliest = earliest
        self.places = _place_index(district)
        self.habitation_lon = district.places.geometry.x.to_numpy()
        self.habitation_lat = district.places.geometry.y.to_numpy()
        self.known_places: dict[tuple[str, str], PlaceMatch] = {}
        self.known_dates: dict[object, tuple[np.datetime64, str | None]] = {}
        self.unused = [i for i, c in enumerate(table.columns) if c not in self.fields.values()]
        marker = synthetic_column(table.columns)
        self.synthetic_at = None if marker is None else list(table.columns).index(marker)

    def problems(
        self, batch: _Batch, rows: np.ndarray, field_name: str, reasons: Sequence[str]
    ) -> list[RowProblem]:
        first = self.table.first_row + batch.rows.start
        label = self.table.row_label
        return [
            RowProblem(first + int(p), field_name, reason, label)
            for p, reason in zip(rows, reasons, strict=True)
        ]

    def check(self, rows: RowBatch) -> _Found:
        columns = self.table.columns
        batch = _Batch(
            rows,
            {f: stripped(rows.text.column(columns.index(c))) for f, c in self.fields.items()},
        )
        rejections = Rejections(batch.size)
        blank = self._blank(batch, rejections)
        case_id = self._case_ids(batch, rejections)
        day = self._dates(batch, rejections)
        status = self._statuses(batch, rejections)
        self._geometry(batch, rejections)
        lon, lat, by_coordinates, village_notes = self._locate(batch, rejections)
        edge_notes = self._inside_district(batch, lon, lat, rejections)
        filled = np.flatnonzero(~blank)
        return _Found(
            start=rows.start,
            rejected=[
                RowProblem(
                    self.table.first_row + rows.start + int(p),
                    str(rejections.field[p]),
                    str(rejections.reason[p]),
                    self.table.row_label,
                )
                for p in rejections.positions
            ],
            village_notes=village_notes,
            edge_notes=edge_notes,
            last_filled=rows.start + int(filled[-1]) if len(filled) else -1,
            synthetic_rows=self._synthetic_rows(rows, blank),
            accepted=~rejections.rejected,
            case_id=case_id,
            day=day,
            status=status,
            village=batch.field("village"),
            block=batch.field("block"),
            by_coordinates=by_coordinates,
            lon=lon,
            lat=lat,
        )

    def _synthetic_rows(self, rows: RowBatch, blank: np.ndarray) -> tuple[int, int]:
        if self.synthetic_at is None:
            return 0, 0
        cells = upper_case(stripped(rows.text.column(self.synthetic_at)))
        marked = np.asarray(pc.equal(cells, SYNTHETIC_MARK).fill_null(False), dtype=bool) & ~blank
        return int(marked.sum()), int((~marked & ~blank).sum())

    def _blank(self, batch: _Batch, rejections: Rejections) -> np.ndarray:
        """Reject blank rows, and rows blank in the columns used; the blank rows."""
        blank_used = np.ones(batch.size, dtype=bool)
        for text in batch.text.values():
            blank_used &= is_empty(text)
        blank = blank_used.copy()
        candidates = np.flatnonzero(blank_used)
        if len(candidates):
            taken = pa.array(candidates)
            for i in self.unused:
                blank[candidates] &= is_blank(batch.rows.text.column(i).take(taken))
        rejections.reject(blank, "row", _("empty row"))
        rejections.reject(blank_used, "row", _("no case data in the columns used"))
        return blank

    def _case_ids(self, batch: _Batch, rejections: Rejections) -> pa.Array:
        if "case_id" not in self.fields:
            rows = self.table.first_row + batch.rows.start + np.arange(batch.size)
            return pa.array(np.char.add(f"{self.table.row_label}-", rows.astype(str)), pa.string())
        ids = upper_case(batch.field("case_id"))
        rejections.reject(is_empty(ids), "case_id", _("missing; every row needs its case id"))
        return ids

    def _dates(self, batch: _Batch, rejections: Rejections) -> np.ndarray:
        cells: pa.Array | np.ndarray = batch.field("reported_on")
        if batch.rows.cells is not None:  # a workbook's date cells are dates already
            cells = batch.rows.cells[self.fields["reported_on"]].to_numpy(dtype=object)
        day, refused, reasons = parse_dates(
            cells, today=self.today, earliest=self.earliest, known=self.known_dates
        )
        rejections.reject(refused, "reported_on", reasons)
        return day

    def _statuses(self, batch: _Batch, rejections: Rejections) -> pa.Array:
        status, refused, reasons = read_statuses(
            batch.field("status"), _STATUS_VALUES, _unknown_status
        )
        rejections.reject(refused, "status", reasons)
        return status

    def _geometry(self, batch: _Batch, rejections: Rejections) -> None:
        problems = self.table.geometry_problems
        if not problems:
            return
        start = batch.rows.start
        inside = {p - start: r for p, r in problems.items() if 0 <= p - start < batch.size}
        mask = np.zeros(batch.size, dtype=bool)
        mask[list(inside)] = True
        rejections.reject(mask, "geometry", lambda rows: [inside[int(p)] for p in rows])

    def _locate(
        self, batch: _Batch, rejections: Rejections
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[RowProblem]]:
        """Coordinates where given, else the village's habitation."""
        village = batch.field("village")
        village_empty = is_empty(village)
        if "latitude" in self.fields:
            found = check_coordinates(
                batch.field("latitude"), batch.field("longitude"), village_empty, rejections
            )
            lon, lat, given, by_village = found.lon, found.lat, found.given, found.neither
        else:
            lon, lat = np.full(batch.size, np.nan), np.full(batch.size, np.nan)
            given = np.zeros(batch.size, dtype=bool)
            by_village = np.ones(batch.size, dtype=bool)
            rejections.reject(
                village_empty,
                "village",
                _("missing; the file has no coordinates, so every row needs its village"),
            )
        rows = np.flatnonzero(by_village & ~rejections.rejected & ~village_empty)
        placed = place_villages(
            rows, village, batch.field("block"), self.places, self.known_places, rejections
        )
        lon[placed.rows] = self.habitation_lon[placed.habitation]
        lat[placed.rows] = self.habitation_lat[placed.habitation]
        noted = [i for i, note in enumerate(placed.notes) if note]
        notes = self.problems(
            batch, placed.rows[noted], "village", [str(placed.notes[i]) for i in noted]
        )
        return lon, lat, given, notes

    def _inside_district(
        self, batch: _Batch, lon: np.ndarray, lat: np.ndarray, rejections: Rejections
    ) -> list[RowProblem]:
        """Reject coordinates outside the district, note those just over its outline."""
        checked = ~rejections.rejected
        found = check_in_district(
            np.where(checked, lon, np.nan), np.where(checked, lat, np.nan), self.district
        )
        refused = np.zeros(len(lon), dtype=bool)
        refused[list(found.refused)] = True
        rejections.reject(refused, "latitude", lambda rows: [found.refused[int(p)] for p in rows])
        rows = np.array(sorted(found.notes), dtype=np.int64)
        return self.problems(batch, rows, "latitude", [found.notes[int(p)] for p in rows])


@functools.lru_cache(maxsize=4)
def _place_index(district: District) -> PlaceIndex:
    """The district's place names (habitations and towns) ready for matching."""
    return PlaceIndex(district.places)


_STATUS_VALUES = {word: status.value for word, status in _STATUS_WORDS.items()}


def _unknown_status(raw: str) -> str:
    known = ", ".join(s.value for s in CaseStatus)
    return _(
        "unknown status {status}; use one of {known} (or leave empty)",
        status=repr(raw),
        known=known,
    )


def _collect(
    found: list[_Found], table: TableBatches, column_map: ColumnMap, source: str
) -> CaseList:
    """The batches' findings together: blank rows at the end left out, repeated case ids
    rejected (only accepted rows count: a corrected copy of a rejected row is no repeat)."""
    last_filled = max((f.last_filled for f in found), default=-1)
    first_row = table.first_row
    rejected = [p for f in found for p in f.rejected if p.row - first_row <= last_filled]
    accepted = np.concatenate([f.accepted for f in found]) if found else np.zeros(0, bool)
    ids = pa.chunked_array([f.case_id for f in found], pa.string()).filter(pa.array(accepted))
    positions = np.flatnonzero(accepted)
    repeated, first_seen = _repeats(ids)
    label = table.row_label
    rejected += [
        RowProblem(
            first_row + int(positions[p]),
            "case_id",
            _("duplicate case id (first seen in row {row})", row=first_row + int(positions[q])),
            label,
        )
        for p, q in zip(repeated, first_seen, strict=True)
    ]
    accepted[positions[repeated]] = False
    marked = sum(f.synthetic_rows[0] for f in found)
    unmarked = sum(f.synthetic_rows[1] for f in found)
    synthetic = synthetic_verdict(marked, unmarked, synthetic_column(table.columns) or "", source)
    accepted_table, lon, lat = _cases_table(found, accepted, first_row)
    return CaseList(
        synthetic=synthetic,
        table=accepted_table,
        lon=lon,
        lat=lat,
        rejected=tuple(sorted(rejected, key=lambda p: p.row)),
        notes=tuple(
            [n for f in found for n in f.village_notes] + [n for f in found for n in f.edge_notes]
        ),
        total_rows=last_filled + 1,
        columns=column_map,
        source=source,
    )


def _repeats(ids: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ids seen before, and where each was first seen."""
    if len(ids) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = np.asarray(pc.dictionary_encode(ids.combine_chunks()).indices, dtype=np.int64)
    # Codes are numbered in order of first use: an id is new where the code exceeds all before.
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    first_of_code = np.flatnonzero(new)
    repeated = np.flatnonzero(~new)
    return repeated, first_of_code[codes[repeated]]


def _cases_table(
    found: list[_Found], accepted: np.ndarray, first_row: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The accepted cases' columns, longitudes and latitudes; text columns as pandas makes
    text from pyarrow (no Python string per cell where pandas keeps text in pyarrow)."""
    mask = pa.array(accepted)

    def text(name: str) -> pd.Series:
        if not accepted.any():
            return pd.Series([], dtype=object)  # no text to tell pandas it is text
        column = pa.chunked_array([getattr(f, name) for f in found], pa.string())
        series: pd.Series = column.filter(mask).to_pandas()
        return series

    def numbers(name: str) -> np.ndarray:
        parts = [getattr(f, name) for f in found]
        return np.concatenate(parts)[accepted] if parts else np.zeros(0)

    by_coordinates = numbers("by_coordinates").astype(np.int8)
    placed_by = pa.array(["village", "coordinates"]).take(pa.array(by_coordinates))
    table = pd.DataFrame(
        {
            "case_id": text("case_id"),
            "reported_on": numbers("day").astype("datetime64[D]").astype("datetime64[s]"),
            "status": text("status"),
            "village": text("village"),
            "block": text("block"),
            "placed_by": placed_by.to_pandas() if accepted.any() else pd.Series([], dtype=object),
            "row": first_row + np.flatnonzero(accepted).astype(np.int64),
        }
    )
    return table, numbers("lon"), numbers("lat")
