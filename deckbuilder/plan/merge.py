"""A lock with git's conflict markers, resolved by the build itself.

Two authors who build on two branches both change the lock: the notes they edited (one
line each, so independent edits merge cleanly) and the deck's and note type's stamps
(which two builds always both change, so those lines conflict). When both sides of every
conflict read as a lock, the build takes, for each note and stamp, the side with the
later modification time — the one colleagues may already have — and builds on; the
fingerprints it then computes decide what changed, so a note edited on both branches is
still updated for everyone. A side that does not read is left to the author, with the
file's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deckbuilder.errors import ContentError, ContentProblem, display_path
from deckbuilder.notes.kinds import KINDS
from deckbuilder.plan.lockfile import (
    RESTORE,
    Lock,
    NoteState,
    NoteTypeState,
    Stamp,
    parse_lock,
)

_OURS, _BASE, _THEIRS, _END = "<<<<<<<", "|||||||", "=======", ">>>>>>>"


@dataclass(frozen=True)
class Resolution:
    """What resolving a lock's conflicts did."""

    conflicts: int  # regions between markers
    ours: str  # how git labelled each side
    theirs: str
    taken: dict[str, str]  # ref (or "deck", "notetype") -> the side taken, where they differed


def has_conflicts(text: str) -> bool:
    return any(line.startswith(_OURS) for line in text.splitlines())


def sides(path: Path, text: str) -> tuple[str, str, str, str, int]:
    """Our and their version of a text with conflict markers (the diff3 style's base
    section dropped), their labels, and how many conflicts there were."""
    ours: list[str] = []
    theirs: list[str] = []
    labels = ["ours", "theirs"]
    state, conflicts = None, 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if line.startswith(_OURS):
            if state is not None:
                raise _unresolvable(path, number, "a conflict starts inside another")
            state, conflicts = "ours", conflicts + 1
            labels[0] = line[len(_OURS) :].strip() or labels[0]
        elif line.startswith(_BASE) and state == "ours":
            state = "base"
        elif line.startswith(_THEIRS) and state in ("ours", "base"):
            state = "theirs"
        elif line.startswith(_END) and state == "theirs":
            state = None
            labels[1] = line[len(_END) :].strip() or labels[1]
        elif state is None:
            ours.append(line)
            theirs.append(line)
        elif state == "ours":
            ours.append(line)
        elif state == "theirs":
            theirs.append(line)
    if state is not None:
        raise _unresolvable(path, None, "a conflict is not closed")
    return "".join(ours), "".join(theirs), labels[0], labels[1], conflicts


def resolve(path: Path, text: str) -> tuple[Lock, Resolution]:
    """The lock both sides of the conflicts make, each note from its later side."""
    ours_text, theirs_text, ours_label, theirs_label, conflicts = sides(path, text)
    try:
        ours, theirs = parse_lock(path, ours_text), parse_lock(path, theirs_text)
    except ContentError as exc:
        raise _unresolvable(path, None, f"a side of its conflicts does not read ({exc})") from exc
    contracts = [
        {ours.notetype(kind.name).contract, theirs.notetype(kind.name).contract} - {None}
        for kind in KINDS
    ]
    if ours.deck_key != theirs.deck_key or any(len(c) > 1 for c in contracts):
        raise _unresolvable(path, None, "its two sides are of different decks or note types")
    taken: dict[str, str] = {}
    merged = Lock(deck_key=ours.deck_key, deck_id=ours.deck_id, source=ours.source)
    merged.deck, side = _later(ours.deck, theirs.deck)
    merged.deck_name = ours.deck_name if side != "theirs" else theirs.deck_name
    _note_side(taken, "deck", side, ours_label, theirs_label)
    for kind in KINDS:  # each note type from its later side (a side may have none)
        our_type, their_type = ours.notetype(kind.name), theirs.notetype(kind.name)
        stamp, side = _later(our_type.stamp, their_type.stamp)
        source = their_type if side == "theirs" or our_type.stamp is None else our_type
        merged.notetypes[kind.name] = NoteTypeState(source.id, source.contract, stamp)
        _note_side(taken, kind.lock_key, side, ours_label, theirs_label)
    for ref in sorted(ours.notes.keys() | theirs.notes.keys()):
        mine, other = ours.notes.get(ref), theirs.notes.get(ref)
        merged.notes[ref], side = _later_note(mine, other)
        _note_side(taken, ref, side, ours_label, theirs_label)
    return merged, Resolution(conflicts, ours_label, theirs_label, taken)


def _note_side(taken: dict[str, str], what: str, side: str, ours: str, theirs: str) -> None:
    if side != "same":
        taken[what] = ours if side == "ours" else theirs


def _later(ours: Stamp | None, theirs: Stamp | None) -> tuple[Stamp | None, str]:
    if ours == theirs:
        return ours, "same"
    if theirs is None or (ours is not None and ours.mtime >= theirs.mtime):
        return ours, "ours"
    return theirs, "theirs"


def _later_note(ours: NoteState | None, theirs: NoteState | None) -> tuple[NoteState, str]:
    if ours == theirs:
        assert ours is not None
        return ours, "same"
    if theirs is None or (ours is not None and ours.mtime >= theirs.mtime):
        assert ours is not None
        return ours, "ours"
    return theirs, "theirs"


def _unresolvable(path: Path, line: int | None, why: str) -> ContentError:
    from deckbuilder.errors import LockDamaged

    return LockDamaged(
        [
            ContentProblem(
                display_path(path),
                line,
                message=f"has merge conflicts the build cannot resolve: {why}{RESTORE}",
            )
        ]
    )
