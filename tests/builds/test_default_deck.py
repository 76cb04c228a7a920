"""Issue 2: the default deck, imported by the official Anki engine into a fresh collection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckbuilder.notes.notetype import FIELDS
from tests.support.ankiengine import import_apkg, open_collection
from tests.support.helpers import markup_only, read_case, visible_text
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES, DEFAULT_QUESTIONS

ANSWERS = {"terminology": "C", "treatment": "D", "prognosis": "B", "surveillance": "B"}


@pytest.fixture
def imported(cli, content: Path, tmp_path: Path):
    result = cli("build", str(content), "--output", "dist")
    assert result.exit_code == 0, result.output
    apkg = tmp_path / "dist" / "clinical-quiz.apkg"
    assert apkg.is_file()
    col = open_collection(tmp_path / "fresh.anki2")
    log = import_apkg(col, apkg)
    yield col, log
    col.close()


def _questions(col) -> list:
    """The multiple-choice notes (the facts' cloze notes have no Options)."""
    return [col.get_note(nid) for nid in col.find_notes("") if "Options" in col.get_note(nid)]


def test_four_questions_of_one_card_each_in_the_named_deck(imported) -> None:
    col, log = imported
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (DEFAULT_NOTES, 0, 0, 0)
    assert len(col.find_notes("")) == DEFAULT_NOTES
    questions = _questions(col)
    assert len(questions) == DEFAULT_QUESTIONS
    for note in questions:
        cards = note.cards()
        assert len(cards) == 1
        assert col.decks.name(cards[0].did) == "Clinical Quiz"


def test_case_context_identical_in_all_notes(imported) -> None:
    col, _ = imported
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    cases = {n["Case"] for n in notes}  # questions and facts alike
    assert len(cases) == 1
    assert "A 69 year old male" in next(iter(cases))
    questions = _questions(col)
    assert {n["Answer"] for n in questions} == {"B", "C", "D"}
    assert {n["Ref"].split("/")[1]: n["Answer"] for n in questions} == ANSWERS


def test_rendered_front_and_back(imported) -> None:
    col, _ = imported
    case = read_case(DEFAULT_CONTENT / "cases" / "alt-thigh.yaml")
    questions = {q.id: q for q in case.questions}
    for note in _questions(col):
        q = questions[note["Ref"].split("/")[1]]
        card = note.cards()[0]
        front, back = markup_only(card.question()), markup_only(card.answer())
        front_text, back_text = visible_text(front), visible_text(back)

        assert "A 69 year old male, presented elsewhere 6 years earlier" in front_text
        assert visible_text(q.question) in front_text
        for letter, option in q.options.items():
            assert f"{letter} {visible_text(option)}" in front_text
        critique = visible_text(note["Critique"])
        assert critique and critique not in front_text
        assert "Correct answer" not in front_text
        assert "data-answer" not in front  # what marks the right option on the back

        assert critique in back_text
        assert visible_text(q.critique) == critique
        correct = q.options[q.answer]
        assert f'data-answer="{q.answer}"' in back
        right = re.search(rf'<li class="db-option" data-letter="{q.answer}">(.*?)</li>', back, re.S)
        assert right and visible_text(correct) in visible_text(right.group(1))
        assert f"Correct answer: {q.answer}" in back_text


def test_note_type_has_the_contract_fields(imported) -> None:
    col, _ = imported
    note = _questions(col)[0]
    assert list(note.keys()) == list(FIELDS)
