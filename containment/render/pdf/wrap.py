"""A table cell's text broken into the lines that fit its column, measured in the PDF's font.

Lines break at new lines, at spaces (dropped at the break) and after a "/" (kept at the end of
the line), so an order number ("DM/COVID/SAG/0108/3") wraps between its parts rather than in
the middle of one. A word wider than the column breaks between letters, never inside a
Devanagari syllable: a vowel sign or other mark stays with its letter, and a virama with the
letter after it.

A text that would need more than ``most_lines`` lines is cut to them, its last line ending with
"…" (a name of thousands of characters); nothing shorter is ever cut.

The width of a piece of text is asked of ``measure`` (millimetres); the caller measures each
distinct piece once (names, blocks and dates repeat across thousands of rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["ELLIPSIS", "wrapped_lines"]

ELLIPSIS = " …"
_VIRAMA = "\u094d"
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
# A space run, or a word up to and including the "/" after it, or a word.
_PIECES = re.compile(r" +|[^ /]*/+|[^ /]+")
_SLACK_MM = 1e-6  # a piece exactly as wide as the column fits

Measure = Callable[[str], float]


def _clusters(word: str) -> list[str]:
    """``word`` in the pieces a line may break between: a letter with its marks, a consonant,
    its virama and the consonant it joins."""
    clusters: list[str] = []
    for char in word:
        joins = clusters and (
            unicodedata.category(char).startswith("M")
            or char in _JOINERS
            or clusters[-1].endswith(_VIRAMA)
            or clusters[-1][-1] in _JOINERS
        )
        if joins:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _broken(word: str, width_mm: float, measure: Measure) -> list[str]:
    """A word wider than the column, in pieces that each fit (a single letter always goes)."""
    pieces: list[str] = []
    piece = ""
    for cluster in _clusters(word):
        if piece and measure(piece + cluster) > width_mm + _SLACK_MM:
            pieces.append(piece)
            piece = cluster
        else:
            piece += cluster
    pieces.append(piece)
    return pieces


def _paragraph_lines(text: str, width_mm: float, measure: Measure, room: int) -> list[str]:
    """One paragraph's lines (``room`` of them at most: the caller stops there)."""
    lines: list[str] = []
    line, line_mm, space = "", 0.0, ""
    for piece in _PIECES.findall(text):
        if piece[0] == " ":
            space = piece
            continue
        piece_mm = measure(piece)
        space_mm = measure(space) if space else 0.0
        if line_mm + space_mm + piece_mm <= width_mm + _SLACK_MM:
            line, line_mm, space = line + space + piece, line_mm + space_mm + piece_mm, ""
            continue
        if line:
            lines.append(line)
            if len(lines) >= room:
                return lines
        space = ""
        parts = [piece] if piece_mm <= width_mm + _SLACK_MM else _broken(piece, width_mm, measure)
        for part in parts[:-1]:
            lines.append(part)
            if len(lines) >= room:
                return lines
        line = parts[-1]
        line_mm = piece_mm if len(parts) == 1 else measure(line)
    lines.append(line)
    return lines


def _ended(line: str, width_mm: float, measure: Measure) -> str:
    """The last line kept of a text cut short: as much of it as fits before "…"."""
    clusters = _clusters(line)
    while clusters and measure("".join(clusters).rstrip() + ELLIPSIS) > width_mm + _SLACK_MM:
        clusters.pop()
    return "".join(clusters).rstrip() + ELLIPSIS


def wrapped_lines(text: str, width_mm: float, measure: Measure, most_lines: int) -> list[str]:
    """``text`` as the lines it takes in ``width_mm`` (at least one, at most ``most_lines``).

    >>> wrapped_lines("DM/COVID/SAG/0108/3", 9.0, lambda s: len(s) * 1.0, 3)
    ['DM/COVID/', 'SAG/0108/', '3']
    >>> wrapped_lines("one two three four", 9.0, lambda s: len(s) * 1.0, 1)
    ['one two …']
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _paragraph_lines(paragraph, width_mm, measure, most_lines + 1 - len(lines))
        if len(lines) > most_lines:
            kept = lines[:most_lines]
            return [*kept[:-1], _ended(kept[-1], width_mm, measure)]
    return lines
