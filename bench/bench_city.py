"""Benchmark: a city's 11,034 micro-containment zones in one district store, beside 100.

The stores are made by :mod:`bench.city` (SYNTHETIC zones of Dungarpur's ground units, with
their cases). For each size, side by side:

* in Chromium (a fresh ``streamlit run`` per size, a fresh browser context per repeat): the
  Plan page's **open** — from clicking *Log in* to the drawn map (its script run, legend and
  canvas shown) — and **search → opened**: a zone id typed in *Find a zone*, from pressing
  Enter to the zone's own panel on the page (its "Zone number …" line);
* in a fresh process each, on a copy of the store (seconds, and the process's peak memory
  beside its memory before the step): the zones' figures (``described_zones``, what every page
  reads); the **daily update** (the rule's zones as of the day, ``compare_with_saved`` against
  the saved zones, and ``apply_update`` saving what it changes); the **export** (GeoJSON of
  the zones in force) and the **police GeoJSON** (with their checkpoints); the **public
  list** (the table, its printable page and the PDF with every zone's places); the
  **meeting pack** (the PDF, with its trend charts, and its page count).

Medians of ``--repeat`` runs for the browser; one run per step (each is seconds long). The
machine has 2 cores shared with other work: read the ratios against the 100-zone store, and
repeat when a figure looks off.

Usage: python -m bench.bench_city [--zones 100 11034] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import containment as cp
from bench.city import AS_OF, city_zones, fill_city
from containment.store import SQLiteStore, default_store_path
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_PASSWORD,
    E2E_USER,
    running_app,
    wait_for_map,
)

STEPS = ("describe", "update", "export", "police", "public_list", "meeting_pack")


def _fill(folder: Path, in_force: int) -> list[tuple[str, str]]:
    """A store of ``in_force`` zones (and the released and proposed ones beside them) in
    ``folder``; returns (zone id, name) of zones in force to search for."""
    district = cp.load_district("dungarpur")
    city = city_zones(district, in_force, seed=in_force)
    store = SQLiteStore(folder / default_store_path("dungarpur").name)
    store.add_user(E2E_USER, "collector", E2E_PASSWORD)
    fill_city(store, city)
    store.backend.close()
    return [(z.zone_id, z.name) for z in city.zones if z.status == "notified"]


def _browser(url: str, browser, targets: list[str], repeat: int) -> tuple[list[float], ...]:
    opens, found = [], []
    for zone_id in targets[:repeat]:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(url)
        page.get_by_label("User name", exact=True).fill(E2E_USER)
        page.get_by_role("textbox", name="Password").fill(E2E_PASSWORD)
        start = time.perf_counter()
        page.get_by_role("button", name="Log in").click()
        wait_for_map(page)
        opens.append(time.perf_counter() - start)
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        box = page.get_by_label("Find a zone", exact=True)
        box.fill(zone_id)
        start = time.perf_counter()
        box.press("Enter")
        page.get_by_text(f"Zone number {zone_id}", exact=True).wait_for()
        found.append(time.perf_counter() - start)
        context.close()
    return opens, found


def _step(name: str, store_path: Path) -> dict[str, float]:
    """Run one step on the store, here; its seconds and this process's memory (MB)."""
    from containment.field.orders import zone_orders
    from containment.field.public_list import public_zone_list
    from containment.io.export import write_police_package, write_zones
    from containment.render.charts import meeting_charts
    from containment.render.pdf.meeting_pack import meeting_pack_pdf
    from containment.render.pdf.orders import public_list_pdf
    from containment.render.printable import public_list_html
    from containment.service import Service

    district = cp.load_district("dungarpur")
    district.unit_index.units_m  # noqa: B018  (made once per app: not part of any step)
    store = SQLiteStore(store_path)
    service = Service(store)
    ws = service.workspace(service.login(E2E_USER, E2E_PASSWORD).token)
    described = ws.described_zones(district, as_of=AS_OF) if name != "describe" else None
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, float] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        if name == "describe":
            ws.described_zones(district, as_of=AS_OF)
        elif name == "update":
            plan = ws.propose_zones(cp.get_rule("karnataka-200m"), as_of=AS_OF, district=district)
            changes = ws.daily_update(plan, district)
            out["compare_s"] = time.perf_counter() - start
            outcome = ws.apply_update([c for c in changes if c.to_apply], plan, district)
            out["changes"] = len(changes)
            out["saved"] = len(outcome.saved)
        elif name in ("export", "police"):
            assert described is not None
            chosen = described[described["in_force"].astype(bool)]
            if name == "export":
                write_zones(chosen, Path(folder) / "zones.geojson", district)
            else:
                write_police_package(
                    chosen, ws.checkpoints(), Path(folder) / "police.geojson", district
                )
        elif name == "public_list":
            assert described is not None
            table = public_zone_list(described, district, as_of=AS_OF)
            public_list_html(table, district, as_of=AS_OF)
            orders = zone_orders(described, ws.checkpoints(), ws.centres(), district)
            pdf_start = time.perf_counter()
            pdf = public_list_pdf(orders, district=district.name, as_of=AS_OF)
            out["pdf_s"] = time.perf_counter() - pdf_start
            out["pages"] = len(re.findall(rb"/Type\s*/Page\b", pdf))
        elif name == "meeting_pack":
            assert described is not None
            charts = meeting_charts(ws.trends(district, as_of=AS_OF))
            pdf = meeting_pack_pdf(
                district,
                described,
                ws.cases(),
                ws.centres(),
                as_of=AS_OF,
                since=AS_OF - dt.timedelta(days=7),
                charts=charts,
            )
            out["pages"] = len(re.findall(rb"/Type\s*/Page\b", pdf))
    out["seconds"] = time.perf_counter() - start
    out["before_mb"] = before_mb
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _run_step(name: str, store_path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / store_path.name
        shutil.copy(store_path, copy)
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_city", "--step", name, "--store", str(copy)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _map_build(store_path: Path, repeat: int) -> tuple[int, float]:
    """The Plan page's map as the page builds it on every run: HTML bytes, median seconds."""
    from containment.render.mapview import MANY_ZONES, MapLayers, build_map, zone_overview
    from containment.service import Service

    district = cp.load_district("dungarpur")
    service = Service(SQLiteStore(store_path))
    ws = service.workspace(service.login(E2E_USER, E2E_PASSWORD).token)
    zones = ws.described_zones(district, as_of=AS_OF)
    shown = zones[zones["status"] != "released"]
    overview = zone_overview(shown, district) if len(shown) > MANY_ZONES else None  # cached
    layers = MapLayers(zones=zones, zone_overview=overview, cases=ws.cases(), centres=ws.centres())
    build_map(district).get_root().render()
    times, html = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        html = build_map(district, layers).get_root().render()
        times.append(time.perf_counter() - start)
    return len(html.encode()), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--zones", type=int, nargs="+", default=[100, 11_034])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("bench/out/city.json"))
    parser.add_argument(
        "--steps", nargs="*", choices=STEPS, default=list(STEPS), help="the steps to time"
    )
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(_step(args.step, args.store)))
        return

    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.zones:
            folder = Path(root) / str(n)
            folder.mkdir()
            start = time.perf_counter()
            targets = _fill(folder, n)
            filled_s = time.perf_counter() - start
            store_path = folder / default_store_path("dungarpur").name
            picks = [targets[(i * 7919) % len(targets)][0] for i in range(args.repeat)]
            with running_app(folder, folder / "streamlit.log") as url:
                opens, found = _browser(url, browser, picks, args.repeat)
            html_bytes, build_s = _map_build(store_path, args.repeat)
            steps = {name: _run_step(name, store_path) for name in args.steps}
            row = {
                "zones_in_force": n,
                "store_filled_s": round(filled_s, 2),
                "open_s": round(statistics.median(opens), 2),
                "open_runs": [round(v, 2) for v in opens],
                "search_open_s": round(statistics.median(found), 2),
                "search_runs": [round(v, 2) for v in found],
                "map_html_bytes": html_bytes,
                "map_build_s": round(build_s, 2),
                "steps": {
                    k: {m: round(v, 2) for m, v in step.items()} for k, step in steps.items()
                },
            }
            results.append(row)
            print(json.dumps(row), flush=True)
        browser.close()
    _table(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nResults written to {args.json}")


def _table(results: list[dict]) -> None:
    base = results[0]
    print("\n# Plan page in Chromium (median of runs) and each step in a fresh process")
    print(f"{'':<28}" + "".join(f"{r['zones_in_force']:>22,} zones" for r in results))
    lines = [
        ("login to drawn map (s)", lambda r: r["open_s"]),
        ("search to zone opened (s)", lambda r: r["search_open_s"]),
        ("map HTML (MB)", lambda r: r["map_html_bytes"] / 1e6),
        ("map built, per run (s)", lambda r: r["map_build_s"]),
    ]
    for name in base["steps"]:
        lines.append((f"{name} (s)", lambda r, n=name: r["steps"][n]["seconds"]))
        lines.append((f"{name} peak (MB)", lambda r, n=name: r["steps"][n]["peak_mb"]))
    for label, value in lines:
        cells = []
        for r in results:
            ratio = value(r) / value(base) if value(base) else float("nan")
            cells.append(f"{value(r):>14.2f} ({ratio:>5.1f}x)")
        print(f"{label:<28}" + "".join(cells))


if __name__ == "__main__":
    main()
