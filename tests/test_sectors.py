"""Survey sectors: about 50 households each, contiguous, every habitation in exactly one."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from containment.field.sectors import survey_sectors, teams_by_block
from tests.places import BICHHIWARA

# A 6 km square around Bichhiwara: dozens of real habitations.
AREA = shapely.box(
    BICHHIWARA[0] - 0.03, BICHHIWARA[1] - 0.03, BICHHIWARA[0] + 0.03, BICHHIWARA[1] + 0.03
)


@pytest.fixture(scope="module")
def zone():
    return gpd.GeoDataFrame(
        {"zone_id": ["CZ-1"], "name": ["Bichhiwara"]}, geometry=[AREA], crs=4326
    )


@pytest.fixture(scope="module")
def inside(dungarpur):
    habitations = dungarpur.habitations
    return habitations[habitations.within(AREA)]


@pytest.fixture(scope="module")
def sectors(zone, dungarpur):
    return survey_sectors(zone, dungarpur)


def test_every_habitation_is_in_exactly_one_sector(sectors, inside):
    names = [n for listed in sectors["habitations"] for n in listed.split("; ")]
    assert sorted(names) == sorted(inside["name"].astype(str))
    assert sectors["habitation_count"].sum() == len(inside)


def test_households_add_up(sectors, inside, dungarpur):
    assert sectors["population"].sum() == pytest.approx(
        inside["population"].sum(), abs=len(sectors)
    )
    assert sectors["households"].sum() == pytest.approx(
        inside["population"].sum() / dungarpur.household_size, abs=len(sectors)
    )


def test_sectors_are_contiguous_and_inside_the_zone(sectors):
    assert (sectors.geometry.geom_type == "Polygon").all()
    # Edges come back from the metric CRS a few centimetres off: slivers, not gaps.
    assert sectors.union_all().difference(AREA).area < 1e-4 * AREA.area
    assert sectors.union_all().area == pytest.approx(AREA.area, rel=1e-4)


def test_teams_needed_follow_the_team_load(sectors):
    expected = np.maximum(1, np.ceil(sectors["households"] / 50))
    assert (sectors["teams_needed"] >= expected - 1).all()
    assert (sectors["households_per_team"] == 50).all()
    # Habitations here are mostly larger than one team's load; where several small ones are
    # grouped, the group is about one team's load.
    grouped = sectors[sectors["habitation_count"] > 1]
    if len(grouped):
        assert 25 <= grouped["households"].median() <= 75


def test_difficult_areas_get_smaller_teams(zone, dungarpur, sectors):
    difficult = survey_sectors(zone, dungarpur, team_size_by_zone={"CZ-1": 30})
    assert (difficult["households_per_team"] == 30).all()
    assert difficult["teams_needed"].sum() > sectors["teams_needed"].sum()


def test_teams_by_block_sum_the_sectors(sectors):
    table = teams_by_block(sectors)
    assert table["teams_needed"].sum() == sectors["teams_needed"].sum()
    assert "Bichhiwara" in set(table["block"])


def test_a_zone_without_habitations_has_no_sectors(dungarpur):
    empty_place = gpd.GeoDataFrame(
        {"zone_id": ["CZ-2"]}, geometry=[shapely.box(73.0, 23.0, 73.01, 23.01)], crs=4326
    )
    assert survey_sectors(empty_place, dungarpur).empty


def test_a_big_habitation_is_one_sector_needing_several_teams(dungarpur):
    habitations = dungarpur.habitations
    biggest = habitations.loc[habitations["population"].idxmax()]
    tiny = gpd.GeoDataFrame(
        {"zone_id": ["CZ-3"]}, geometry=[biggest.geometry.buffer(0.001)], crs=4326
    )
    (sector,) = survey_sectors(tiny, dungarpur).itertuples()
    assert sector.habitation_count == 1
    assert sector.teams_needed == int(
        np.ceil(biggest["population"] / dungarpur.household_size / 50)
    )


def test_a_zone_over_the_town_is_surveyed_by_its_cells(dungarpur):
    units = dungarpur.units
    town = units[units["town"] == "Dungarpur"]
    zone = gpd.GeoDataFrame({"zone_id": ["CZ-T"]}, geometry=[town.union_all()], crs=4326)
    sectors = survey_sectors(zone, dungarpur)
    assert sectors["households"].sum() >= town["households"].sum() - len(sectors)
    assert "Dungarpur town, cell" in " ".join(sectors["habitations"])
