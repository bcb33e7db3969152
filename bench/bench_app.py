"""Benchmark: the planning page in a real browser with 0, 10k and 100k cases in the store.

For each size, a fresh store and a fresh ``streamlit run``; Debian's Chromium drives the page:

* open: from clicking *Log in* (on the login page the app shows first) to the Plan page's map
  drawn (its script run, legend and canvas shown);
* drawing: from finishing a polygon on the map to its figures on screen.

Each is repeated (``--repeat``) and the median reported, with the ratio against the empty
store run side by side (the baseline: the same page with no cases). Beside them, the map as
the page sends it: its HTML's size and the time to build it in Python (median of the repeats,
in this process). Targets on the project's 2-core machine: at 10k cases under 5 s to a drawn
map and under 2.5 s from drawing to figures; at 100k cases (a state's worth) under 3 s to a
drawn map — the map carries counts per hexagon and the cases packed six bytes each, never a
marker per case. The machine is shared: read the ratios, and repeat when a figure looks off.

Usage: python -m bench.bench_app [--sizes 0 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

import containment as cp
from containment.io.synthetic import synthetic_cases
from containment.render.mapview import MapLayers, build_map
from containment.store import SQLiteStore, default_store_path
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_PASSWORD,
    E2E_USER,
    draw_square,
    running_app,
    wait_for_map,
)


def _fill_store(folder: Path, n: int) -> None:
    district = cp.load_district("dungarpur")
    store = SQLiteStore(folder / default_store_path("dungarpur").name)
    store.add_user(E2E_USER, "collector", E2E_PASSWORD)
    if n:
        store.import_cases(synthetic_cases(district, n, seed=n, hotspots=40), source="bench")


def _map_html(n: int, repeat: int) -> tuple[int, float]:
    """The Plan page's map for ``n`` cases: its HTML's size in bytes, and the median time to
    build and render it here (the district's own layers already made, as in the running app)."""
    district = cp.load_district("dungarpur")
    cases = synthetic_cases(district, n, seed=n, hotspots=40) if n else None
    build_map(district).get_root().render()  # the district's layers, made once per app
    times, html = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        html = build_map(district, MapLayers(cases=cases)).get_root().render()
        times.append(time.perf_counter() - start)
    return len(html.encode()), statistics.median(times)


def _measure(url: str, browser, repeat: int) -> tuple[list[float], list[float]]:
    opens, drawings = [], []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.get_by_label("User name", exact=True).fill(E2E_USER)
        page.get_by_role("textbox", name="Password").fill(E2E_PASSWORD)
        start = time.perf_counter()  # from the login click to the drawn map
        page.get_by_role("button", name="Log in").click()
        frame = wait_for_map(page)
        opens.append(time.perf_counter() - start)
        draw_square(page, frame)
        finish = frame.get_by_role("link", name="Finish")
        start = time.perf_counter()
        finish.click()
        page.get_by_text("Cases inside").wait_for()
        drawings.append(time.perf_counter() - start)
        context.close()
    return opens, drawings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("bench/out/app.json"))
    args = parser.parse_args()

    print("# Plan page in Chromium: median seconds over", args.repeat, "runs")
    print(
        f"{'cases':>7} | {'login to drawn map':>18} | {'vs empty':>8} | "
        f"{'drawing to figures':>18} | {'vs empty':>8} | {'map HTML':>9} | {'map built':>9}"
    )
    print("-" * 98)
    results = []
    baseline = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.sizes:
            with tempfile.TemporaryDirectory() as folder:
                _fill_store(Path(folder), n)
                with running_app(Path(folder), Path(folder) / "streamlit.log") as url:
                    opens, drawings = _measure(url, browser, args.repeat)
            html_bytes, build_s = _map_html(n, args.repeat)
            row = {
                "cases": n,
                "open_s": round(statistics.median(opens), 2),
                "drawing_s": round(statistics.median(drawings), 2),
                "open_runs": [round(v, 2) for v in opens],
                "drawing_runs": [round(v, 2) for v in drawings],
                "map_html_bytes": html_bytes,
                "map_build_s": round(build_s, 2),
            }
            baseline = baseline or row
            open_ratio = row["open_s"] / baseline["open_s"]
            drawing_ratio = row["drawing_s"] / baseline["drawing_s"]
            print(
                f"{n:>7} | {row['open_s']:>18.2f} | {open_ratio:>7.1f}x | "
                f"{row['drawing_s']:>18.2f} | {drawing_ratio:>7.1f}x | "
                f"{html_bytes / 1e6:>6.2f} MB | {build_s:>7.2f} s"
            )
            results.append(row)
        browser.close()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {args.json}")


if __name__ == "__main__":
    main()
