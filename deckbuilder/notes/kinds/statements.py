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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from deckbuilder.content.model import OPTION_LETTERS, StatementQuestion
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import NoteKind
from deckbuilder.notes.notetype import Contract
from deckbuilder.notes.render import plain
from deckbuilder.notes.spec import NoteSpec

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

NAMESPACE = "statements"
KPRIM_RULE = "Kprim scoring: all 4 right = 1 point, 3 right = half a point, fewer = no point."


class Statements(NoteKind):
    name = "statements"
    lock_key = "statements"
    json_key = "statements_notetype"
    noun = "true/false question"
    contract = STATEMENTS
    always = False
    report_new = "true/false note type (Kprim and true/false questions): new"
    report_changed = (
        "true/false note type: templates or style changed (colleagues get it on import)"
    )
    contract_changed = (
        "the true/false note type's fields or templates changed since the last build: "
        "re-importing would create a second note type and skip every Kprim and true/false "
        "question. Revert the change, or rebuild with --force if breaking existing "
        "collections is intended."
    )

    def notetype_id(self, deck_key: str) -> int:
        return ids.kind_notetype_id(NAMESPACE, deck_key)

    def owns(self, ref: str) -> bool:
        return ref.count("/") == 2 and ref.split("/")[1] == NAMESPACE

    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        from deckbuilder.notes.builder import merged_tags

        case = renderer.loaded.case
        notes = []
        for i, q in enumerate(case.questions):
            if not isinstance(q, StatementQuestion):
                continue
            before = len(renderer.used)
            shuffle = deck.shuffle if q.shuffle is None else q.shuffle
            values = {**shared, **statement_fields(renderer, ("questions", i), q, shuffle)}
            key = f"{NAMESPACE}/{q.id}"
            ref = f"{case.id}/{key}"
            values["Ref"] = plain(ref)
            notes.append(
                NoteSpec(
                    ref=ref,
                    guid=ids.note_guid(deck.id, case.id, key),
                    note_id=ids.note_id(deck.id, case.id, key),
                    cards=((ids.card_id(deck.id, case.id, key, 0), 0),),
                    fields=tuple(values[name] for name in FIELDS),
                    tags=tuple(merged_tags(tags, q.tags)),
                    media=renderer.note_media(before),
                    kind=self.name,
                )
            )
        return notes

    def retired_note(
        self, deck_key: str, ref: str, tags: tuple[str, ...], cards: Sequence[int]
    ) -> NoteSpec:
        from deckbuilder.notes.retired import DELETE_IT

        case_key, _, key = ref.partition("/")
        notice = (
            "<p><strong>Retired question.</strong> The deck's author removed this question "
            f"(<code>{plain(ref)}</code>). {DELETE_IT}</p>"
        )
        values = {name: "" for name in FIELDS}
        values.update(Question=notice, Ref=plain(ref))
        return NoteSpec(
            ref=ref,
            guid=ids.note_guid(deck_key, case_key, key),
            note_id=ids.note_id(deck_key, case_key, key),
            cards=((ids.card_id(deck_key, case_key, key, 0), 0),),
            fields=tuple(values[name] for name in FIELDS),
            tags=tags,
            media=(),
            kind=self.name,
        )


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
