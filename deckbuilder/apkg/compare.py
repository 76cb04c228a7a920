"""What importing one ``.apkg`` over another will do, by the rules Anki's importer applies.

With Anki's default import options ("update notes and note types if newer"):

* a note is matched by GUID; it is updated only if the incoming modification time is
  newer, otherwise the collection keeps its text (the import log calls it a duplicate);
* a note type is matched by id; its templates and CSS are updated only if its field and
  template names are unchanged and its modification time is newer; with changed names
  Anki adds a second note type ("Name+") and skips every existing note of it;
* nothing is ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deckbuilder.apkg.reader import Listed, Package


@dataclass(slots=True)
class NoteChange:
    guid: str
    case: str
    question: str
    summary: str
    fields_changed: bool = False


@dataclass
class Diff:
    new: list[NoteChange] = field(default_factory=list)
    updated: list[NoteChange] = field(default_factory=list)
    unchanged: list[NoteChange] = field(default_factory=list)
    retired: list[NoteChange] = field(default_factory=list)
    not_arriving: list[NoteChange] = field(default_factory=list)  # changed, mtime not newer
    conflicting: list[NoteChange] = field(default_factory=list)
    left_behind: list[NoteChange] = field(default_factory=list)  # only in OLD: Anki keeps them
    notetypes: list[str] = field(default_factory=list)
    renamed: tuple[str, str] | None = None  # the deck that holds the cards, renamed


def diff_packages(old: Package[Listed], new: Package[Listed]) -> Diff:
    """Classify every note of ``new`` (and those only in ``old``) as Anki would."""
    result = Diff()
    conflicting_types: set[int] = set()
    for ntid, nt in sorted(new.notetypes.items()):
        before = old.notetypes.get(ntid)
        if before is None:
            if any(n.notetype_id == ntid for n in new.notes):
                result.notetypes.append(f"new note type {nt.name!r}")
        elif before.schema != nt.schema:
            conflicting_types.add(ntid)
            result.notetypes.append(
                f"note type {nt.name!r}: field or template names changed; Anki will add a "
                f"second note type ('{nt.name}+') and skip every existing note of it"
            )
        elif before.look != nt.look:
            if nt.mtime > before.mtime:
                result.notetypes.append(f"note type {nt.name!r}: templates or style updated")
            else:
                result.notetypes.append(
                    f"note type {nt.name!r}: templates or style changed, but its modification "
                    "time is not newer, so the change will not arrive"
                )
    old_notes = {n.guid: n for n in old.notes}
    for note in new.notes:
        change = _change(note)
        had = old_notes.get(note.guid)
        if had is None:
            result.new.append(change)
        elif note.notetype_id in conflicting_types:
            result.conflicting.append(change)
        else:
            change.fields_changed = had.content != note.content
            if note.mtime > had.mtime:
                retiring = note.retired and not had.retired
                (result.retired if retiring else result.updated).append(change)
            elif change.fields_changed:
                result.not_arriving.append(change)
            else:
                result.unchanged.append(change)
    guids = {n.guid for n in new.notes}
    result.left_behind = [_change(n) for n in old.notes if n.guid not in guids]
    if len(old.decks) == 1 and len(new.decks) == 1 and old.decks != new.decks:
        result.renamed = (old.decks[0], new.decks[0])
    return result


def _change(note: Listed) -> NoteChange:
    return NoteChange(note.guid, note.case, note.question, note.summary(words=8))
