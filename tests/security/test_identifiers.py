"""Text that looks like it identifies a patient is a warning at its file:line:col, masked.

A catalogue of identifier phrasings, each with what it must be found as, and of
look-alikes that must not warn (eponyms, doses, lab values, years, figure numbers,
citations); then the warnings as the real ``deckbuilder check`` prints them, the
``allow:`` list, image file names, and no warning on the default deck and the fixtures.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deckbuilder.content.identifiers import find, find_in_file_name, mask
from tests.support.paths import DEFAULT_CONTENT, FIXTURES
from tests.support.process import deckbuilder

# (text, what must be found, the identifier as written)
IDENTIFIERS = [
    ("DOB 12/03/1961", "a date of birth", "12/03/1961"),
    ("D.O.B.: 3.4.59", "a date of birth", "3.4.59"),
    ("born on 3 March 1961 in Leeds", "a date of birth", "3 March 1961"),
    ("born March 3, 1961", "a date of birth", "March 3, 1961"),
    ("date of birth 1961-03-12", "a date of birth", "1961-03-12"),
    ("Birth date: 12th of Feb. 1961", "a date of birth", "12th of Feb. 1961"),
    ("MRN 4411229", "a record number", "4411229"),
    ("MRN: AB1234567", "a record number", "AB1234567"),
    ("hospital number 0098 7712", "a record number", "0098 7712"),
    ("NHS number 943 476 5919", "a record number", "943 476 5919"),
    ("NHS no. 9434765919", "a record number", "9434765919"),
    ("patient ID 55123-7", "a record number", "55123-7"),
    ("medical record number #88812345", "a record number", "88812345"),
    ("SSN 123-45-6789", "a record number", "123-45-6789"),
    ("her number was 078-05-1120 on the form", "a social security number", "078-05-1120"),
    ("CHI 1203611234", "a record number", "1203611234"),
    ("tel 020 7946 0958", "a phone number", "020 7946 0958"),
    ("call 020 7946 0958", "a phone number", "020 7946 0958"),
    ("mobile: 07700 900123", "a phone number", "07700 900123"),
    ("on +44 20 7946 0958", "a phone number", "+44 20 7946 0958"),
    ("at (555) 123-4567", "a phone number", "(555) 123-4567"),
    ("phone 555.123.4567", "a phone number", "555.123.4567"),
    ("write to jane.doe@nhs.net", "an e-mail address", "jane.doe@nhs.net"),
    ("j_smith+clinic@example.co.uk", "an e-mail address", "j_smith+clinic@example.co.uk"),
    ("address: 4 Elm Row, Leeds LS1 4AP", "an address", "LS1 4AP"),
    ("lives at Springfield, IL 62704", "an address", "62704"),
    ("she lives at 221B Baker Street", "a street address", "221B Baker Street"),
    ("home at 12 Orchard Lane", "a street address", "12 Orchard Lane"),
    ("Mrs Holloway, 61, has knee pain", "a name", "Holloway"),
    ("seen by Mr. O'Brien-Smith", "a name", "O'Brien-Smith"),
    ("Ms J. Patel was referred", "a name", "Patel"),
    ("Miss Jones", "a name", "Jones"),
    ("Mr Turner has Turner syndrome", "a name", "Turner"),
    ("Dr Okafor admitted her", "a name", "Okafor"),
    ("a man named Anders", "a name", "Anders"),
    ("Patient: John Doe", "a name", "John Doe"),
]

# Text that must not warn, with why it looks like an identifier.
LOOK_ALIKES = [
    "Hodgkin lymphoma",  # eponym
    "Dr. Ewing's description of the tumour",  # eponym after a title
    "as Dr Hodgkin first noted",  # eponym after a title
    "a condition called Crohn disease",  # eponym after "called"
    "a sign named Trousseau",  # eponym after "named"
    "Paget disease of bone",  # eponym
    "Mr Rauh's series",  # an author of the source line
    "methotrexate 15 mg weekly",  # dose
    "500 mg twice a day for 10 days",  # dose
    "Hb 12.5 g/dL, WBC 11.2 x 10^9/L",  # lab values
    "platelets 250000 per microlitre",  # a long number alone
    "BP 120/80 mmHg",  # a fraction
    "in 1961",  # a year alone
    "born in 1961",  # a year of birth alone, no full date
    "born at 32 weeks",  # no date
    "Figure 3 shows the MRI",  # figure number
    "Table 2.1",  # table number
    "(Rauh et al, BMC 2018)",  # citation
    "N Engl J Med 2019;380:1234-1245",  # citation with pages
    "doi:10.1056/NEJMoa2034577",  # DOI
    "PMID: 33301246",  # PubMed id
    "ISBN 978-3-16-148410-0",  # ISBN
    "NCT01234567",  # trial registration
    "a 2019-2021 cohort of 1,234 patients",  # range of years
    "the NHS guidance of 2019",  # NHS without a number
    "CD34 and S100 stains",  # markers
    "MDM2 and CDK4 amplification at 12q13-15",  # genes and loci
    "T1 and T2 sequences, 3 T magnet",  # MRI
    "x 200 magnification",  # magnification
    "20x15x28cm mass",  # size
    "a 58 year old man",  # age
    "on day 3 of admission",  # relative day
    "grade 3, stage IV",  # staging
    "ranges of 120-140 and 1,000-2,000",  # ranges
    "a pH of 7.35-7.45",  # range with decimals
    "Dr. and Mrs. are titles",  # titles without names
    "address the tumour margin first",  # "address" as a verb, no postcode
]


@pytest.mark.parametrize(("text", "kind", "written"), IDENTIFIERS)
def test_each_identifier_phrasing_is_found(text: str, kind: str, written: str) -> None:
    found = find(text, names={"Rauh"})
    assert [(i.kind, i.found) for i in found] == [(kind, written)], text
    assert text[found[0].start :].startswith(written)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_each_look_alike_is_not_found(text: str) -> None:
    assert find(text, names={"Rauh"}) == [], text


def test_the_catalogue_is_large_enough() -> None:
    assert len(IDENTIFIERS) >= 30 and len(LOOK_ALIKES) >= 30


def test_masking_keeps_each_words_first_letter_and_no_digit() -> None:
    assert mask("12/03/1961") == "••/••/••••"
    assert mask("Holloway") == "H•••••••"
    assert mask("jane.doe@nhs.net") == "j•••.d••@n••.n••"
    assert mask("LS1 4AP") == "L•• •••"


def test_image_file_names_are_read_with_their_separators_as_spaces() -> None:
    found = find_in_file_name("images/mr-holloway_dob-12-03-1961.jpg")
    assert [(i.kind, i.found) for i in found] == [
        ("a name", "holloway"),
        ("a date of birth", "12-03-1961"),
    ]
    assert [i.found for i in find_in_file_name("mrn_4411229.png")] == ["4411229"]
    assert find_in_file_name("images/alt-mri-t1.png") == []
    assert find_in_file_name("figure-2-he-x200.jpg") == []


CASE = """\
id: knee
title: Knee pain in Mrs Holloway
case: |
  A 61 year old woman (DOB 12/03/1961, MRN: 4411229) has knee pain.
  Her daughter can be reached on 020 7946 0958.
