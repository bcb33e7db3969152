"""The PDF papers, read back as a reader would: the meeting pack (A4 landscape, numbered pages,
fonts embedded, only the zones in force in its zone table), the public list, the order
annexures (every village and town cell, however many) and a sheet per zone — in Hindi and
English, with no case data on any of them."""

from __future__ import annotations

import dataclasses
import io
import math
import re

import pdfplumber
import pytest
from PIL import Image

from containment import i18n
from containment.field.orders import zone_orders
from containment.i18n import _
from containment.render.pdf.document import Masthead, make_pdf
from containment.render.pdf.meeting_pack import meeting_pack_pdf
from containment.render.pdf.orders import annexures_pdf, public_list_pdf
from containment.render.pdf.sheets import zone_sheets_pdf
from tests.pdfs import (
    A4_LANDSCAPE_PT,
    A4_PORTRAIT_PT,
    AS_OF,
    HINDI_NAME,
    Pdf,
    glyph_lines,
    has_run,
    make_situation,
    squeezed,
)

SINCE = AS_OF.replace(day=24)
ATTACK = '<img src=x onerror="alert(1)"> $\\frac{1}{0}$ {name} %s'
LONG_ORDER = "DM/COVID/SAGWARA BLOCK/CONTAINMENT/0608/2020/SERIAL 00000123"


@pytest.fixture(scope="module")
def situation(tmp_path_factory, dungarpur):
    return make_situation(tmp_path_factory.mktemp("papers") / "dungarpur.sqlite", dungarpur)


def _pack(situation, dungarpur, language: str, **options) -> Pdf:
    ws = situation.collector
    with i18n.language(language):
        return Pdf.of(
            meeting_pack_pdf(
                dungarpur, ws.described_zones(dungarpur, as_of=AS_OF), ws.cases(), ws.centres(),
                as_of=AS_OF, since=SINCE, synthetic=True, **options,
            )
        )  # fmt: skip


@pytest.fixture(scope="module")
def pack_en(situation, dungarpur) -> Pdf:
    return _pack(situation, dungarpur, "en")


@pytest.fixture(scope="module")
def pack_hi(situation, dungarpur) -> Pdf:
    return _pack(situation, dungarpur, "hi")


@pytest.fixture(scope="module")
def orders(situation, dungarpur):
    """The papers' records of the zones in force, as the police see them."""
    police = situation.police
    zones = police.described_zones(dungarpur, as_of=AS_OF)
    return zone_orders(zones, police.checkpoints(), police.centres(), dungarpur)


@pytest.fixture(scope="module")
def papers(orders, dungarpur) -> dict[str, dict[str, Pdf]]:
    """The police's papers (public list, annexures, sheets) in each language."""
    made: dict[str, dict[str, Pdf]] = {}
    for language in ("en", "hi"):
        with i18n.language(language):
            made[language] = {
                "public": Pdf.of(public_list_pdf(orders, district="Dungarpur", as_of=AS_OF)),
                "annexures": Pdf.of(annexures_pdf(orders, district="Dungarpur", as_of=AS_OF)),
                "sheets": Pdf.of(zone_sheets_pdf(orders, dungarpur, as_of=AS_OF)),
            }
    return made


def _between(text: str, start: str, end: str) -> str:
    flat = squeezed(text)
    return flat[flat.index(squeezed(start)) : flat.index(squeezed(end))]


def test_the_pack_is_a4_landscape_with_every_page_numbered_and_fonts_embedded(pack_en):
    assert pack_en.sizes() == {A4_LANDSCAPE_PT}
    for n in range(pack_en.pages):
        page = squeezed(pack_en.page_text(n))
        assert squeezed(f"page {n + 1} of {pack_en.pages}") in page
        assert squeezed("SYNTHETIC — made from training data, not real cases") in page
        assert squeezed("Dungarpur district · Containment review") in page
    fonts = pack_en.fonts()
    assert fonts, "no font found"
    assert all(fonts.values()), f"fonts not embedded: {fonts}"
    assert all("NotoSansDevanagari" in name for name in fonts)


