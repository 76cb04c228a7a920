"""The privacy scan runs a pattern only on a text that has what every match of it
contains (a digit, an "@", a keyword, a title), and so finds exactly what running every
pattern on every text finds: the same identifiers, in the same order, with the same
overlaps. Checked against that plain loop on generated text made of the pieces the
patterns look for, in any case and with the letters that ``re.IGNORECASE`` folds oddly.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckbuilder.content import identifiers
from deckbuilder.content.identifiers import Identifier, find, find_in_file_name


def every_pattern(text: str, names: tuple[str, ...] = ()) -> list[Identifier]:
    """``find`` as it was before it skipped patterns: each one over the whole text."""
    known = set(names)
    out: list[Identifier] = []
    taken: list[tuple[int, int]] = []
    for kind, advice, pattern in identifiers._PATTERNS:
        for match in pattern.finditer(text):
            group = next(g for g in ("id", "id2", "id3") if g in match.re.groupindex and match[g])
            start, end = match.span(group)
            if kind == "a name" and identifiers._not_a_patient(match, group, known):
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            context = " ".join(text[match.start() : match.end()].split())
            out.append(Identifier(start, match[group], context, kind, advice))
    return sorted(out, key=lambda i: i.start)


# For each test that lets a pattern run, texts with as little as a match needs: the
# shortest numbers, a keyword alone, the only digit a 9 or one outside ASCII, letters that
# re.IGNORECASE folds to ASCII ones.
TIGHT = [
    "DOB 1/1/11",
    "born 9.9.99",
    "d.o.b. 2000-01-01",
    "b\u0130rth date 1 May 1999",
    "birth date 1 May 1999",
    "born \u0663/\u0663/\u0663\u0663\u0663\u0663",
    "MRN 12345",
    "mrn 99999",
    "chart # 0 0 0",
    "CHI 1234567890",
    "insurance no 12-34",
    "\u017f\u017fn 123-45-6789",
    "999-99-9999",
    "tel 12345678",
    "phone (555) 123-4567",
    "+1 22 33 44",
    "0191 234 5678",
    "a@b.cc",
    "address LS1 4AP",
    "lives at 99999",
    "home at 12345-6789",
    "1 Baker Street",
    "9B Elm Road",
    "Mr Smith",
    "Miss Jones",
    "Mx Ng",
    "Dr. J. Okafor",
    "Doctor Who",
    "Prof Rauh",
    "named Anders",
    "called Jones",
    "pt: Jane Smith",
    "Name : Jane Doe",
    "PAT\u0131ENT:Jane Doe",
]


@pytest.mark.parametrize("text", TIGHT)
def test_the_tightest_texts(text: str) -> None:
    assert find(text) == every_pattern(text)
    assert find(text), text  # each is an identifier


# The words the patterns look for and what stands near them, written as one text.
WORDS = (
    "born|DOB|D.O.B|D.O.B.|date of birth|birth date|birthdate|on|in|of|MRN|record number|"
    "record no.|record #|medical record number|hospital number|patient ID|case no|unit #|"
    "NHS|NHS number|CHI|SSN|social security|insurance no|tel|telephone|phone|mobile|cell|"
    "fax|call|address|lives at|living at|resides at|residing at|resident at|home at|Mr|Mr.|"
    "Mrs|Ms|Miss|Mx|Dr|Dr.|Doctor|Prof|Professor|named|called|patient|name|pt|J.|sign|"
    "syndrome|Street|St|Road|Rd|Avenue|Ave|Lane|Close|Crescent|Drive|Way|Place|Court|"
    "Boulevard|Blvd|Terrace|Gardens|Jan|January|Feb.|March|May|June|Sept|December|st|th|"
    "Smith|O'Brien|Holloway-Jones|Anders|Jane|Doe|Turner|Ewing|Rauh|Baker|Elm|LS1|SW1A|4AP|"
    "jane.doe|example|nhs|co.uk|x|B|" + "|".join(TIGHT) + "|"
    "\u0130|\u0131|\u017f|\u212a|é|ß|Ω|µ"
).split("|")
SEPARATORS = ("", " ", " ", " ", ": ", ", ", ". ", "-", "\n", "@", "#", "+", "(", ")", "\t")


@st.composite
def numbers(draw: st.DrawFn, digits: str) -> str:
    """Groups of digits, drawn from ``digits``, joined as dates, phone and record
    numbers are: "12/03/1961", "+44 20 7946 0958", "(555) 123-4567", "221B"."""
    groups = draw(
        st.lists(st.text(st.sampled_from(digits), min_size=1, max_size=6), min_size=1, max_size=4)
    )
    joins = st.sampled_from(("", " ", "-", ".", "/", ") ", " - ", "  "))
    text = groups[0] + "".join(draw(joins) + group for group in groups[1:])
    return (
        draw(st.sampled_from(("", "", "+", "(")))
        + text
        + draw(st.sampled_from(("", "", "B", "th")))
    )


@st.composite
def clinical_texts(draw: st.DrawFn) -> str:
    """Words, numbers and separators in any case, numbers from a few digits only (so a
    text may have no 0-9 but a 9, or only a digit outside ASCII)."""
    digits = draw(st.text(st.sampled_from("0123456789\u0663\uff11"), min_size=1, max_size=3))
    case = st.sampled_from((str, str, str, str.lower, str.upper, str.title, str.swapcase))
    piece = st.sampled_from(WORDS).flatmap(lambda w: case.map(lambda c: c(w))) | numbers(digits)
    parts = draw(st.lists(st.tuples(st.sampled_from(SEPARATORS), piece), max_size=20))
    return "".join(separator + word for separator, word in parts)


clinical_text = clinical_texts() | st.text(
    st.sampled_from("0123456789 /.-()+:#@\nMrDobnNHSaeistlc\u0130\u0131\u017f"), max_size=60
)


@settings(max_examples=1500)
@given(clinical_text, st.sampled_from(((), ("Smith",), ("Ewing", "Turner"))))
@example("DOB 12/03/1961", ())
@example("D\u0130B: 3.4.59 and \u017f\u017fN 123-45-6789", ())
@example("MRN 4411229, tel 020 7946 0958, on +44 20 7946 0958", ())
@example("she lives at 221B Baker Street; address: 4 Elm Row, Leeds LS1 4AP", ())
@example("PAT\u0131ENT: John Doe, seen by Dr. Smith", ("Smith",))
@example("write to jane.doe@nhs.net", ())
@example("born \u0663/\u0663/\u0663\u0663\u0663\u0663", ())
def test_find_is_every_pattern_over_the_text(text: str, names: tuple[str, ...]) -> None:
    assert find(text, names) == every_pattern(text, names)


def test_the_lowercased_text_has_every_word_ignorecase_finds() -> None:
    """Whatever a letter of an ASCII word matches under re.IGNORECASE, ``_folded`` makes
    that letter: the keyword tests on the lowercased text miss nothing."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for letter in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for char in re.findall(letter, everything, re.IGNORECASE):
            assert identifiers._folded(char) == letter.lower(), (letter, char)


def test_file_names_and_case_texts_as_before() -> None:
    for name in (
        "dob-12-03-1961.jpg",
        "mrn_4411229.png",
        "mr-smith-knee.jpg",
        "MR_SMITH_KNEE.JPG",
        "x-ray-3.png",
        "tel.020.7946.0958.png",
        "pat\u0131ent-john-doe.png",
    ):
        spaced = re.sub(r"(?<=[A-Za-z])[-_.]|[-_.](?=[A-Za-z])|_", " ", name).title()
        for reading in (name, spaced):
            assert find(reading) == every_pattern(reading)
    assert [i.found for i in find_in_file_name("dob-12-03-1961.jpg")] == ["12-03-1961"]
    assert [i.found for i in find_in_file_name("mr-smith-knee.jpg")] == ["smith"]
