"""Reading a line-list file into a plain table of text cells, or one clear error.

CSV, XLSX, GeoJSON and GeoPackage. Every cell comes back as text (or a date for spreadsheet
date cells) so that validation sees what the planner typed. Point geometries of GeoJSON and
GeoPackage features become ``longitude``/``latitude`` columns in EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import CaseFileError
from containment.i18n import _, number
from containment.io.columns import MAX_COLUMNS
from containment.io.csv_batches import CsvSource, csv_batches, open_csv, too_many_columns
from containment.io.layers import read_layer

__all__ = [
    "GEOMETRY_LAT",
    "GEOMETRY_LON",
    "MAX_FILE_BYTES",
    "MAX_XLSX_CELLS",
    "MAX_XLSX_UNPACKED_BYTES",
    "SUPPORTED_SUFFIXES",
    "RawTable",
    "RowBatch",
    "RowProblem",
    "TableBatches",
    "blank_rows",
    "is_blank",
    "read_layer",
    "read_table",
    "read_table_batches",
    "table_batches",
    "trailing_blank_count",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest line list an upload may be (52.4 MB): the app's server holds it in memory.
The command line reads files of any size."""
# A workbook is a zip of XML: 6 MB can unpack to 40 million cells. Limits on what is unpacked
# and read keep one upload from holding the server for minutes.
MAX_XLSX_UNPACKED_BYTES = 250_000_000
MAX_XLSX_CELLS = 3_000_000
SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json", ".gpkg")
GEOMETRY_LON = "(geometry longitude)"
GEOMETRY_LAT = "(geometry latitude)"


@dataclass(frozen=True)
class RowProblem:
    """One finding about one row: ``row 7: reported_on: '31-02-2020' is not a real date``."""

    row: int
    field: str
    reason: str
    label: str = "row"

    def __str__(self) -> str:
        if self.label == "feature":
            return _(
                "feature {row}: {field}: {reason}",
                row=self.row,
                field=self.field,
                reason=self.reason,
            )
        return _("row {row}: {field}: {reason}", row=self.row, field=self.field, reason=self.reason)


@dataclass(frozen=True)
class RawTable:
    """Cells as read, and how to number them for the planner.

    ``first_row`` is the number the first data row has in the planner's view: 2 for a
    spreadsheet (the header is row 1), 1 for the first feature of a GeoJSON or GeoPackage.
    ``row_label`` is ``"row"`` or ``"feature"``.
    """

    frame: pd.DataFrame
    first_row: int
    row_label: str
    geometry_problems: dict[int, str]


@dataclass(frozen=True)
class RowBatch:
    """Consecutive rows of a table: ``start`` is the position of the first (0: the first data
    row); ``text`` holds every cell as text, as typed; ``cells``, for a workbook or a map
    layer, the cells as read (a date cell as a ``Timestamp``)."""

    start: int
    text: pa.Table
    cells: pd.DataFrame | None = None


@dataclass(frozen=True)
class TableBatches:
    """A table's header, how to number its rows, and its rows in batches, read as they are
    asked for. ``trailing_blank_kept``: blank rows at the end are still in the batches."""

    columns: tuple[str, ...]
    first_row: int
    row_label: str
    geometry_problems: dict[int, str]
    batches: Iterator[RowBatch]
    trailing_blank_kept: bool


def read_table(
    source: str | Path | bytes, *, name: str | None = None, max_bytes: int | None = MAX_FILE_BYTES
) -> RawTable:
    """Read a case file from a path, or from bytes with its file ``name`` (for uploads).

    ``max_bytes`` refuses a larger file (``None``: any size).
    """
    data, name = _source(source, name, max_bytes)
    if Path(name).suffix.lower() == ".csv":
        frame = _csv_frame(open_csv(data, name))
        table = RawTable(frame, first_row=2, row_label="row", geometry_problems={})
    else:
        table = _read_other(_as_bytes(data), name)
    if len(table.frame) == 0:
        msg = _("{file}: has a header but no rows.", file=name)
        raise CaseFileError(msg)
    return table


def read_table_batches(
    source: str | Path | bytes, *, name: str | None = None, max_bytes: int | None = MAX_FILE_BYTES
) -> TableBatches:
    """Like :func:`read_table`, the rows in batches: a CSV file is read a batch at a time, in
    bounded memory, whatever its size; other formats are read whole (one batch).

    Blank rows at the end of a CSV file are still in its batches (they cannot be known before
    the end): the reader of the batches leaves them out.
    """
    data, name = _source(source, name, max_bytes)
    if Path(name).suffix.lower() != ".csv":
        return table_batches(read_table(_as_bytes(data), name=name, max_bytes=None))
    csv = open_csv(data, name)
    return TableBatches(
        columns=csv.columns,
        first_row=2,
        row_label="row",
        geometry_problems={},
        batches=_csv_row_batches(csv),
        trailing_blank_kept=True,
    )


