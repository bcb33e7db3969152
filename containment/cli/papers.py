"""The printable papers from the command line, for a morning job: the meeting pack, and the
public list, order annexures and zone sheets of the zones in force — made as a user (the
password from ``CONTAINMENT_PASSWORD`` or asked), through the same role checks as the app, in
their language or ``--lang``, and recorded in the audit trail as exports.

    containment meeting-pack --user meena --as-of 2020-05-31 --lang hi -o pack.pdf
    containment zone-papers sheets --user thana --lang hi -o sheets.pdf
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from containment import i18n
from containment.cli.districts import DistrictOption
from containment.cli.store import (
    DatabaseOption,
    UserOption,
    _fail,
    _reported,
    _workspace,
    as_of_day,
    err,
    out,
)
from containment.errors import ExportError
from containment.field.orders import ZoneOrder, zone_orders
from containment.i18n import _, date_text, n_
from containment.io.district import DEFAULT_DISTRICT, load_district
from containment.render.charts import meeting_charts
from containment.render.pdf.meeting_pack import meeting_pack_pdf
from containment.render.pdf.orders import annexures_pdf, public_list_pdf
from containment.render.pdf.sheets import zone_sheets_pdf
from containment.service import Workspace

__all__ = ["Paper", "meeting_pack", "write_pdf", "zone_papers"]

AsOfOption = Annotated[
    dt.datetime | None,
    typer.Option(
        formats=["%Y-%m-%d"],
        help="The day, YYYY-MM-DD. Default: today (in India). Police see today only.",
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option("--lang", help="hi or en. Default: the language the user chose in the app."),
]
OutputOption = Annotated[Path, typer.Option("-o", "--output", help="The PDF file to write.")]


def write_pdf(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a file half written is never left)."""
    folder = path.parent
    try:
        handle, partial = tempfile.mkstemp(prefix=".partial-", suffix=".pdf", dir=folder)
    except OSError as error:
        msg = _(
            "Cannot write {file}: the folder {folder} cannot be written to ({reason}). Choose "
            "another folder.",
            file=path,
            folder=folder,
            reason=error.strerror or error,
        )
        raise ExportError(msg) from error
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except OSError as error:
        Path(partial).unlink(missing_ok=True)
        msg = _(
            "Cannot write {file}: {reason}. Choose another file or folder.",
            file=path,
            reason=error.strerror or error,
        )
        raise ExportError(msg) from error
    return path


def _check_output(path: Path) -> None:
    """Refuse, before any work, an output that cannot be the PDF asked for."""
    if path.suffix.lower() != ".pdf":
        raise _fail(
            _(
                "This paper is a PDF: end the file name with .pdf (e.g. {example}).",
                example=path.stem + ".pdf",
            )
        )
    if path.is_dir():
        raise _fail(
            _("Cannot write {file}: it is a folder. Give a file name ending in .pdf.", file=path)
        )
    if not path.parent.is_dir():
        raise _fail(
            _(
                "Cannot write {file}: the folder {folder} does not exist.",
                file=path,
                folder=path.parent,
            )
        )


def _language(ws: Workspace, code: str | None) -> str:
    chosen = code or ws.user.language
    if chosen not in i18n.LANGUAGES:
        raise _fail(
            _(
                "No language {language}: choose one of {languages}.",
                language=repr(chosen),
                languages=", ".join(i18n.LANGUAGES),
            )
        )
    return chosen


def meeting_pack(
    user: UserOption,
    output: OutputOption,
    as_of: AsOfOption = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Changes since this day. Default: 7 days before."),
    ] = None,
    lang: LanguageOption = None,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
) -> None:
    """Write the collector's meeting pack (PDF, A4 landscape) as of a day; audited as an export.

    Planners and the collector may make it (it counts cases); police may not.
    """
    _check_output(output)
    ws = _workspace(district, database, user)
    day = as_of_day(ws, as_of)
    start = since.date() if since else day - dt.timedelta(days=7)
    with _reported(), i18n.language(_language(ws, lang)):
        loaded = load_district(district)
        cases = ws.cases()
        zones = ws.described_zones(loaded, as_of=day)
        synthetic = ws.synthetic_cases() > 0
        pdf = meeting_pack_pdf(
            loaded,
            zones,
            cases,
            ws.centres(),
            as_of=day,
            since=start,
            synthetic=synthetic,
            charts=meeting_charts(ws.trends(loaded, as_of=day)),
        )
        written = write_pdf(output, pdf)
        ws.record_export("meeting pack (command line)", written.name, len(zones))
    out.print(_("Wrote the meeting pack as of {day} to {file}.", day=date_text(day), file=written))
    if synthetic:
        err.print(_("warning: the store holds the SYNTHETIC sample; every page says so."))


class Paper(StrEnum):
    """The papers of the zones in force."""

    PUBLIC_LIST = "public-list"
    ANNEXURES = "annexures"
    SHEETS = "sheets"


def _chosen(orders: list[ZoneOrder], zone: str | None) -> list[ZoneOrder]:
    if zone is None:
        return orders
    wanted = zone.strip().casefold()
    found = [o for o in orders if wanted in (o.zone_id.casefold(), o.name.casefold())]
    if not found:
        known = "; ".join(o.name for o in orders) or _("none")
        raise _fail(
            _(
                "No zone in force is named or numbered {zone}. Zones in force: {known}.",
                zone=repr(zone),
                known=known,
            )
        )
    return found


def zone_papers(
    paper: Annotated[Paper, typer.Argument(help="public-list, annexures or sheets.")],
    user: UserOption,
    output: OutputOption,
    zone: Annotated[
        str | None, typer.Option(help="Only this zone (its name or id). Default: every zone.")
    ] = None,
    as_of: AsOfOption = None,
    lang: LanguageOption = None,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
) -> None:
    """Write the public list, order annexures or zone sheets (PDF) of the zones in force.

    Audited as an export. The police may make them: no case data is on them.
    """
    _check_output(output)
    ws = _workspace(district, database, user)
    day = as_of_day(ws, as_of)
    with _reported(), i18n.language(_language(ws, lang)):
        loaded = load_district(district)
        zones = ws.described_zones(loaded, as_of=day)
        orders = _chosen(zone_orders(zones, ws.checkpoints(), ws.centres(), loaded), zone)
        synthetic = ws.synthetic_cases() > 0
        makers: dict[Paper, Callable[[], bytes]] = {
            Paper.PUBLIC_LIST: lambda: public_list_pdf(
                orders, district=loaded.name, as_of=day, synthetic=synthetic
            ),
            Paper.ANNEXURES: lambda: annexures_pdf(
                orders, district=loaded.name, as_of=day, synthetic=synthetic
            ),
            Paper.SHEETS: lambda: zone_sheets_pdf(orders, loaded, as_of=day, synthetic=synthetic),
        }
        written = write_pdf(output, makers[paper]())
        ws.record_export(f"{paper.value} (command line)", written.name, len(orders))
    out.print(
        n_(
            "Wrote the {paper} of {n} zone in force on {day} to {file}.",
            "Wrote the {paper} of {n} zones in force on {day} to {file}.",
            len(orders),
            paper=paper.value,
            day=date_text(day),
            file=written,
        )
    )
    if synthetic:
        err.print(_("warning: the store holds the SYNTHETIC sample; every page says so."))
