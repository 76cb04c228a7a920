"""Stand-ins for questions and facts deleted from the content.

Anki never deletes notes on import, so a deleted question would linger unnoticed in
every colleague's collection. The build carries it on under the same GUID, tagged
``retired`` (beside the tags it had) and saying so on its card, until the author drops
it for good (``build --drop-retired``). Its text is replaced by the notice: the build
state keeps fingerprints, not copies of the content. A retired fact keeps a deletion
for each card it had (the lock remembers their numbers): a cloze card whose deletion
is gone would show Anki's "empty card" message instead of the notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from deckbuilder.notes.spec import NoteSpec

RETIRED_TAG = "retired"
DELETE_IT = (
    "Delete it: in the Browse window search <code>tag:retired</code>, select all and delete."
)
"""What a retired note's card tells the learner to do."""


def retired_note(
    deck_key: str, ref: str, tags: Iterable[str] = (), cards: Sequence[int] = ()
) -> NoteSpec:
    """The stand-in for the note ``ref``, no longer in the content, as its kind makes it;
    ``cards``: what the lock kept of its cards."""
    from deckbuilder.notes.kinds import kind_of

    kept = tuple(dict.fromkeys([t for t in tags if t != RETIRED_TAG] + [RETIRED_TAG]))
    return kind_of(ref).retired_note(deck_key, ref, kept, cards)
