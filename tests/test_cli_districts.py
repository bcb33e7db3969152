"""Choosing a district on the command line: `containment districts` lists them, and every
command that loads a district or opens its store takes `--district` (a name, a slug or a
folder), each district with a store of its own."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from containment import load_district
from containment.cli import app

runner = CliRunner()
PASSWORD = "a long test password"
HEADER = "ICMR ID,Latitude,Longitude,Date of Result,Status\n"


def containment(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return runner.invoke(app, list(args), env=env, input=stdin)


def test_districts_lists_every_shipped_district_with_what_it_holds():
    result = containment("districts")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "slug", "blocks", "habitations", "units", "people"]
    rows = {line[:16].strip(): line.split() for line in lines[1:-1]}
    assert len(rows) == 33
    assert rows["Dungarpur"][-5:] == ["dungarpur", "5", "972", "1,127", "1,216,589"]
    assert rows["Sri Ganganagar"][2] == "sri_ganganagar"
    assert lines[-1].startswith("33 districts: 248 blocks, ")


@pytest.fixture(scope="module")
def in_banswara() -> tuple[float, float]:
    """(lat, lon) of a habitation of Banswara."""
    point = load_district("banswara").habitations.geometry.iloc[0]
    return point.y, point.x


@pytest.fixture
def banswara_case(tmp_path, in_banswara):
    path = tmp_path / "cases.csv"
    lat, lon = in_banswara
    path.write_text(HEADER + f"B1,{lat},{lon},11-05-2020,Active\n")
    return path


def test_validate_checks_the_line_list_against_the_district_chosen(banswara_case):
    in_dungarpur = containment("validate", str(banswara_case), "--today", "2020-06-01")
    assert in_dungarpur.exit_code == 1
    assert "outside Dungarpur" in in_dungarpur.stdout
    for name in ("Banswara", "banswara", "BANSWARA"):
        chosen = containment("validate", str(banswara_case), "--district", name)
        assert chosen.exit_code == 0, chosen.output
        assert "1 row, 1 accepted, 0 rejected." in chosen.stdout


def test_the_district_may_come_from_the_environment_as_for_the_app(banswara_case):
    result = containment("validate", str(banswara_case), env={"CONTAINMENT_DISTRICT": "Banswara"})
    assert result.exit_code == 0, result.output


def test_zones_and_synthetic_take_the_district_too(banswara_case, tmp_path):
    zones = containment(
        "zones", str(banswara_case), "-o", str(tmp_path / "z.geojson"), "--district", "banswara"
    )
    assert zones.exit_code == 0, zones.output
    assert "1 containment and 1 buffer zone." in zones.stdout
    synthetic = containment(
        "synthetic", str(tmp_path / "s.csv"), "--cases", "20", "--district", "Sawai Madhopur"
    )
    assert synthetic.exit_code == 0, synthetic.output
    sawai = load_district("sawai_madhopur")
    blocks = {line.split(",")[3] for line in (tmp_path / "s.csv").read_text().splitlines()[1:]}
    assert blocks <= set(sawai.blocks["name"])


def test_each_district_has_its_own_store_and_users(tmp_path):
    env = {"CONTAINMENT_DATA": str(tmp_path), "CONTAINMENT_DATABASE_URL": ""}
    added = containment("users", "add", "asha", "--role", "planner", "--password-stdin",
                        "--district", "Sri Ganganagar", env=env, stdin=f"{PASSWORD}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Added asha (planner) to sri_ganganagar." in added.stdout
    assert (tmp_path / "sri_ganganagar.sqlite").is_file()
    there = containment("users", "list", "--district", "ganganagar", env=env)
    assert "asha\tplanner\tactive" in there.stdout
    elsewhere = containment("users", "list", "--district", "dungarpur", env=env)
    assert elsewhere.exit_code == 0
    assert "asha" not in elsewhere.stdout
    assert sorted(p.name for p in tmp_path.glob("*.sqlite")) == [
        "dungarpur.sqlite",
        "sri_ganganagar.sqlite",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "cases.csv"],
        ["users", "list"],
        ["import", "cases.csv", "--user", "asha"],
        ["backup", "copy.sqlite"],
    ],
)
def test_an_unknown_district_stops_the_command_and_lists_the_known_ones(command, tmp_path):
    env = {"CONTAINMENT_DATA": str(tmp_path), "CONTAINMENT_PASSWORD": PASSWORD}
    result = containment(*command, "--district", "Atlantis", env=env)
    assert result.exit_code == 2
    assert "No district 'Atlantis'" in result.stderr
    assert "Known districts: Ajmer (ajmer)," in result.stderr
    assert list(tmp_path.iterdir()) == []  # no store was made for it
