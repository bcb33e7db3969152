"""Home quarantine files: the homes registered (id, place, dates) and the tracking app's
check-ins (id, time, place), read by column name with the strict day-first parsers, every point
checked against the district. Only ids, places and times: no names."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.i18n import _, date_text
from containment.io.columns import find_columns
from containment.io.dates import DateProblem, parse_day_first, parse_day_first_time
from containment.io.points import check_in_district
from containment.io.tables import RowProblem, read_table

__all__ = ["CHECKIN_COLUMNS", "HOME_COLUMNS", "read_checkins", "read_homes"]

_ID = ("id", "hqid", "homeid", "personid", "quarantineid", "userid")
_LAT = ("lat", "latitude", "gpslat", "gpslatitude")
_LON = ("lon", "lng", "long", "longitude", "gpslon", "gpslong", "gpslongitude")
HOME_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": _ID,
    "latitude": _LAT,
    "longitude": _LON,
    "start": ("start", "starton", "startdate", "from", "fromdate", "quarantinestart"),
    "end": ("end", "endon", "enddate", "to", "todate", "till", "quarantineend"),
}
CHECKIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": _ID,
    "time": ("time", "timestamp", "datetime", "checkintime", "checkedat", "date"),
    "latitude": _LAT,
    "longitude": _LON,
}


def _coordinates(lat_text: object, lon_text: object) -> tuple[float, float] | str:
    """(lon, lat) in degrees, or why not."""
    try:
        lat, lon = float(str(lat_text).strip()), float(str(lon_text).strip())
    except ValueError:
        return _(
            "{lat}, {lon} are not coordinates in decimal degrees",
            lat=repr(lat_text),
            lon=repr(lon_text),
        )
    if not (np.isfinite(lat) and np.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return _("{lat}, {lon} is not a latitude and longitude", lat=lat_text, lon=lon_text)
    return lon, lat


def read_homes(
    data: bytes, district: District, *, name: str, today: dt.date
) -> tuple[gpd.GeoDataFrame, list[RowProblem]]:
    """Homes in quarantine: ``hq_id``, ``start_on``, ``end_on`` and a point, with one problem
    per refused row (a missing column is an error naming the file's columns).

    Raises
    ------
    CaseFileError
        When the file cannot be read or lacks a column.
    """
    table = read_table(data, name=name)
    columns = find_columns(table.frame.columns, HOME_COLUMNS, source=name)
    frame = table.frame
    problems: list[RowProblem] = []
    records: list[dict[str, object]] = []
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    for position in range(len(frame)):
        row = table.first_row + position
        values = {field: frame[column].iloc[position] for field, column in columns.items()}
        hq_id = str(values["id"]).strip()
        if not hq_id:
            problems.append(RowProblem(row, "id", _("missing; every home needs its id")))
            continue
        where = _coordinates(values["latitude"], values["longitude"])
        if isinstance(where, str):
            problems.append(RowProblem(row, "latitude", where))
            continue
        try:
            start = parse_day_first(values["start"], today=dt.date.max)
            end = parse_day_first(values["end"], today=dt.date.max)
        except DateProblem as error:
            problems.append(RowProblem(row, "start", str(error)))
            continue
        if end < start:
            problems.append(
                RowProblem(
                    row,
                    "end",
                    _(
                        "{end} is before the start, {start}",
                        end=date_text(end),
                        start=date_text(start),
                    ),
                )
            )
            continue
        lon[position], lat[position] = where
        records.append({"position": position, "hq_id": hq_id, "start_on": start, "end_on": end})
    found = check_in_district(lon, lat, district)
    kept = []
    for record in records:
        position = int(record.pop("position"))  # type: ignore[call-overload]
        if position in found.refused:
            problems.append(
                RowProblem(table.first_row + position, "latitude", found.refused[position])
            )
        else:
            kept.append((record, lon[position], lat[position]))
    homes = gpd.GeoDataFrame(
        pd.DataFrame([r for r, _, _ in kept], columns=["hq_id", "start_on", "end_on"]),
        geometry=gpd.points_from_xy([x for _, x, _ in kept], [y for _, _, y in kept]),
        crs=STORAGE_CRS,
    )
    return homes, sorted(problems, key=lambda p: p.row)


def read_checkins(
    data: bytes, *, name: str, known_ids: set[str], today: dt.date
) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Check-ins (``hq_id``, ``checked_at``, ``lon``, ``lat``) of registered homes, and one
    problem per refused row.

    Raises
    ------
    CaseFileError
        When the file cannot be read or lacks a column.
    """
    table = read_table(data, name=name)
    columns = find_columns(table.frame.columns, CHECKIN_COLUMNS, source=name)
    frame = table.frame[[columns[f] for f in ("id", "time", "latitude", "longitude")]]
    rows: list[tuple[str, dt.datetime, float, float]] = []
    problems: list[RowProblem] = []
    for position, (hq_id, when, lat, lon) in enumerate(frame.itertuples(index=False)):
        row = table.first_row + position
        hq_id = str(hq_id).strip()
        if hq_id not in known_ids:
            problems.append(
                RowProblem(row, "id", _("{home} is not a registered home", home=repr(hq_id)))
            )
            continue
        try:
            checked_at = parse_day_first_time(when, today=today)
        except DateProblem as error:
            problems.append(RowProblem(row, "time", str(error)))
            continue
        where = _coordinates(lat, lon)
        if isinstance(where, str):
            problems.append(RowProblem(row, "latitude", where))
            continue
        rows.append((hq_id, checked_at, *where))
    return pd.DataFrame(rows, columns=["hq_id", "checked_at", "lon", "lat"]), problems
