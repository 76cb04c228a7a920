"""The notes a build writes, as data: small, picklable, with their fingerprints.

A :class:`NoteSpec` is everything Anki will store of one note but its modification time,
which the build state decides; a :class:`CaseNotes` is everything a build keeps of one
rendered case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from deckbuilder.content.media import Media
from deckbuilder.errors import ContentProblem


@dataclass(frozen=True)
class NoteSpec:
    """One note as it will be written, minus its modification time (the build state
    decides that)."""

    ref: str  # "case-id/question-id", or "case-id/facts/fact-id" for a fact
    guid: str
    note_id: int
    cards: tuple[tuple[int, int], ...]  # (card id, template ordinal) of each card
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[str, ...]
    kind: str = "mcq"  # which note type: "mcq" or "cloze"

    @cached_property
    def fingerprint(self) -> str:
        """Everything that ends up in the note: fields, tags, media (names are content hashes)."""
        text = "\x1f".join((*self.fields, "\x1e", *self.tags, "\x1e", *self.media))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    @property
    def content(self) -> str:
        """A hash of the fields and tags as Anki stores them (see :func:`note_content`)."""
        return note_content(self.fields, self.tags)


def note_content(fields: Iterable[str], tags: Iterable[str]) -> str:
    """A hash of a note's fields and tags as a collection stores them: what a lock
    recovered from a deck compares, since a deck cannot tell fingerprints."""
    text = "\x1f".join(fields) + "\x1e" + " ".join(sorted(tags))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class CaseNotes:
    """Everything a build keeps of one rendered case."""

    case_id: str
    notes: list[NoteSpec]
    media: list[Media]
    summary: CaseSummary
    warnings: list[ContentProblem] = field(default_factory=list)  # fail `check --strict`
    notices: list[ContentProblem] = field(default_factory=list)  # for the author's information


@dataclass(frozen=True)
class CaseSummary:
    """What the deck description says of a case: its line, rendered with the case."""

    id: str
    title: str
    line: str  # HTML: the title, then the source and attribution when given