def test_the_pack_tables_only_the_zones_in_force_and_puts_the_proposed_apart(pack_en, situation):
    n_in_force, n_proposed = len(situation.in_force), len(situation.proposed)
    assert n_in_force == 5  # see tests.pdfs: five notified, the rest proposed
    assert n_proposed > 10
    text = pack_en.text()
    table = _between(text, f"{n_in_force} zones in force", f"{n_proposed} zones proposed")
    for name in situation.in_force:
        assert squeezed(name) in table
    for name in situation.proposed:
        assert squeezed(name) not in table
    proposed = _between(text, f"{n_proposed} zones proposed, not yet notified", "About the figures")
    assert all(squeezed(name) in proposed for name in situation.proposed)
    assert squeezed("Zone drawn or proposed") not in squeezed(text)


def test_the_pack_dates_are_day_month_year(pack_en):
    text = pack_en.text()
    assert "31-05-2020" in text
    assert not re.search(r"\b2020-\d\d-\d\d\b", text)
    assert not re.search(r"\b\d{1,2} (May|June) 2020\b", text)


def test_the_pack_in_hindi_shapes_the_zone_names_and_words(pack_hi, pack_en):
    assert pack_hi.has(HINDI_NAME)
    assert pack_hi.has("लागू ज़ोन")
    assert pack_hi.has("कंटेनमेंट समीक्षा")
    assert pack_hi.has(f"पृष्ठ 1 / {pack_hi.pages}")
    assert not pack_hi.has("Containment review")
    assert pack_en.has(HINDI_NAME)  # a Hindi name is shown in an English pack too


def test_trend_charts_get_a_section_of_their_own(situation, dungarpur, pack_en):
    picture = io.BytesIO()
    Image.new("RGB", (800, 500), "white").save(picture, format="PNG")
    charts = [(f"Chart {n}", picture.getvalue()) for n in range(1, 4)]
    with_charts = _pack(situation, dungarpur, "en", charts=charts)
    assert with_charts.pages > pack_en.pages
    trends = _between(with_charts.text(), "Trends", "About the figures")
    assert all(squeezed(f"Chart {n}") in trends for n in range(1, 4))
    assert not pack_en.has("Trends")


def test_every_paper_is_a4_in_the_right_orientation(papers, orders):
    for language, made in papers.items():
        assert made["public"].sizes() == {A4_PORTRAIT_PT}, language
        assert made["annexures"].sizes() == {A4_PORTRAIT_PT}, language
        assert made["sheets"].sizes() == {A4_LANDSCAPE_PT}, language
        assert made["sheets"].pages == len(orders), language  # one page per zone
        for paper in made.values():
            assert all(paper.fonts().values())


def test_the_annexure_lists_every_village_and_town_cell_of_a_large_zone(papers, orders):
    big = next(o for o in orders if o.name == "Dungarpur town and around")
    assert len(big.places) >= 70
    assert big.town_cells > 0
    assert big.villages > 0
    for language, made in papers.items():
        text = squeezed(made["annexures"].text())
        for place in big.places:
            assert squeezed(place.name) in text, (language, place.name)
        assert not re.search(r"and\d+more", text)
    assert papers["en"]["annexures"].has(f"{len(big.places)} villages and town cells")
    assert papers["hi"]["annexures"].has(f"{len(big.places)} गाँव और नगर खंड")
    cells = sorted(int(p.name.rsplit(" ", 1)[-1]) for p in big.places if p.kind == "town_cell")
    assert cells == list(range(1, len(cells) + 1))
    # Every cell named, as one range (not "cells 01, 02, 03, …, 79").
    assert papers["en"]["public"].has(f"Dungarpur town, cells 1–{len(cells)}")


