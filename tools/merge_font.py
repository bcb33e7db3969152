#!/usr/bin/env python
"""Merge web-font subsets (WOFF) of one face into one TrueType file for the PDF pack and charts.

    python tools/merge_font.py OUT.ttf latin.woff latin-ext.woff devanagari.woff

Fontsource splits Noto Sans Devanagari by script; fpdf2 and matplotlib want one font file that
holds every glyph a page may need, with its shaping tables (GSUB, GPOS) for Devanagari.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from fontTools.merge import Merger
from fontTools.ttLib import TTFont


def main(out: str, *subsets: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        plain = []
        for i, subset in enumerate(subsets):
            font = TTFont(subset, recalcTimestamp=False)
            font.flavor = None  # WOFF -> plain TrueType
            path = Path(work) / f"{i}.ttf"
            font.save(path)
            plain.append(str(path))
        merged = Merger().merge(plain)
        # The same subsets give the same bytes: the first subset's date, not the time of merging.
        first = TTFont(subsets[0])["head"]
        merged["head"].created, merged["head"].modified = first.created, first.modified
        merged.recalcTimestamp = False
        merged.save(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
