"""The multiple-choice kind: one note per question of a case, on the deck's MCQ note type
(:data:`~deckbuilder.notes.notetype.MCQ`), its id ``case/question``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from deckbuilder.notes import ids
from deckbuilder.notes.kinds import NoteKind
from deckbuilder.notes.notetype import MCQ
from deckbuilder.notes.render import plain
from deckbuilder.notes.spec import NoteSpec

if TYPE_CHECKING:
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.builder import CaseRenderer


class MultipleChoice(NoteKind):
    name = "mcq"
    lock_key = "notetype"
    json_key = "notetype"
    noun = "question"
    contract = MCQ
    always = True
    report_new = "new note type"
    report_changed = "note type: templates or style changed (colleagues get it on import)"
    contract_changed = (
        "the note type's fields or templates changed since the last build. Anki would "
        "treat it as a different note type: re-importing would create a second note "
        "type ('…+') and skip every existing note as conflicting, so no colleague "
        "would receive updates. Revert the change, or rebuild with --force if breaking "
        "existing collections is intended."
    )

    def notetype_id(self, deck_key: str) -> int:
        return ids.notetype_id(deck_key)

    def owns(self, ref: str) -> bool:
        return ref.count("/") == 1

    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        from deckbuilder.content.model import Question
        from deckbuilder.notes.builder import merged_tags

        case = renderer.loaded.case
        notes = []
        for i, q in enumerate(case.questions):
            if not isinstance(q, Question):
                continue  # a question of another kind
            before = len(renderer.used)
            shuffle = deck.shuffle if q.shuffle is None else q.shuffle
            values = {**shared, **renderer.question(i, q, shuffle, deck.reveal_on_tap)}
            ref = f"{case.id}/{q.id}"
            values["Ref"] = plain(ref)
            notes.append(
                NoteSpec(
                    ref=ref,
                    guid=ids.note_guid(deck.id, case.id, q.id),
                    note_id=ids.note_id(deck.id, case.id, q.id),
                    cards=((ids.card_id(deck.id, case.id, q.id, 0), 0),),
                    fields=tuple(values[name] for name in MCQ.fields),
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
        values = {name: "" for name in MCQ.fields}
        values.update(Question=notice, Ref=plain(ref))
        return NoteSpec(
            ref=ref,
            guid=ids.note_guid(deck_key, case_key, key),
            note_id=ids.note_id(deck_key, case_key, key),
            cards=((ids.card_id(deck_key, case_key, key, 0), 0),),
            fields=tuple(values[name] for name in MCQ.fields),
            tags=tags,
            media=(),
            kind=self.name,
        )


MULTIPLE_CHOICE = MultipleChoice()
