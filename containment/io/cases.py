"""A case line list in, accepted cases and one reason per rejected row out.

Every rejected row is reported with its spreadsheet row number (the header is row 1), the
field and the reason; good rows still load. Identifying columns are dropped when the header
is read and never reach the cases, the zones, a log line or a message.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.errors import CaseFileError
from containment.i18n import _, n_, number
from containment.io.columns import ColumnMap, map_columns
from containment.io.dates import EPIDEMIC_START, DateProblem, parse_day_first
from containment.io.places import PlaceIndex, PlaceMatch
from containment.io.points import check_in_district
from containment.io.tables import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    MAX_FILE_BYTES,
    RawTable,
    RowProblem,
    read_table,
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
    ``datetime64`` day. ``rejected`` has one entry per rejected row; ``notes`` tells of
    accepted rows placed by a spelling variant of their village.
    """

    cases: gpd.GeoDataFrame
    rejected: tuple[RowProblem, ...]
    notes: tuple[RowProblem, ...]
    total_rows: int
    columns: ColumnMap
    source: str = ""
    summary_lines: tuple[str, ...] = field(default=())

    @property
    def accepted_count(self) -> int:
        return len(self.cases)

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
                    columns=", ".join(self.columns.identifying),
                )
            )
        if self.columns.ignored:
            lines.append(
                _("Other columns not used: {columns}.", columns=", ".join(self.columns.ignored))
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
    max_bytes: int = MAX_FILE_BYTES,
) -> CaseList:
    """Read and validate a line list (CSV, XLSX, GeoJSON or GeoPackage).

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
        Dates after this are refused; defaults to the computer's date.
    earliest
        Dates before this are refused as typos; defaults to India's first case (30-01-2020).

    Raises
    ------
    CaseFileError
        When the file cannot be read at all; row-level problems are returned, not raised.
    """
    table = read_table(source, name=name, max_bytes=max_bytes)
    source_name = name or (Path(source).name if not isinstance(source, bytes) else "")
    result = validate_table(
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
    """Validate the cells of a line list row by row; see :func:`read_cases`."""
    today = today or dt.date.today()
    frame = table.frame
    explicit = dict(columns or {})
    if GEOMETRY_LON in frame.columns:
        explicit.setdefault("longitude", GEOMETRY_LON)
        explicit.setdefault("latitude", GEOMETRY_LAT)
    column_map = map_columns(frame.columns, explicit)
    _require_columns(column_map, frame.columns, source)
    checker = _RowChecker(table, column_map, district, today, earliest)
    return checker.run(source)


def _require_columns(column_map: ColumnMap, headers: pd.Index, source: str) -> None:
    fields = column_map.fields
    where = f"{source}: " if source else ""
    listed = ", ".join(str(h) for h in headers)
    if "reported_on" not in fields:
        msg = where + _(
            "no date column found (looked for 'Date of Result', 'Result Date', 'Date'...). "
            "Columns are: {columns}. Name the date column in the column mapping "
            "(reported_on=...).",
            columns=listed,
        )
        raise CaseFileError(msg)
    has_xy = "latitude" in fields and "longitude" in fields
    if not has_xy and "village" not in fields:
        msg = where + _(
            "no coordinate columns (latitude and longitude) and no village column. Columns "
            "are: {columns}. Add one, or name them in the column mapping.",
            columns=listed,
        )
        raise CaseFileError(msg)
    if ("latitude" in fields) != ("longitude" in fields):
        have = "latitude" if "latitude" in fields else "longitude"
        missing = "longitude" if have == "latitude" else "latitude"
        msg = where + _(
            "found a {have} column but no {missing} column. Columns are: {columns}.",
            have=have,
            missing=missing,
            columns=listed,
        )
        raise CaseFileError(msg)


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _RowChecker:
    def __init__(
        self,
        table: RawTable,
        column_map: ColumnMap,
        district: District,
        today: dt.date,
        earliest: dt.date,
    ):
        self.table = table
        self.fields = column_map.fields
        self.column_map = column_map
        self.district = district
        self.today = today
        self.earliest = earliest
        self.places = PlaceIndex(district.habitations)
        self._place_cache: dict[tuple[str, str], PlaceMatch] = {}
        self.rejected: dict[int, RowProblem] = {}
        self.notes: list[RowProblem] = []

    def cell(self, values: dict[str, object], field_name: str) -> object:
        column = self.fields.get(field_name)
        if column is None:
            return ""
        value = values[column]
        return value if isinstance(value, pd.Timestamp) else str(value).strip()

    def reject(self, position: int, field_name: str, reason: str) -> None:
        row = self.table.first_row + position
        self.rejected.setdefault(
            position, RowProblem(row, field_name, reason, self.table.row_label)
        )

    def run(self, source: str) -> CaseList:
        frame = self.table.frame
        records = cast("list[dict[str, object]]", frame.to_dict("records"))
        ids: list[str] = []
        dates: list[dt.date | None] = []
        statuses: list[str] = []
        villages: list[str] = []
        blocks: list[str] = []
        lon = np.full(len(records), np.nan)
        lat = np.full(len(records), np.nan)
        placed_by: list[str] = []
        first_seen: dict[str, int] = {}
        used_columns = set(self.fields.values())

        for position, values in enumerate(records):
            if all(str(values[c]).strip() == "" for c in frame.columns):
                self.reject(position, "row", _("empty row"))
            elif all(str(values[c]).strip() == "" for c in used_columns):
                self.reject(position, "row", _("no case data in the columns used"))
            case_id = str(self.cell(values, "case_id")).upper()
            if "case_id" in self.fields:
                if not case_id:
                    self.reject(position, "case_id", _("missing; every row needs its case id"))
            else:
                case_id = f"{self.table.row_label}-{self.table.first_row + position}"
            ids.append(case_id)
            dates.append(self._date(position, values))
            statuses.append(self._status(position, values))
            village = str(self.cell(values, "village"))
            block = str(self.cell(values, "block"))
            villages.append(village)
            blocks.append(block)
            if position in self.table.geometry_problems:
                self.reject(position, "geometry", self.table.geometry_problems[position])
            xy = self._coordinates(position, values)
            if xy is not None:
                lon[position], lat[position] = xy
                placed_by.append("coordinates")
            else:
                placed_by.append("village")
                if position not in self.rejected:
                    self._place(position, village, block, lon, lat)

        self._check_inside_district(lon, lat)
        # A case id may appear once. A repeat of a row that was itself rejected (perhaps its
        # corrected copy further down) is not a duplicate: only accepted rows count.
        for position, case_id in enumerate(ids):
            if position in self.rejected:
                continue
            if case_id in first_seen:
                first_row = self.table.first_row + first_seen[case_id]
                reason = _("duplicate case id (first seen in row {row})", row=first_row)
                self.reject(position, "case_id", reason)
            else:
                first_seen[case_id] = position
        keep = np.array([p not in self.rejected for p in range(len(records))], dtype=bool)
        cases = gpd.GeoDataFrame(
            {
                "case_id": pd.Series(ids, dtype=object)[keep].to_numpy(),
                "reported_on": pd.to_datetime(
                    pd.Series([d for d, k in zip(dates, keep, strict=True) if k], dtype=object)
                ).astype("datetime64[s]"),
                "status": pd.Series(statuses, dtype=object)[keep].to_numpy(),
                "village": pd.Series(villages, dtype=object)[keep].to_numpy(),
                "block": pd.Series(blocks, dtype=object)[keep].to_numpy(),
                "placed_by": pd.Series(placed_by, dtype=object)[keep].to_numpy(),
                "row": (self.table.first_row + np.arange(len(records)))[keep],
            },
            geometry=shapely.points(lon[keep], lat[keep]),
            crs=STORAGE_CRS,
        )
        return CaseList(
            cases=cases,
            rejected=tuple(self.rejected[p] for p in sorted(self.rejected)),
            notes=tuple(self.notes),
            total_rows=len(records),
            columns=self.column_map,
            source=source,
        )

    def _date(self, position: int, values: dict[str, object]) -> dt.date | None:
        raw = self.cell(values, "reported_on")
        if raw == "":
            self.reject(position, "reported_on", _("missing; give the date of the result"))
            return None
        try:
            return parse_day_first(raw, today=self.today, earliest=self.earliest)
        except DateProblem as exc:
            self.reject(position, "reported_on", str(exc))
            return None

    def _status(self, position: int, values: dict[str, object]) -> str:
        raw = str(self.cell(values, "status"))
        key = "".join(ch for ch in raw.lower() if ch.isalnum())
        status = _STATUS_WORDS.get(key)
        if status is None:
            known = ", ".join(s.value for s in CaseStatus)
            self.reject(
                position,
                "status",
                _(
                    "unknown status {status}; use one of {known} (or leave empty)",
                    status=repr(raw),
                    known=known,
                ),
            )
            return ""
        return status.value

    def _coordinates(self, position: int, values: dict[str, object]) -> tuple[float, float] | None:
        if "latitude" not in self.fields:
            return None
        lat_text = str(self.cell(values, "latitude"))
        lon_text = str(self.cell(values, "longitude"))
        if not lat_text and not lon_text:
            if not self.cell(values, "village"):
                self.reject(
                    position, "latitude", _("no coordinates and no village; give one of them")
                )
            return None
        for name, text in (("latitude", lat_text), ("longitude", lon_text)):
            if not text:
                other = "longitude" if name == "latitude" else "latitude"
                self.reject(
                    position,
                    name,
                    _("missing ({other} is given); give both or neither", other=other),
                )
                return None
        lat_value, lon_value = _number(lat_text), _number(lon_text)
        for name, text, value in (
            ("latitude", lat_text, lat_value),
            ("longitude", lon_text, lon_value),
        ):
            if value is None:
                self.reject(
                    position,
                    name,
                    _("{text} is not a number in decimal degrees", text=repr(text)),
                )
                return None
        assert lat_value is not None
        assert lon_value is not None
        if lat_value == 0 and lon_value == 0:
            self.reject(position, "latitude", _("0, 0 is a placeholder, not a location"))
            return None
        if abs(lat_value) > 90 or abs(lon_value) > 180:
            if abs(lat_value) > 1000 and abs(lon_value) > 1000:
                self.reject(
                    position,
                    "latitude",
                    _(
                        "{lat}, {lon} look like metres in a projected CRS (UTM?); give latitude "
                        "and longitude in decimal degrees",
                        lat=format(lat_value, "g"),
                        lon=format(lon_value, "g"),
                    ),
                )
            elif abs(lat_value) > 90 and abs(lon_value) <= 90:
                self.reject(
                    position,
                    "latitude",
                    _(
                        "latitude {lat} is outside -90..90 and longitude {lon} would fit: "
                        "latitude and longitude look swapped",
                        lat=format(lat_value, "g"),
                        lon=format(lon_value, "g"),
                    ),
                )
            elif abs(lat_value) > 90:
                self.reject(
                    position, "latitude", _("{lat} is outside -90..90", lat=format(lat_value, "g"))
                )
            else:
                self.reject(
                    position,
                    "longitude",
                    _("{lon} is outside -180..180", lon=format(lon_value, "g")),
                )
            return None
        return lon_value, lat_value

    def _place(
        self, position: int, village: str, block: str, lon: np.ndarray, lat: np.ndarray
    ) -> None:
        if not village:
            return
        key = (village, block)
        if key not in self._place_cache:
            self._place_cache[key] = self.places.match(village, block or None)
        match = self._place_cache[key]
        if match.index is None:
            self.reject(position, "village", match.reason)
            return
        point = self.district.habitations.geometry.iloc[match.index]
        lon[position], lat[position] = point.x, point.y
        if match.note:
            row = self.table.first_row + position
            self.notes.append(RowProblem(row, "village", match.note, self.table.row_label))

    def _check_inside_district(self, lon: np.ndarray, lat: np.ndarray) -> None:
        """Reject coordinates outside the district, note those just over its outline."""
        checked = np.array([p not in self.rejected for p in range(len(lon))], dtype=bool)
        found = check_in_district(
            np.where(checked, lon, np.nan), np.where(checked, lat, np.nan), self.district
        )
        for position, reason in found.refused.items():
            self.reject(position, "latitude", reason)
        for position, note in found.notes.items():
            row = self.table.first_row + position
            self.notes.append(RowProblem(row, "latitude", note, self.table.row_label))
