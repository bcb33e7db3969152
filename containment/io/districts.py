"""The shipped districts: every folder under ``geodata/`` that holds a ``district.toml``.

A district is found by its folder name (its *slug*, e.g. ``sri_ganganagar``), its proper name
(``Sri Ganganagar``) or another spelling its manifest lists under ``aliases`` (``Ganganagar``),
case-insensitive, with spaces, hyphens and underscores alike. The slug also names the district's
store (``data/<slug>.sqlite``, PostGIS schema ``district_<slug>``). Nothing here reads a layer's
geometry: listing thirty districts takes a moment, not a load of each.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio

from containment.errors import DistrictError

__all__ = [
    "MANIFEST_NAME",
    "DistrictEntry",
    "DistrictSummary",
    "district_summary",
    "districts",
    "find_district",
    "geodata_root",
]

MANIFEST_NAME = "district.toml"
_SLUG = re.compile(r"[a-z0-9_]+")


def geodata_root() -> Path:
    """The folder holding district folders: ``$CONTAINMENT_GEODATA`` or the shipped ``geodata/``."""
    override = os.environ.get("CONTAINMENT_GEODATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "geodata"


def _key(text: str) -> str:
    """``Sri-Ganganagar``, ``sri ganganagar`` and ``SRI_GANGANAGAR`` are one district."""
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


@dataclass(frozen=True)
class DistrictEntry:
    """A shipped district as its manifest names it; the folder is ``geodata/<slug>``."""

    slug: str
    name: str
    state: str
    folder: Path
    aliases: tuple[str, ...] = ()
    name_hi: str = ""  # the name in Devanagari ("" when the manifest gives none)

    def matches(self, text: str) -> bool:
        key = _key(text)
        names = {self.slug, self.name, self.name_hi, *self.aliases} - {""}
        return key in {_key(n) for n in names}

    def shown_name(self, language: str) -> str:
        """The name as a reader of ``language`` looks for it: in Hindi, the Devanagari name
        with the English one after it (the one the data and papers use).

        >>> from dataclasses import replace
        >>> entry = DistrictEntry("dungarpur", "Dungarpur", "Rajasthan", Path("."))
        >>> replace(entry, name_hi="डूंगरपुर").shown_name("hi")
        'डूंगरपुर (Dungarpur)'
        """
        if language == "hi" and self.name_hi:
            return f"{self.name_hi} ({self.name})"
        return self.name


def read_manifest_file(manifest: Path) -> dict[str, Any]:
    """A ``district.toml`` as a dict; a file that is not TOML is named with what is wrong."""
    try:
        with manifest.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{manifest}: not valid TOML ({exc}). Fix the manifest and reload."
        raise DistrictError(msg) from exc


def _entry(folder: Path) -> DistrictEntry:
    manifest = folder / MANIFEST_NAME
    data = read_manifest_file(manifest)
    if "name" not in data:
        msg = f"{manifest}: missing required key 'name'."
        raise DistrictError(msg)
    aliases = data.get("aliases", [])
    name_hi = data.get("name_hi", "")
    if not isinstance(name_hi, str):
        msg = f"{manifest}: name_hi must be the district's name in Devanagari, got {name_hi!r}."
        raise DistrictError(msg)
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        msg = f"{manifest}: aliases must be a list of names, got {aliases!r}."
        raise DistrictError(msg)
    return DistrictEntry(
        slug=folder.name,
        name=str(data["name"]),
        state=str(data.get("state", "")),
        folder=folder,
        aliases=tuple(aliases),
        name_hi=name_hi,
    )


def districts(root: Path | None = None) -> list[DistrictEntry]:
    """The districts under ``root`` (default :func:`geodata_root`), by name.

    Only folders whose name is a slug (lowercase ASCII letters, digits, ``_``) count: the
    slug names the district's store, so it must be safe as a file and schema name.

    Examples
    --------
    >>> [d.slug for d in districts() if d.name == "Sri Ganganagar"]
    ['sri_ganganagar']
    """
    base = geodata_root() if root is None else root
    found = [
        _entry(manifest.parent)
        for manifest in sorted(base.glob(f"*/{MANIFEST_NAME}"))
        if _SLUG.fullmatch(manifest.parent.name)
    ]
    return sorted(found, key=lambda d: (d.name.lower(), d.slug))


def find_district(name: str, root: Path | None = None) -> DistrictEntry:
    """The district called ``name`` (slug, name or alias; case, spaces and ``_`` ignored).

    Raises
    ------
    DistrictError
        For a name no shipped district has; the message lists the known ones.

    Examples
    --------
    >>> find_district("SAWAI MADHOPUR").slug, find_district("dhaulpur").name
    ('sawai_madhopur', 'Dholpur')
    """
    known = districts(root)
    for entry in known:
        if entry.matches(name):
            return entry
    where = geodata_root() if root is None else root
    listed = ", ".join(f"{d.name} ({d.slug})" for d in known) or "none"
    msg = (
        f"No district {name!r} in {where}. Known districts: {listed}. "
        "`containment districts` lists them."
    )
    raise DistrictError(msg)


@dataclass(frozen=True)
class DistrictSummary:
    """How much a district holds, read from its files without their geometry."""

    entry: DistrictEntry
    blocks: int
    habitations: int
    units: int
    people: int


def _count(folder: Path, spec: dict[str, Any], layer: str) -> int:
    path = folder / str(spec.get("file", ""))
    try:
        return int(pyogrio.read_info(path)["features"])
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{path}: cannot be read as the {layer} layer ({exc})."
        raise DistrictError(msg) from exc


def district_summary(entry: DistrictEntry) -> DistrictSummary:
    """Blocks, habitations and units of a district, and the people its units hold."""
    manifest = entry.folder / MANIFEST_NAME
    layers = read_manifest_file(manifest).get("layers", {})
    missing = [k for k in ("blocks", "habitations", "units") if k not in layers]
    if missing:
        msg = f"{manifest}: missing layer [layers.{missing[0]}]."
        raise DistrictError(msg)
    units = layers["units"]
    path = entry.folder / str(units.get("file", ""))
    field = str(units.get("population_field", "population"))
    try:
        table = pyogrio.read_dataframe(path, columns=[field], read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{path}: cannot be read as the units layer ({exc})."
        raise DistrictError(msg) from exc
    if field not in table:
        msg = f"{path}: no field {field!r} (named by 'population_field')."
        raise DistrictError(msg)
    people = pd.to_numeric(table[field], errors="coerce").fillna(0).sum()
    return DistrictSummary(
        entry=entry,
        blocks=_count(entry.folder, layers["blocks"], "blocks"),
        habitations=_count(entry.folder, layers["habitations"], "habitations"),
        units=len(table),
        people=round(float(people)),
    )
