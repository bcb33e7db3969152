"""No lost work, on SQLite and PostGIS: a writer killed mid-save leaves the previous state, and
of two people saving the same zone at once the second is told what changed — never overwritten.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import psycopg
import pytest
import shapely

from containment.engine.lifecycle import SavedZone
from containment.store import ConflictError, open_store
from tests.conftest import TEST_DATABASE_URL

WARD = shapely.box(73.70, 23.83, 73.72, 23.85)
WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, numpy as np, pandas as pd
    from containment.store import open_store

    url, district, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(district, url)
    rng = np.random.default_rng(7)
    cases = gpd.GeoDataFrame(
        {
            "case_id": [f"KILL-{i:07d}" for i in range(n)],
            "reported_on": pd.Timestamp("2020-05-11"),
            "status": "active",
        },
        geometry=gpd.points_from_xy(rng.uniform(73.5, 74.2, n), rng.uniform(23.4, 23.9, n)),
        crs=4326,
    )
    print("saving", flush=True)
    store.import_cases(cases, source="killed writer")
    print("saved", flush=True)
    """
)


def _inside_a_write(store) -> bool:
    """Whether the writer process holds an open write transaction right now."""
    backend = store.backend
    if backend.name == "sqlite":
        con = sqlite3.connect(backend.path, timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return True
        finally:
            con.close()
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'killed-writer' "
            "AND backend_xid IS NOT NULL"
        ).fetchone()
    return row[0] > 0


def _writer_gone(store) -> bool:
    if store.backend.name == "sqlite":
        return True
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'killed-writer'"
        ).fetchone()
    return row[0] == 0


def test_a_writer_killed_in_the_middle_of_a_save_leaves_the_previous_state(
    store, store_url, dungarpur
):
    from containment import read_cases
    from tests.conftest import TODAY

    sample = read_cases(dungarpur.sample_cases, dungarpur, today=TODAY).cases
    store.import_cases(sample, source="before")
    store.save_zone(SavedZone("DZ-1", "Ward 7", "containment", "drawn", "r", WARD))
    before = (len(store.cases()), store.revision(), list(store.imports()["source"]))

    url, district = store_url, "dungarpur"
    if url.startswith("postgresql"):
        url += "?application_name=killed-writer"
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, url, district, "300000"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    ) as writer:
        try:
            assert writer.stdout.readline().strip() == "saving"
            deadline = time.monotonic() + 60
            while not _inside_a_write(store):
                assert writer.poll() is None, "the writer finished before it could be killed"
                assert time.monotonic() < deadline, "the writer never started its transaction"
                time.sleep(0.005)
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=30)
        finally:
            if writer.poll() is None:
                writer.kill()
    assert writer.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while not _writer_gone(store):  # the server notices the dropped connection
        assert time.monotonic() < deadline
        time.sleep(0.05)

    reopened = open_store(district, store_url)
    after = (len(reopened.cases()), reopened.revision(), list(reopened.imports()["source"]))
    assert after == before
    assert reopened.zone("DZ-1").name == "Ward 7"
    assert reopened.save_zone(
        dataclasses.replace(reopened.zone("DZ-1"), name="Ward 7 east")
    ).version == 2  # fmt: skip
    if store.backend.name == "sqlite":
        with sqlite3.connect(store.backend.path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened.backend.close()


def _save_at_once(editors: dict, edits: dict) -> dict[str, object]:
    """Each editor saves their edit in a thread of their own, released together."""
    start = threading.Barrier(len(editors))
    outcome: dict[str, object] = {}

    def save(name: str) -> None:
        editor = editors[name].acting_as(name, "planner")
        start.wait()
        try:
            outcome[name] = editor.save_zone(edits[name])
        except ConflictError as error:
            outcome[name] = error

    threads = [threading.Thread(target=save, args=(name,)) for name in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_of_two_simultaneous_edits_one_is_saved_and_the_other_told_what_changed(store, store_url):
    editors = {name: open_store("dungarpur", store_url) for name in ("asha", "ravi")}
    for round_ in range(8):
        zone_id = f"DZ-{round_}"
        store.save_zone(SavedZone(zone_id, "Ward 7", "containment", "drawn", "r", WARD))
        opened = {name: s.zone(zone_id) for name, s in editors.items()}  # both open version 1
        edits = {
            "asha": dataclasses.replace(opened["asha"], name="Ward 7 and market"),
            "ravi": dataclasses.replace(opened["ravi"], geometry=WARD.buffer(0.004)),
        }
        outcome = _save_at_once(editors, edits)
        (winner,) = [n for n, o in outcome.items() if isinstance(o, SavedZone)]
        (loser,) = [n for n, o in outcome.items() if isinstance(o, ConflictError)]
        message = str(outcome[loser])
        assert f"was changed by {winner} at " in message
        expected = "name Ward 7 → Ward 7 and market" if winner == "asha" else "outline redrawn"
        assert f"(version 1 → 2): {expected}. Your change was not saved." in message
        saved = store.zone(zone_id)
        assert saved.version == 2
        assert (saved.name, saved.geometry.equals(edits[winner].geometry)) == (
            edits[winner].name,
            True,
        )
        assert [v.version for v, *_ in store.zone_history(zone_id)] == [1, 2]
    for editor in editors.values():
        editor.backend.close()


@pytest.mark.parametrize("n_writers", [6])
def test_many_writers_adding_zones_at_once_lose_none_and_duplicate_none(
    store, store_url, n_writers
):
    stores = [open_store("dungarpur", store_url) for _ in range(n_writers)]
    saved: list[str] = []
    lock = threading.Lock()

    def write(k: int) -> None:
        for i in range(10):
            zone = stores[k].save_zone(
                SavedZone(f"W{k}-{i}", f"Ward {k}.{i}", "containment", "drawn", "r", WARD)
            )
            with lock:
                saved.append(zone.zone_id)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(n_writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    kept = store.zones()["zone_id"].tolist()
    assert sorted(kept) == sorted(saved)
    assert len(kept) == len(set(kept)) == 10 * n_writers
    for s in stores:
        s.backend.close()