source: Rauh J et al., BMC 2018.
figures:
  - caption: X-ray, as Dr. Rauh described; Dr. Ewing's description differs.
    image: mr-holloway.png
questions:
  - id: q1
    question: Hodgkin lymphoma? Dose 500 mg; Hb 12.5 g/dL; Figure 3.
    options:
      A: Yes
      B: No, write to jane.doe@nhs.net
    answer: A
    critique: Because.
"""


def _folder(tmp_path: Path, deck_extra: str = "") -> Path:
    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    (root / "deck.yaml").write_text(f"name: Knees\nid: knees\n{deck_extra}", encoding="utf-8")
    (root / "cases" / "knee.yaml").write_text(CASE, encoding="utf-8")
    shutil.copy(FIXTURES / "red.png", root / "cases" / "mr-holloway.png")
    return root


def test_check_warns_at_each_identifier_masked_and_strict_fails(tmp_path: Path) -> None:
    _folder(tmp_path)
    run = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert run.returncode == 1
    tail = ", or list it under 'allow' in deck.yaml with the reason"
    expected = [
        "content/cases/knee.yaml:2:25: title: looks like a name (H•••••••); call the patient "
        "by age and sex" + tail,
        "content/cases/knee.yaml:4:28: case: looks like a date of birth (••/••/••••); give "
        "the patient's age instead" + tail,
        "content/cases/knee.yaml:4:45: case: looks like a record number (•••••••); leave it "
        "out; the case needs no record number" + tail,
        "content/cases/knee.yaml:5:34: case: looks like a phone number (••• •••• ••••); "
        "leave it out" + tail,
        "content/cases/knee.yaml:9:15: figures[0].image: looks like a name (h•••••••); call "
        "the patient by age and sex" + tail,
        "content/cases/knee.yaml:15:23: questions[0].options.B: looks like an e-mail address "
        "(j•••.d••@n••.n••); leave it out" + tail,
    ]
    warnings = [line.removeprefix("warning: ") for line in run.stderr.splitlines()[:-1]]
    assert warnings == expected
    for planted in ("Holloway", "1961", "4411229", "7946", "jane.doe", "holloway"):
        assert planted not in run.stderr + run.stdout, planted
    as_json = json.loads(deckbuilder("check", "content", "--json", cwd=tmp_path).stdout)
    assert len(as_json["warnings"]) == len(expected)


def test_a_case_full_of_identifiers_lists_fifty_then_one_line_for_the_rest(
    tmp_path: Path,
) -> None:
    root = _folder(tmp_path)
    many = " ".join(f"ward{n}@nhs.net" for n in range(60))
    (root / "cases" / "knee.yaml").write_text(
        CASE.replace("B: No, write to jane.doe@nhs.net", f"B: No, write to {many}"),
        encoding="utf-8",
    )
    as_json = json.loads(deckbuilder("check", "content", "--json", cwd=tmp_path).stdout)
    messages = [w["message"] for w in as_json["warnings"]]
    assert len(messages) == 51
    assert messages[-1] == "and 15 more that look like identifiers from here on (not listed)"
    assert as_json["warnings"][-1]["key"] == "questions[0].options.B"


def test_allow_silences_the_deliberate_ones_each_with_a_reason(tmp_path: Path) -> None:
    allow = """\