def test_each_annexure_gives_order_dates_perimeter_and_numbered_checkpoints(papers, orders):
    annexures = papers["en"]["annexures"]
    for order in orders:
        assert annexures.has(f"Annexure to order {order.order_number}: {order.name}")
        assert annexures.has(f"Perimeter {order.perimeter_km:.2f} km")
        assert annexures.has(f"Notified on {order.notified_on:%d-%m-%Y}")
        assert annexures.has(f"Release due on {order.release_due_on:%d-%m-%Y}")
    with_checkpoints = [o for o in orders if o.checkpoints]
    assert with_checkpoints
    sheets = papers["en"]["sheets"]
    for order in with_checkpoints:
        page = orders.index(order)
        for checkpoint in order.checkpoints:
            row = f"{checkpoint.number} {checkpoint.road} {checkpoint.road_class or '–'}"
            assert annexures.has(f"{row} {checkpoint.lat:.6f} {checkpoint.lon:.6f}")
            assert squeezed(f"{checkpoint.number}. {checkpoint.road}") in squeezed(
                sheets.page_text(page)
            )


def test_checkpoints_are_numbered_clockwise_from_north(orders):
    for order in orders:
        centre = order.outline_m.centroid
        bearings = [
            math.degrees(math.atan2(c.x_m - centre.x, c.y_m - centre.y)) % 360
            for c in order.checkpoints
        ]
        assert bearings == sorted(bearings)
        assert [c.number for c in order.checkpoints] == list(range(1, len(bearings) + 1))


def test_the_police_get_the_papers_of_the_zones_in_force_only(orders, situation):
    assert {o.name for o in orders} == set(situation.in_force)


def test_no_case_data_on_any_paper(papers, pack_en, situation):
    case_ids = situation.collector.cases()["case_id"].astype(str)
    assert case_ids.str.startswith("SYN-").all()
    for language, made in papers.items():
        for what, paper in made.items():
            text = paper.text()
            assert "SYN-" not in text, (language, what)
            assert not re.search(r"patient|phone|address|ICMR", text, re.I), (language, what)
            assert not paper.has("Cases"), (language, what)  # no case count for the police
    assert "SYN-" not in pack_en.text()
    assert not re.search(r"patient|phone|address", pack_en.text(), re.I)


def test_the_public_list_says_what_it_is(papers):
    public = papers["en"]["public"]
    assert public.has("Containment zones in Dungarpur district")
    assert public.has("In force on 31-05-2020")
    assert public.has("Issued by the District Collector, Dungarpur.")
    assert papers["hi"]["public"].has("डूंगरपुर") or papers["hi"]["public"].has("Dungarpur")
    assert papers["hi"]["public"].has("ज़िला कलेक्टर, Dungarpur द्वारा जारी।")


def test_long_and_hostile_names_are_text_and_do_not_break_the_layout(orders, dungarpur):
    long_name = "Ward " + "सेक्टर 7 " * 400 + "end"
    strange = [
        dataclasses.replace(orders[0], name=ATTACK + " 漢字"),
        dataclasses.replace(orders[1], name=long_name),
    ]
    with i18n.language("hi"):
        annexures = Pdf.of(annexures_pdf(strange, district="Dungarpur", as_of=AS_OF))
        sheets = Pdf.of(zone_sheets_pdf(strange, dungarpur, as_of=AS_OF))
        public = Pdf.of(public_list_pdf(strange, district="Dungarpur", as_of=AS_OF))
    assert annexures.has('<img src=x onerror="alert(1)">')
    assert annexures.has("$\\frac{1}{0}$ {name} %s ??")  # a glyph the font lacks is a "?"
    assert annexures.has("Ward सेक्टर 7")
    assert "…" in annexures.text()  # the long name was cut where a row would not fit a page
    assert sheets.pages == 2  # still one page per zone
    assert sheets.has('<img src=x onerror="alert(1)">')
    # In the public list's narrow column the names wrap (the text comes back a line at a time
    # between the other columns'); the long one is cut to most of a page, "…" at its end.
    assert public.has("<img src=x")
    assert public.has("{name} %s ??")
    assert public.has("Ward सेक्टर 7")
    assert "…" in public.text()
    assert public.pages <= 2


