"""Tables as people read them: plain headings in their language, numbers with Indian digit
grouping, dates DD-MM-YYYY, moments in IST, codes as words and nothing for a missing value —
on screen and on the printed pages."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from containment import i18n
from containment.i18n import N_
from containment.render.labels import CODE_LABELS, ZONE_LABELS, code_label, display_table
from containment.render.pages import render_page
from containment.render.text import cell_text

HEADINGS = {
    "name": N_("Zone"),
    "case_count": N_("Cases"),
    "population_est": N_("People (est.)"),
    "area_km2": N_("Area km²"),
    "release_due_on": N_("Release due"),
    "at": N_("When"),
    "status": N_("Status"),
    "due_for_release": N_("Due for release"),
}


@pytest.fixture
def zones() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone_id": ["DZ-1", "DZ-2"],
            "name": ["Ward 7", "Galiyakot"],
            "case_count": [138855, 3],
            "population_est": [1388552.4, np.nan],
            "area_km2": [2.456, 0.5],
            "release_due_on": [dt.date(2020, 5, 31), None],
            "at": ["2020-05-31T18:45:00+00:00", ""],
            "status": ["notified", "proposed"],
            "due_for_release": [True, False],
        }
    )


def test_numbers_have_indian_digit_grouping(zones):
    shown = display_table(zones, HEADINGS)
    assert list(shown["Cases"]) == ["1,38,855", "3"]
    assert list(shown["People (est.)"]) == ["13,88,552", ""]
    assert list(shown["Area km²"]) == ["2.46", "0.50"]


def test_dates_are_day_month_year_and_moments_are_in_ist(zones):
    shown = display_table(zones, HEADINGS)
    assert list(shown["Release due"]) == ["31-05-2020", ""]
    assert list(shown["When"]) == ["01-06-2020 00:15 IST", ""]


def test_a_files_iso_date_is_shown_day_first():
    frame = pd.DataFrame({"notified_on": ["2020-05-31", ""], "as_of": ["2020-06-01", None]})
    shown = display_table(frame, {"notified_on": N_("Notified on"), "as_of": N_("As of")})
    assert shown.to_dict("list") == {
        "Notified on": ["31-05-2020", ""],
        "As of": ["01-06-2020", ""],
    }


def test_a_missing_value_is_blank_never_none_or_nan(zones):
    cells = display_table(zones, HEADINGS).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "NaT", "<NA>"} & set(cells)


def test_only_the_columns_asked_for_are_shown_under_plain_headings(zones):
    shown = display_table(zones, HEADINGS)
    assert list(shown.columns) == [
        "Zone", "Cases", "People (est.)", "Area km²", "Release due", "When", "Status",
        "Due for release",
    ]  # fmt: skip
    assert "zone_id" not in shown.columns
    assert shown.attrs["numbers"] == ["Cases", "People (est.)", "Area km²"]


def test_codes_and_yes_no_are_words(zones):
    shown = display_table(zones, HEADINGS)
    assert list(shown["Status"]) == ["notified", "proposed"]
    assert list(shown["Due for release"]) == ["yes", ""]
    assert code_label("covid_care_centre") == "COVID care centre"
    assert code_label("Ward 7") == "Ward 7"  # a name is not a code


def test_in_hindi_headings_codes_and_words_are_hindi_and_numbers_stay_grouped(zones):
    with i18n.language("hi"):
        shown = display_table(zones, HEADINGS)
    assert list(shown.columns)[:3] == ["ज़ोन", "मामले", "आबादी (अनुमानित)"]
    assert list(shown["स्थिति"]) == ["अधिसूचित", "प्रस्तावित"]
    assert list(shown["मुक्ति हेतु देय"]) == ["हाँ", ""]
    assert list(shown["मामले"]) == ["1,38,855", "3"]
    assert list(shown["कब"]) == ["01-06-2020 00:15 IST", ""]


def test_every_zone_column_and_every_code_has_a_heading_in_words():
    for label in [*ZONE_LABELS.values(), *CODE_LABELS.values()]:
        assert "_" not in label, label
    with i18n.language("hi"):
        untranslated = [
            label
            for label in [*ZONE_LABELS.values(), *CODE_LABELS.values()]
            if i18n._(label) == label and not label.isupper()
        ]
    assert untranslated == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NaT, ""),
        (pd.NA, ""),
        (12345678, "1,23,45,678"),
        (np.int64(100000), "1,00,000"),
        (-1234.5, "-1,234.5"),
        (dt.date(2020, 6, 1), "01-06-2020"),
        (pd.Timestamp("2020-06-01"), "01-06-2020"),
        (dt.datetime(2020, 6, 1, 3, 0, tzinfo=dt.UTC), "01-06-2020 08:30 IST"),
        (True, "yes"),
        ("Ward 7", "Ward 7"),
    ],
)
def test_a_cell_is_written_as_an_indian_office_writes_it(value, text):
    assert cell_text(value) == text


def test_a_printed_page_is_in_the_readers_language_with_its_values_escaped():
    table = display_table(
        pd.DataFrame({"name": ["<b>Ward 7</b>"], "case_count": [138855]}),
        {"name": N_("Zone"), "case_count": N_("Cases")},
    )
    with i18n.language("hi"):
        html = render_page(
            "public_list.html.j2",
            lang="hi",
            district="<script>x</script>",
            as_of="31-05-2020",
            zones=table,
        )
    assert '<html lang="hi">' in html
    assert "कंटेनमेंट ज़ोन" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html  # a name put into a translated sentence
    assert "<script>" not in html
    assert "&lt;b&gt;Ward 7&lt;/b&gt;" in html
    assert '<td class="number">1,38,855</td>' in html
    assert "font/woff2;base64," in html  # the Devanagari font travels with the page
    assert "सप्ताह का अंतिम रविवार" in html  # why its release dates are week ends