allow:
  - pattern: Holloway
    reason: the title of a published case report
  - pattern: jane\\.doe@nhs\\.net
    reason: the editor's own address
  - pattern: "(?i)mr holloway"
    reason: the file name of the published figure
"""
    _folder(tmp_path, allow)
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    found = [line.split(": ", 3)[2] for line in run.stderr.splitlines() if "warning" in line]
    assert found == ["case", "case", "case"]  # the date of birth, record and phone remain


def test_an_allow_entry_needs_a_pattern_that_compiles_and_a_reason(tmp_path: Path) -> None:
    _folder(tmp_path, "allow:\n  - pattern: 'Mr ('\n")
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines()[:2] == [
        "content/deck.yaml:4:5: allow[0]: missing required key 'reason'",
        "content/deck.yaml:4:14: allow[0].pattern: 'Mr (' is not a regular expression: "
        "missing ), unterminated subpattern at position 3",
    ]


def test_the_deck_file_is_looked_at_too(tmp_path: Path) -> None:
    _folder(tmp_path, "description: Questions? Call 020 7946 0958.\n")
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert "content/deck.yaml:3:30: description: looks like a phone number" in run.stderr


def test_no_warning_on_the_default_deck_and_the_fixtures() -> None:
    roots = [DEFAULT_CONTENT, *FIXTURES.glob("*/deck.yaml")]
    for root in roots:
        folder = root if root.is_dir() else root.parent
        run = deckbuilder("check", folder, "--strict", "--json", cwd=folder.parent)
        assert run.returncode == 0, (folder, run.stdout, run.stderr)
        assert json.loads(run.stdout)["warnings"] == [], folder
