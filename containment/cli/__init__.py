"""The ``containment`` command line: line lists, zones and rules; the store's commands are in
:mod:`containment.cli.store`."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from containment.cli import papers as cli_papers
from containment.cli import store as cli_store
from containment.cli.districts import DistrictOption, list_districts
from containment.engine.district import District
from containment.engine.partition import Runner, plan_zones_partitioned
from containment.engine.rules import PRESETS, Rule, custom_rule, get_rule
from containment.engine.zones import ZonePlan, ZoneShape, plan_zones
from containment.errors import ContainmentError
from containment.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, date_text, n_, number, set_language
from containment.io.cases import CaseList, read_cases
from containment.io.dates import EPIDEMIC_START
from containment.io.district import DEFAULT_DISTRICT, load_district
from containment.io.export import EXPORT_FORMATS, csv_text, write_zones
from containment.io.partitions import read_partitions
from containment.io.synthetic import SYNTHETIC_COLUMN, SYNTHETIC_MARK, synthetic_cases
from containment.logs import configure_logging

__all__ = ["app"]

app = typer.Typer(
    help="Containment Planner: case line lists in, containment and buffer zones out.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _setup(
    log_level: Annotated[
        str, typer.Option(help="Log lines on standard error: WARNING, INFO or DEBUG.")
    ] = "WARNING",
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar="CONTAINMENT_LANGUAGE",
            help=f"The language of messages and files: {', '.join(LANGUAGES)}.",
        ),
    ] = DEFAULT_LANGUAGE,
) -> None:
    configure_logging(log_level)
    if lang not in LANGUAGES:
        raise _fail(f"--lang {lang!r}: choose one of {', '.join(LANGUAGES)}.")
    set_language(lang)


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help="Map a field to a column of the file, e.g. --column latitude='GPS Lat'. "
        "Fields: case_id, latitude, longitude, reported_on, village, block, status.",
    ),
]
EarliestOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--epidemic-start",
        formats=["%Y-%m-%d"],
        help="Refuse dates before this day as typos (default: 2020-01-30, India's first case).",
    ),
]
TodayOption = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Refuse dates after this day (default: today)."),
]


def _fail(message: str) -> typer.Exit:
    err.print(_("[bold red]error:[/] {message}", message=message))
    return typer.Exit(code=2)


def _column_map(pairs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise _fail(
                _(
                    "--column {pair}: write it as FIELD=COLUMN, e.g. latitude='GPS Lat'.",
                    pair=repr(pair),
                )
            )
        mapping[field.strip()] = header.strip()
    return mapping


def _load(
    district: str,
    cases: Path,
    columns: list[str] | None,
    today: dt.datetime | None,
    earliest: dt.datetime | None = None,
) -> tuple[District, CaseList]:
    try:
        loaded = load_district(district)
        case_list = read_cases(
            cases,
            loaded,
            columns=_column_map(columns),
            today=today.date() if today else None,
            earliest=earliest.date() if earliest else EPIDEMIC_START,
            max_bytes=None,  # the upload's cap is the app's: a file here may be any size
        )
    except ContainmentError as exc:
        raise _fail(str(exc)) from exc
    return loaded, case_list


def _report(case_list: CaseList) -> None:
    """The problems, the notes and the summary as plain text, written as they are: a cell
    quoted in a message is never read as console markup (``[/]`` in a village name), and
    10,000 lines print at once (through rich, whose layout of them took 0.2 s)."""
    lines = [str(problem) for problem in case_list.rejected]
    lines += [_("{note} (accepted)", note=note) for note in case_list.notes]
    lines.append(case_list.summary())
    out.file.write("\n".join(lines) + "\n")


@app.command()
def validate(
    cases: Annotated[Path, typer.Argument(help="Line list: .csv, .xlsx, .geojson or .gpkg")],
    district: DistrictOption = DEFAULT_DISTRICT,
    column: ColumnOption = None,
    today: TodayOption = None,
    epidemic_start: EarliestOption = None,
) -> None:
    """Check a line list: one line per rejected row, then a summary.

    Exit 0 when every row is good, 1 when some rows were rejected, 2 when the file cannot
    be read.
    """
    _loaded, case_list = _load(district, cases, column, today, epidemic_start)
    _report(case_list)
    raise typer.Exit(code=1 if case_list.rejected else 0)


def _rule(
    rule: str | None, containment_m: float | None, buffer_m: float, release_days: int
) -> Rule:
    try:
        if containment_m is not None:
            if rule is not None:
                raise _fail(_("Give either --rule or --containment-m (custom radii), not both."))
            return custom_rule(
                containment_radius_m=containment_m,
                buffer_m=buffer_m,
                release_after_days=release_days,
            )
        return get_rule(rule or "mohfw-2020-urban")
    except ContainmentError as exc:
        raise _fail(str(exc)) from exc


@app.command()
def zones(
    cases: Annotated[Path, typer.Argument(help="Line list: .csv, .xlsx, .geojson or .gpkg")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=f"File to write; its extension picks the format: {', '.join(EXPORT_FORMATS)}",
        ),
    ],
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="Zones as of this day (default: the last case's day)."
        ),
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(help="A preset from `containment rules` (default mohfw-2020-urban)."),
    ] = None,
    containment_m: Annotated[
        float | None, typer.Option(help="Custom rule: containment radius in metres.")
    ] = None,
    buffer_m: Annotated[float, typer.Option(help="Custom rule: buffer width in metres.")] = 0.0,
    release_days: Annotated[int, typer.Option(help="Custom rule: days to release.")] = 28,
    district: DistrictOption = DEFAULT_DISTRICT,
    column: ColumnOption = None,
    today: TodayOption = None,
    epidemic_start: EarliestOption = None,
    circles: Annotated[
        bool,
        typer.Option(
            "--circles",
            help="Write the rule's exact circles instead of zones made of villages and town "
            "cells: a planner's guide, NOT FOR RELEASE (a circle's outline shows where the "
            "case lives).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Compute on a local Dask cluster of this many worker processes, a partition "
            "at a time: the same zones as one process (see the README, 'When you need the "
            "cluster').",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Compute on the Dask cluster whose scheduler is at this address "
            "(tcp://host:port); its workers need this package installed.",
        ),
    ] = None,
    partitions: Annotated[
        Path | None,
        typer.Option(
            "--partitions",
            help="With --workers or --scheduler: polygons to split the work by (district "
            "outlines, blocks); default: the district's blocks.",
        ),
    ] = None,
    connect_timeout: Annotated[
        float,
        typer.Option(help="Seconds to wait for the scheduler at --scheduler and its workers."),
    ] = 20.0,
) -> None:
    """Compute containment and buffer zones and write them.

    Zones are made of whole villages and town cells. Rejected rows are reported as by
    `validate`; the zones from the good rows are still written. Zone ids differ from run to
    run (the app's are stable within its district).
    """
    chosen = _rule(rule, containment_m, buffer_m, release_days)
    on_cluster = workers is not None or scheduler is not None
    if workers is not None and scheduler is not None:
        raise _fail(_("Give either --workers (a local cluster) or --scheduler, not both."))
    if partitions is not None and not on_cluster:
        raise _fail(_("--partitions splits the work on a cluster: add --workers or --scheduler."))
    if circles:
        err.print(
            _(
                "[bold yellow]warning:[/] --circles writes the exact circles around the cases: "
                "their outlines show where the patients live. For the planner's eyes only; "
                "never send this file to the police or the public."
            )
        )
    with contextlib.ExitStack() as stack:
        progress = stack.enter_context(
            Progress(
                SpinnerColumn(),
                BarColumn(bar_width=20),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
        )
        task = progress.add_task(_("Reading the line list"), total=3)
        runner = None
        if on_cluster:
            progress.update(
                task,
                description=_("Connecting to {scheduler}", scheduler=scheduler)
                if scheduler
                else _("Starting a local cluster"),
            )
            runner = _cluster(stack, workers, scheduler, connect_timeout)
            progress.update(task, description=_("Reading the line list"))
        loaded, case_list = _load(district, cases, column, today, epidemic_start)
        if case_list.accepted_count == 0:
            _report(case_list)
            raise _fail(_("No row was accepted, so there are no zones to write."))
        day = (
            as_of.date()
            if as_of
            else pd.Timestamp(np.max(case_list.table["reported_on"].to_numpy())).date()
        )
        progress.update(
            task,
            advance=1,
            description=_(
                "Computing zones ({rule}, as of {day})", rule=chosen.name, day=date_text(day)
            ),
        )
        shape: ZoneShape = "circles" if circles else "units"
        if runner is None:
            plan = plan_zones(case_list.located(), chosen, as_of=day, district=loaded, shape=shape)
        else:
            plan = _on_cluster(case_list, chosen, day, loaded, shape, partitions, runner)
        progress.update(task, advance=1, description=_("Writing {file}", file=output.name))
        try:
            write_zones(plan.zones, output, loaded, as_drawn=circles)
        except ContainmentError as exc:
            raise _fail(str(exc)) from exc
        progress.update(task, advance=1)
    _report(case_list)
    kinds = plan.zones["kind"].value_counts()
    counted = n_("{n} case counted", "{n} cases counted", plan.counted)
    made = n_(
        "{containment} containment and {n} buffer zone",
        "{containment} containment and {n} buffer zones",
        int(kinds.get("buffer", 0)),
        containment=int(kinds.get("containment", 0)),
    )
    if plan.unzoned:
        out.print(
            n_(
                "Rule {rule}, as of {day}: {counted}, {made}, {n} case in no zone (fewer than "
                "{min} together). Written to {file}.",
                "Rule {rule}, as of {day}: {counted}, {made}, {n} cases in no zone (fewer than "
                "{min} together). Written to {file}.",
                plan.unzoned,
                rule=chosen.name,
                day=date_text(day),
                counted=counted,
                made=made,
                min=chosen.min_cases,
                file=output,
            )
        )
    else:
        out.print(
            _(
                "Rule {rule}, as of {day}: {counted}, {made}. Written to {file}.",
                rule=chosen.name,
                day=date_text(day),
                counted=counted,
                made=made,
                file=output,
            )
        )


def _cluster(
    stack: contextlib.ExitStack[bool | None],
    workers: int | None,
    scheduler: str | None,
    connect_timeout_s: float,
) -> Runner:
    """The cluster's runner, open until the command ends. Dask is imported only here."""
    from containment.cluster import ClusterError, dask_runner

    if scheduler is not None and not scheduler.startswith("tls://"):
        err.print(
            _(
                "[bold yellow]warning:[/] {scheduler} is reached without encryption or a login: "
                "the cases' places cross the network as they are, and whoever reaches the "
                "scheduler can run code on its workers. Use it only on a network of your own.",
                scheduler=scheduler,
            )
        )
    try:
        return stack.enter_context(
            dask_runner(workers=workers, scheduler=scheduler, connect_timeout_s=connect_timeout_s)
        )
    except ClusterError as exc:
        raise _fail(str(exc)) from exc


def _on_cluster(
    case_list: CaseList,
    rule: Rule,
    day: dt.date,
    district: District,
    shape: ZoneShape,
    partitions: Path | None,
    runner: Runner,
) -> ZonePlan:
    try:
        polygons = read_partitions(partitions) if partitions else district.blocks.geometry
        run = plan_zones_partitioned(
            case_list.located(),
            rule,
            as_of=day,
            district=district,
            shape=shape,
            partitions=polygons,
            runner=runner,
        )
    except ContainmentError as exc:
        raise _fail(str(exc)) from exc
    again = sum(1 for report in run.rounds if report.round > 1)
    done = _(
        "Computed on the cluster: {n} partitions, halo {halo} km",
        n=run.partitions,
        halo=number(run.halo_m / 1000, 1),
    )
    if again:
        done = _("{done}, {n} rounds again for zones wider than the halo", done=done, n=again)
    err.print(done + ".")
    return run.plan


@app.command()
def rules() -> None:
    """List the rule presets with their source."""
    for preset in PRESETS.values():
        out.print(f"[bold]{preset.name}[/]: {_(preset.title)}")
        out.print(f"    {_(preset.source)}", style="dim")


@app.command()
def synthetic(
    output: Annotated[Path, typer.Argument(help="CSV file to write")],
    cases: Annotated[int, typer.Option(help="Number of cases.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2020,
    without_coordinates: Annotated[
        float, typer.Option(help="Share of rows given only a village name.")
    ] = 0.1,
    district: DistrictOption = DEFAULT_DISTRICT,
) -> None:
    """Write a SYNTHETIC line list (day-first dates, like the district's) for demos and tests."""
    try:
        loaded = load_district(district)
        frame = synthetic_cases(loaded, cases, seed=seed)
    except ContainmentError as exc:
        raise _fail(str(exc)) from exc
    rng = np.random.default_rng(seed)
    lat = frame.geometry.y.round(6).astype(str).to_numpy()
    lon = frame.geometry.x.round(6).astype(str).to_numpy()
    # Only villages whose name is unique in their block can be placed without coordinates.
    habitations = loaded.habitations
    unique = ~habitations.duplicated(subset=["name", "block"], keep=False)
    placeable = set(zip(habitations["name"][unique], habitations["block"][unique], strict=True))
    can_blank = np.array(
        [(v, b) in placeable for v, b in zip(frame["village"], frame["block"], strict=True)]
    )
    blank = (rng.uniform(size=len(frame)) < without_coordinates) & can_blank
    lat[blank] = ""
    lon[blank] = ""
    table = pd.DataFrame(
        {
            "ICMR ID": frame["case_id"],
            "Date of Result": pd.to_datetime(frame["reported_on"]).dt.strftime("%d-%m-%Y"),
            "Village": frame["village"],
            "Block": frame["block"],
            "Latitude": lat,
            "Longitude": lon,
            "Status": frame["status"],
            SYNTHETIC_COLUMN: SYNTHETIC_MARK,  # so it can never be imported as real cases
        }
    )
    try:
        output.write_text(csv_text(table), encoding="utf-8")
    except OSError as error:
        raise _fail(
            _("Cannot write {file}: {reason}.", file=output, reason=error.strerror or error)
        ) from error
    out.print(
        n_(
            "Wrote {n} synthetic case to {file}.",
            "Wrote {n} synthetic cases to {file}.",
            len(table),
            file=output,
        )
    )


app.command("districts")(list_districts)
app.add_typer(cli_store.users_app, name="users")
app.add_typer(cli_store.db_app, name="db")
app.command("backup")(cli_store.backup)
app.command("restore")(cli_store.restore)
app.command("import")(cli_store.import_cases)
app.command("export")(cli_store.export)
app.command("audit")(cli_store.audit)
app.command("meeting-pack")(cli_papers.meeting_pack)
app.command("zone-papers")(cli_papers.zone_papers)
