"""Benchmark: a large line list from CSV to checked cases and to zones, beside a plain read.

A synthetic line list with the district's usual columns (those of
``geodata/dungarpur/sample_cases_SYNTHETIC.csv`` plus the patient name and mobile number a real
list carries and the reader must skip) is written once per size to ``bench/out/``. About 10 %
of its rows give only a village, and about 1.6 % are bad in the ways real lists are (impossible,
future and missing dates, swapped and 0, 0 coordinates, a non-number, unknown statuses, missing
and repeated case ids, unknown villages, a case far outside the district, empty rows).

Side by side on that file, taking turns, median of 3 runs each:

* ``read_csv``   - ``pandas.read_csv(path)`` with its defaults: the baseline;
* ``read+check`` - ``read_cases(path, district, max_bytes=None)``, the district loaded before
                   the clock starts: reading and checking every row, nothing else;
* ``validate``   - ``containment validate FILE``: the command as a planner runs it (loading the
                   district, reading, checking, printing one line per problem);
* ``zones``      - ``containment zones FILE -o zones.geojson``: the same, then planning the zones
                   of the default rule as of the last day and writing them.

Every run is a fresh Python process (started by this one) that imports the same modules first
and then times only the work; its peak resident memory is read from the kernel's accounting of
that one process (its ``VmHWM``), so an earlier run never inflates a later one. Memory figures
are whole processes: interpreter and libraries (shown as "after imports") included.

Goal (issue 13): at 1M rows, ``zones`` and ``validate`` within 10x the plain read, and under
1 GB peak memory. The commands carry fixed costs (loading the district and the command line's
own libraries, about 1 s on this machine) that weigh most at 100k rows. The machine has 2 cores
shared with other work: times are noisy, so the ratios of medians of turns taken side by side
are the figures to read.

Usage: python -m bench.bench_import [--sizes 100000 1000000] [--repeats 3]
       python -m bench.bench_import --quick      (100k rows only)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "out"
TODAY = "2020-06-01"
KINDS = ("read_csv", "read+check", "validate", "zones")
GOAL_RATIO = 10.0
GOAL_PEAK_MB = 1024.0

# Share of rows of each bad kind, and of rows giving only their village.
BAD_SHARES = {
    "impossible date": 0.002,
    "future date": 0.001,
    "missing date": 0.001,
    "swapped coordinates": 0.002,
    "0, 0": 0.001,
    "not a number": 0.001,
    "unknown status": 0.002,
    "missing case id": 0.001,
    "repeated case id": 0.002,
    "unknown village": 0.001,
    "far outside": 0.001,
    "empty row": 0.0005,
}
VILLAGE_ONLY_SHARE = 0.10
HEADER = [
    "ICMR ID",
    "Patient Name",
    "Mobile No",
    "Date of Result",
    "Village",
    "Block",
    "Latitude",
    "Longitude",
    "Status",
]


def write_line_list(path: Path, n: int, *, seed: int = 2020) -> dict[str, int]:
    """Write an ``n``-row SYNTHETIC line list to ``path``; return how many rows of each bad
    kind it holds."""
    from containment.io.district import load_district
    from containment.io.synthetic import synthetic_cases

    district = load_district("dungarpur")
    cases = synthetic_cases(district, n, seed=seed, hotspots=40)
    rng = np.random.default_rng(seed)
    lat = cases.geometry.y.round(6).astype(str).to_numpy(dtype=object)
    lon = cases.geometry.x.round(6).astype(str).to_numpy(dtype=object)
    habitations = district.habitations
    unique = ~habitations.duplicated(subset=["name", "block"], keep=False)
    placeable = set(zip(habitations["name"][unique], habitations["block"][unique], strict=True))
    pairs = pd.Series(list(zip(cases["village"], cases["block"], strict=True)))
    can_blank = pairs.isin(placeable).to_numpy()
    blank = (rng.uniform(size=n) < VILLAGE_ONLY_SHARE) & can_blank
    lat[blank] = ""
    lon[blank] = ""
    table = pd.DataFrame(
        {
            "ICMR ID": np.char.add("SYN-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "Patient Name": np.char.add("Synthetic ", rng.integers(0, 10**6, n).astype(str)),
            "Mobile No": (9_000_000_000 + rng.integers(0, 10**9, n)).astype(str),
            "Date of Result": pd.to_datetime(cases["reported_on"]).dt.strftime("%d-%m-%Y"),
            "Village": cases["village"].to_numpy(),
            "Block": cases["block"].to_numpy(),
            "Latitude": lat,
            "Longitude": lon,
            "Status": cases["status"].to_numpy(),
        },
        columns=HEADER,
    )
    counts = _spoil(table, rng)
    table.to_csv(path, index=False)
    return counts


def _spoil(table: pd.DataFrame, rng: np.random.Generator) -> dict[str, int]:
    """Make a share of rows bad, one kind per row, in place."""
    n = len(table)
    kinds = list(BAD_SHARES)
    shares = np.array([BAD_SHARES[k] for k in kinds])
    draw = rng.uniform(size=n)
    edges = np.cumsum(shares)
    kind_of = np.searchsorted(edges, draw, side="right")  # len(kinds): a good row
    counts = {}
    for k, kind in enumerate(kinds):
        rows = np.flatnonzero(kind_of == k)
        counts[kind] = len(rows)
        if kind == "impossible date":
            table.loc[rows, "Date of Result"] = "31-02-2020"
        elif kind == "future date":
            table.loc[rows, "Date of Result"] = "11-05-2021"
        elif kind == "missing date":
            table.loc[rows, "Date of Result"] = ""
        elif kind == "swapped coordinates":
            with_xy = table.loc[rows, "Latitude"] != ""
            rows = rows[with_xy.to_numpy()]
            lat = table.loc[rows, "Latitude"].to_numpy()
            table.loc[rows, "Latitude"] = table.loc[rows, "Longitude"].to_numpy()
            table.loc[rows, "Longitude"] = lat
            counts[kind] = len(rows)
        elif kind == "0, 0":
            table.loc[rows, ["Latitude", "Longitude"]] = "0"
        elif kind == "not a number":
            table.loc[rows, "Latitude"] = "23.8N"
            table.loc[rows, "Longitude"] = "73.7"
        elif kind == "unknown status":
            table.loc[rows, "Status"] = "zombie"
        elif kind == "missing case id":
            table.loc[rows, "ICMR ID"] = ""
        elif kind == "repeated case id":
            table.loc[rows, "ICMR ID"] = table["ICMR ID"].to_numpy()[rows // 2]
        elif kind == "unknown village":
            table.loc[rows, ["Latitude", "Longitude"]] = ""
            table.loc[rows, "Village"] = "Nowhereville"
        elif kind == "far outside":
            table.loc[rows, "Latitude"] = "26.91"
            table.loc[rows, "Longitude"] = "75.79"
        elif kind == "empty row":
            table.loc[rows, :] = ""
    return counts


def line_list(n: int) -> Path:
    """The ``n``-row line list, written on first use."""
    path = OUT / f"line_list_{n}_SYNTHETIC.csv"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = write_line_list(path, n)
        bad = sum(counts.values())
        print(
            f"  wrote {path.name}: {n:,} rows, {path.stat().st_size / 1e6:.0f} MB, {bad:,} bad "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return path


# --- one measurement in a fresh process ---------------------------------------------------


def _status_mb(field: str) -> float:
    """A memory figure of this process from the kernel (``VmRSS``: now; ``VmHWM``: its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def child(kind: str, path: Path, report: Path) -> None:
    """Run one measurement in this (fresh) process and write its figures to ``report``."""
    import typer

    from containment.cli import app
    from containment.io.cases import read_cases
    from containment.io.district import load_district

    command = typer.main.get_command(app)
    district = load_district("dungarpur") if kind == "read+check" else None
    after_imports_mb = _rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if kind == "read_csv":
            rows = len(pd.read_csv(path))
        elif district is not None:
            today = dt.date.fromisoformat(TODAY)
            rows = read_cases(path, district, today=today, max_bytes=None).accepted_count
        else:
            args = [kind, str(path), "--today", TODAY]
            if kind == "zones":
                args += ["-o", str(Path(folder) / "zones.geojson")]
            with contextlib.suppress(typer.Exit):  # validate exits 1 on rejected rows
                command.main(args=args, standalone_mode=False)
            rows = -1
        seconds = time.perf_counter() - started
    # The peak of this process alone: VmHWM begins anew at exec, whereas getrusage's ru_maxrss
    # keeps the parent's size at the fork (this benchmark's parent holds the line list).
    peak_mb = _status_mb("VmHWM")
    report.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "after_imports_mb": after_imports_mb,
                "rows": rows,
                "peak_mb": peak_mb,
            }
        )
    )


