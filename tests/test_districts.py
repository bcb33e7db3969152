"""The shipped districts as data: all 33 of Rajasthan load, their layers fit their outline, and
the registry finds each by slug, name or another spelling.

Each district is one test (about a second each), so ``make test`` spreads them over its workers.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import shapely

from containment import DistrictError, load_district
from containment.io.district import district_slug
from containment.io.districts import district_summary, districts, find_district

SHIPPED = districts()
RAJASTHAN_2011 = {
    "ajmer", "alwar", "banswara", "baran", "barmer", "bharatpur", "bhilwara", "bikaner",
    "bundi", "chittorgarh", "churu", "dausa", "dholpur", "dungarpur", "hanumangarh", "jaipur",
    "jaisalmer", "jalore", "jhalawar", "jhunjhunu", "jodhpur", "karauli", "kota", "nagaur",
    "pali", "pratapgarh", "rajsamand", "sawai_madhopur", "sikar", "sirohi", "sri_ganganagar",
    "tonk", "udaipur",
}  # fmt: skip
TILE_TOLERANCE = 1e-4  # 0.01 % of the district's area


def test_all_33_districts_of_rajasthan_are_shipped():
    assert {d.slug for d in SHIPPED} == RAJASTHAN_2011
    assert all(d.state == "Rajasthan" for d in SHIPPED)
    assert len({d.name for d in SHIPPED}) == 33
    # and in Devanagari, for the Hindi picker
    assert len({d.name_hi for d in SHIPPED}) == 33
    assert all(re.fullmatch(r"[\u0900-\u097F ]+", d.name_hi) for d in SHIPPED)


@pytest.mark.parametrize("entry", SHIPPED, ids=[d.slug for d in SHIPPED])
def test_a_shipped_district_loads_and_its_layers_fit_its_outline(entry):
    district = load_district(entry.folder)
    assert district.name == entry.name
    outline = district.outline_m
    assert outline.is_valid
    assert not outline.is_empty
    assert outline.geom_type in {"Polygon", "MultiPolygon"}
    # blocks lie within the outline (to the 6-decimal grid the files are written on)
    blocks = shapely.union_all(district.blocks_m.geometry.to_numpy())
    assert shapely.difference(blocks, outline).area < 10.0  # m²
    # the ground units tile the outline: no gap, no overlap
    units = district.units.to_crs(district.metric_crs)
    assert units.geometry.is_valid.all()
    union = shapely.union_all(units.geometry.to_numpy())
    assert shapely.symmetric_difference(union, outline).area < TILE_TOLERANCE * outline.area
    assert units.area.sum() == pytest.approx(union.area, rel=TILE_TOLERANCE)
    # every habitation is inside, and in the units' people
    assert district.habitations.within(district.outline).all()
    assert units["population"].sum() >= district.habitations["population"].sum() > 0
    assert district.health_facilities.within(district.outline).all()
    # measured in the UTM zone of the district
    centre = shapely.centroid(district.outline)
    assert district.metric_crs.to_epsg() == 32600 + int((centre.x + 180) // 6) + 1
    # the caveats and the sources travel with the data
    assert "Government Open Data License" in district.attribution
    assert any("PMGSY" in caveat for caveat in district.caveats)
    sources = (entry.folder / "SOURCES.md").read_text(encoding="utf-8")
    assert "Ministry of Rural Development, 2022" in sources


@pytest.mark.parametrize("entry", [d for d in SHIPPED if d.slug != "dungarpur"], ids=str)
def test_a_district_without_a_census_table_says_its_towns_are_not_counted(entry):
    manifest = tomllib.loads((entry.folder / "district.toml").read_text(encoding="utf-8"))
    caveats = " ".join(manifest["caveats"])
    assert "no town cells" in caveats
    assert "its people are counted in no unit, zone or figure" in caveats
    assert "state average" in manifest["household_size_source"]
    assert manifest["household_size"] == pytest.approx(68_548_437 / 12_711_146, abs=0.001)


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("dungarpur", "dungarpur"),
        ("Sri Ganganagar", "sri_ganganagar"),
        ("sri_ganganagar", "sri_ganganagar"),
        ("SRI-GANGANAGAR", "sri_ganganagar"),
        ("Ganganagar", "sri_ganganagar"),  # the Census 2011 spelling
        ("  sawai madhopur ", "sawai_madhopur"),
        ("Sawaimadhopur", "sawai_madhopur"),  # PMGSY's
        ("Dhaulpur", "dholpur"),
        ("chittaurgarh", "chittorgarh"),
        ("डूंगरपुर", "dungarpur"),  # in Devanagari, as a Hindi reader types it
        ("श्रीगंगानगर", "sri_ganganagar"),
    ],
)
def test_a_district_is_found_by_slug_name_or_another_spelling(typed, slug):
    assert find_district(typed).slug == slug
    assert district_slug(typed) == slug


def test_an_unknown_district_lists_the_known_ones():
    with pytest.raises(DistrictError, match=r"No district 'Atlantis'") as caught:
        find_district("Atlantis")
    message = str(caught.value)
    assert "Known districts: Ajmer (ajmer), Alwar (alwar)," in message
    assert "Sri Ganganagar (sri_ganganagar)" in message
    assert "`containment districts` lists them" in message
    with pytest.raises(DistrictError, match=r"Known districts: .*Udaipur \(udaipur\)"):
        load_district("Atlantis")


def test_a_path_is_never_taken_for_a_name():
    with pytest.raises(DistrictError, match=r"No district '\.\./\.\./etc'"):
        find_district("../../etc")


def test_the_summary_counts_without_loading_the_geometry():
    summary = district_summary(find_district("dungarpur"))
    assert (summary.blocks, summary.habitations, summary.units) == (5, 972, 1127)
    assert summary.people == 1_216_589


def test_only_slug_named_folders_with_a_manifest_are_districts(tmp_path):
    for name in ("good_one", "Bad Name", "no_manifest"):
        (tmp_path / name).mkdir()
    (tmp_path / "good_one" / "district.toml").write_text('name = "Good One"\n')
    (tmp_path / "Bad Name" / "district.toml").write_text('name = "Bad"\n')
    assert [d.slug for d in districts(tmp_path)] == ["good_one"]
    (tmp_path / "good_one" / "district.toml").write_text("name = [\n")
    with pytest.raises(DistrictError, match=r"good_one/district\.toml: not valid TOML"):
        districts(tmp_path)