def table_batches(table: RawTable) -> TableBatches:
    """A table read whole, as one batch."""
    frame = table.frame
    text = pa.Table.from_arrays(
        [_text_array(frame.iloc[:, i]) for i in range(frame.shape[1])],
        names=[str(c) for c in frame.columns],
    )
    return TableBatches(
        columns=tuple(str(c) for c in frame.columns),
        first_row=table.first_row,
        row_label=table.row_label,
        geometry_problems=table.geometry_problems,
        batches=iter([RowBatch(0, text, frame)]),
        trailing_blank_kept=False,
    )


def _text_array(column: pd.Series) -> pa.Array:
    """A column's cells as text, as ``str(cell)`` gives it (a date cell as its timestamp)."""
    values = column.to_numpy(dtype=object)
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([v if isinstance(v, str) else str(v) for v in values], pa.string())


def _csv_row_batches(csv: CsvSource) -> Iterator[RowBatch]:
    start = 0
    for text in csv_batches(csv):
        yield RowBatch(start, text)
        start += text.num_rows


def _csv_frame(csv: CsvSource) -> pd.DataFrame:
    """A whole CSV file as a frame of text cells, blank rows at its end left out."""
    tables = list(csv_batches(csv))
    if not tables:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in csv.columns})
    table = pa.concat_tables(tables)
    keep = table.num_rows - trailing_blank_count(table)
    frame: pd.DataFrame = table.slice(0, keep).to_pandas()
    frame.columns = list(csv.columns)
    return frame


def trailing_blank_count(text: pa.Table) -> int:
    """How many rows at the end of ``text`` are blank (every cell empty or whitespace)."""
    blank = blank_rows(text)
    filled = np.flatnonzero(~blank)
    return len(blank) - (int(filled[-1]) + 1 if len(filled) else 0)


def blank_rows(text: pa.Table) -> np.ndarray:
    """For each row of ``text``: is every cell empty or whitespace? (Python's ``str.strip``
    and pyarrow's trim agree on every character.)"""
    blank = np.ones(text.num_rows, dtype=bool)
    for column in text.columns:
        blank &= is_blank(column)
    return blank


