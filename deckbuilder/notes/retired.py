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

from deckbuilder.notes import ids
from deckbuilder.notes.notetype import CLOZE, MCQ
from deckbuilder.notes.render import plain
from deckbuilder.notes.spec import NoteSpec

RETIRED_TAG = "retired"
_DELETE = "Delete it: in the Browse window search <code>tag:retired</code>, select all and delete."


def is_fact_ref(ref: str) -> bool:
    """Whether a note ref names a fact (``case/facts/fact``) rather than a question."""
    return ref.count("/") == 2 and ref.split("/")[1] == "facts"


def note_key(ref: str) -> tuple[str, str]:
    """The case key, and the key a note's ids are derived from (``facts/<id>`` for a
    fact, so a fact can never share an id with a question)."""
    case, _, rest = ref.partition("/")
    return case, rest


def retired_note(
    deck_key: str, ref: str, tags: Iterable[str] = (), cards: Sequence[int] = ()
) -> NoteSpec:
    """The stand-in for the note ``ref``, no longer in the content; ``cards``: a fact's
    deletion numbers (c1 alone if none are given)."""
    case_key, key = note_key(ref)
    kept = tuple(dict.fromkeys([t for t in tags if t != RETIRED_TAG] + [RETIRED_TAG]))
    if is_fact_ref(ref):
        numbers = list(cards) or [1]
        hidden = " ".join(f"{{{{c{n}::Retired fact.}}}}" for n in numbers)
        text = (
            f"{hidden} The deck's author removed this fact (<code>{plain(ref)}</code>). {_DELETE}"
        )
        values = {name: "" for name in CLOZE.fields}
        values.update(Text=text, Ref=plain(ref))
        fields, kind = CLOZE.fields, "cloze"
        ordinals = [(ids.card_id(deck_key, case_key, key, n - 1), n - 1) for n in numbers]
    else:
        notice = (
            "<p><strong>Retired question.</strong> The deck's author removed this question "
            f"(<code>{plain(ref)}</code>). {_DELETE}</p>"
        )
        values = {name: "" for name in MCQ.fields}
        values.update(Question=notice, Ref=plain(ref))
        fields, kind = MCQ.fields, "mcq"
        ordinals = [(ids.card_id(deck_key, case_key, key, 0), 0)]
    return NoteSpec(
        ref=ref,
        guid=ids.note_guid(deck_key, case_key, key),
        note_id=ids.note_id(deck_key, case_key, key),
        cards=tuple(ordinals),
        fields=tuple(values[name] for name in fields),
        tags=kept,
        media=(),
        kind=kind,
    )
