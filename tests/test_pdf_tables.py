"""Tables on the PDF papers: every cell's text on the page, Latin drawn as its own letters and
Devanagari shaped, rows whole on a page with the headings on top of each, numbers aligned
right; and how a cell's text breaks into lines."""

from __future__ import annotations

import io
import unicodedata

import pdfplumber
import pytest

from containment.render.pdf.document import Masthead, make_pdf, needs_shaping
from containment.render.pdf.tables import Column, draw_table
from containment.render.pdf.wrap import ELLIPSIS, wrapped_lines
from tests.pdfs import AS_OF, Pdf, glyph_lines

VILLAGES = ["Aspur", "Bhodan ka Wela", "Garaharengji", "Pindawal", "Café Sagwara", "Thakarda"]
COLUMNS = [Column("No.", 0.4, True), Column("Village", 2.0), Column("People (est.)", 1.0, True)]
ROWS = [[str(n), f"{VILLAGES[n % 6]} {n}", f"{n * 137:,}"] for n in range(1, 151)]


def _letters(text: str) -> int:
    return len(text)


@pytest.fixture(scope="module")
def latin_table() -> bytes:
    return make_pdf(
        Masthead("Dungarpur", "Villages", AS_OF, landscape=False),
        lambda doc: draw_table(doc, COLUMNS, ROWS),
    )


def test_a_latin_table_has_every_row_on_a_line_of_its_own_in_order(latin_table):
    read = Pdf.of(latin_table)
    lines = [line for n in range(read.pages) for line in read.page_text(n).splitlines()]
    rows = [" ".join(row) for row in ROWS]
    found = [line for line in lines if line in rows]
    assert found == rows
    assert read.pages > 1
    for n in range(read.pages):  # the headings on top of every page the table runs onto
        assert "No. Village People (est.)" in read.page_text(n).splitlines()


def test_a_latin_table_draws_each_letter_as_a_glyph_of_its_own(latin_table):
    lines = glyph_lines(latin_table)
    for row in ROWS[:20]:
        assert tuple("".join(row)) in lines  # no space is drawn between cells


def test_every_page_a_table_runs_onto_has_the_same_masthead_as_the_first():
    masthead = Masthead("Dungarpur", "कंटेनमेंट सूची", AS_OF, landscape=False)
    data = make_pdf(masthead, lambda doc: draw_table(doc, COLUMNS, ROWS))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        heads = [
            [(c["text"], round(float(c["x0"]), 2)) for c in page.chars if c["top"] < 40]
            for page in pdf.pages
        ]  # the top 14 mm: the masthead, shaped, where it is on the first page
    assert len(heads) > 1
    assert heads[0]
    assert all(head == heads[0] for head in heads[1:])


def test_numbers_are_aligned_right_in_their_column(latin_table):
    with pdfplumber.open(io.BytesIO(latin_table)) as pdf:
        words = pdf.pages[0].extract_words()
    people = {row[2] for row in ROWS}
    numbers = {w["text"]: w["x1"] for w in words if w["text"] in people}
    assert len(numbers) > 20
    assert max(numbers.values()) - min(numbers.values()) < 0.5  # points


def test_devanagari_needs_shaping_latin_does_not():
    assert not needs_shaping("Bhodan ka Wela, Café Sagwara – DM/COVID/SAG/0108/3 · ₹ 1,200 …")
    assert needs_shaping("वार्ड 7 सूक्ष्म ज़ोन 12")
    assert needs_shaping("Ward 7 ज़ोन")  # one Devanagari word is enough
    assert needs_shaping(unicodedata.normalize("NFD", "Café"))  # a combining accent


# --- breaking a cell's text into lines (widths in letters here: one letter, one mm) --------


def test_text_that_fits_is_one_line():
    assert wrapped_lines("Aspur, Gol", 20, _letters, 3) == ["Aspur, Gol"]
    assert wrapped_lines("", 20, _letters, 3) == [""]


def test_lines_break_at_spaces_and_new_lines():
    assert wrapped_lines("Bhodan ka Wela, Pindawal", 15, _letters, 5) == [
        "Bhodan ka Wela,",
        "Pindawal",
    ]
    assert wrapped_lines("Aspur\nSagwara", 20, _letters, 5) == ["Aspur", "Sagwara"]


def test_an_order_number_breaks_after_a_slash_not_inside_a_part():
    lines = wrapped_lines("DM/COVID/SAG/0108/3\n01-08-2020", 14, _letters, 5)
    assert lines == ["DM/COVID/SAG/", "0108/3", "01-08-2020"]


def test_an_order_number_that_fits_a_line_of_its_own_moves_there_whole():
    lines = wrapped_lines("Varda (order DM/COVID/2020/14)", 20, _letters, 5)
    assert lines == ["Varda (order", "DM/COVID/2020/14)"]


def test_a_word_wider_than_the_column_breaks_between_letters():
    assert wrapped_lines("Garaharengji", 5, _letters, 5) == ["Garah", "areng", "ji"]
    assert wrapped_lines("Gol Garaharengji", 7, _letters, 5) == ["Gol Gar", "ahareng", "ji"]


def test_a_long_order_number_begins_on_the_line_before_it_if_its_first_part_fits():
    lines = wrapped_lines("Sagwara DM/COVID/SAG/0108/3", 14, _letters, 5)
    assert lines == ["Sagwara DM/", "COVID/SAG/", "0108/3"]


def test_a_long_devanagari_word_never_breaks_inside_a_syllable():
    word = "सूक्ष्मक्षेत्र" * 3
    lines = wrapped_lines(word, 4, _letters, 50)
    assert "".join(lines) == word
    for line in lines:
        assert not unicodedata.category(line[0]).startswith("M")  # no mark starts a line
        assert not line.endswith("\u094d")  # no virama ends one: its conjunct stays whole


def test_text_longer_than_the_most_lines_is_cut_with_an_ellipsis_that_fits():
    lines = wrapped_lines("सेक्टर 7 " * 100, 12, _letters, 4)
    assert len(lines) == 4
    assert lines[-1].endswith(ELLIPSIS)
    assert all(len(line) <= 12 for line in lines)
    assert wrapped_lines("one two three", 7, _letters, 2) == ["one two", "three"]  # not cut
