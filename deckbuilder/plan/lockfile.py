"""The lock file, ``deckbuilder.lock.json``: the build state, committed with the content.

For each note it records the GUID, a fingerprint of everything in the note, the
modification time that fingerprint was first built with, and the note's tags (so a note
whose question was deleted keeps them when it is carried on as retired); the same for
the note type and the deck (whose name is kept too, so a rename can be told). Two people
building the same commit get the same lock and the same bytes.

The lock is committed and merged like any file and never reviewed, so it is read like
content: only a regular file of sane size, every value checked (refs are
``case-id/question-id`` of stable keys, each GUID is the one its ref derives,
fingerprints are hashes, times lie between 2000 and 2100 and at most a day after this
build's clock), every problem reported with the lock's line. It is written one note per
line, sorted, so that two branches that edited different notes merge without conflict.

About 400 lines: the lock format, written and read back value by value, and the clock
its times are judged by.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from deckbuilder.content.cloze import MAX_NUMBER
from deckbuilder.content.model import is_stable_key, is_tag, shown
from deckbuilder.errors import ContentError, ContentProblem, LockDamaged, Problems, display_path
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import KINDS

LOCK_FORMAT = 1
MAX_PROBLEMS = 100
# Modification times a build can have written: from 2000 to 2100 (seconds).
MTIME_RANGE = (946_684_800, 4_102_444_800)
DAY = 86_400
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
_NOTE_KEYS = {"cards", "fingerprint", "guid", "mtime", "retired", "tags"}


def _epoch() -> int | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else None


def now() -> int:
    """Seconds since the epoch, or ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = _epoch()
    return int(time.time()) if epoch is None else epoch


def utc(seconds: int) -> str:
    """A time for a message, to the minute."""
    try:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return "no date of the calendar"


@dataclass(frozen=True)
class Clock:
    """The times of one build: ``at``, the time it gives what changed, and ``reference``,
    what it takes "now" to be when it judges a lock (the later of the machine's clock
    and ``at``, so that a reproducible build of an old commit still reads its lock).

    A lock may run ahead of the reference, as another machine's clock may be a little
    fast, but by a day at most (:attr:`latest`); anything later is a lock from the
    future: written by a machine whose clock was wrong, or edited by hand. A build never
    gives a time beyond :attr:`latest` either, so the next build (whose reference is no
    earlier) accepts every time this one wrote.
    """

    at: int
    reference: int
    from_epoch: bool = False  # ``at`` is SOURCE_DATE_EPOCH, not the clock

    @classmethod
    def read(cls) -> Clock:
        clock, epoch = int(time.time()), _epoch()
        if epoch is None:
            return cls(clock, clock)
        return cls(epoch, max(epoch, clock), from_epoch=True)

    @property
    def latest(self) -> int:
        """The latest time a lock may hold, and a build may give."""
        return min(self.reference + DAY, MTIME_RANGE[1] - 1)

    def problem(self, value: object, whence: str) -> str | None:
        """Why ``value`` cannot be a time of a lock (or of the deck a lock is recovered
        from), or None; ``whence`` says how a time from the future came to be there."""
        if type(value) is not int or not MTIME_RANGE[0] <= value < MTIME_RANGE[1]:
            return f"{shown(str(value))} is not a time between 2000 and 2100"
        if value > self.latest:
            return (
                f"{value} ({utc(value)}) is more than a day after this build's clock "
                f"({utc(self.reference)}): {whence}"
            )
        return None


FROM_THE_FUTURE = (
    "the lock comes from the future, written on a machine whose clock was wrong or edited by hand"
)


@dataclass(frozen=True)
class Stamp:
    """A fingerprint and the modification time it was first built with."""

    fingerprint: str
    mtime: int


@dataclass(frozen=True)
class NoteState:
    """What the lock remembers of a note.

    ``fingerprint`` is None in a lock recovered from a deck, which cannot tell it; then
    ``content`` (a hash of the fields and tags as Anki stores them) says whether the
    note is unchanged.
    """

    guid: str
    fingerprint: str | None
    mtime: int
    retired: bool = False
    tags: tuple[str, ...] = ()
    content: str | None = None
    # a fact's deletion numbers, when not c1 alone: a retired fact keeps every card
    cards: tuple[int, ...] = ()


