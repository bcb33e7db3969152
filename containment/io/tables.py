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

import openpyxl
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import CaseFileError
from containment.io.layers import read_layer

__all__ = [
    "GEOMETRY_LAT",
    "GEOMETRY_LON",
    "MAX_FILE_BYTES",
    "MAX_XLSX_CELLS",
    "MAX_XLSX_UNPACKED_BYTES",
    "SUPPORTED_SUFFIXES",
    "RawTable",
    "RowProblem",
    "read_layer",
    "read_table",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
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
        return f"{self.label} {self.row}: {self.field}: {self.reason}"


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


def read_table(
    source: str | Path | bytes, *, name: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> RawTable:
    """Read a case file from a path, or from bytes with its file ``name`` (for uploads)."""
    if isinstance(source, bytes):
        if name is None:
            msg = "Reading uploaded bytes needs the file name, to know its format."
            raise TypeError(msg)
        data = source
    else:
        path = Path(source)
        name = name or path.name
        if not path.is_file():
            msg = f"{path}: no such file."
            raise CaseFileError(msg)
        if path.stat().st_size > max_bytes:
            msg = (
                f"{name}: {path.stat().st_size / 1e6:.1f} MB is more than the "
                f"{max_bytes / 1e6:.0f} MB a line list may be. Split it by date or block."
            )
            raise CaseFileError(msg)
        data = path.read_bytes()
    if len(data) > max_bytes:
        msg = (
            f"{name}: {len(data) / 1e6:.1f} MB is more than the {max_bytes / 1e6:.0f} MB a "
            "line list may be. Split it by date or block."
        )
        raise CaseFileError(msg)
    if not data.strip():
        msg = f"{name}: the file is empty."
        raise CaseFileError(msg)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        table = _read_csv(data, name)
    elif suffix == ".xlsx":
        table = _read_xlsx(data, name)
    elif suffix in (".geojson", ".json", ".gpkg"):
        table = _read_geo(data, name)
    else:
        msg = (
            f"{name}: cannot read {suffix or 'files without an extension'}. "
            f"Save the line list as one of: {', '.join(SUPPORTED_SUFFIXES)}."
        )
        raise CaseFileError(msg)
    if len(table.frame) == 0:
        msg = f"{name}: has a header but no rows."
        raise CaseFileError(msg)
    return table


def _read_csv(data: bytes, name: str) -> RawTable:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        msg = (
            f"{name}: not UTF-8 text (byte {exc.start} cannot be read). If it is a "
            "spreadsheet, upload the .xlsx; if it was saved from Excel, use "
            "'CSV UTF-8 (Comma delimited)'."
        )
        raise CaseFileError(msg) from exc
    if "\x00" in text:
        msg = f"{name}: this is not a CSV text file (it holds binary data)."
        raise CaseFileError(msg)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            on_bad_lines="error",
        )
    except pd.errors.ParserError as exc:
        msg = f"{name}: not a well-formed CSV table ({exc}). Check the quotes and commas."
        raise CaseFileError(msg) from exc
    except pd.errors.EmptyDataError as exc:
        msg = f"{name}: the file is empty."
        raise CaseFileError(msg) from exc
    frame = _drop_trailing_blank(frame)
    return RawTable(frame, first_row=2, row_label="row", geometry_problems={})


def _xlsx_rows(data: bytes, name: str, max_cells: int) -> Iterator[tuple[object, ...]]:
    """The first sheet's rows, refusing a workbook that unpacks to more than we read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile as exc:
        msg = f"{name}: not an Excel .xlsx workbook ({exc}). Save it as .xlsx or CSV UTF-8."
        raise CaseFileError(msg) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        msg = (
            f"{name}: the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than the "
            f"{MAX_XLSX_UNPACKED_BYTES / 1e6:,.0f} MB a line list may be. Save it as CSV, or "
            "split it by date or block."
        )
        raise CaseFileError(msg)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        msg = f"{name}: the workbook cannot be read ({type(exc).__name__}: {exc})."
        raise CaseFileError(msg) from exc
    try:
        cells = 0
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells += len(row)
            if cells > max_cells:
                msg = (
                    f"{name}: the sheet has more than {max_cells:,} cells (rows × columns), "
                    "more than a line list upload may have. Delete empty columns and rows, "
                    "save it as CSV (the command line reads large CSV files), or split it by "
                    "date or block."
                )
                raise CaseFileError(msg)
            yield row
    finally:
        book.close()


def _read_xlsx(data: bytes, name: str, max_cells: int = MAX_XLSX_CELLS) -> RawTable:
    if not data.startswith(b"PK"):
        msg = f"{name}: not an Excel .xlsx workbook. Save it from Excel as .xlsx or CSV UTF-8."
        raise CaseFileError(msg)
    rows = list(_xlsx_rows(data, name, max_cells))
    if not rows:
        msg = f"{name}: the first sheet is empty."
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
        msg = f"{name}: the layer has no CRS. Save it with one (EPSG:4326 for GeoJSON)."
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
                problems[i] = f"{geom.geom_type} geometry; a case must be a Point"
                continue
            lon[i], lat[i] = repr(geom.x), repr(geom.y)
    table[GEOMETRY_LON] = lon
    table[GEOMETRY_LAT] = lat
    return RawTable(
        table.reset_index(drop=True), first_row=1, row_label="feature", geometry_problems=problems
    )


def _drop_trailing_blank(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank rows at the end of a sheet are formatting, not rows."""
    blank = frame.apply(lambda row: all(str(v).strip() == "" for v in row), axis=1)
    keep = len(frame)
    while keep > 0 and bool(blank.iloc[keep - 1]):
        keep -= 1
    return frame.iloc[:keep]
