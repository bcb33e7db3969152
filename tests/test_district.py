import shutil

import pytest

from containment import DistrictError, load_district


def test_dungarpur_is_the_default_and_has_its_layers(dungarpur):
    assert dungarpur.name == "Dungarpur"
    assert len(dungarpur.blocks) == 5
    assert len(dungarpur.habitations) == 972
    assert len(dungarpur.health_facilities) == 73
    assert dungarpur.metric_crs.to_epsg() == 32643
    assert dungarpur.household_size == pytest.approx(1_388_552 / 282_029, abs=0.01)
    assert set(dungarpur.blocks["name"]) == {
        "Aspur",
        "Bichhiwara",
        "Dungarpur",
        "Sagwara",
        "Simalwara",
    }


def test_layers_are_held_in_lon_lat(dungarpur):
    assert dungarpur.habitations.crs.to_epsg() == 4326
    west, south, east, north = dungarpur.outline.bounds
    assert 73.3 < west < east < 74.4
    assert 23.3 < south < north < 24.1


def test_district_area_is_measured_in_metres(dungarpur):
    assert dungarpur.outline_m.area / 1e6 == pytest.approx(3785.64, abs=0.1)


def test_attribution_and_caveats_ship_with_the_data(dungarpur):
    assert "Government Open Data License" in dungarpur.attribution
    assert any("PMGSY" in caveat for caveat in dungarpur.caveats)
    assert (dungarpur.folder / "SOURCES.md").is_file()
    assert "SYNTHETIC" in (dungarpur.folder / "SOURCES.md").read_text()


def test_a_new_district_is_a_new_folder(dungarpur, tmp_path):
    folder = tmp_path / "copy-of-dungarpur"
    shutil.copytree(dungarpur.folder, folder)
    manifest = folder / "district.toml"
    manifest.write_text(manifest.read_text().replace('name = "Dungarpur"', 'name = "Testpur"'))
    assert load_district(folder).name == "Testpur"


def test_unknown_district_names_the_known_ones():
    with pytest.raises(DistrictError, match=r"No district 'atlantis'.*Dungarpur \(dungarpur\)"):
        load_district("atlantis")


@pytest.fixture
def district_copy(dungarpur, tmp_path):
    folder = tmp_path / "district"
    shutil.copytree(dungarpur.folder, folder)
    return folder


def test_missing_manifest_is_named(district_copy):
    (district_copy / "district.toml").unlink()
    with pytest.raises(DistrictError, match=r"district\.toml: missing"):
        load_district(district_copy)


def test_malformed_manifest_is_named(district_copy):
    (district_copy / "district.toml").write_text("name = [unclosed\n")
    with pytest.raises(DistrictError, match=r"district\.toml: not valid TOML"):
        load_district(district_copy)


def test_missing_layer_file_is_named(district_copy):
    (district_copy / "dungarpur_habitations_pmgsy.geojson").unlink()
    with pytest.raises(
        DistrictError, match=r"dungarpur_habitations_pmgsy\.geojson: missing \(layer 'habitations'"
    ) as caught:
        load_district(district_copy)
    assert "District 'Dungarpur' cannot be loaded: put the file back" in str(caught.value)


def test_every_missing_layer_file_is_named_with_how_to_make_it_again(district_copy):
    (district_copy / "dungarpur_roads_gone.txt").write_text("")
    (district_copy / "dungarpur_units.geojson").unlink()
    (district_copy / "dungarpur_admin_hq_points.geojson").unlink()
    with pytest.raises(DistrictError) as caught:
        load_district(district_copy)
    message = str(caught.value)
    assert "dungarpur_admin_hq_points.geojson: missing (layer 'hq_points'" in message
    assert "dungarpur_units.geojson: missing (layer 'units'" in message
    assert f"python tools/build_units.py {district_copy}" in message
    assert "build_districts" not in message  # Dungarpur is prepared by hand


def test_a_built_district_missing_a_layer_says_how_to_rebuild_it(tmp_path):
    folder = tmp_path / "banswara"
    shutil.copytree(load_district("banswara").folder, folder)
    (folder / "banswara_blocks_pmgsy.geojson").unlink()
    with pytest.raises(DistrictError, match=r"banswara_blocks_pmgsy\.geojson: missing") as caught:
        load_district(folder)
    assert "python tools/build_districts.py --only banswara" in str(caught.value)


def test_malformed_layer_file_is_named(district_copy):
    (district_copy / "dungarpur_blocks_pmgsy.geojson").write_text('{"type": "Feature')
    with pytest.raises(DistrictError, match=r"dungarpur_blocks_pmgsy\.geojson: cannot be read"):
        load_district(district_copy)


def test_missing_field_lists_the_fields_there_are(district_copy):
    manifest = district_copy / "district.toml"
    manifest.write_text(
        manifest.read_text().replace('population_field = "population"', 'population_field = "pop"')
    )
    with pytest.raises(DistrictError, match=r"no field 'pop'.*fields are: hab_id, hab_name"):
        load_district(district_copy)


def test_implausible_household_size_is_refused(district_copy):
    manifest = district_copy / "district.toml"
    manifest.write_text(
        manifest.read_text().replace("household_size = 4.923", "household_size = 0")
    )
    with pytest.raises(DistrictError, match="household_size must be a number of people"):
        load_district(district_copy)


def test_the_working_rule_is_a_preset_named_in_the_manifest(district_copy):
    manifest = district_copy / "district.toml"
    text = manifest.read_text()
    assert load_district(district_copy).working_rule == "rajasthan-1km"
    manifest.write_text(text.replace('working_rule = "rajasthan-1km"\n', ""))
    assert load_district(district_copy).working_rule == "mohfw-2020-rural"  # the default
    manifest.write_text(text.replace('"rajasthan-1km"', '"jaipur-curfew"'))
    with pytest.raises(DistrictError, match=r"working_rule 'jaipur-curfew' is not a rule preset"):
        load_district(district_copy)
