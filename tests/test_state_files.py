"""District files beside the state's store: whatever lies in the folder under a
district's name, the state room still shows the other districts and says what it left out."""

from __future__ import annotations

import pytest

from containment.store import open_store
from tests.test_border_alerts import banswara  # noqa: F401  (a fixture)
from tests.test_state_room import _check_overview, _seed, _state_user


def _overview_with(tmp_path, monkeypatch, make_banswara):
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    dungarpur = open_store("dungarpur", "")
    _seed(dungarpur)
    dungarpur.backend.close()
    make_banswara(tmp_path / "banswara.sqlite")
    return _state_user(open_store("state", "")).state_overview()


def _garbage(path):
    path.write_bytes(b"this is not a database, it is a spreadsheet someone renamed\n" * 100)


def _half_copied(tmp_path):
    def make(path):
        data = (tmp_path / "dungarpur.sqlite").read_bytes()
        path.write_bytes(data[:100] + b"\0" * 50 + data[150 : len(data) // 3])

    return make


@pytest.mark.parametrize("kind", ["garbage", "half copied"])
def test_a_file_that_is_no_store_is_left_out_and_said(tmp_path, monkeypatch, kind):
    """A file named banswara.sqlite that is not an SQLite store (a renamed spreadsheet, a copy
    stopped half-way): the state room shows Dungarpur and says Banswara was left out."""
    make = _garbage if kind == "garbage" else _half_copied(tmp_path)
    overview = _overview_with(tmp_path, monkeypatch, make)
    _check_overview(overview)
    assert len(overview.unread) == 1
    assert "banswara" in overview.unread[0]


def test_border_alerts_leave_out_a_neighbour_file_that_is_no_store(
    tmp_path,
    monkeypatch,
    dungarpur,
    banswara,  # noqa: F811
):
    """Banswara's zone reaches into Dungarpur; Udaipur's file is garbage. The Plan page's
    alerts still show Banswara's zone and name the file left out (the page must not stop)."""
    from tests.test_border_alerts import _border_case, _police, _rule_zone

    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path))
    monkeypatch.delenv("CONTAINMENT_DATABASE_URL", raising=False)
    ours, theirs = open_store("dungarpur"), open_store("banswara")
    theirs.save_zone(_rule_zone(banswara, _border_case(dungarpur, banswara)))
    theirs.backend.close()
    _garbage(tmp_path / "udaipur.sqlite")

    found = _police(ours).border_alerts(dungarpur, as_of=_as_of())

    assert list(found.alerts["district"]) == ["Banswara"]
    assert len(found.unread) == 1
    assert "udaipur" in found.unread[0]


def _as_of():
    from tests.test_border_alerts import AS_OF

    return AS_OF
