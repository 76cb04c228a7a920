"""The plan of a build: every modification time, decided from the build state.

Anki updates a re-imported note only if its modification time is newer than the one in
the collection. A fixed time means edits never arrive; stamping every note with the
build time rewrites every note of every colleague on every import. So a build gives a
note a new, strictly later time only when its fingerprint changed since the lock was
written; the same holds for the note type (templates, CSS) and the deck.

"Now" is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the
clock; it is only ever given to what changed. No time a build gives lies outside 2000 to
2100 or beyond what the next build's lock check accepts (see :class:`Clock`): a time the
next build would refuse would stop every build after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deckbuilder.content.folder import LOCK_FILE
from deckbuilder.content.model import shown
from deckbuilder.errors import ContentError, ContentProblem, ContractError
from deckbuilder.notes.kinds import BY_NAME, KINDS
from deckbuilder.notes.retired import retired_note
from deckbuilder.notes.spec import NoteSpec
from deckbuilder.plan.lockfile import (
    MTIME_RANGE,
    Clock,
    Lock,
    NoteState,
    NoteTypeState,
    Stamp,
    utc,
)

Status = Literal["new", "updated", "unchanged", "retired", "still_retired"]


@dataclass(frozen=True)
class PlannedNote:
    """A note's place in the plan: what importing it will do, and its modification time."""

    ref: str
    mtime: int
    status: Status


@dataclass(frozen=True)
class PlannedNoteType:
    """A note type's place in the plan: its modification time, and whether it is new to
    the lock or changed since (templates or style)."""

    mtime: int
    new: bool
    changed: bool


@dataclass(frozen=True)
class Plan:
    """What a build will write, and how it differs from the last build."""

    notes: tuple[PlannedNote, ...]
    dropped: tuple[str, ...]
    notetypes: dict[str, PlannedNoteType]  # by note kind: those the deck holds
    deck_mtime: int
    deck_changed: bool  # its name or description
    renamed: tuple[str, str] | None  # the deck's name before and now
    lock: Lock

    def refs(self, status: Status) -> list[str]:
        return [p.ref for p in self.notes if p.status == status]

    @property
    def newest(self) -> int:
        times = [self.deck_mtime, *(t.mtime for t in self.notetypes.values())]
        return max(times + [p.mtime for p in self.notes])


def _same(prev: NoteState, spec: NoteSpec) -> bool:
    """Whether a note is as the lock remembers it: by fingerprint, or, for a lock
    recovered from a deck (which cannot tell fingerprints), by the text Anki stores."""
    if prev.fingerprint is not None:
        return prev.fingerprint == spec.fingerprint
    return prev.content == spec.content