def measure(kind: str, path: Path) -> dict[str, float]:
    """Time and peak memory of one fresh process running ``kind`` on ``path``."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_import", "--child", kind, str(path), report.name],
            stdout=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[1],
        )
        _, status, _usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            msg = f"{kind} on {path.name} failed (exit {process.returncode})"
            raise RuntimeError(msg)
        figures = json.loads(Path(report.name).read_text())
    return figures


def run(sizes: list[int], repeats: int, json_path: Path) -> list[dict[str, object]]:
    columns = ("rows", "file MB", "step", "median s", "x read", "peak MB", "after imports MB")
    widths = (9, 7, 10, 9, 7, 8, 16)

    def line(*cells: object) -> None:
        print(" | ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)), flush=True)

    results: list[dict[str, object]] = []
    for n in sizes:
        path = line_list(n)
        megabytes = path.stat().st_size / 1e6
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for _ in range(repeats):
            for kind in KINDS:  # taking turns: a change in load falls on every step
                runs[kind].append(measure(kind, path))
        if n == sizes[0]:
            line(*columns)
            print("-" * (sum(widths) + 3 * (len(widths) - 1)))
        base_s = statistics.median(r["seconds"] for r in runs["read_csv"])
        for kind in KINDS:
            seconds = statistics.median(r["seconds"] for r in runs[kind])
            peak_mb = max(r["peak_mb"] for r in runs[kind])
            imports_mb = statistics.median(r["after_imports_mb"] for r in runs[kind])
            ratio = seconds / base_s
            line(
                f"{n:,}",
                f"{megabytes:.0f}",
                kind,
                f"{seconds:.2f}",
                f"{ratio:.1f}",
                f"{peak_mb:.0f}",
                f"{imports_mb:.0f}",
            )
            results.append(
                {
                    "rows": n,
                    "file_mb": round(megabytes, 1),
                    "step": kind,
                    "runs": repeats,
                    "median_seconds": round(seconds, 3),
                    "all_seconds": [round(r["seconds"], 3) for r in runs[kind]],
                    "over_read_csv": round(ratio, 2),
                    "peak_mb": round(peak_mb, 1),
                    "after_imports_mb": round(imports_mb, 1),
                }
            )
        for kind in ("read+check", "validate", "zones"):
            row = next(r for r in results if r["rows"] == n and r["step"] == kind)
            ok = row["over_read_csv"] <= GOAL_RATIO and row["peak_mb"] < GOAL_PEAK_MB  # type: ignore[operator]
            print(
                f"  {kind} at {n:,} rows: {row['over_read_csv']}x the plain read, "
                f"{row['peak_mb']:.0f} MB peak - goal (<= {GOAL_RATIO:g}x, "
                f"< {GOAL_PEAK_MB:.0f} MB) {'met' if ok else 'NOT met'}"
            )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {json_path}")
    return results


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--json", type=Path, default=OUT / "import.json")
    args = parser.parse_args()
    if args.quick:
        args.sizes = [100_000]
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pandas {pd.__version__}; median of {args.repeats} turns, each run a fresh process"
    )
    run(args.sizes, args.repeats, args.json)


if __name__ == "__main__":
    main()
