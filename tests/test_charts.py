"""The meeting's charts and sentences: PNG and SVG drawn offline in the vendored font, in
English and Hindi, and the community-spread signal as a sentence the collector can read out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import struct
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib import image

from containment import i18n
from containment.engine.history import in_force_periods
from containment.field.spread import SpreadWindow
from containment.field.trends import Growth, trends
from containment.io.synthetic import synthetic_cases
from containment.render import charts
from containment.render.trend_words import growth_text, spread_sentence

AS_OF = dt.date(2020, 5, 31)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


@pytest.fixture(scope="module")
def trend(dungarpur):
    """600 synthetic cases, a dozen zones notified a day after a case, two centres."""
    cases = synthetic_cases(dungarpur, 600, seed=3)
    versions = []
    for n, focus in enumerate(cases.sample(12, random_state=1).itertuples()):
        start = pd.Timestamp(focus.reported_on).date() + dt.timedelta(days=1)
        versions.append(
            {
                "zone_id": f"Z{n}",
                "version": 1,
                "kind": "containment",
                "status": "notified",
                "notified_on": start,
                "released_on": None,
                "saved_at": pd.Timestamp(start, tz="UTC"),
                "deleted": False,
                "geometry": focus.geometry.buffer(0.03),
            }
        )
    periods = in_force_periods(gpd.GeoDataFrame(versions, crs=4326))
    occupancy = pd.DataFrame(
        {
            "centre_id": ["C1", "C1", "C2"],
            "on_day": [dt.date(2020, 5, 1), dt.date(2020, 5, 10), dt.date(2020, 5, 5)],
            "capacity": [100, 100, 50],
            "occupied": [20, 60, 10],
            "saved_at": pd.to_datetime(["2020-05-01", "2020-05-10", "2020-05-05"], utc=True),
        }
    )
    return trends(cases, periods, occupancy, dungarpur, as_of=AS_OF)


@pytest.mark.parametrize("name", list(charts.CHARTS))
@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_chart_is_a_png_as_wide_as_a_landscape_page_at_200_dpi(trend, name, language):
    data = charts.CHARTS[name](trend, language=language)
    assert png_size(data) == (2100, 880)  # 10.5 x 4.4 inches: A4 landscape less margins
    pixels = image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (880, 2100)
    assert pixels.std() > 0.05  # something is drawn


def test_hindi_is_drawn_in_the_vendored_devanagari_font_with_no_glyph_missing(trend):
    # A glyph missing from the font would be a warning, and warnings fail the tests.
    assert charts.font_file() == charts.FONT_FILES[0]
    assert charts.font_file(bold=True) == charts.FONT_FILES[1]
    english = charts.epidemic_curve(trend, language="en", dpi=60)
    hindi = charts.epidemic_curve(trend, language="hi", dpi=60)
    assert english != hindi
    with i18n.language("hi"):
        assert charts.epidemic_curve(trend, dpi=60) == hindi  # the reader's language by default


def test_the_same_trend_gives_the_same_bytes(trend):
    first = charts.zones_in_force(trend, language="hi", dpi=60)
    assert charts.zones_in_force(trend, language="hi", dpi=60) == first
    svg = charts.zones_in_force(trend, language="hi", file_format="svg")
    assert charts.zones_in_force(trend, language="hi", file_format="svg") == svg


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_svg_charts_carry_their_text_as_outlines_and_fetch_nothing(trend, name):
    svg = charts.CHARTS[name](trend, language="hi", file_format="svg")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("756pt", "316.8pt")
    assert not root.findall(".//{http://www.w3.org/2000/svg}text")  # no font needed to show it
    assert b'href="http' not in svg
    assert b"@import" not in svg


def test_stacking_by_block_draws_another_chart(trend):
    plain = charts.epidemic_curve(trend, language="en", dpi=60)
    assert charts.epidemic_curve(trend, by_block=True, language="en", dpi=60) != plain


def test_charts_of_days_with_no_case_zone_or_bed_still_draw(dungarpur):
    empty = trends(
        gpd.GeoDataFrame({"reported_on": pd.to_datetime([])}, geometry=[], crs=4326),
        in_force_periods(gpd.GeoDataFrame(columns=["zone_id"], geometry=[], crs=4326)),
        pd.DataFrame(columns=["centre_id", "on_day", "capacity", "occupied", "saved_at"]),
        dungarpur,
        as_of=AS_OF,
    )
    for name, chart in charts.CHARTS.items():
        assert png_size(chart(empty, language="hi", dpi=50))[0] == 525, name


def test_a_chart_is_png_or_svg(trend):
    with pytest.raises(ValueError, match="png or svg, not 'pdf'"):
        charts.occupancy(trend, file_format="pdf")  # type: ignore[arg-type]


# --- the signal as a sentence -------------------------------------------------------------


def window(
    cases: int, outside: int, foci: dict[str, int] | None = None, *, before: int = 0
) -> SpreadWindow:
    foci = foci or {}
    rows = [(b, cases if b == "Dungarpur" else 0, foci.get(b, 0)) for b in ("Dungarpur", *foci)]
    by_block = pd.DataFrame(rows, columns=["block", "cases", "outside_zones"])
    return SpreadWindow(
        first=dt.date(2020, 5, 25),
        last=AS_OF,
        cases=cases,
        outside_zones=outside,
        by_block=by_block,
        before_zones=before,
    )


def test_the_signal_is_one_sentence_the_collector_can_read_out():
    with i18n.language("en"):
        assert spread_sentence(window(42, 3, {"Sagwara": 2, "Aspur": 1})) == (
            "Of 42 cases in the last 7 days, 3 (7%) were outside every zone in force — "
            "new foci in Sagwara and Aspur."
        )
        assert spread_sentence(window(1, 1, {"Aspur": 1})) == (
            "Of 1 case in the last 7 days, 1 (100%) was outside every zone in force — "
            "a new focus in Aspur."
        )
        assert spread_sentence(window(1200, 0)) == (
            "Of 1,200 cases in the last 7 days, none was outside the zones in force: no new focus."
        )
        assert spread_sentence(window(0, 0)) == "No case was reported in the last 7 days."


def test_cases_before_any_zone_are_told_apart_in_the_sentence():
    with i18n.language("en"):
        assert spread_sentence(window(0, 0, before=5)) == (
            "The 5 cases of the last 7 days came before any zone was in force. The signal "
            "starts once the first zone is notified."
        )
        first = dataclasses.replace(window(0, 0, before=5), first_zone_on=dt.date(2020, 5, 31))
        assert spread_sentence(first) == (
            "The 5 cases of the last 7 days came before any zone was in force. The first zone "
            "came into force on 31-05-2020: cases reported after that day count."
        )
        assert spread_sentence(window(4, 1, {"Aspur": 1}, before=3)) == (
            "Of 7 cases in the last 7 days, 3 came before any zone was in force; of the other "
            "4, 1 (25%) was outside every zone in force — a new focus in Aspur."
        )


def test_the_signal_reads_in_hindi():
    with i18n.language("hi"):
        sentence = spread_sentence(window(42, 3, {"Sagwara": 2, "Aspur": 1}))
    assert sentence == (
        "पिछले 7 दिनों के 42 मामलों में से 3 (7%) हर लागू ज़ोन के बाहर थे — Sagwara और Aspur में नए संक्रमण क्षेत्र।"
    )


@pytest.mark.parametrize(
    ("before", "recent", "english"),
    [
        (10, 20, "doubling in 7.0 days"),
        (20, 10, "halving in 7.0 days"),
        (10, 10, "steady"),
        (0, 4, "new: none the 7 days before"),
        (4, 0, "no case now"),
        (0, 0, "no cases"),
    ],
)
def test_growth_in_words(before, recent, english):
    with i18n.language("en"):
        assert growth_text(Growth(7, cases_recent=recent, cases_before=before)) == english


def test_no_case_data_in_any_chart_or_sentence(trend):
    # the charts and sentences count cases by day and block: no case id, no point drawn
    svg = charts.epidemic_curve(trend, by_block=True, file_format="svg").decode()
    assert "SYN-" not in svg
    assert not isinstance(trend.spread.last_7d.by_block, gpd.GeoDataFrame)
