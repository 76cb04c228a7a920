"""A lost lock, recovered from the deck it built.

Without its lock a build would call every note new, give each the time of the build,
and every colleague's note would then be updated on import. The previous deck — the one
in the output folder, or the published one named with ``--since`` — is what colleagues
actually have: it holds every note's GUID, modification time, fields and tags, and the
note type and deck as they were. Recovered from it, a lock gives the same GUIDs and
keeps the time of every note whose text is unchanged, so importing the rebuilt deck over
the previous one changes nothing that did not change.

A deck cannot tell a note's fingerprint, so a recovered note carries a hash of its fields
and tags as Anki stores them instead, and the build compares that. Its times are checked
as a lock's are: a deck built from a lock from the future carries that lock's times, and
a lock recovered from it would hand them on.
"""

from __future__ import annotations

from pathlib import Path

from deckbuilder.content.model import is_stable_key, shown
from deckbuilder.errors import ContentProblem, Problems, display_path
from deckbuilder.notes import ids
from deckbuilder.notes.description import deck_fingerprint
from deckbuilder.notes.kinds import KINDS
from deckbuilder.notes.retired import RETIRED_TAG
from deckbuilder.notes.spec import note_content
from deckbuilder.plan.lockfile import (
    MAX_PROBLEMS,
    Clock,
    Lock,
    NoteState,
    NoteTypeState,
    Stamp,
)

_FROM_THE_FUTURE = (
    "the deck was built on a machine whose clock was wrong, or from a lock edited by hand, "
    "and cannot give the lock back: restore the lock from git, or build with --since an "
    "earlier deck"
)


def recover_lock(package_path: Path, deck_key: str) -> tuple[Lock, int]:
    """The lock the deck at ``package_path`` was built with, as far as it tells, and how
    many notes were recovered. Notes of other decks or note types are ignored; a package
    that holds nothing of this deck gives an empty lock."""
    from deckbuilder.apkg.reader import read_package

    package = read_package(package_path)
    lock = Lock(deck_key=deck_key, deck_id=ids.deck_id(deck_key), source=display_path(package_path))
    ours = {}  # the deck's note types, by id: each with its kind
    for kind in KINDS:
        notetype = package.notetypes.get(kind.notetype_id(deck_key))
        if notetype is not None and notetype.fields == kind.contract.fields:
            ours[notetype.id] = (kind, notetype)
            lock.notetypes[kind.name] = NoteTypeState(
                notetype.id,
                kind.contract.contract_fingerprint(),
                Stamp(notetype.fingerprint, notetype.mtime),
            )
    record = package.deck_records.get(lock.deck_id) if lock.deck_id is not None else None
    if record is not None:
        lock.deck_name = record.name
        if record.description is not None:
            lock.deck = Stamp(deck_fingerprint(record.name, record.description), record.mtime)
    for note in package.notes:
        if note.notetype_id not in ours:
            continue
        kind, notetype = ours[note.notetype_id]
        ref = note.field(notetype, kind.ref_field) or ""
        case, _, key = ref.partition("/")
        if not kind.owns(ref) or not all(is_stable_key(k) for k in (case, *key.split("/")[-1:])):
            continue
        if note.guid != ids.note_guid(deck_key, case, key):
            continue
        retired = RETIRED_TAG in note.tags
        lock.notes[f"{case}/{key}"] = NoteState(
            guid=note.guid,
            fingerprint=None,
            mtime=note.mtime,
            retired=retired,
            tags=tuple(t for t in note.tags if t != RETIRED_TAG),
            content=note_content(note.fields, note.tags),
            cards=kind.recovered_cards(note, notetype),
        )
    _check_times(lock, package_path)
    return lock, len(lock.notes)


def _check_times(lock: Lock, package_path: Path) -> None:
    """Refuse a deck whose times this build could not have read in a lock."""
    clock = Clock.read()
    stamps = [("deck", lock.deck)]
    stamps += [(kind.lock_key, lock.notetype(kind.name).stamp) for kind in KINDS]
    times = [(f"{name}.mtime", stamp.mtime) for name, stamp in stamps if stamp is not None]
    times += [(f"notes[{shown(ref)}].mtime", note.mtime) for ref, note in lock.notes.items()]
    problems = Problems(MAX_PROBLEMS)
    problems.extend(
        ContentProblem(display_path(package_path), key=key, message=message)
        for key, value in times
        if (message := clock.problem(value, _FROM_THE_FUTURE)) is not None
    )
    problems.raise_if_any()


def shared_before(lock_path: Path, version: str | None) -> str | None:
    """Why a deck without a lock looks shared already, or None: the deck file gives it a
    version, or git once held its lock (the last commit that did). A brand-new deck's
    first build has neither, and is not warned about a lost lock."""
    if version:
        return f"the deck file gives it version {version!r}"
    import subprocess

    folder = lock_path.parent
    try:
        git = ["git", "-C", str(folder)]
        found = subprocess.run(
            [*git, "log", "-1", "--format=%h", "--diff-filter=AM", "--", lock_path.name],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
        prefix = subprocess.run(
            [*git, "rev-parse", "--show-prefix"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = found.stdout.strip()
    if found.returncode != 0 or prefix.returncode != 0 or not commit:
        return None
    return f"git has {prefix.stdout.strip()}{lock_path.name} in commit {commit}"
