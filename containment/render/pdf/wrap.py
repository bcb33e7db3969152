"""A table cell's text broken into the lines that fit its column, measured in the PDF's font.

Lines break at new lines and at spaces (dropped at the break). A word wider than the column
breaks after a "/" (kept at the end of the line), so a long order number
("DM/COVID/SAG/0108/3") wraps between its parts rather than in the middle of one, its first
part on the line before it if it fits there; a word that fits on a line of its own moves there
whole. A part still too wide breaks between letters,
never inside a Devanagari syllable: a vowel sign or other mark stays with its letter, and a
virama with the letter after it.

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
_WORDS = re.compile(r" +|[^ ]+")  # a run of spaces, or a word
_SLASHED = re.compile(r"[^/]*/+|[^/]+")  # a word's parts, each with the "/" after it
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


def _broken(word: str, lead: str, width_mm: float, measure: Measure, most: int) -> list[str]:
    """A word wider than the column, in lines that each fit, the first going on after ``lead``
    (the line so far and its space) if a part of the word fits there: it breaks after a "/"
    where it has one, else between letters (a letter wider than the column still goes, alone).
    ``most`` lines at most: the caller stops there."""
    atoms: list[str] = []
    for unit in _SLASHED.findall(word):
        atoms += [unit] if measure(unit) <= width_mm + _SLACK_MM else _clusters(unit)
    lines: list[str] = []
    line = lead
    for atom in atoms:
        if line and measure(line + atom) > width_mm + _SLACK_MM:
            lines.append(line.rstrip(" "))
            if len(lines) >= most:
                return lines
            line = atom
        else:
            line += atom
    lines.append(line)
    return lines


def _paragraph_lines(text: str, width_mm: float, measure: Measure, room: int) -> list[str]:
    """One paragraph's lines (``room`` of them at most: the caller stops there)."""
    lines: list[str] = []
    line, line_mm, space = "", 0.0, ""
    for word in _WORDS.findall(text):
        if word[0] == " ":
            space = word
            continue
        word_mm = measure(word)
        space_mm = measure(space) if space else 0.0
        if line_mm + space_mm + word_mm <= width_mm + _SLACK_MM:
            line, line_mm, space = line + space + word, line_mm + space_mm + word_mm, ""
            continue
        if word_mm <= width_mm + _SLACK_MM:  # the word moves to a line of its own, whole
            if line:
                lines.append(line)
                if len(lines) >= room:
                    return lines
            line, line_mm, space = word, word_mm, ""
            continue
        broken = _broken(word, line + space if line else "", width_mm, measure, room - len(lines))
        lines += broken[:-1]
        if len(lines) >= room:
            return lines
        line, line_mm, space = broken[-1], measure(broken[-1]), ""
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
