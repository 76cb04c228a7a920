"""The multiple-choice kind: one note per question of a case, on the deck's MCQ note type
(:data:`~deckbuilder.notes.notetype.MCQ`), its id ``case/question``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckbuilder.content.model import Question
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import QuestionKind
from deckbuilder.notes.notetype import MCQ

if TYPE_CHECKING:
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.builder import CaseRenderer


class MultipleChoice(QuestionKind[Question]):
    name = "mcq"
    lock_key = "notetype"
    json_key = "notetype"
    noun = "question"
    contract = MCQ
    always = True
    namespace = None
    question_type = Question
    notetype_noun = "note type"
    report_new = "new note type"

    @property
    def contract_changed(self) -> str:
        """Said in full: every deck has this note type, so its contract is where an
        author meets the rule first."""
        return (
            "the note type's fields or templates changed since the last build. Anki would "
            "treat it as a different note type: re-importing would create a second note "
            "type ('…+') and skip every existing note as conflicting, so no colleague "
            "would receive updates. Revert the change, or rebuild with --force if breaking "
            "existing collections is intended."
        )

    def notetype_id(self, deck_key: str) -> int:
        return ids.notetype_id(deck_key)

    def question_fields(
        self, renderer: CaseRenderer, deck: Deck, index: int, question: Question, shuffle: bool
    ) -> dict[str, str]:
        return renderer.question(index, question, shuffle, deck.reveal_on_tap)


MULTIPLE_CHOICE = MultipleChoice()
