"""Planning against the lock: what each note looked like when it was last built, and
when, and so what each note of this build is (new, updated, unchanged, retired).

* :mod:`.lockfile`: the lock file itself, read and checked like content, written one note
  per line;
* :mod:`.merge`: a lock with git's conflict markers, resolved by the later side;
* :mod:`.recovery`: a lost lock, recovered from the deck it built;
* :mod:`.planner`: every modification time of a build, decided from the lock.

:func:`load_lock` puts the first three together for a build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from deckbuilder.content.folder import LOCK_FILE, MAX_LOCK_BYTES
from deckbuilder.errors import ContentError, LockDamaged, counted, display_path
from deckbuilder.files import read_regular
from deckbuilder.plan.lockfile import (
    LOCK_FORMAT,
    Lock,
    NoteState,
    NoteTypeState,
    Stamp,
    damaged,
    now,
    parse_lock,
)
from deckbuilder.plan.merge import Resolution, has_conflicts, resolve
from deckbuilder.plan.planner import Plan, PlannedNote, PlannedNoteType, Planner, Status

Origin = Literal["file", "merged", "recovered", "none"]


@dataclass(frozen=True)
class LoadedLock:
    """The lock a build starts from, and where it came from: the lock file, the lock file
    with its merge conflicts resolved, a deck (the file was missing or damaged), or
    nothing (a first build — or a lost lock with no deck to recover it from)."""

    lock: Lock
    origin: Origin
    detail: str = ""  # for the report: what was resolved or recovered, from where
    resolution: Resolution | None = None


def read_lock(content_root: Path) -> Lock:
    """The lock file of a content folder, conflicts resolved; an empty lock when there is
    none. Raises :class:`ContentError` for a lock that cannot be used."""
    return load_lock(content_root).lock


def load_lock(
    content_root: Path,
    previous: Path | None = None,
    deck_key: str | None = None,
    known: dict[bytes, Lock] | None = None,
) -> LoadedLock:
    """The lock a build of ``content_root`` starts from.

    ``previous`` is the deck to recover a missing or damaged lock from (the one in the
    output folder, or ``--since``), for the deck ``deck_key``. A lock whose values are
    wrong is never replaced: someone must look at it. ``known``: locks this process
    wrote or checked before, by the SHA-256 of their text (``build --watch``); a lock
    file with one of those texts is not read value by value again.
    """
    return load_lock_file(Path(content_root) / LOCK_FILE, previous, deck_key, known)


def load_lock_file(
    path: Path,
    previous: Path | None = None,
    deck_key: str | None = None,
    known: dict[bytes, Lock] | None = None,
) -> LoadedLock:
    """Like :func:`load_lock`, for a lock file anywhere (the library's ``write_deck``)."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        return _recovered(previous, deck_key, None)
    except LockDamaged as exc:
        return _recovered(previous, deck_key, exc)
    if known:
        import hashlib

        kept = known.get(hashlib.sha256(text.encode("utf-8")).digest())
        if kept is not None:
            return LoadedLock(kept, "file")
    try:
        if has_conflicts(text):
            lock, resolution = resolve(path, text)
            what = ", ".join(f"{k} from {side}" for k, side in sorted(resolution.taken.items()))
            detail = (
                f"resolved {counted(resolution.conflicts, 'merge conflict')} in "
                f"{display_path(path)} by taking "
                f"each note's later side{': ' + what if what else ''}"
            )
            return LoadedLock(lock, "merged", detail, resolution)
        return LoadedLock(parse_lock(path, text), "file")
    except LockDamaged as exc:
        return _recovered(previous, deck_key, exc)


def _read_text(path: Path) -> str:
    """The lock's text. A lock that is there but cannot be read (a folder, a pipe, no
    permission) is the user's to fix, not to recover from: the build would fail to write
    it anyway."""
    try:
        raw = read_regular(path, MAX_LOCK_BYTES)
    except FileNotFoundError:
        raise
    except OSError as exc:
        problem = damaged(path, None, f"cannot be read: {exc.strerror}").problems
        raise ContentError(problem) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise damaged(path, None, "is not UTF-8 text") from exc


def _recovered(
    previous: Path | None, deck_key: str | None, error: ContentError | None
) -> LoadedLock:
    """The lock recovered from ``previous``; raises ``error`` when there is nothing to
    recover from (a missing lock without a deck is a first build)."""
    from deckbuilder.plan.recovery import recover_lock

    if previous is None or deck_key is None or not previous.is_file():
        if error is not None:
            raise error
        return LoadedLock(Lock(), "none")
    lock, notes = recover_lock(previous, deck_key)
    why = "damaged" if error is not None else "missing"
    detail = f"the lock was {why}: recovered {counted(notes, 'note')} from {display_path(previous)}"
    return LoadedLock(lock, "recovered", detail)


__all__ = [
    "LOCK_FORMAT",
    "LoadedLock",
    "Lock",
    "NoteState",
    "NoteTypeState",
    "Plan",
    "PlannedNote",
    "PlannedNoteType",
    "Planner",
    "Stamp",
    "Status",
    "load_lock",
    "load_lock_file",
    "now",
    "read_lock",
]
