"""The papers from the command line, for a morning job: ``containment meeting-pack`` and
``containment zone-papers`` log in as a user (the password from CONTAINMENT_PASSWORD), go
through the same role checks as the app, write the PDF in the language asked for, and are
recorded in the audit trail as exports."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from containment.i18n import date_text, india_today
from tests.pdfs import A4_LANDSCAPE_PT, A4_PORTRAIT_PT, HINDI_NAME, PASSWORD, Pdf, make_situation

runner = CliRunner()


@pytest.fixture(scope="module")
def situation(tmp_path_factory, dungarpur):
    return make_situation(tmp_path_factory.mktemp("cli") / "dungarpur.sqlite", dungarpur)


def containment(situation, *args: str, password: str | None = PASSWORD):
    from containment.cli import app

    env = {"CONTAINMENT_PASSWORD": password} if password else {}
    where = ["--database", f"sqlite:///{situation.path}"]
    return runner.invoke(app, [*args, *where], env=env)


def exports(situation) -> list[tuple[str, str, str]]:
    audit = situation.store.audit(action="export")
    return list(zip(audit["username"], audit["subject"], audit["detail"], strict=True))


def test_the_meeting_pack_is_written_in_hindi_as_the_collector_and_audited(situation, tmp_path):
    out = tmp_path / "pack.pdf"
    made = containment(situation, "meeting-pack", "--user", "meena", "--as-of", "2020-05-31",
                       "--lang", "hi", "-o", str(out))  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"Wrote the meeting pack as of 31-05-2020 to {out}." in made.stdout
    assert "SYNTHETIC" in made.stderr
    pack = Pdf.of(out.read_bytes())
    assert pack.sizes() == {A4_LANDSCAPE_PT}
    assert pack.has(HINDI_NAME)
    assert pack.has("कंटेनमेंट समीक्षा")
    assert pack.has(f"पृष्ठ {pack.pages} / {pack.pages}")
    assert exports(situation)[0][:2] == ("meena", "meeting pack (command line)")
    assert exports(situation)[0][2].startswith("pack.pdf: ")


def test_the_police_may_not_make_the_meeting_pack(situation, tmp_path):
    refused = containment(situation, "meeting-pack", "--user", "thana", "-o",
                          str(tmp_path / "pack.pdf"))  # fmt: skip
    assert refused.exit_code == 2
    assert "thana (police) may not read cases" in refused.stderr
    assert not (tmp_path / "pack.pdf").exists()


def test_a_wrong_password_writes_nothing(situation, tmp_path):
    wrong = containment(situation, "meeting-pack", "--user", "meena", "-o",
                        str(tmp_path / "pack.pdf"), password="not the password")  # fmt: skip
    assert wrong.exit_code == 2
    assert "Wrong user name or password." in wrong.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("missing/pack.pdf", "the folder {tmp}/missing does not exist"),
        ("pack.html", "This paper is a PDF: end the file name with .pdf (e.g. pack.pdf)."),
        ("a-folder.pdf", "{tmp}/a-folder.pdf: it is a folder. Give a file name ending in .pdf."),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    situation, tmp_path, output, message
):
    (tmp_path / "a-folder.pdf").mkdir()
    before = len(exports(situation))
    refused = containment(situation, "meeting-pack", "--user", "meena", "-o",
                          str(tmp_path / output))  # fmt: skip
    assert refused.exit_code == 2
    assert message.format(tmp=tmp_path) in refused.stderr.replace("\n", "")
    assert len(exports(situation)) == before


def test_an_unknown_language_is_refused_with_the_known_ones(situation, tmp_path):
    refused = containment(situation, "meeting-pack", "--user", "meena", "--lang", "ta", "-o",
                          str(tmp_path / "pack.pdf"))  # fmt: skip
    assert refused.exit_code == 2
    assert "No language 'ta': choose one of en, hi." in refused.stderr


def test_the_police_write_the_sheets_and_annexures_of_the_zones_in_force(situation, tmp_path):
    sheets = containment(situation, "zone-papers", "sheets", "--user", "thana",
                         "--lang", "hi", "-o", str(tmp_path / "sheets.pdf"))  # fmt: skip
    assert sheets.exit_code == 0, sheets.output
    in_force = len(situation.in_force)
    assert f"of {in_force} zones in force on {date_text(india_today())} to" in sheets.stdout
    read = Pdf.of((tmp_path / "sheets.pdf").read_bytes())
    assert read.pages == len(situation.in_force)
    assert read.sizes() == {A4_LANDSCAPE_PT}
    one = containment(situation, "zone-papers", "annexures", "--user", "thana",
                      "--zone", HINDI_NAME, "-o", str(tmp_path / "one.pdf"))  # fmt: skip
    assert one.exit_code == 0, one.output
    annexure = Pdf.of((tmp_path / "one.pdf").read_bytes())
    assert annexure.sizes() == {A4_PORTRAIT_PT}
    assert annexure.has(f"Annexure to order DM/COVID/2020/14: {HINDI_NAME}")
    assert not annexure.has("Punali")
    done = exports(situation)[:2]
    assert [(who, what) for who, what, _ in done] == [
        ("thana", "annexures (command line)"),
        ("thana", "sheets (command line)"),
    ]
    assert done[0][2] == "one.pdf: 1 rows"


def test_a_zone_not_in_force_is_refused_with_the_zones_that_are(situation, tmp_path):
    refused = containment(situation, "zone-papers", "sheets", "--user", "thana", "--zone",
                          "Ambara containment", "-o", str(tmp_path / "x.pdf"))  # fmt: skip
    assert refused.exit_code == 2
    stderr = refused.stderr.replace("\n", "")
    assert "No zone in force is named or numbered 'Ambara containment'." in stderr
    assert "Varda containment" in stderr


def test_the_police_are_refused_another_day_than_today_as_in_the_app(situation, tmp_path):
    """The police see the zones in force today only: a paper labelled with another day would
    say what it does not show."""
    before = len(exports(situation))
    for paper in ("sheets", "public-list", "annexures"):
        refused = containment(situation, "zone-papers", paper, "--user", "thana",
                              "--as-of", "2020-01-01", "-o", str(tmp_path / "old.pdf"))  # fmt: skip
        assert refused.exit_code == 2
        stderr = refused.stderr.replace("\n", " ")
        assert "thana (police) sees the zones in force as of today" in stderr
        assert "leave out --as-of 2020-01-01" in stderr
    assert not (tmp_path / "old.pdf").exists()
    assert len(exports(situation)) == before
    today = india_today().isoformat()
    same = containment(situation, "zone-papers", "sheets", "--user", "thana", "--as-of", today,
                       "-o", str(tmp_path / "today.pdf"))  # fmt: skip
    assert same.exit_code == 0, same.output


def test_a_planner_may_ask_for_another_day(situation, tmp_path):
    made = containment(situation, "zone-papers", "public-list", "--user", "meena", "--as-of",
                       "2020-05-31", "-o", str(tmp_path / "list.pdf"))  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "zones in force on 31-05-2020 to" in made.stdout
