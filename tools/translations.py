#!/usr/bin/env python
"""Keep the Hindi catalog in step with the code: ``make translations`` (or run this file).

    python tools/translations.py            # add new messages (empty), drop ones the code lost
    python tools/translations.py --check    # list messages without a translation; exit 1 if any

Messages are what the code marks with ``_()``, ``n_()`` or ``N_()`` (Python) and ``_()`` or
``ngettext()`` (the printable pages' Jinja2 templates), found with Babel's extractor. The catalog
``containment/locales/hi.po`` keeps its header and comments; entries are sorted, with no source
locations or dates, so two people adding messages seldom touch the same lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "containment" / "locales" / "hi.po"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "gettext": None, "ngettext": (1, 2)}
SOURCES = (
    ("containment", [("**/templates/**.j2", "jinja2"), ("**.py", "python")]),
    ("ui", [("**.py", "python")]),
    (".", [("app.py", "python")]),
)
OPTIONS = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}


def messages_in_code() -> dict[str | tuple[str, str], str]:
    """Each message the code marks (a pair for a counted one) and the first place it is marked."""
    found: dict[str | tuple[str, str], str] = {}
    for folder, method_map in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, OPTIONS, keywords=KEYWORDS
        ):
            key = tuple(message[:2]) if isinstance(message, tuple) else message
            if key and all(key):
                found.setdefault(key, f"{Path(folder, filename)}:{line}")  # type: ignore[arg-type]
    return found


def read_catalog() -> Catalog:
    with CATALOG.open("rb") as po:
        return read_po(po, locale="hi")


def update() -> list[str]:
    """Bring the catalog in step with the code; returns the messages still to translate."""
    old = read_catalog()
    text = CATALOG.read_text(encoding="utf-8")  # the header (comments, plural forms) stays as is
    header = text[: text.index("\n\n", text.index('msgid ""')) + 2]
    new = Catalog(locale="hi", header_comment="", fuzzy=False)
    new.mime_headers = old.mime_headers
    for key in sorted(messages_in_code(), key=lambda k: k if isinstance(k, str) else k[0]):
        kept = old.get(key if isinstance(key, str) else key[0])
        string = (
            kept.string
            if kept is not None and not kept.fuzzy
            else ("", "")
            if isinstance(key, tuple)
            else ""
        )
        new.add(key, string, flags=["python-brace-format"] if "{" in str(key) else [])
    with CATALOG.open("wb") as po:
        po.write(header.encode())
        write_po(po, new, width=100, no_location=True, omit_header=True, sort_output=True)
    return untranslated()


def untranslated() -> list[str]:
    catalog = read_catalog()
    return [
        f"{where}: {key!r}"
        for key, where in messages_in_code().items()
        if (found := catalog.get(key if isinstance(key, str) else key[0])) is None
        or found.fuzzy
        or not all(found.string if isinstance(found.string, tuple) else (found.string,))
    ]


if __name__ == "__main__":
    missing = untranslated() if "--check" in sys.argv else update()
    print(
        f"{len(missing)} messages to translate in {CATALOG.relative_to(ROOT)}", *missing, sep="\n"
    )
    sys.exit(1 if missing and "--check" in sys.argv else 0)
