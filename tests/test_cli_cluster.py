"""`containment zones … --workers N | --scheduler ADDRESS`: the same zones on a Dask cluster,
and a clear stop when the cluster cannot be had."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from typer.testing import CliRunner

from containment import load_district
from containment.cli import app

runner = CliRunner()
SAMPLE = load_district("dungarpur").sample_cases
COMMON = ["--rule", "karnataka-200m", "--as-of", "2020-05-31", "--today", "2020-06-01"]


def zones(output, *options):
    result = runner.invoke(app, ["zones", str(SAMPLE), "-o", str(output), *COMMON, *options])
    return result


def zones_apart(output, *options) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a user runs it: Dask's workers start from a
    clean interpreter, not from a test process that other tests have changed."""
    command = "from containment.cli import app; app()"
    args = ["zones", str(SAMPLE), "-o", str(output), *COMMON, *options]
    return subprocess.run(
        [sys.executable, "-c", command, *args], capture_output=True, text=True, timeout=600
    )


def written(path):
    """The zones written, without their ids (keyed with a new random key on every run)."""
    return gpd.read_file(path).drop(columns=["zone_id"])


def test_a_local_cluster_writes_the_zones_of_one_process(tmp_path):
    alone = zones(tmp_path / "alone.geojson")
    assert alone.exit_code == 0, alone.output
    cluster = zones_apart(tmp_path / "cluster.geojson", "--workers", "2")
    assert cluster.returncode == 0, cluster.stderr
    assert "Computed on the cluster: 5 partitions" in cluster.stderr
    assert_geodataframe_equal(
        written(tmp_path / "alone.geojson"), written(tmp_path / "cluster.geojson")
    )
    assert alone.stdout.splitlines()[-1].split(". Written")[0] in cluster.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_scheduler_that_cannot_be_reached_stops_the_run_naming_it(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    output = tmp_path / "zones.geojson"
    started = time.monotonic()
    result = zones(output, "--scheduler", address, "--connect-timeout", "2")
    assert result.exit_code == 2
    assert f"Cannot reach the Dask scheduler at {address} within 2 s" in result.stderr
    assert "no zones were computed" in result.stderr
    assert time.monotonic() - started < 60  # bounded: the timeout, not a hang
    assert not output.exists()


def test_an_existing_scheduler_is_used(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        result = zones(tmp_path / "zones.geojson", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    alone = zones(tmp_path / "alone.geojson")
    assert_geodataframe_equal(
        written(tmp_path / "alone.geojson"), written(tmp_path / "zones.geojson")
    )
    assert "Computed on the cluster" in result.stderr
    assert alone.exit_code == 0


def test_workers_and_scheduler_together_are_refused(tmp_path):
    result = zones(tmp_path / "z.geojson", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "either --workers" in result.stderr


def test_partitions_that_are_not_polygons_are_named(tmp_path):
    points = tmp_path / "points.geojson"
    gpd.GeoSeries.from_xy([73.7], [23.8], crs=4326).to_file(points)
    result = zones_apart(tmp_path / "z.geojson", "--workers", "1", "--partitions", str(points))
    assert result.returncode == 2
    assert f"{points}: feature 1 is not a polygon" in " ".join(result.stderr.split())


def test_the_command_line_imports_dask_only_for_a_cluster():
    probe = (
        "import sys, containment, containment.cli; "
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
