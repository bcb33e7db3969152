"""Placing a case at its village when the line list has no coordinates.

Names are compared by a spelling key that forgives the usual transliteration variants of
Hindi place names (Bichhiwara / Bichiwara, Leemri / Limri, Nawa / Nava): lower case, letters
only, doubled letters collapsed, aspirated ``h`` dropped, long vowels shortened. Within the
block when one is given. A name that matches no habitation, or several different ones, is
reported; nothing is guessed silently.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from containment.i18n import _, number

__all__ = ["PlaceIndex", "PlaceMatch", "spelling_key"]

_REWRITES = (
    (re.compile(r"ee|ii"), "i"),  # long vowels: Leemri -> Limri
    (re.compile(r"oo|uu"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Bichhiwara -> Bichiwara
    (re.compile(r"w"), "v"),
    (re.compile(r"([bcdgjkpt])h"), r"\1"),  # aspirated consonants: bh, chh, dh, kh, ph, th
    (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled again after the rewrites
    (re.compile(r"a$"), ""),  # final schwa: Dungarpur(a)
)
_SIMILAR_ENOUGH = 0.88


def spelling_key(name: str) -> str:
    """A key equal for the usual spelling variants of one place name.

    Examples
    --------
    >>> spelling_key("Bichhiwara") == spelling_key("Bichiwara")
    True
    >>> spelling_key("Leemri") == spelling_key("Limri")
    True
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    for pattern, replacement in _REWRITES:
        key = pattern.sub(replacement, key)
    return key


@dataclass(frozen=True)
class PlaceMatch:
    """Where a village name was placed, or why it could not be."""

    index: int | None
    reason: str = ""
    note: str = ""


class PlaceIndex:
    """Habitation names of a district, ready for matching."""

    def __init__(self, habitations: gpd.GeoDataFrame) -> None:
        self._names = habitations["name"].astype(str).to_numpy()
        self._blocks = np.array([spelling_key(b) for b in habitations["block"].astype(str)])
        self._keys = np.array([spelling_key(n) for n in self._names])
        self._block_names = {spelling_key(b): b for b in habitations["block"].astype(str)}

    def match(self, village: str, block: str | None = None) -> PlaceMatch:
        """The habitation (row position) that ``village`` names, within ``block`` if given."""
        key = spelling_key(village)
        if not key:
            return PlaceMatch(None, _("village {village} has no letters", village=repr(village)))
        candidates = np.arange(len(self._keys))
        within: str | None = None  # the block searched, or None: the whole district
        note = ""
        if block:
            block_key = spelling_key(block)
            if block_key in self._block_names:
                candidates = candidates[self._blocks == block_key]
                within = self._block_names[block_key]
            else:
                note = _(
                    "block {block} is not one of {known}; matched by village name alone",
                    block=repr(block),
                    known=", ".join(sorted(self._block_names.values())),
                )
        exact = candidates[self._keys[candidates] == key]
        if len(exact) == 1:
            return PlaceMatch(int(exact[0]), note=note)
        if len(exact) > 1:
            return PlaceMatch(None, self._ambiguous(village, exact, within))
        close = difflib.get_close_matches(
            key, list(dict.fromkeys(self._keys[candidates])), n=3, cutoff=_SIMILAR_ENOUGH
        )
        if len(close) == 1:
            found = candidates[self._keys[candidates] == close[0]]
            if len(found) == 1:
                spelled = _(
                    "village {village} taken as {name}",
                    village=repr(village),
                    name=repr(self._names[found[0]]),
                )
                return PlaceMatch(int(found[0]), note="; ".join(filter(None, [spelled, note])))
            return PlaceMatch(None, self._ambiguous(village, found, within))
        if len(close) > 1:
            names = " / ".join(
                self._names[candidates[self._keys[candidates] == c][0]] for c in close
            )
            if within is None:
                reason = _(
                    "village {village} in the district could be {names}; give coordinates or "
                    "correct the name",
                    village=repr(village),
                    names=names,
                )
            else:
                reason = _(
                    "village {village} in block {block} could be {names}; give coordinates or "
                    "correct the name",
                    village=repr(village),
                    block=within,
                    names=names,
                )
            return PlaceMatch(None, reason)
        if within is None:
            reason = _(
                "village {village} not found in the district; give coordinates or correct the name",
                village=repr(village),
            )
        else:
            reason = _(
                "village {village} not found in block {block}; give coordinates or correct the "
                "name",
                village=repr(village),
                block=within,
            )
        return PlaceMatch(None, reason)

    def _ambiguous(self, village: str, found: np.ndarray, within: str | None) -> str:
        if within is not None:
            return _(
                "village {village} matches {n} habitations in block {block}; give coordinates "
                "to place it",
                village=repr(village),
                n=number(len(found)),
                block=within,
            )
        blocks = sorted({str(b) for b in self._blocks_of(found)})
        if len(blocks) > 1:
            return _(
                "village {village} matches {n} habitations in the district (in blocks "
                "{blocks}): add the block; give coordinates to place it",
                village=repr(village),
                n=number(len(found)),
                blocks=", ".join(blocks),
            )
        return _(
            "village {village} matches {n} habitations in the district; give coordinates to "
            "place it",
            village=repr(village),
            n=number(len(found)),
        )

    def _blocks_of(self, found: np.ndarray) -> list[str]:
        return [self._block_names[k] for k in self._blocks[found]]
