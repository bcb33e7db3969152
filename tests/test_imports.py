"""Imports that never lose a better location, never mix the sample with real cases, and can be
taken back — on SQLite and PostGIS."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from containment import read_cases
from containment.engine.lifecycle import SavedZone
from containment.errors import CaseFileError
from containment.store import SyntheticMixError
from tests.conftest import TODAY

WARD = shapely.box(73.70, 23.83, 73.72, 23.85)


@pytest.fixture
def sample(dungarpur):
    return read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases


def village_only(sample, dungarpur, write_csv, n: int):
    """The first ``n`` cases with GPS again, in a list that names only their village."""
    with_gps = sample[sample["placed_by"] == "coordinates"].head(n)
    rows = [["ICMR ID", "Date of Result", "Village", "Block"]] + [
        [c.case_id, f"{c.reported_on:%d-%m-%Y}", c.village, c.block] for c in with_gps.itertuples()
    ]
    again = read_cases(write_csv(rows), dungarpur, today=TODAY)
    assert len(again.cases) > n // 2  # most villages are found by name
    return with_gps, again.cases


def test_a_list_of_villages_never_moves_cases_known_by_gps(store, sample, dungarpur, write_csv):
    store.import_cases(sample, source="day 1")
    with_gps, again = village_only(sample, dungarpur, write_csv, 59)
    preview = store.preview_import(again)
    assert (preview.added, preview.location_kept) == (0, len(again))
    assert preview.moved == 0
    assert f"{len(again)} known cases keep their GPS location" in " ".join(preview.lines())
    store.import_cases(again, source="villages only")
    stored = store.cases().set_index("case_id").loc[again["case_id"]]
    before = with_gps.set_index("case_id").loc[again["case_id"]]
    assert stored.geometry.geom_equals_exact(before.geometry, 1e-9).all()
    assert set(stored["placed_by"]) == {"coordinates"}


def test_new_coordinates_for_a_known_case_are_a_move_the_preview_tells(store, sample):
    store.import_cases(sample, source="day 1")
    moved = sample.head(3).copy()
    moved["geometry"] = moved.geometry.translate(0.01, 0)  # about 1 km east
    preview = store.preview_import(moved)
    assert (preview.updated, preview.moved) == (3, 3)


def test_real_cases_never_join_the_synthetic_sample(store, sample):
    store.import_cases(sample.iloc[:100], source="sample_cases_SYNTHETIC.csv", synthetic=True)
    store.save_zone(SavedZone("DZ-1", "Practice ward", "containment", "drawn", "r", WARD))
    real = sample.iloc[100:110].copy()
    with pytest.raises(SyntheticMixError, match=r"holds the synthetic sample \(100 cases"):
        store.import_cases(real, source="real.csv")
    assert len(store.cases()) == 100  # nothing was saved
    summary = store.import_cases(real, source="real.csv", replace_synthetic=True)
    assert summary.removed_synthetic == 100
    assert set(store.cases()["case_id"]) == set(real["case_id"])
    assert store.zones().empty  # the practice zone went with the sample; its history stays
    assert [c for *_, c in store.zone_history("DZ-1")][-1].startswith("deleted: removed with")
    assert store.synthetic_cases() == 0
    with pytest.raises(SyntheticMixError, match="holds 10 real cases"):
        store.import_cases(sample.iloc[:5], source="sample.csv", synthetic=True)
    assert store.audit(action="synthetic sample removed")["subject"].tolist() == [
        "100 synthetic cases"
    ]


def test_a_file_that_says_it_is_synthetic_is_read_as_the_sample(dungarpur, write_csv):
    assert read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).synthetic
    header = ["ICMR ID", "Date of Result", "Village", "Block", "Data"]
    rows = [["A1", "11-05-2020", "Bheenda", "Dungarpur", "SYNTHETIC"]]
    assert read_cases(write_csv([header, *rows]), dungarpur, today=TODAY).synthetic
    real = [header[:4], ["A1", "11-05-2020", "Bheenda", "Dungarpur"]]
    assert not read_cases(write_csv(real), dungarpur, today=TODAY).synthetic
    mixed = [header, *rows, ["A2", "11-05-2020", "Bheenda", "Dungarpur", ""]]
    with pytest.raises(CaseFileError, match="1 rows say SYNTHETIC in the 'Data' column and 1 do"):
        read_cases(write_csv(mixed), dungarpur, today=TODAY)


def test_two_columns_with_the_same_name_are_refused(dungarpur, write_csv):
    rows = [["ICMR ID", "Date", "Village", "Date"], ["A1", "11-05-2020", "Bheenda", "12-05-2020"]]
    with pytest.raises(CaseFileError, match="two columns are named 'Date' \\(reported_on\\)"):
        read_cases(write_csv(rows), dungarpur, today=TODAY)


def test_the_command_lines_synthetic_list_says_so(dungarpur, tmp_path):
    from typer.testing import CliRunner

    from containment.cli import app

    out = tmp_path / "syn.csv"
    assert CliRunner().invoke(app, ["synthetic", str(out), "--cases", "20"]).exit_code == 0
    assert read_cases(out, dungarpur, today=TODAY).synthetic


def test_undoing_the_sample_takes_its_zones_with_it(store, sample):
    loaded = store.import_cases(sample.iloc[:100], source="sample", synthetic=True)
    store.save_zone(SavedZone("DZ-1", "Practice ward", "containment", "drawn", "r", WARD))
    assert store.undo_import(loaded.import_id) == 100
    assert store.cases().empty
    assert store.zones().empty
    assert store.synthetic_cases() == 0
    store.import_cases(sample.iloc[100:110], source="real.csv")  # real cases start clean


def test_an_import_is_undone_whole(store, sample):
    first = store.import_cases(sample.iloc[:200], source="day 1")
    changed = sample.iloc[150:250].copy()
    changed["reported_on"] = changed["reported_on"] - pd.Timedelta(days=1)
    second = store.import_cases(changed, source="day 2")
    assert (second.added, second.updated) == (50, 50)
    with pytest.raises(Exception, match=r"cannot be undone while import 2 holds later versions"):
        store.undo_import(first.import_id)
    assert store.undo_import(second.import_id) == 100
    back = store.cases().set_index("case_id").sort_index()
    expected = sample.iloc[:200].set_index("case_id").sort_index()
    assert list(back.index) == list(expected.index)
    assert (back["reported_on"] == expected["reported_on"]).all()
    assert store.imports()["undone_at"].notna().tolist() == [False, True]
    assert store.audit(action="import undone")["detail"].iloc[0] == (
        "day 2: 50 cases removed, 50 given their earlier values back"
    )
    assert store.undo_import(first.import_id) == 200
    assert store.cases().empty


def test_only_the_collector_undoes_an_import(store, sample):
    from containment.auth import AuthError
    from containment.service import Service

    password = "a long test password"
    store.add_user("ravi", "planner", password)
    store.add_user("meena", "collector", password)
    done = store.import_cases(sample.iloc[:10], source="day 1")
    service = Service(store)
    planner = service.workspace(service.login("ravi", password).token)
    with pytest.raises(AuthError, match="may not undo an import"):
        planner.undo_import(done.import_id)
    collector = service.workspace(service.login("meena", password).token)
    assert collector.undo_import(done.import_id) == 10
