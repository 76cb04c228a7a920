"""The statements kind: Kprim and true/false questions, one note each, on a note type of
their own (:data:`STATEMENTS`), their ids ``case/statements/question``.

A question with ``kind: kprim`` (exactly four statements) or ``kind: true-false`` (one or
more) asks the learner to mark each statement true or false. Why a note type of its own,
not the multiple-choice one: the MCQ note type's fields are a frozen contract with every
colleague's collection, and its Options/Answer fields mean "choose options", whose CSS
marks the letters the Answer names as correct without script. A statement has a truth
either way, which that contract cannot carry without redefining what its fields hold
(an all-false Kprim would have an empty Answer). A note type of its own keeps the MCQ
contract untouched, so decks without these questions build as before, and gives the
new kind a contract that can be pinned from its first release. Its refs live under
``statements/`` as facts live under ``facts/``, so a question changed from multiple
choice to statements (or back) becomes a new note on the right note type, and the old
one is retired on its own.

Fields: the stem, the case's shared fields, ``Statements`` (the lettered statements with
their True/False controls, shown on the front, never their truth), ``Answer`` (each
written letter and its truth, "A: true, B: false", only on the back) and ``Critique``
(the critique, then each statement's explanation, which the back's script puts under
its statement). The card script (``card.js``, shared with the multiple-choice card for
the order, shuffle and the state carried from front to back) scores the marks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckbuilder.content.model import OPTION_LETTERS, StatementQuestion
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import QuestionKind
from deckbuilder.notes.notetype import Contract
from deckbuilder.notes.render import plain

if TYPE_CHECKING:
    from deckbuilder.content.model import Deck
    from deckbuilder.errors import KeyPath
    from deckbuilder.notes.builder import CaseRenderer

#: The statements note type's contract, version 1. Never edit (see notes/notetype.py).
FIELDS: tuple[str, ...] = (
    "Question",  # the stem; first field, for Anki's sort column and duplicate check
    "Case",  # the case vignette, identical in every note of a case
    "Statements",  # the lettered statements with their True/False controls (front)
    "Answer",  # each written letter and its truth: "A: true, B: false" (back only)
    "Critique",  # the critique, then each statement's explanation
    "Discussion",  # the wider discussion of the case
    "Figures",  # figures and captions of the case
    "Source",  # citation / attribution
    "Title",  # the case title
    "Ref",  # "case-id/statements/question-id": the stable keys, for search and tools
)
TEMPLATES: tuple[str, ...] = ("Statements",)
#: Fixed ids: derived_id("statements-field", name) and ("statements-template", name).
FIELD_IDS: dict[str, int] = {
    "Question": 7886181476712263830,
    "Case": 171379700686697286,
    "Statements": 2571589691941256735,
    "Answer": 925448713372393169,
    "Critique": 8404852473205507905,
    "Discussion": 2086008714041582261,
    "Figures": 5352737201332070591,
    "Source": 1373150296292390117,
    "Title": 7601841709149102929,
    "Ref": 1586140375337191468,
}
TEMPLATE_IDS: dict[str, int] = {"Statements": 2624850209632568003}

STATEMENTS = Contract(
    "statements", "Clinical True/False", FIELDS, TEMPLATES, FIELD_IDS, TEMPLATE_IDS,
    "statements-front.html", "statements-back.html", script=True, cloze=False,
)  # fmt: skip

KPRIM_RULE = "Kprim scoring: all 4 right = 1 point, 3 right = half a point, fewer = no point."


class Statements(QuestionKind[StatementQuestion]):
    name = "statements"
    lock_key = "statements"
    json_key = "statements_notetype"
    noun = "true/false question"
    contract = STATEMENTS
    always = False
    namespace = "statements"
    question_type = StatementQuestion
    notetype_noun = "true/false note type"
    report_new = "true/false note type (Kprim and true/false questions): new"
    skipped = "every Kprim and true/false question"

    def notetype_id(self, deck_key: str) -> int:
        return ids.kind_notetype_id("statements", deck_key)

    def question_fields(
        self,
        renderer: CaseRenderer,
        deck: Deck,
        index: int,
        question: StatementQuestion,
        shuffle: bool,
    ) -> dict[str, str]:
        return statement_fields(renderer, ("questions", index), question, shuffle)


STATEMENT_QUESTIONS = Statements()


def statement_fields(
    renderer: CaseRenderer, key: KeyPath, q: StatementQuestion, shuffle: bool
) -> dict[str, str]:
    """The fields of one question of statements. Every text goes through the renderer;
    the controls are fixed markup; the truth is only in Answer and the explanations."""
    items = []
    explanations = []
    for n, statement in enumerate(q.statements):
        letter = OPTION_LETTERS[n]
        text = renderer.markdown(statement.text, (*key, "statements", n, "text"), inline=True)
        items.append(
            f'<li class="db-statement" data-letter="{letter}">'
            f'<span class="db-statement-head"><span class="db-letter">{letter}</span> '
            f'<span class="db-option-text">{text}</span></span>'
            f'<span class="db-marks" role="group">'
            f'<button type="button" class="db-mark tappable" data-letter="{letter}" '
            'data-mark="true" aria-pressed="false">True</button>'
            f'<button type="button" class="db-mark tappable" data-letter="{letter}" '
            'data-mark="false" aria-pressed="false">False</button></span></li>'
        )
        if statement.explanation:
            explanation = renderer.markdown(
                statement.explanation, (*key, "statements", n, "explanation")
            )
            explanations.append(
                f'<dt data-letter="{letter}">{letter}</dt>'
                f'<dd data-letter="{letter}">{explanation}</dd>'
            )
    attributes = f' data-kind="{q.kind}"' + (
        ' data-shuffle="1"' if shuffle and len(q.statements) > 1 else ""
    )
    rule = "Mark each statement true or false." + (f" {KPRIM_RULE}" if q.kprim else "")
    statements = (
        f'<p class="db-rule">{rule}</p>'
        f'<ol class="db-statements"{attributes}>' + "".join(items) + "</ol>"
    )
    critique = renderer.markdown(q.critique, (*key, "critique")) if q.critique else ""
    if explanations:
        critique += '\n<dl class="db-explanations">' + "".join(explanations) + "</dl>"
    truths = [("true" if s.answer else "false") for s in q.statements]
    answer = ", ".join(f"{OPTION_LETTERS[n]}: {truth}" for n, truth in enumerate(truths))
    return {
        "Question": renderer.markdown(q.question, (*key, "question")),
        "Statements": statements,
        "Answer": plain(answer),
        "Critique": critique,
    }
