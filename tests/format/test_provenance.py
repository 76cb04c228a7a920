"""How current a case is: shown on the back, warned about when due, credited per figure.

Built through the real ``deckbuilder`` process and read back through Anki's engine: the
review date and the evidence are small print in the Source field (no new field: the note
types are a contract), a case past its review date fails ``check --strict`` and is listed
in ``--json``, and a deck with a licence needs each image's licence and attribution.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from deckbuilder.notes.provenance import due
from tests.support.ankiengine import collection, import_apkg
from tests.support.paths import FIXTURES, REPO
from tests.support.process import deckbuilder

CASE = """\
id: knee
title: A swollen knee
case: A runner's knee is swollen.
source: Clinical Quiz, 2026.
{extra}
questions:
  - id: q1
    question: What is it?
    options:
      A: An effusion
      B: A fracture
    answer: A
    critique: It is an effusion.
facts:
  - id: effusion
    text: A swollen knee after running is an {{{{c1::effusion}}}}.
"""


def _folder(tmp_path: Path, extra: str, deck: str = "") -> Path:
    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    (root / "deck.yaml").write_text(f"name: Knees\nid: knees\n{deck}", encoding="utf-8")
    (root / "cases" / "knee.yaml").write_text(CASE.format(extra=extra), encoding="utf-8")
    return root


def _notes(tmp_path: Path) -> dict[str, dict[str, str]]:
    run = deckbuilder("build", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    with collection(tmp_path / "collection.anki2") as col:
        import_apkg(col, tmp_path / "dist" / "knees.apkg")
        notes = [col.get_note(n) for n in col.find_notes("")]
        description = col.decks.by_name("Knees")["desc"]
        out = {n["Ref"]: dict(n.items()) for n in notes}
    out["description"] = {"text": description}
    return out


def test_the_review_date_and_evidence_are_small_print_under_the_source(tmp_path: Path) -> None:
    _folder(tmp_path, "reviewed: 2026-03-14\nreview_every: 50y\nevidence: ESMO *2024*")
    notes = _notes(tmp_path)
    line = (
        '<p class="db-provenance"><small>Reviewed 2026-03; evidence: ESMO <em>2024</em></small></p>'
    )
    assert notes["knee/q1"]["Source"] == "<p>Clinical Quiz, 2026.</p>" + line
    (fact,) = (n for ref, n in notes.items() if "effusion" in ref)
    assert fact["Source"].endswith(line)  # the fact's back too
    assert "Reviewed" not in notes["description"]["text"]  # the deck's list of sources


def test_without_provenance_the_source_is_as_before(tmp_path: Path) -> None:
    _folder(tmp_path, "")
    assert _notes(tmp_path)["knee/q1"]["Source"] == "<p>Clinical Quiz, 2026.</p>"


def test_evidence_alone_is_shown_too(tmp_path: Path) -> None:
    _folder(tmp_path, "evidence: NICE NG226 (2022)")
    source = _notes(tmp_path)["knee/q1"]["Source"]
    assert source.endswith("<small>Evidence: NICE NG226 (2022)</small></p>")


def test_a_case_past_its_review_date_fails_strict_and_is_listed(tmp_path: Path) -> None:
    _folder(tmp_path, "reviewed: 2001-02-03\nevidence: ESMO 2000", deck="review_every: 2y\n")
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 0
    assert run.stderr == (
        "warning: content/cases/knee.yaml:5:11: reviewed: the case was due for review on "
        "2003-02-03 (reviewed 2001-02-03, the deck's review_every: 2y); check it against "
        "current evidence, then update 'reviewed' (and 'evidence')\n"
    )
    assert deckbuilder("check", "content", "--strict", cwd=tmp_path).returncode == 1
    as_json = json.loads(deckbuilder("check", "content", "--json", cwd=tmp_path).stdout)
    assert [(w["key"], w["line"]) for w in as_json["warnings"]] == [("reviewed", 5)]


@pytest.mark.parametrize(
    ("extra", "deck", "warns"),
    [
        ("reviewed: 2001-02-03\nreview_every: 99y", "review_every: 1y\n", False),
        ("reviewed: 2001-02-03\nreview_every: 18m", "", True),
        ("reviewed: 2001-02-03", "", False),  # no period: never due
        (f"reviewed: {datetime.date.today().isoformat()}", "review_every: 1y\n", False),
    ],
    ids=["case-overrides-deck", "months", "no-period", "reviewed-today"],
)
def test_when_a_case_is_due(tmp_path: Path, extra: str, deck: str, warns: bool) -> None:
    _folder(tmp_path, extra, deck)
    run = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert (run.returncode == 1) == warns, run.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("reviewed: 2026-02-30", "reviewed: '2026-02-30' is not a date: write it YYYY-MM-DD"),
        ("reviewed: 14/03/2026", "reviewed: '14/03/2026' is not a date"),
        ("review_every: 2 years", "review_every: '2 years' is not a period"),
    ],
)
def test_dates_and_periods_are_checked(tmp_path: Path, value: str, message: str) -> None:
    _folder(tmp_path, value)
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1
    assert "content/cases/knee.yaml:5:" in run.stderr and message in run.stderr


def test_due_dates_by_the_calendar() -> None:
    assert due("2024-02-29", "1y") == datetime.date(2025, 2, 28)
    assert due("2025-08-31", "6m") == datetime.date(2026, 2, 28)
    assert due("2025-11-15", "18m") == datetime.date(2027, 5, 15)


FIGURE = """\
figures:
  - caption: A radiograph.
    image: knee.png
{credit}"""


def test_a_licensed_deck_needs_each_images_licence_and_attribution(tmp_path: Path) -> None:
    root = _folder(tmp_path, FIGURE.format(credit=""), deck="license: CC BY 4.0\n")
    shutil.copy(FIXTURES / "red.png", root / "cases" / "knee.png")
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines()[0] == (
        "content/cases/knee.yaml:6:5: figures[0]: the deck declares the license 'CC BY 4.0', "
        "so each image needs its own 'license' and 'attribution' (shown with the figure); "
        "add 'license' and 'attribution'"
    )
    credit = "    license: CC BY-SA 3.0\n    attribution: Radiopaedia, case *1234*\n"
    (root / "cases" / "knee.yaml").write_text(
        CASE.format(extra=FIGURE.format(credit=credit)), encoding="utf-8"
    )
    case = _notes(tmp_path)["knee/q1"]["Case"]
    assert (
        '<small class="db-figure-credit">Image: Radiopaedia, case <em>1234</em>, CC BY-SA 3.0'
        "</small></figcaption>"
    ) in case


def test_the_fields_are_in_the_schema_and_the_templates() -> None:
    from deckbuilder.authoring.schema import generate

    schemas = generate()
    case = schemas["case"]["properties"]
    assert {"reviewed", "review_every", "evidence"} <= set(case)
    assert {"license", "attribution"} <= set(schemas["case"]["$defs"]["Figure"]["properties"])
    assert {"review_every", "allow"} <= set(schemas["deck"]["properties"])
    scaffold = REPO / "deckbuilder" / "authoring" / "scaffold"
    template = (scaffold / "case.yaml").read_text(encoding="utf-8")
    for key in ("# reviewed: ", "# review_every: ", "# evidence: "):
        assert key in template
    assert "# review_every: " in (scaffold / "deck.yaml").read_text(encoding="utf-8")