@dataclass(frozen=True)
class NoteTypeState:
    """What the lock remembers of one note type: its Anki id, its contract (the hash of
    its field and template names) and its stamp."""

    id: int | None = None
    contract: str | None = None
    stamp: Stamp | None = None


@dataclass
class Lock:
    deck_key: str | None = None
    deck_id: int | None = None
    deck_name: str | None = None
    deck: Stamp | None = None
    notes: dict[str, NoteState] = field(default_factory=dict)
    # each note kind's note type, by the kind's name (see deckbuilder.notes.kinds)
    notetypes: dict[str, NoteTypeState] = field(default_factory=dict)
    # where its values were read (the lock file, or the deck it was recovered from), to
    # name in a problem found later
    source: str | None = field(default=None, compare=False)

    def notetype(self, kind: str) -> NoteTypeState:
        """The state of the note type of ``kind``; an empty one if the lock has none."""
        return self.notetypes.get(kind, NoteTypeState())

    def dumps(self) -> str:
        """Deterministic JSON, one note per line, so the lock diffs and merges well."""
        deck: dict[str, object] = {"key": self.deck_key, "id": self.deck_id}
        if self.deck_name is not None:
            deck["name"] = self.deck_name
        head: dict[str, object] = {"format": LOCK_FORMAT, "deck": {**deck, **_stamp(self.deck)}}
        for kind in KINDS:
            state = self.notetype(kind.name)
            if kind.always or state.stamp is not None:
                head[kind.lock_key] = {
                    "id": state.id,
                    "contract": state.contract,
                    **_stamp(state.stamp),
                }
        lines = ["{"]
        for key, value in head.items():
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
            lines.append(f"  {json.dumps(key)}: {text},")
        lines.append('  "notes": {')
        if self.notes:
            lines.append(",\n".join(_note_line(r, st) for r, st in sorted(self.notes.items())))
        lines.append("  }")
        lines.append("}")
        return "\n".join(lines) + "\n"


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def _note_line(ref: str, st: NoteState) -> str:
    """One note of the lock: one line, keys sorted, so that a merge of two branches that
    edited different notes touches different lines."""
    entry: dict[str, object] = {"fingerprint": st.fingerprint, "guid": st.guid, "mtime": st.mtime}
    if st.retired:
        entry["retired"] = True
    if st.tags:
        entry["tags"] = list(st.tags)
    if st.cards:
        entry["cards"] = list(st.cards)
    return f"    {_ENCODE(ref)}: {_ENCODE(entry)}"


def _stamp(stamp: Stamp | None) -> dict[str, object]:
    return {} if stamp is None else {"fingerprint": stamp.fingerprint, "mtime": stamp.mtime}


RESTORE = (
    "; restore it from git (git checkout HEAD -- <file>), or delete it and build again: "
    "the build then recovers it from the deck in the output folder (or --since DECK.apkg)"
)


def damaged(path: Path, line: int | None, message: str, column: int | None = None) -> LockDamaged:
    return LockDamaged(
        [ContentProblem(display_path(path), line, column, message=message + RESTORE)]
    )


