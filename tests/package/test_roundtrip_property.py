"""Issue 5: random valid decks survive the round trip through the official engine.

Hypothesis writes random content — every script including right-to-left, emoji,
combining marks, ``<>&"'`` in every field, very long texts, many options — as YAML,
builds it, imports the deck with the ``anki`` package, and checks that every field
the engine stores is exactly what our renderer produced, that GUIDs are unique, and
that nothing crashes. A failure Hypothesis finds is kept as an ``@example`` below (its
database, ``.hypothesis/``, is a local cache and is not committed).
"""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deckbuilder import build, render_content
from deckbuilder.notes.render import UnsafeText, markdown
from tests.support.ankiengine import collection, import_apkg
from tests.support.helpers import read_case

SAMPLES = [
    "<>&\"'",
    "<b>",
    "&amp;",
    "&#x27;",
    "שלום עולם",
    "مرحبا بالعالم",
    "‏RTL‏",
    "👩🏽‍⚕️🫀",
    "e\u0301",
    "A\u030a",
    "ﷺ",
    "漢字かなカナ",
    "Ελληνικά",
    "ἀρχή",
    "देवनागरी",
    "ไทย",
    "**bold**",
    "_x_",
    "`code`",
    "- item",
    "1. item",
    "> quote",
    "| a | b |",
    "[link](x)",
    "\\",
    "{{Answer}}",
    "{{#Case}}",
    "::",
    "\t",
    "  ",
    "\n",
    "\n\n",
]

LETTERS = string.ascii_uppercase

_chars = st.characters(blacklist_categories=("Cs", "Cc"))
_piece = st.one_of(st.text(_chars, min_size=1, max_size=30), st.sampled_from(SAMPLES))
_long = st.builds(
    lambda s, n: s * n, st.text(_chars, min_size=1, max_size=12), st.integers(100, 400)
)


def _renders(text: str) -> bool:
    """Text a deck may hold (absurd nesting, such as '>' * 100, is refused on purpose)."""
    try:
        markdown(text)
    except UnsafeText:
        return False
    return True


text = (
    st.one_of(st.lists(_piece, min_size=1, max_size=8).map("".join), _long)
    .filter(lambda s: s.strip() and "![" not in s)  # images must name files that exist
    .filter(_renders)
)

key = st.from_regex(r"\A[a-z0-9](?:[a-z0-9_-]{0,10}[a-z0-9])?\Z", fullmatch=True)


@st.composite
def questions(draw: st.DrawFn) -> list[dict[str, object]]:
    ids = draw(st.lists(key, min_size=1, max_size=4, unique=True))
    out = []
    for qid in ids:
        n = draw(st.one_of(st.integers(2, 6), st.integers(7, 26)))
        options = {LETTERS[i]: draw(text) for i in range(n)}
        out.append(
            {
                "id": qid,
                "question": draw(text),
                "options": options,
                "answer": draw(st.sampled_from(list(options))),
                "critique": draw(text),
            }
        )
    return out


@st.composite
def decks(draw: st.DrawFn) -> tuple[dict[str, object], list[dict[str, object]]]:
    deck = {
        "name": re.sub(":{2,}", ":", draw(text)).strip() or "Deck",  # one level
        "id": draw(key),
        "description": draw(text),
    }
    case_ids = draw(st.lists(key, min_size=1, max_size=3, unique=True))
    cases = []
    for cid in case_ids:
        case: dict[str, object] = {"id": cid, "title": draw(text), "case": draw(text)}
        if draw(st.booleans()):
            case["discussion"] = draw(text)
        if draw(st.booleans()):
            case["source"] = draw(text)
        case["questions"] = draw(questions())
        cases.append(case)
    return deck, cases


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=80)


def _every_sample() -> tuple[dict[str, object], list[dict[str, object]]]:
    """Every hard sample in every text field at once, 26 options, two cases."""
    joined = " ".join(s for s in SAMPLES if s.strip())
    question = {
        "id": "q",
        "question": joined,
        "options": {letter: f"{letter} {joined}" for letter in LETTERS},
        "answer": "Z",
        "critique": joined,
    }
    cases = [
        {
            "id": cid,
            "title": joined,
            "case": joined,
            "discussion": joined,
            "source": joined,
            "questions": [question],
        }
        for cid in ("a", "b-2")
    ]
    return {"name": "Deck", "id": "d", "description": joined}, cases


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(decks())
@example(_every_sample())
@example(  # a one-character deck: the shortest of everything
    (
        {"name": "D", "id": "d", "description": "x"},
        [
            {
                "id": "c",
                "title": "t",
                "case": "c",
                "questions": [
                    {
                        "id": "q",
                        "question": "?",
                        "options": {"A": "a", "B": "b"},
                        "answer": "B",
                        "critique": "c",
                    }
                ],
            }
        ],
    )
)
def test_random_decks_round_trip_through_the_engine(
    deck_and_cases: tuple[dict[str, object], list[dict[str, object]]],
) -> None:
    deck, cases = deck_and_cases
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        (root / "cases").mkdir(parents=True)
        (root / "deck.yaml").write_text(_dump(deck), encoding="utf-8")
        for i, case in enumerate(cases):
            (root / "cases" / f"{i}.yaml").write_text(_dump(case), encoding="utf-8")

        loaded = [read_case(root / "cases" / f"{i}.yaml") for i in range(len(cases))]
        for src, got in zip(cases, loaded, strict=True):
            assert got.case == src["case"]  # the YAML layer is lossless
            assert [q.options for q in got.questions] == [q["options"] for q in src["questions"]]
        notes = render_content(root).notes
        expected = {n.guid: n.fields for n in notes}
        assert len(expected) == len(notes) == sum(len(c["questions"]) for c in cases)

        apkg = build(root, Path(tmp) / "dist").deck_path
        with collection(Path(tmp) / "c.anki2") as col:
            log = import_apkg(col, apkg)
            assert log.new == len(expected)
            stored = {
                col.get_note(n).guid: tuple(col.get_note(n).fields) for n in col.find_notes("")
            }
        assert stored == expected
