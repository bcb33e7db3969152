"""Centres and capacity: nearest free beds, and allocation that never overfills a centre."""

import geopandas as gpd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from containment.field.allocation import allocate, beds_by_block, nearest_centres


def centres_frame(*rows):
    return gpd.GeoDataFrame(
        [
            {
                "centre_id": c,
                "name": c,
                "kind": k,
                "capacity": cap,
                "occupied": occ,
                "beds_free": cap - occ,
            }
            for c, k, cap, occ, _ in rows
        ],
        geometry=[shapely.Point(*xy) for *_, xy in rows],
        crs=4326,
    )


def people_at(*points):
    return gpd.GeoDataFrame(
        {"person_id": [f"P{i}" for i in range(len(points))]},
        geometry=[shapely.Point(*p) for p in points],
        crs=4326,
    )


NEAR = (73.70, 23.84)
FAR = (74.20, 23.70)


def test_people_go_to_the_nearest_centre_with_a_free_bed(dungarpur):
    centres = centres_frame(
        ("QC-near", "quarantine_centre", 2, 1, NEAR), ("QC-far", "quarantine_centre", 10, 0, FAR)
    )
    placed, unplaced = allocate(people_at(NEAR, NEAR, NEAR), centres, dungarpur)
    assert placed["centre"].value_counts().to_dict() == {"QC-near": 1, "QC-far": 2}
    assert unplaced.empty


def test_nobody_is_placed_beyond_capacity_and_the_rest_are_reported(dungarpur):
    centres = centres_frame(("QC-1", "quarantine_centre", 3, 1, NEAR))
    placed, unplaced = allocate(people_at(*[NEAR] * 5), centres, dungarpur)
    assert len(placed) == 2
    assert list(unplaced["reason"].unique()) == ["all beds of the chosen kinds are taken"]
    assert len(unplaced) == 3


def test_only_centres_of_the_chosen_kind_take_people(dungarpur):
    centres = centres_frame(("CCC", "covid_care_centre", 50, 0, NEAR))
    placed, unplaced = allocate(people_at(NEAR), centres, dungarpur)
    assert placed.empty
    assert "no centre of the chosen kinds has a free bed" in unplaced["reason"].iloc[0]
    placed, _ = allocate(people_at(NEAR), centres, dungarpur, kinds=["covid_care_centre"])
    assert list(placed["centre"]) == ["CCC"]


@settings(max_examples=60, deadline=None)
@given(
    capacities=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=5),
    people=st.integers(0, 30),
)
def test_allocation_never_exceeds_free_beds(dungarpur, capacities, people):
    rows = [
        (f"QC-{i}", "quarantine_centre", cap + occ, occ, (73.6 + 0.1 * i, 23.8))
        for i, (cap, occ) in enumerate(capacities)
    ]
    centres = centres_frame(*rows)
    placed, unplaced = allocate(people_at(*[(73.7, 23.85)] * people), centres, dungarpur)
    free = dict(zip(centres["centre_id"], centres["beds_free"], strict=True))
    assert all(count <= free[c] for c, count in placed["centre_id"].value_counts().items())
    assert len(placed) + len(unplaced) == people
    assert len(placed) == min(people, sum(free.values()))


def test_nearest_centres_per_zone_and_kind(dungarpur):
    centres = centres_frame(
        ("QC-near", "quarantine_centre", 5, 0, NEAR),
        ("QC-far", "quarantine_centre", 5, 0, FAR),
        ("CCC-full", "covid_care_centre", 5, 5, NEAR),
    )
    zone = gpd.GeoDataFrame(
        {"zone_id": ["CZ-1"], "name": ["Ward"]},
        geometry=[shapely.Point(NEAR).buffer(0.01)],
        crs=4326,
    )
    table = nearest_centres(zone, centres, dungarpur, per_kind=1)
    assert list(table["centre"]) == ["QC-near"]  # the full centre is not offered
    assert table["distance_km"].iloc[0] == 0


def test_beds_by_block(dungarpur):
    import pandas as pd

    centres = centres_frame(("QC", "quarantine_centre", 40, 10, (73.52, 23.78)))
    table = beds_by_block(centres, pd.Series({"Bichhiwara": 1234.4}), dungarpur).set_index("block")
    assert (table.loc["Bichhiwara", "beds"], table.loc["Bichhiwara", "beds_free"]) == (40, 30)
    assert table.loc["Bichhiwara", "people_in_containment"] == 1234
    assert table.drop(index="Bichhiwara")["beds"].sum() == 0