def _drawn_as(word: str, *, shaped: bool) -> tuple[str, ...]:
    """The glyphs of ``word`` written as running text, shaped by HarfBuzz or not."""

    def draw(doc) -> None:
        doc.shape(shaped)
        doc.paragraph(word)

    lines = glyph_lines(make_pdf(Masthead("Dungarpur", "Glyphs", AS_OF), draw))
    return next(line for line in lines if "".join(g for g in line if g != "(cid)") == word)


@pytest.mark.parametrize("bold", [False, True])
def test_devanagari_after_latin_on_one_line_is_shaped_as_on_its_own(bold):
    """The meeting pack's title, "Dungarpur: 31-05-2020 की स्थिति में … समीक्षा": HarfBuzz took
    the line's script from its first letter (Latin), and स्थिति lost its conjunct."""
    word = "स्थिति"

    def draw(doc) -> None:
        doc.paragraph(word, bold=bold)
        doc.paragraph(f"Dungarpur: 31-05-2020 की {word} में", bold=bold)

    alone, mixed = glyph_lines(make_pdf(Masthead("Dungarpur", "Glyphs", AS_OF), draw))[1:3]
    assert "".join(g for g in alone if g != "(cid)") == word
    assert alone != tuple(word)  # shaped: fewer glyphs than letters
    assert has_run([mixed], alone)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_devanagari_in_the_public_lists_table_is_shaped_as_running_text_is(orders, language):
    with i18n.language(language):
        public = glyph_lines(public_list_pdf(orders, district="Dungarpur", as_of=AS_OF))
        heading = _("Release due on")  # a heading of the table, all Devanagari in Hindi
    words = [HINDI_NAME.split()[1]] + ([heading.split()[0]] if language == "hi" else [])
    assert words[-1] == ("मुक्ति" if language == "hi" else "वार्ड")
    for word in words:
        shaped, unshaped = _drawn_as(word, shaped=True), _drawn_as(word, shaped=False)
        assert shaped != unshaped  # a reph, a conjunct: HarfBuzz draws them as other glyphs
        assert has_run(public, shaped), (language, word)
        assert not has_run(public, unshaped), (language, word)


def _column_lines(data: bytes, heading: str, next_heading: str) -> list[str]:
    """The lines of text in one column of a table on the first page, under its heading."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        left = next(w for w in words if w["text"] == heading.split()[0])
        right = next(w for w in words if w["text"] == next_heading.split()[0])
        column = page.within_bbox(
            (left["x0"] - 1, left["bottom"] + 1, right["x0"] - 1, page.height)
        )
        return (column.extract_text() or "").splitlines()


@pytest.mark.parametrize("order_number", ["DM/COVID/SAG/0108/3", LONG_ORDER])
def test_a_long_order_number_wraps_after_a_slash_or_at_a_space(orders, order_number):
    assert len(LONG_ORDER) == 60
    renumbered = [dataclasses.replace(o, order_number=order_number) for o in orders]
    with i18n.language("en"):
        data = public_list_pdf(renumbered, district="Dungarpur", as_of=AS_OF)
    lines = [
        line for line in _column_lines(data, "Order no. and date", "Release due on")
        if not re.fullmatch(r"\d\d-\d\d-\d{4}|and date", line)
    ]  # fmt: skip
    text, used = lines[0], 1
    while text != order_number:
        assert order_number.startswith(text), (text, lines)  # never cut inside a part
        text += ("" if text.endswith("/") else " ") + lines[used]
        used += 1
    assert used >= 2, lines  # it did not fit on one line, and wrapped where it may


def test_no_zone_in_force_makes_papers_that_say_so(dungarpur):
    with i18n.language("en"):
        for paper in (
            public_list_pdf([], district="Dungarpur", as_of=AS_OF),
            annexures_pdf([], district="Dungarpur", as_of=AS_OF),
            zone_sheets_pdf([], dungarpur, as_of=AS_OF),
        ):
            read = Pdf.of(paper)
            assert read.pages == 1
            assert read.has("No containment zone is in force on this day.")