def parse_lock(path: Path, text: str, clock: Clock | None = None) -> Lock:
    """The lock in ``text`` (the file at ``path``), checked value by value; its times
    against ``clock`` (this build's, by default)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise damaged(path, exc.lineno, f"is not valid JSON ({exc.msg})", exc.colno) from exc
    except RecursionError as exc:
        raise damaged(path, None, "is not a lock: it is nested too deeply") from exc
    return LockReader(path, text, clock or Clock.read(), Problems(MAX_PROBLEMS)).lock(data)


class LockReader:
    """Checks the parsed lock value by value, adding located problems to ``problems``."""

    def __init__(self, path: Path, text: str, clock: Clock, problems: Problems) -> None:
        self.path = path
        self.text = text
        self.clock = clock
        self.problems = problems

    def _line_of(self, needle: str) -> int | None:
        at = self.text.find(needle)
        return None if at < 0 else self.text.count("\n", 0, at) + 1

    def problem(self, where: str | None, key: str, message: str) -> None:
        # a problem beyond the cap is not shown: its line is not looked for
        line = self._line_of(where) if where and not self.problems.full else None
        self.problems.add(ContentProblem(display_path(self.path), line, None, key, message))

    def lock(self, data: object) -> Lock:
        if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            self.problem(None, "format", f"unknown lock format {found!r}; expected {LOCK_FORMAT}")
            raise ContentError(self.problems)
        deck, notes = data.get("deck"), data.get("notes")
        deck_key = None
        if not isinstance(deck, dict):
            self.problem('"deck"', "deck", "expected an object")
            deck = {}
        elif deck.get("key") is None:
            # without it, no note's GUID could be checked
            self.problem('"deck"', "deck.key", "missing: the deck's id, every GUID derives from it")
        else:
            deck_key = self.key(deck, "deck", "key")
        if not isinstance(notes, dict):
            self.problem('"notes"', "notes", "expected an object of notes")
            notes = {}
        name = deck.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            self.problem('"deck"', "deck.name", f"{shown(str(name))} is not a deck name")
            name = None
        notetypes = {}
        for kind in KINDS:
            key = kind.lock_key
            entry = data.get(key) if kind.always else data.get(key, {})
            if not isinstance(entry, dict):
                self.problem(f'"{key}"', key, "expected an object")
                entry = {}
            notetypes[kind.name] = NoteTypeState(
                self.anki_id(entry, key, "id"),
                self.hex(entry, key, "contract", _HEX16),
                self.stamp(entry, key, _HEX32),
            )
        lock = Lock(
            deck_key=deck_key,
            deck_id=self.anki_id(deck, "deck", "id"),
            deck_name=name,
            deck=self.stamp(deck, "deck", _HEX32),
            notes={ref: s for ref, e in notes.items() if (s := self.note(deck_key, ref, e))},
            notetypes=notetypes,
            source=display_path(self.path),
        )
        if self.problems:
            *first, last = self.problems
            raise ContentError([*first, replace(last, message=last.message + RESTORE)])
        return lock

    def key(self, obj: dict, where: str, name: str) -> str | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not is_stable_key(value):
            self.problem(
                f'"{where}"', f"{where}.{name}", f"{shown(str(value))} is not a stable key"
            )
            return None
        return value

    def anki_id(self, obj: dict, where: str, name: str) -> int | None:
        value = obj.get(name)
        if value is None:
            return None
        if type(value) is not int or not 0 < value < 2**63:
            self.problem(f'"{where}"', f"{where}.{name}", f"{shown(str(value))} is not an Anki id")
            return None
        return value

    def hex(
        self, obj: dict, where: str, name: str, form: re.Pattern[str], key: str | None = None
    ) -> str | None:
        """A hash of the given form; ``where`` names the object ("deck", or the note's line
        to find), ``key`` its key path when that differs."""
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not form.fullmatch(value):
            needle = where if key else f'"{where}"'
            self.problem(needle, f"{key or where}.{name}", f"{shown(str(value))} is not a hash")
            return None
        return value

    def mtime(self, obj: dict, where: str, key: str) -> int | None:
        value = obj.get("mtime")
        problem = self.clock.problem(value, FROM_THE_FUTURE)
        if problem is not None:
            self.problem(where, f"{key}.mtime", problem)
            return None
        return value

    def stamp(self, obj: dict, where: str, form: re.Pattern[str]) -> Stamp | None:
        if "mtime" not in obj and "fingerprint" not in obj:
            return None
        fingerprint = self.hex(obj, where, "fingerprint", form)
        mtime = self.mtime(obj, f'"{where}"', where)
        return Stamp(fingerprint, mtime) if fingerprint and mtime is not None else None

    def note(self, deck_key: str | None, ref: str, entry: object) -> NoteState | None:
        return self._sound_note(deck_key, ref, entry) or self._checked_note(deck_key, ref, entry)

    def _sound_note(self, deck_key: str | None, ref: str, entry: object) -> NoteState | None:
        """The note, if every value holds, checked without a word of any message (a lock
        holds a line per note, nearly always sound); else None, and
        :meth:`_checked_note` says what is wrong. Never accepts what that refuses."""
        if type(entry) is not dict or not entry.keys() <= _NOTE_KEYS or deck_key is None:
            return None
        case, _, question = ref.partition("/")
        _, slash, leaf = question.rpartition("/")
        fingerprint, guid, mtime = entry.get("fingerprint"), entry.get("guid"), entry.get("mtime")
        retired, tags, cards = (
            entry.get("retired", False),
            entry.get("tags", []),
            entry.get("cards", []),
        )
        if not (
            type(fingerprint) is str
            and _HEX32.fullmatch(fingerprint)
            and type(retired) is bool
            and type(tags) is list
            and all(type(t) is str and is_tag(t) for t in tags)
            and type(cards) is list
            and (not cards or bool(slash))
            and all(type(n) is int and 1 <= n <= MAX_NUMBER for n in cards)
            and cards == sorted(set(cards))
            and is_stable_key(case)
            and is_stable_key(leaf)
            and any(kind.owns(ref) for kind in KINDS)
            and type(mtime) is int
            and MTIME_RANGE[0] <= mtime < MTIME_RANGE[1]
            and mtime <= self.clock.latest  # as Clock.problem checks
            and guid == ids.note_guid(deck_key, case, question)
        ):
            return None
        return NoteState(guid, fingerprint, mtime, retired, tuple(tags), cards=tuple(cards))

    def _checked_note(self, deck_key: str | None, ref: str, entry: object) -> NoteState | None:
        where = json.dumps(ref, ensure_ascii=False) + ":"
        key = f"notes[{shown(ref)}]"
        case, _, question = ref.partition("/")
        # a kind's notes may live under a name of their own, as facts do under "facts/"
        _, slash, leaf = question.rpartition("/")
        if not (
            is_stable_key(case) and is_stable_key(leaf) and any(kind.owns(ref) for kind in KINDS)
        ):
            self.problem(
                where,
                key,
                "is not a note ref: expected 'case-id/question-id' or "
                "'case-id/facts/fact-id' of stable keys",
            )
            return None
        if not isinstance(entry, dict) or set(entry) - _NOTE_KEYS:
            self.problem(
                where, key, "expected an object of fingerprint, guid, mtime, retired, tags, cards"
            )
            return None
        fingerprint = self.hex(entry, where, "fingerprint", _HEX32, key)
        if "fingerprint" not in entry:
            self.problem(where, f"{key}.fingerprint", "missing")
        guid = entry.get("guid")
        if guid is None:
            self.problem(where, f"{key}.guid", "missing")
        elif not isinstance(guid, str):
            self.problem(
                where, f"{key}.guid", f"{shown(str(guid))} is not a GUID: expected a string"
            )
            guid = None
        elif deck_key is not None and guid != ids.note_guid(deck_key, case, question):
            self.problem(
                where, f"{key}.guid", f"{shown(str(guid))} is not the GUID this note's ref gives"
            )
            guid = None
        mtime = self.mtime(entry, where, key)
        retired = entry.get("retired", False)
        if type(retired) is not bool:
            self.problem(where, f"{key}.retired", "expected true or false")
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(x, str) and is_tag(x) for x in tags):
            self.problem(where, f"{key}.tags", "expected a list of Anki tags")
            tags = None
        cards = entry.get("cards", [])
        if not (
            isinstance(cards, list)
            and (not cards or bool(slash))
            and all(type(n) is int and 1 <= n <= MAX_NUMBER for n in cards)
            and cards == sorted(set(cards))
        ):
            self.problem(
                where, f"{key}.cards", "expected a fact's deletion numbers, in increasing order"
            )
            cards = None
        if (
            fingerprint is None
            or guid is None
            or mtime is None
            or tags is None
            or cards is None
            or type(retired) is not bool
        ):
            return None
        return NoteState(guid, fingerprint, mtime, retired, tuple(tags), cards=tuple(cards))
