"""The kinds of note a deck holds, each behind one interface.

A kind is everything the build needs to know of one kind of note: its note type (the
contract with colleagues' collections and the files that make its cards), the ids it
derives, how it renders a case into notes, what the lock keeps for it and how it is
named in reports and errors. The build state (lock, planner, merge, recovery), the
writer and the report hold ``kind → state`` maps and never name a kind; adding a kind is
one module here, its content model and its templates.

The order of :data:`KINDS` is the order of the notes within a case and of the note types
in the lock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deckbuilder.notes.notetype import Contract

if TYPE_CHECKING:
    from deckbuilder.apkg.reader import Note, NoteType
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.builder import CaseRenderer
    from deckbuilder.notes.spec import NoteSpec


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
    report_new: str
    report_changed: str
    contract_changed: str
    """Why a build refuses to change its note type's contract (without ``--force``)."""
    ref_field: str = "Ref"
    """The field that holds a note's ref (``case/key``), read back from a package."""

    @abstractmethod
    def notetype_id(self, deck_key: str) -> int:
        """The Anki id of this kind's note type in the deck ``deck_key``."""

    @abstractmethod
    def owns(self, ref: str) -> bool:
        """Whether the note ``ref`` (``case/key``) is of this kind."""

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
        """What the lock keeps of a note's cards, so that a retired note keeps them all;
        nothing for a kind whose notes have one card."""
        return ()

    def recovered_cards(self, note: Note, notetype: NoteType) -> tuple[int, ...]:
        """:meth:`lock_cards` for a note read back from a package."""
        return ()


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
