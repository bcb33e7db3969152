"""Reading a line-list file into a plain table of text cells, or one clear error.

CSV, XLSX, GeoJSON and GeoPackage. Every cell comes back as text (or a date for spreadsheet
date cells) so that validation sees what the planner typed. Point geometries of GeoJSON and
GeoPackage features become ``longitude``/``latitude`` columns in EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import CaseFileError
from containment.i18n import _, number

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
            msg = _("{file}: no such file.", file=path)
            raise CaseFileError(msg)
        if path.stat().st_size > max_bytes:
            msg = _(
                "{file}: {size} MB is more than the {limit} MB a line list may be. Split it by "
                "date or block.",
                file=name,
                size=number(path.stat().st_size / 1e6, 1),
                limit=number(max_bytes / 1e6),
            )
            raise CaseFileError(msg)
        data = path.read_bytes()
    if len(data) > max_bytes:
        msg = _(
            "{file}: {size} MB is more than the {limit} MB a line list may be. Split it by "
            "date or block.",
            file=name,
            size=number(len(data) / 1e6, 1),
            limit=number(max_bytes / 1e6),
        )
        raise CaseFileError(msg)
    if not data.strip():
        msg = _("{file}: the file is empty.", file=name)
        raise CaseFileError(msg)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        table = _read_csv(data, name)
    elif suffix == ".xlsx":
        table = _read_xlsx(data, name)
    elif suffix in (".geojson", ".json", ".gpkg"):
        table = _read_geo(data, name)
    else:
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
    if len(table.frame) == 0:
        msg = _("{file}: has a header but no rows.", file=name)
        raise CaseFileError(msg)
    return table


def _read_csv(data: bytes, name: str) -> RawTable:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        msg = _(
            "{file}: not UTF-8 text (byte {byte} cannot be read). If it is a spreadsheet, "
            "upload the .xlsx; if it was saved from Excel, use 'CSV UTF-8 (Comma delimited)'.",
            file=name,
            byte=exc.start,
        )
        raise CaseFileError(msg) from exc
    if "\x00" in text:
        msg = _("{file}: this is not a CSV text file (it holds binary data).", file=name)
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
        msg = _(
            "{file}: not a well-formed CSV table ({reason}). Check the quotes and commas.",
            file=name,
            reason=exc,
        )
        raise CaseFileError(msg) from exc
    except pd.errors.EmptyDataError as exc:
        msg = _("{file}: the file is empty.", file=name)
        raise CaseFileError(msg) from exc
    frame = _drop_trailing_blank(frame)
    return RawTable(frame, first_row=2, row_label="row", geometry_problems={})


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
        cells = 0
        for row in book.worksheets[0].iter_rows(values_only=True):
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


def read_layer(data: bytes, name: str) -> gpd.GeoDataFrame:
    """A vector layer (GeoJSON, GeoPackage, zipped shapefile...) from an upload's bytes.

    GDAL reads it from memory: the browser's file ``name`` is used in messages only, never as
    a path.
    """
    try:
        with warnings.catch_warnings():
            # GDAL notes that the in-memory copy of a GeoPackage has no .gpkg extension.
            warnings.filterwarnings("ignore", message=".*non conformant file extension")
            return pyogrio.read_dataframe(io.BytesIO(data))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        reason = re.sub(r"'?/vsimem/\S+'?\s*", "", str(exc)).split(";")[0].strip(" .")
        kind = Path(name).suffix.lower() or _("a map layer")
        msg = _(
            "{file}: cannot be read as {kind} (GDAL: {reason}). Upload a GeoJSON, a "
            "GeoPackage or a zipped shapefile.",
            file=name,
            kind=kind,
            reason=reason,
        )
        raise CaseFileError(msg) from exc


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
    """Blank rows at the end of a sheet are formatting, not rows."""
    blank = frame.apply(lambda row: all(str(v).strip() == "" for v in row), axis=1)
    keep = len(frame)
    while keep > 0 and bool(blank.iloc[keep - 1]):
        keep -= 1
    return frame.iloc[:keep]
