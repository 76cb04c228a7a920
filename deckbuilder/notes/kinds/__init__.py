"""The kinds of note a deck holds, each behind one interface.

A kind is everything the build needs to know of one kind of note: its note type (the
contract with colleagues' collections and the files that make its cards), the ids it
derives, how it renders a case into notes, what the lock keeps for it and how it is
named in reports and errors. The build state (lock, planner, merge, recovery), the
writer and the report hold ``kind → state`` maps and never name a kind; adding a kind is
one module here, its content model and its templates. What kinds share lives here: the
ref and ids of a note (:meth:`NoteKind.note`), and for kinds of questions the note of
each question and its retired stand-in (:class:`QuestionKind`).

The order of :data:`KINDS` is the order of the notes within a case and of the note types
in the lock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from deckbuilder.notes import ids
from deckbuilder.notes.notetype import Contract
from deckbuilder.notes.render import plain
from deckbuilder.notes.spec import NoteSpec

if TYPE_CHECKING:
    from deckbuilder.apkg.reader import Note, NoteType
    from deckbuilder.content.model import Deck, Question, StatementQuestion
    from deckbuilder.notes.builder import CaseRenderer


class NoteKind(ABC):
    """One kind of note: see the module's docstring."""

    name: str
    """A :class:`~deckbuilder.notes.spec.NoteSpec`'s ``kind``."""
    lock_key: str
    """Its note type's entry in the lock (and how a merge of locks names it)."""
    json_key: str
    """Its note type's entry in ``build --json``."""
    noun: str
    """What one note of the kind is called in the deck's description ("question")."""
    contract: Contract
    always: bool
    """Whether its note type is in every deck, even one with none of its notes."""
    namespace: str | None
    """What its refs hold between the case and the note's own key (``facts`` in
    ``case/facts/key``), so that no two kinds share a ref, nor the ids derived from it;
    None for refs ``case/key``."""
    ref_field: str = "Ref"
    """The field that holds a note's ref (``case/key``), read back from a package."""
    notetype_noun: str
    """What reports call its note type ("cloze note type")."""
    report_new: str
    """The build's report of its note type new to the lock."""
    skipped: str
    """What a second note type, made by a changed contract, would skip ("every fact")."""

    @property
    def report_changed(self) -> str:
        """The build's report of its note type's templates or CSS changed."""
        return f"{self.notetype_noun}: templates or style changed (colleagues get it on import)"

    @property
    def contract_changed(self) -> str:
        """Why a build refuses to change its note type's contract (without ``--force``)."""
        return (
            f"the {self.notetype_noun}'s fields or templates changed since the last build: "
            f"re-importing would create a second note type and skip {self.skipped}. Revert "
            "the change, or rebuild with --force if breaking existing collections is intended."
        )

    @abstractmethod
    def notetype_id(self, deck_key: str) -> int:
        """The Anki id of this kind's note type in the deck ``deck_key``."""

    def owns(self, ref: str) -> bool:
        """Whether the note ``ref`` is of this kind."""
        parts = ref.split("/")
        if self.namespace is None:
            return len(parts) == 2
        return len(parts) == 3 and parts[1] == self.namespace

    def ref(self, case_key: str, key: str) -> str:
        """The ref of the case's note ``key`` of this kind."""
        return (
            f"{case_key}/{key}" if self.namespace is None else f"{case_key}/{self.namespace}/{key}"
        )

    def note(
        self,
        deck_key: str,
        ref: str,
        values: Mapping[str, str],
        *,
        tags: Iterable[str],
        media: tuple[str, ...] = (),
        numbers: Iterable[int] = (1,),
    ) -> NoteSpec:
        """The note ``ref`` of this kind: its fields ``values`` in the contract's order,
        a card for each card number (1 for a kind of one card). Its ids derive from the
        deck's key and the ref alone, never from the text, so that an edited note is
        updated in colleagues' collections instead of duplicated."""
        case_key, _, key = ref.partition("/")
        return NoteSpec(
            ref=ref,
            guid=ids.note_guid(deck_key, case_key, key),
            note_id=ids.note_id(deck_key, case_key, key),
            cards=tuple((ids.card_id(deck_key, case_key, key, n - 1), n - 1) for n in numbers),
            fields=tuple(values[name] for name in self.contract.fields),
            tags=tuple(tags),
            media=media,
            kind=self.name,
        )

    @abstractmethod
    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        """The notes of this kind of the case ``renderer`` renders, in content order."""

    @abstractmethod
    def retired_note(
        self, deck_key: str, ref: str, tags: tuple[str, ...], cards: Sequence[int]
    ) -> NoteSpec:
        """The stand-in for the note ``ref``, no longer in the content (``tags`` already
        hold the retired tag); ``cards``: what the lock kept of its cards."""

    def lock_cards(self, spec: NoteSpec) -> tuple[int, ...]:
        """What the lock keeps of a note's cards, so that a retired note keeps them all:
        their card numbers, nothing for a note of card 1 alone (every note of a kind of
        one card)."""
        kept = tuple(ordinal + 1 for _, ordinal in spec.cards)
        return () if kept == (1,) else kept

    def recovered_cards(self, note: Note, notetype: NoteType) -> tuple[int, ...]:
        """:meth:`lock_cards` for a note read back from a package."""
        return ()


