"""Stable Anki ids, derived from the content's stable keys and nothing else.

Every id a colleague's collection remembers — the deck id, the note type id, each
note's GUID, note id and card id — is a hash of the deck key, the case key and the
question key. Editing any text, reordering questions or moving a case into another file
therefore changes no id, and re-importing a rebuilt deck updates notes in place instead
of duplicating them. (genanki's default GUID hashes the field text: exactly wrong here.)

Changing these functions changes every id of every deck ever built: the tests pin their
outputs. The derivation is documented in the README.
"""

from __future__ import annotations

import hashlib

# Anki's own GUID alphabet (base91, as in anki/utils.py), so GUIDs look like Anki's own.
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)

# Note and card ids are millisecond timestamps to Anki ("created"). Ours lie in
# 2001-09-09 .. 2020-07-13 so they never look like the future and never collide with
# the ids of notes Anki creates today (which it would renumber on import).
_NOTE_ID_BASE = 1_000_000_000_000
_NOTE_ID_SPAN = 594_000_000_000


def _digest(*parts: str) -> int:
    data = "\x1f".join(("deckbuilder", *parts)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def _in_range(value: int, low: int, span: int) -> int:
    return low + value % span


def deck_id(deck_key: str) -> int:
    """The Anki deck id: in [2**30, 2**31), the range genanki recommends."""
    return _in_range(_digest("deck", deck_key), 1 << 30, 1 << 30)


def notetype_id(deck_key: str) -> int:
    """The note type id. One note type per deck, so one deck's style never restyles another."""
    return _in_range(_digest("notetype", deck_key), 1 << 30, 1 << 30)


def cloze_notetype_id(deck_key: str) -> int:
    """The id of the deck's cloze note type (for its cases' facts)."""
    return _in_range(_digest("cloze-notetype", deck_key), 1 << 30, 1 << 30)


def kind_notetype_id(kind_key: str, deck_key: str) -> int:
    """The id of the deck's note type of a note kind (``cloze_notetype_id`` is this for
    ``"cloze"``)."""
    return _in_range(_digest(f"{kind_key}-notetype", deck_key), 1 << 30, 1 << 30)


def note_guid(deck_key: str, case_key: str, question_key: str) -> str:
    """The note GUID Anki matches re-imported notes by: base91 of 64 hash bits."""
    n = _digest("note", deck_key, case_key, question_key)
    out = ""
    while n:
        n, r = divmod(n, len(_BASE91))
        out = _BASE91[r] + out
    return out or _BASE91[0]


def note_id(deck_key: str, case_key: str, question_key: str) -> int:
    """The note id (Anki shows it as the creation time), stable from build to build."""
    n = _digest("note-id", deck_key, case_key, question_key)
    return _in_range(n, _NOTE_ID_BASE, _NOTE_ID_SPAN)


def card_id(deck_key: str, case_key: str, question_key: str, ord_: int) -> int:
    """The id of the card with template ordinal ``ord_`` of a note."""
    n = _digest("card-id", deck_key, case_key, question_key, str(ord_))
    return _in_range(n, _NOTE_ID_BASE, _NOTE_ID_SPAN)
