"""A lost lock, recovered from the deck it built.

Without its lock a build would call every note new, give each the time of the build,
and every colleague's note would then be updated on import. The previous deck — the one
in the output folder, or the published one named with ``--since`` — is what colleagues
actually have: it holds every note's GUID, modification time, fields and tags, and the
note type and deck as they were. Recovered from it, a lock gives the same GUIDs and
keeps the time of every note whose text is unchanged, so importing the rebuilt deck over
the previous one changes nothing that did not change.

A deck cannot tell a note's fingerprint, so a recovered note carries a hash of its fields
and tags as Anki stores them instead, and the build compares that.
"""

from __future__ import annotations

from pathlib import Path

from deckbuilder.content.model import is_stable_key
from deckbuilder.notes import ids
from deckbuilder.notes.description import deck_fingerprint
from deckbuilder.notes.notetype import FIELDS, contract_fingerprint
from deckbuilder.notes.retired import RETIRED_TAG
from deckbuilder.notes.spec import note_content
from deckbuilder.notes.state.lockfile import Lock, NoteState, Stamp


def recover_lock(package_path: Path, deck_key: str) -> tuple[Lock, int]:
    """The lock the deck at ``package_path`` was built with, as far as it tells, and how
    many notes were recovered. Notes of other decks or note types are ignored; a package
    that holds nothing of this deck gives an empty lock."""
    from deckbuilder.apkg.reader import read_package

    package = read_package(package_path)
    notetype = package.notetypes.get(ids.notetype_id(deck_key))
    lock = Lock(deck_key=deck_key, deck_id=ids.deck_id(deck_key))
    if notetype is None or notetype.fields != FIELDS:
        return lock, 0
    lock.notetype_id = notetype.id
    lock.contract = contract_fingerprint()
    lock.notetype = Stamp(notetype.fingerprint, notetype.mtime)
    record = package.deck_records.get(lock.deck_id)
    if record is not None:
        lock.deck_name = record.name
        if record.description is not None:
            lock.deck = Stamp(deck_fingerprint(record.name, record.description), record.mtime)
    for note in package.notes:
        ref = note.field(notetype, "Ref") if note.notetype_id == notetype.id else None
        case, _, question = (ref or "").partition("/")
        if not (is_stable_key(case) and is_stable_key(question)):
            continue
        if note.guid != ids.note_guid(deck_key, case, question):
            continue
        lock.notes[f"{case}/{question}"] = NoteState(
            guid=note.guid,
            fingerprint=None,
            mtime=note.mtime,
            retired=RETIRED_TAG in note.tags,
            tags=tuple(t for t in note.tags if t != RETIRED_TAG)
            if RETIRED_TAG in note.tags
            else note.tags,
            content=note_content(note.fields, note.tags),
        )
    return lock, len(lock.notes)