Q = TypeVar("Q", bound="Question | StatementQuestion")


class QuestionKind(NoteKind, Generic[Q]):
    """A kind whose notes are the case's questions of one model, a note of one card each
    (multiple choice; Kprim and true/false). Such kinds differ in which questions they
    take and how those render, not in how a question becomes a note or is retired."""

    question_type: type[Q]
    """The content model of the questions it takes."""

    @abstractmethod
    def question_fields(
        self, renderer: CaseRenderer, deck: Deck, index: int, question: Q, shuffle: bool
    ) -> dict[str, str]:
        """The fields of the case's question ``index``, except the case's shared ones and
        Ref."""

    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        from deckbuilder.notes.builder import merged_tags

        case = renderer.loaded.case
        notes = []
        for i, q in enumerate(case.questions):
            if not isinstance(q, self.question_type):
                continue  # a question of another kind
            before = len(renderer.used)
            shuffle = deck.shuffle if q.shuffle is None else q.shuffle
            values = {**shared, **self.question_fields(renderer, deck, i, q, shuffle)}
            ref = self.ref(case.id, q.id)
            values["Ref"] = plain(ref)
            tagged = merged_tags(tags, q.tags)
            notes.append(
                self.note(deck.id, ref, values, tags=tagged, media=renderer.note_media(before))
            )
        return notes

    def retired_note(
        self, deck_key: str, ref: str, tags: tuple[str, ...], cards: Sequence[int]
    ) -> NoteSpec:
        from deckbuilder.notes.retired import DELETE_IT

        notice = (
            "<p><strong>Retired question.</strong> The deck's author removed this question "
            f"(<code>{plain(ref)}</code>). {DELETE_IT}</p>"
        )
        values = dict.fromkeys(self.contract.fields, "")
        values.update(Question=notice, Ref=plain(ref))
        return self.note(deck_key, ref, values, tags=tags)


def kept_cards(found: Iterable[int], most: int) -> tuple[int, ...]:
    """:meth:`NoteKind.lock_cards` of the card numbers found in a note read back from a
    package, those from 1 to ``most`` (a package may hold anything)."""
    kept = tuple(n for n in sorted(set(found)) if 1 <= n <= most)
    return () if kept in ((), (1,)) else kept


def _kinds() -> tuple[NoteKind, ...]:
    from deckbuilder.notes.kinds.cloze import CLOZE_FACTS
    from deckbuilder.notes.kinds.mcq import MULTIPLE_CHOICE
    from deckbuilder.notes.kinds.occlusion import IMAGE_OCCLUSIONS
    from deckbuilder.notes.kinds.statements import STATEMENT_QUESTIONS

    return (MULTIPLE_CHOICE, STATEMENT_QUESTIONS, CLOZE_FACTS, IMAGE_OCCLUSIONS)


KINDS: tuple[NoteKind, ...] = _kinds()
BY_NAME: dict[str, NoteKind] = {kind.name: kind for kind in KINDS}
BY_LOCK_KEY: dict[str, NoteKind] = {kind.lock_key: kind for kind in KINDS}


def kind_of(ref: str) -> NoteKind:
    """The kind of the note ``ref``."""
    return next(kind for kind in KINDS if kind.owns(ref))
