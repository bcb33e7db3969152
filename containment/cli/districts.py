"""Choosing a district on the command line: the ``--district`` option every command that loads a
district or opens its store takes, and ``containment districts``, which lists them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from containment.errors import ContainmentError
from containment.io.districts import district_summary, districts

__all__ = ["DISTRICT_VARIABLE", "DistrictOption", "list_districts"]

# The same variable picks the app's district (ui/state.py).
DISTRICT_VARIABLE = "CONTAINMENT_DISTRICT"

DistrictOption = Annotated[
    str,
    typer.Option(
        "--district",
        envvar=DISTRICT_VARIABLE,
        help="The district: its name or slug (see `containment districts`), or a path to a "
        "district folder. Its store is data/<slug>.sqlite, or schema district_<slug>.",
    ),
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def list_districts() -> None:
    """The shipped districts: name, slug, blocks, habitations, ground units, people in them.

    People are the units' population: rural habitations, and town cells where a Census table
    was at hand (Dungarpur); each district's caveats say which.
    """
    try:
        summaries = [district_summary(entry) for entry in districts()]
    except ContainmentError as error:
        err.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(code=2) from error
    width = max([len("name"), *(len(s.entry.name) for s in summaries)])
    slug_width = max([len("slug"), *(len(s.entry.slug) for s in summaries)])
    out.print(
        f"{'name':<{width}}  {'slug':<{slug_width}}  {'blocks':>6}  {'habitations':>11}  "
        f"{'units':>6}  {'people':>10}"
    )
    for s in summaries:
        out.print(
            f"{s.entry.name:<{width}}  {s.entry.slug:<{slug_width}}  {s.blocks:>6,}  "
            f"{s.habitations:>11,}  {s.units:>6,}  {s.people:>10,}"
        )
    out.print(
        f"{len(summaries)} districts: {sum(s.blocks for s in summaries):,} blocks, "
        f"{sum(s.habitations for s in summaries):,} habitations, "
        f"{sum(s.units for s in summaries):,} units, {sum(s.people for s in summaries):,} people."
    )
