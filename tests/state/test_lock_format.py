"""The lock file's text: every note on its own line, exactly as a JSON library writes it,
so the fast hand-formatted writer reads back into the same state."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from deckbuilder.plan import Lock, NoteState, NoteTypeState, Stamp

_text = st.text(max_size=30)
_notes = st.dictionaries(
    _text,
    st.builds(
        NoteState,
        _text,
        _text,
        st.integers(0, 2**53),
        st.booleans(),
        st.lists(_text.filter(lambda s: s and " " not in s), max_size=3).map(tuple),
    ),
    max_size=8,
)


@given(notes=_notes, mtime=st.integers(0, 2**40))
def test_the_lock_is_json_with_one_sorted_note_per_line(
    notes: dict[str, NoteState], mtime: int
) -> None:
    lock = Lock(
        deck_key="deck",
        deck_id=1,
        deck_name="Deck",
        deck=Stamp("fp", mtime),
        notes=notes,
        notetypes={"mcq": NoteTypeState(2, "contract", Stamp("nt", mtime))},
    )
    text = lock.dumps()
    data = json.loads(text)
    assert list(data["notes"]) == sorted(notes)
    for ref, state in notes.items():
        entry = {"fingerprint": state.fingerprint, "guid": state.guid, "mtime": state.mtime}
        if state.retired:
            entry["retired"] = True
        if state.tags:
            entry["tags"] = list(state.tags)
        assert data["notes"][ref] == entry
        line = (
            f"    {json.dumps(ref, ensure_ascii=False)}: "
            f"{json.dumps(entry, sort_keys=True, ensure_ascii=False)}"
        )
        rows = text.split("\n")  # lines as git sees them
        assert line in rows or f"{line}," in rows
    assert text.count("\n") == 7 + len(notes)