def is_blank(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """For each cell: empty or whitespace only?"""
    length = pc.utf8_length(pc.utf8_trim_whitespace(column))
    return np.asarray(pc.equal(length, 0), dtype=bool)


def _source(
    source: str | Path | bytes, name: str | None, max_bytes: int | None
) -> tuple[Path | bytes, str]:
    """What to read and its file name, refusing a file larger than ``max_bytes``."""
    if isinstance(source, bytes):
        if name is None:
            msg = "Reading uploaded bytes needs the file name, to know its format."
            raise TypeError(msg)
        size = len(source)
        data: Path | bytes = source
    else:
        path = Path(source)
        name = name or path.name
        if not path.is_file():
            msg = _("{file}: no such file.", file=path)
            raise CaseFileError(msg)
        size = path.stat().st_size
        data = path
    if max_bytes is not None and size > max_bytes:
        msg = _(
            "{file}: {size} MB is more than the {limit} MB a line list may be in an upload. "
            "Check it with the command line, which reads a file of any size: `containment "
            "validate FILE`, then `containment import FILE --user NAME` (or split it by date "
            "or block).",
            file=name,
            size=number(size / 1e6, 1),
            limit=number(max_bytes / 1e6),
        )
        raise CaseFileError(msg)
    return data, name


def _as_bytes(data: Path | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.read_bytes()


def _read_other(data: bytes, name: str) -> RawTable:
    """A workbook or a map layer, read whole."""
    if not data.strip():
        msg = _("{file}: the file is empty.", file=name)
        raise CaseFileError(msg)
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data, name)
    if suffix in (".geojson", ".json", ".gpkg"):
        return _read_geo(data, name)
    if suffix:
        msg = _(
            "{file}: cannot read {suffix}. Save the line list as one of: {suffixes}.",
            file=name,
            suffix=suffix,
            suffixes=", ".join(SUPPORTED_SUFFIXES),
        )
    else:
        msg = _(
            "{file}: cannot read files without an extension. Save the line list as one of: "
            "{suffixes}.",
            file=name,
            suffixes=", ".join(SUPPORTED_SUFFIXES),
        )
    raise CaseFileError(msg)


def _xlsx_rows(data: bytes, name: str, max_cells: int) -> Iterator[tuple[object, ...]]:
    """The first sheet's rows, refusing a workbook that unpacks to more than we read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile as exc:
        msg = _(
            "{file}: not an Excel .xlsx workbook ({reason}). Save it as .xlsx or CSV UTF-8.",
            file=name,
            reason=exc,
        )
        raise CaseFileError(msg) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        msg = _(
            "{file}: the workbook unpacks to {size} MB, more than the {limit} MB a line list "
            "may be. Save it as CSV, or split it by date or block.",
            file=name,
            size=number(unpacked / 1e6),
            limit=number(MAX_XLSX_UNPACKED_BYTES / 1e6),
        )
        raise CaseFileError(msg)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        msg = _(
            "{file}: the workbook cannot be read ({reason}).",
            file=name,
            reason=type(exc).__name__ + ": " + str(exc),
        )
        raise CaseFileError(msg) from exc
    try:
        sheet = book.worksheets[0]
        # A read-only sheet stops at the size the file declares (its <dimension>), which some
        # programs write too small: read to the last row there is, never fewer.
        sheet.reset_dimensions()
        cells = 0
        for row in sheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                raise too_many_columns(name, len(row))
            cells += len(row)
            if cells > max_cells:
                msg = _(
                    "{file}: the sheet has more than {n} cells (rows × columns), more than a "
                    "line list upload may have. Delete empty columns and rows, save it as CSV "
                    "(the command line reads large CSV files), or split it by date or block.",
                    file=name,
                    n=number(max_cells),
                )
                raise CaseFileError(msg)
            yield row
    finally:
        book.close()


def _read_xlsx(data: bytes, name: str, max_cells: int = MAX_XLSX_CELLS) -> RawTable:
    if not data.startswith(b"PK"):
        msg = _(
            "{file}: not an Excel .xlsx workbook. Save it from Excel as .xlsx or CSV UTF-8.",
            file=name,
        )
        raise CaseFileError(msg)
    rows = list(_xlsx_rows(data, name, max_cells))
    if not rows:
        msg = _("{file}: the first sheet is empty.", file=name)
        raise CaseFileError(msg)
    width = max(len(r) for r in rows)
    header = _headers([*rows[0], *([None] * (width - len(rows[0])))])
    cells = [[_xlsx_cell(v) for v in (*r, *([None] * (width - len(r))))] for r in rows[1:]]
    frame = pd.DataFrame(cells, columns=header, dtype=object)
    frame = _drop_trailing_blank(frame)
    return RawTable(frame, first_row=2, row_label="row", geometry_problems={})


def _headers(values: Sequence[object]) -> list[str]:
    """Header cells as column names, as pandas names them: blanks ``Unnamed: N``, repeats
    ``name.1``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(values):
        name = f"Unnamed: {position}" if value is None or str(value).strip() == "" else str(value)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _xlsx_cell(value: object) -> object:
    """A cell as validation sees it: a date cell as a Timestamp, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_geo(data: bytes, name: str) -> RawTable:
    frame = read_layer(data, name)
    problems: dict[int, str] = {}
    if frame.crs is None and "geometry" in frame and frame.geometry.notna().any():
        msg = _(
            "{file}: the layer has no CRS. Save it with one (EPSG:4326 for GeoJSON).", file=name
        )
        raise CaseFileError(msg)
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).astype(object)
    table = table.where(table.notna(), "").map(
        lambda v: v if isinstance(v, pd.Timestamp) else str(v)
    )
    lon = [""] * len(frame)
    lat = [""] * len(frame)
    if "geometry" in frame:
        geometry = frame.geometry.to_crs(STORAGE_CRS) if frame.crs else frame.geometry
        for i, geom in enumerate(geometry):
            if geom is None or geom.is_empty:
                continue
            if shapely.get_type_id(geom) != shapely.GeometryType.POINT:
                problems[i] = _("{shape} geometry; a case must be a Point", shape=geom.geom_type)
                continue
            lon[i], lat[i] = repr(geom.x), repr(geom.y)
    table[GEOMETRY_LON] = lon
    table[GEOMETRY_LAT] = lat
    return RawTable(
        table.reset_index(drop=True), first_row=1, row_label="feature", geometry_problems=problems
    )


def _drop_trailing_blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank rows at the end of a sheet are formatting, not rows. Only the rows at the end are
    looked at."""
    keep = len(frame)
    values = frame.to_numpy(dtype=object)
    while keep > 0 and all(str(v).strip() == "" for v in values[keep - 1]):
        keep -= 1
    return frame.iloc[:keep]