class Planner:
    """Decides every modification time of a build from the lock, note by note.

    Notes are planned as they are rendered (a build never holds all of them); then
    :meth:`retired` stands in for the questions that disappeared, and :meth:`finish`
    stamps the deck and the note type and returns the :class:`Plan`.
    """

    def __init__(
        self,
        lock: Lock,
        *,
        deck_key: str,
        deck_id: int,
        deck_name: str,
        force: bool = False,
        clock: Clock | None = None,
    ) -> None:
        if not force:
            _check_contracts(lock, deck_key)
        self.lock = lock
        self.deck_key = deck_key
        self.clock = Clock.read() if clock is None else clock
        self.new_lock = Lock(deck_key=deck_key, deck_id=deck_id, deck_name=deck_name)
        self.planned: list[PlannedNote] = []
        self.dropped: list[str] = []

    def note(self, spec: NoteSpec) -> int:
        """Plan one note; return its modification time."""
        prev = self.lock.notes.get(spec.ref)
        if prev is None:
            mtime, status = self._now(), "new"
        elif _same(prev, spec):
            mtime, status = prev.mtime, "unchanged"
        else:
            mtime, status = self._after(prev.mtime, _note_key(spec.ref)), "updated"
        self.planned.append(PlannedNote(spec.ref, mtime, status))  # type: ignore[arg-type]
        self.new_lock.notes[spec.ref] = NoteState(
            spec.guid,
            spec.fingerprint,
            mtime,
            tags=spec.tags,
            cards=BY_NAME[spec.kind].lock_cards(spec),
        )
        return mtime

    def retired(self, drop_retired: bool) -> list[tuple[NoteSpec, int]]:
        """Stand-ins for the questions in the lock that the content no longer has."""
        out = []
        for ref in sorted(set(self.lock.notes) - set(self.new_lock.notes)):
            prev = self.lock.notes[ref]
            if drop_retired:
                self.dropped.append(ref)
                continue
            spec = retired_note(self.deck_key, ref, prev.tags, prev.cards)
            if _same(prev, spec):
                mtime, changed = prev.mtime, False
            else:
                mtime, changed = self._after(prev.mtime, _note_key(ref)), True
            status: Status = "retired" if not prev.retired or changed else "still_retired"
            self.planned.append(PlannedNote(ref, mtime, status))
            self.new_lock.notes[ref] = NoteState(
                spec.guid, spec.fingerprint, mtime, retired=True, tags=prev.tags, cards=prev.cards
            )
            out.append((spec, mtime))
        return out

    def finish(self, deck_fingerprint: str, notetype_fingerprints: dict[str, str]) -> Plan:
        """Stamp the deck and the note types: ``notetype_fingerprints`` holds the
        fingerprint of each kind's note type that the deck holds."""
        lock, new_lock = self.lock, self.new_lock
        deck_mtime, deck_changed = self._next(lock.deck, deck_fingerprint, "deck")
        new_lock.deck = Stamp(deck_fingerprint, deck_mtime)
        notetypes = {}
        for kind in KINDS:
            fingerprint = notetype_fingerprints.get(kind.name)
            if fingerprint is None:
                continue
            before = lock.notetype(kind.name)
            contract = kind.contract.contract_fingerprint()
            kept = before.stamp if before.contract == contract else None
            mtime, changed = self._next(kept, fingerprint, kind.lock_key)
            if kept is None and before.stamp is not None:  # a new contract, forced
                mtime = self._after(before.stamp.mtime, f"{kind.lock_key}.mtime")
            new_lock.notetypes[kind.name] = NoteTypeState(
                kind.notetype_id(self.deck_key), contract, Stamp(fingerprint, mtime)
            )
            new = before.stamp is None
            notetypes[kind.name] = PlannedNoteType(mtime, new, changed and not new)
        renamed = None
        if lock.deck_name is not None and lock.deck_name != new_lock.deck_name:
            renamed = (lock.deck_name, new_lock.deck_name or "")
        return Plan(
            notes=tuple(self.planned),
            dropped=tuple(self.dropped),
            notetypes=notetypes,
            deck_mtime=deck_mtime,
            deck_changed=deck_changed and lock.deck is not None,
            renamed=renamed,
            lock=new_lock,
        )

    def _next(self, previous: Stamp | None, fingerprint: str, name: str) -> tuple[int, bool]:
        """A stamp's time, and whether it changed."""
        if previous is None:
            return self._now(), True
        if previous.fingerprint == fingerprint:
            return previous.mtime, False
        return self._after(previous.mtime, f"{name}.mtime"), True

    def _now(self) -> int:
        """The time of what is new, or changed since a time long past."""
        at = self.clock.at
        if MTIME_RANGE[0] <= at < MTIME_RANGE[1]:
            return at
        if self.clock.from_epoch:
            problem = ContentProblem(
                "SOURCE_DATE_EPOCH",
                message=f"{at} ({utc(at)}) is not a time between 2000 and 2100: set it to the "
                "time of the build (seconds since 1970), or unset it to use the clock",
            )
        else:
            problem = ContentProblem(
                "this machine's clock",
                message=f"says {utc(at)}, not a time between 2000 and 2100: set it right",
            )
        raise ContentError([problem])

    def _after(self, previous: int, key: str) -> int:
        """A time strictly after ``previous`` (the lock's time at ``key``), for what
        changed: Anki takes a note only if it is newer than the one it has."""
        mtime = max(self._now(), previous + 1)
        if mtime > self.clock.latest:
            message = (
                f"{previous} ({utc(previous)}) is already the latest time this build may give "
                f"(a day after its clock, {utc(self.clock.reference)}, and before 2100): the "
                "change needs a later one, which the next build would refuse as from the "
                "future. Build again once the clock has caught up, or check this machine's "
                "clock"
            )
            where = self.lock.source or LOCK_FILE
            raise ContentError([ContentProblem(where, key=key, message=message)])
        return mtime


def _note_key(ref: str) -> str:
    """A note's key in the lock, as its problems name it."""
    return f"notes[{shown(ref)}].mtime"


def _check_contracts(lock: Lock, deck_key: str) -> None:
    if lock.deck_key is not None and lock.deck_key != deck_key:
        raise ContractError(
            f"the deck id changed from {lock.deck_key!r} to {deck_key!r}. Every Anki id of "
            "the deck derives from it: colleagues who re-import would get a second copy of "
            "every note in a new deck, and lose the link to their review history. Put the "
            f"old id back in deck.yaml, or rebuild with --force to start a new deck."
        )
    for kind in KINDS:
        before = lock.notetype(kind.name).contract
        if before is not None and before != kind.contract.contract_fingerprint():
            raise ContractError(kind.contract_changed)
