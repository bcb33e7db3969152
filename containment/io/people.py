"""People to place in institutional quarantine (returning migrants, contacts): an id and a home
village per row, read by column name and placed at their village's habitation. No names."""

from __future__ import annotations

import geopandas as gpd

from containment.engine.crs import STORAGE_CRS
from containment.engine.district import District
from containment.i18n import _
from containment.io.columns import find_columns
from containment.io.places import PlaceIndex
from containment.io.tables import RowProblem, read_table

__all__ = ["PEOPLE_COLUMNS", "read_people"]

PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "personid", "returneeid", "migrantid", "contactid", "srno", "sno"),
    "village": ("village", "homevillage", "habitation", "villagename", "gaon"),
    "block": ("block", "blockname", "panchayatsamiti"),
}


def read_people(
    data: bytes, district: District, *, name: str
) -> tuple[gpd.GeoDataFrame, list[RowProblem]]:
    """People (``person_id``, a point at their home village) and one problem per row that
    could not be placed. Identifying columns are never read: only the id, village and block.

    Raises
    ------
    CaseFileError
        When the file cannot be read or has no id or village column.
    """
    table = read_table(data, name=name)
    columns = find_columns(table.frame.columns, PEOPLE_COLUMNS, source=name, optional=("block",))
    places = PlaceIndex(district.habitations)
    ids: list[str] = []
    points = []
    problems: list[RowProblem] = []
    frame = table.frame
    block_values = frame[columns["block"]] if "block" in columns else None
    for position, (person, village) in enumerate(
        zip(frame[columns["id"]], frame[columns["village"]], strict=True)
    ):
        row = table.first_row + position
        if not str(person).strip():
            problems.append(RowProblem(row, "id", _("missing; every person needs their id")))
            continue
        block = str(block_values.iloc[position]) if block_values is not None else None
        match = places.match(str(village), block or None)
        if match.index is None:
            problems.append(RowProblem(row, "village", match.reason))
            continue
        ids.append(str(person).strip())
        points.append(district.habitations.geometry.iloc[match.index])
    people = gpd.GeoDataFrame({"person_id": ids}, geometry=points, crs=STORAGE_CRS)
    return people, problems
