"""A lock's notes are read by a quick check of sound entries first and the full check,
with its located messages, only for the others: the quick one must never accept what
the full one refuses, and must read what it accepts the same way."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuilder.errors import Problems
from deckbuilder.notes import ids
from deckbuilder.plan.lockfile import Clock, LockReader

DECK = "deck"
NOW = 1_800_000_000
SOUND = {
    "fingerprint": "0123456789abcdef0123456789abcdef",
    "guid": ids.note_guid(DECK, "case-1", "q1"),
    "mtime": NOW - 100,
}
FACT_GUID = ids.note_guid(DECK, "case-1", "facts/f1")

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
ODD_VALUES: list[object] = [
        None, True, False, 0, 1, 2, 3, -1, NOW, NOW + 10**6, 10**13, 1.0, "", "x",
        SOUND["fingerprint"], SOUND["fingerprint"].upper(), SOUND["guid"], FACT_GUID,
        [], [1], [2, 1], [1, 1], [1, 2], [True], ["tag"], ["two words"], ["a", "b"], [None],
    ]  # fmt: skip
values = st.sampled_from(ODD_VALUES) | json_values
refs = st.sampled_from(
    ["case-1/q1", "case-1/facts/f1", "case-1/figures/mri", "case-1", "Case/q1", "case-1/q1/x",
     "case-1/facts/", "/q1", "case-1/ q1", "case-1/q1\n"]
) | st.text(max_size=20)  # fmt: skip
changes = st.fixed_dictionaries(
    {},
    optional={
        key: values for key in ("fingerprint", "guid", "mtime", "retired", "tags", "cards", "x")
    },
)


def _guid(ref: str) -> str:
    """The GUID the ref gives, so that the other values are what decides."""
    case, _, question = ref.partition("/")
    return ids.note_guid(DECK, case, question)


def _reader() -> LockReader:
    return LockReader(Path("deckbuilder.lock.json"), "", Clock(NOW, NOW), Problems())


@settings(max_examples=1000)
@given(
    ref=st.sampled_from(["case-1/q1", "case-1/facts/f1", "case-1/figures/mri"]) | refs,
    key=st.sampled_from(["fingerprint", "guid", "mtime", "retired", "tags", "cards", "x"]),
    value=values,
    more=changes,
    drop=st.sets(st.sampled_from(sorted(SOUND)), max_size=1),
    other=st.none() | st.none() | st.none() | json_values,
)
def test_the_quick_check_accepts_only_what_the_full_check_accepts(
    ref: str,
    key: str,
    value: object,
    more: dict[str, object],
    drop: set[str],
    other: object,
) -> None:
    """Sound entries with one value changed (or several, or one missing), and any JSON."""
    entry: object = {**SOUND, "guid": _guid(ref), key: value, **more}
    assert isinstance(entry, dict)
    entry = {k: v for k, v in entry.items() if k not in drop} if other is None else other
    for deck_key in (DECK, None):
        quick = _reader()._sound_note(deck_key, ref, entry)
        full = _reader()._checked_note(deck_key, ref, entry)
        if quick is not None:
            assert full == quick, (ref, entry)


def test_every_single_odd_value_is_refused_by_both_or_read_alike() -> None:
    """Each sound entry with each of its values (and one more key) replaced in turn by
    each odd value, and with each value missing."""
    keys = ["fingerprint", "guid", "mtime", "retired", "tags", "cards", "x"]
    refs = ("case-1/q1", "case-1/facts/f1", "case-1/figures/mri", "Case/q1", "case-1/x/")
    for ref in (*refs, "case-1/facts/F 1", "case-1/other/q1", "case-1/facts/f1/q"):
        sound = {**SOUND, "guid": _guid(ref)}
        entries = [{**sound, key: value} for key in keys for value in ODD_VALUES]
        entries += [{k: v for k, v in sound.items() if k != key} for key in sound]
        for entry in entries:
            for deck_key in (DECK, None):
                quick = _reader()._sound_note(deck_key, ref, entry)
                if quick is not None:
                    assert _reader()._checked_note(deck_key, ref, entry) == quick, (ref, entry)


def test_a_sound_entry_takes_the_quick_check() -> None:
    reader = _reader()
    assert reader._sound_note(DECK, "case-1/q1", SOUND) == reader._checked_note(
        DECK, "case-1/q1", SOUND
    )
    fact = {**SOUND, "guid": FACT_GUID, "cards": [1, 3], "tags": ["t"], "retired": True}
    assert reader._sound_note(DECK, "case-1/facts/f1", fact) is not None
    assert not reader.problems
