"""Every text a user reads has its Hindi translation, in the one catalog a translator edits."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path

import pytest

from containment import i18n

_spec = importlib.util.spec_from_file_location(
    "translations", Path(__file__).resolve().parent.parent / "tools" / "translations.py"
)
assert _spec is not None
assert _spec.loader is not None
translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translations)


def entries() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(English forms, Hindi forms) of each message in the catalog."""
    out = []
    for message in translations.read_catalog():
        if message.id:
            english = message.id if isinstance(message.id, tuple) else (message.id,)
            hindi = message.string if isinstance(message.string, tuple) else (message.string,)
            out.append((tuple(english), tuple(hindi)))
    return out


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_in_the_code_has_a_hindi_translation() -> None:
    missing = translations.untranslated()
    assert not missing, (
        f"{len(missing)} messages have no Hindi translation in containment/locales/hi.po "
        "(run `make translations`, then translate them):\n" + "\n".join(missing[:50])
    )


def test_translations_keep_every_placeholder() -> None:
    wrong = [
        f"{english[0]!r} -> {text!r}"
        for english, hindi in entries()
        for text in hindi
        if text and placeholders(text) != set().union(*map(placeholders, english))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_catalog_holds_no_message_the_code_no_longer_shows() -> None:
    in_code = {k if isinstance(k, str) else k[0] for k in translations.messages_in_code()}
    stale = sorted(english[0] for english, _hindi in entries() if english[0] not in in_code)
    assert not stale, f"no longer in the code (run `make translations`): {stale[:20]}"


def test_a_translation_is_not_the_english_copied() -> None:
    copied = [
        english[0]
        for english, hindi in entries()
        if any(text in english for text in hindi)
        and re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", english[0]))  # words, not {names}
    ]
    assert not copied, f"copied, not translated: {copied[:20]}"


def test_a_message_is_shown_in_the_language_chosen() -> None:
    with i18n.language("hi"):
        assert i18n._("Zones in force") == "लागू ज़ोन"
        with i18n.language("en"):
            assert i18n._("Zones in force") == "Zones in force"
        assert i18n._("Log out") == "लॉग आउट"
    assert i18n.current_language() == i18n.DEFAULT_LANGUAGE


def test_an_unknown_language_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="choose one of en, hi"):
        i18n.set_language("xx")
