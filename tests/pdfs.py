"""Reading the PDFs the app makes, as a reader would (pdfplumber), and a district's day to make them
from: the synthetic sample, the rule's zones proposed, four of them notified (one with a Hindi
name), a large zone of whole villages and a town, checkpoints and centres."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import shapely
from pdfminer.pdftypes import resolve1

from containment.engine.district import District
from containment.engine.lifecycle import SavedZone
from containment.engine.rules import get_rule
from containment.field.centres import Centre
from containment.field.checkpoints import propose_checkpoints
from containment.io.cases import read_cases
from containment.io.roads import standard_roads
from containment.service import Service, Workspace
from containment.store import SQLiteStore, SQLStore

A4_LANDSCAPE_PT = (841.89, 595.28)
A4_PORTRAIT_PT = (595.28, 841.89)
PASSWORD = "a long test password"
AS_OF = dt.date(2020, 5, 31)
HINDI_NAME = "डूंगरपुर वार्ड 3"
# Dungarpur town and the villages around it: a zone of 120-odd whole units.
TOWN_AND_AROUND = shapely.box(73.64, 23.76, 73.78, 23.88)


def squeezed(text: str) -> str:
    """Text without white space, composed (NFC): a PDF's text comes back with spaces where
    shaped glyphs were placed apart, and Devanagari marks in either form."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


_UNMAPPED = re.compile(r"\(cid:\d+\)")


def glyph_lines(data: bytes) -> list[tuple[str, ...]]:
    """Every line of text on every page, as the glyphs drawn on it left to right, each as the
    text it stands for. Shaped Devanagari shows in them: a conjunct or a letter with its vowel
    sign is one glyph standing for several characters ("क्ष्", "कि"), and a glyph standing for
    none (a reph, a vowel sign drawn apart) is "(cid)". Unshaped, every character is a glyph."""
    lines: list[tuple[str, ...]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows: dict[float, list[dict]] = {}
            for char in page.chars:
                rows.setdefault(round(float(char["top"]), 1), []).append(char)
            for _top, chars in sorted(rows.items()):
                chars.sort(key=lambda c: float(c["x0"]))
                lines.append(tuple(_UNMAPPED.sub("(cid)", str(c["text"])) for c in chars))
    return lines


def has_run(lines: list[tuple[str, ...]], run: tuple[str, ...]) -> bool:
    """Whether one of the lines holds ``run`` (glyphs, one after another)."""
    return any(
        line[n : n + len(run)] == run for line in lines for n in range(len(line) - len(run) + 1)
    )


@dataclass(frozen=True)
class Pdf:
    """A PDF as read back (pdfplumber): its pages' sizes (points), text, and fonts.

    A shaped Devanagari glyph that stands for no character of its own (the reph of "र्ड" is
    drawn after the letter it sits on) has no text mapping in the file; pdfplumber shows it
    as "(cid:N)", which is left out of the text here, as a PDF viewer does.
    """

    pages_text: tuple[str, ...]
    page_sizes: tuple[tuple[float, float], ...]
    font_embedding: dict[str, bool]

    @classmethod
    def of(cls, data: bytes) -> Pdf:
        assert data.startswith(b"%PDF-"), data[:20]
        texts, sizes, fonts = [], [], {}
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                texts.append(_UNMAPPED.sub("", page.extract_text() or ""))
                sizes.append((round(float(page.width), 2), round(float(page.height), 2)))
                fonts.update(_fonts(page))
        return cls(tuple(texts), tuple(sizes), fonts)

    @property
    def pages(self) -> int:
        return len(self.pages_text)

    def sizes(self) -> set[tuple[float, float]]:
        return set(self.page_sizes)

    def page_text(self, n: int) -> str:
        return self.pages_text[n]

    def text(self) -> str:
        return "\n".join(self.pages_text)

    def has(self, words: str) -> bool:
        return squeezed(words) in squeezed(self.text())

    def fonts(self) -> dict[str, bool]:
        """Each font used on any page, and whether its glyphs are embedded in the file."""
        return self.font_embedding


def _fonts(page: pdfplumber.page.Page) -> dict[str, bool]:
    found = {}
    for ref in (resolve1(page.page_obj.resources.get("Font")) or {}).values():
        font = resolve1(ref)
        descendants = resolve1(font.get("DescendantFonts"))
        described = resolve1(descendants[0]) if descendants else font
        descriptor = resolve1(described.get("FontDescriptor")) or {}
        embedded = any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3"))
        found[str(font.get("BaseFont"))] = embedded
    return found


@dataclass(frozen=True)
class Situation:
    """A store holding a day of the synthetic sample, and who works in it."""

    store: SQLStore
    path: Path
    collector: Workspace
    police: Workspace
    in_force: tuple[str, ...]  # names of the zones in force
    proposed: tuple[str, ...]  # names of the zones proposed, not notified
    big_zone: str


def _login(store: SQLStore, user: str) -> Workspace:
    service = Service(store)
    return service.workspace(service.login(user, PASSWORD).token)


def make_situation(path: Path, district: District) -> Situation:
    """The synthetic sample on 31-05-2020: every zone the Rajasthan 1 km rule draws proposed,
    four of them and a large zone over Dungarpur town notified, checkpoints and centres."""
    store = SQLiteStore(path)
    for name, role in (("meena", "collector"), ("ravi", "planner"), ("thana", "police")):
        store.add_user(name, role, PASSWORD)
    collector = _login(store, "meena")
    cases = read_cases(district.sample_cases, district, today=AS_OF).cases
    collector.import_cases(cases, source="sample_cases_SYNTHETIC.csv", synthetic=True)
    plan = collector.propose_zones(get_rule("rajasthan-1km"), as_of=AS_OF, district=district)
    collector.apply_update(collector.daily_update(plan, district), plan, district)
    zones = collector.described_zones(district, as_of=AS_OF)
    far = zones[~zones.intersects(TOWN_AND_AROUND.buffer(0.02))]
    chosen = far.sort_values("unit_count", ascending=False).head(4)["zone_id"].tolist()
    first = store.zone(chosen[0])
    store.save_zone(dataclasses.replace(first, name=HINDI_NAME))
    collector.notify_zones(
        [store.zone(z) for z in chosen], order_number="DM/COVID/2020/14", on=AS_OF
    )
    big = collector.save_zone(
        SavedZone(
            "DZ-TOWN", "Dungarpur town and around", "containment", "drawn", "rajasthan-1km",
            TOWN_AND_AROUND, status="proposed", created_on=AS_OF - dt.timedelta(days=2),
        )
    )  # fmt: skip
    collector.notify_zones([big], order_number="DM/COVID/2020/15", on=AS_OF)
    described = collector.described_zones(district, as_of=AS_OF)
    notified = described[described["status"] == "notified"]
    collector.save_checkpoints(
        propose_checkpoints(notified, standard_roads(district.roads), district)
    )
    facilities = district.health_facilities
    for n, row in enumerate(facilities.iloc[[3, 30, 60]].itertuples()):
        collector.save_centre(
            Centre(f"C-{n}", f"COVID care centre {row.name}", "covid_care_centre",
                   row.geometry.x, row.geometry.y, 100, 20 * n)
        )  # fmt: skip
    described = collector.described_zones(district, as_of=AS_OF)
    in_force = tuple(described.loc[described["in_force"], "name"])
    proposed = tuple(described.loc[described["status"] == "proposed", "name"])
    return Situation(
        store, path, collector, _login(store, "thana"), in_force, proposed,
        "Dungarpur town and around",
    )  # fmt: skip
