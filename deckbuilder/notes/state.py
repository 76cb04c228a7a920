"""The build state ("lock"): what each note looked like when it was last built, and when.

Anki updates a re-imported note only if its modification time is newer than the one in
the collection. A fixed time means edits never arrive; stamping every note with the
build time rewrites every note of every colleague on every import. So the lock,
committed next to the content, records per note its GUID, a fingerprint of everything in
the note and the time that fingerprint was first built; a build gives a note a new,
strictly later time only when its fingerprint changed. The same holds for the note type
(templates, CSS) and the deck. Two people building the same commit get the same lock and
the same bytes.

"Now" is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the
clock; it is only ever read for notes that changed.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from deckbuilder.content.folder import LOCK_FILE
from deckbuilder.content.model import is_stable_key, is_tag, shown
from deckbuilder.errors import ContentError, ContentProblem, ContractError, display_path
from deckbuilder.files import MiB, read_regular
from deckbuilder.notes import ids
from deckbuilder.notes.builder import NoteSpec, retired_note

LOCK_FORMAT = 1

Status = Literal["new", "updated", "unchanged", "retired", "still-retired"]


@dataclass(frozen=True)
class Stamp:
    """A fingerprint and the modification time it was first built with."""

    fingerprint: str
    mtime: int


@dataclass(frozen=True)
class NoteState:
    """What the lock remembers of a note. Its tags are kept so that a note whose question
    was deleted keeps them when it is carried on as retired."""

    guid: str
    fingerprint: str
    mtime: int
    retired: bool = False
    tags: tuple[str, ...] = ()


@dataclass
class Lock:
    deck_key: str | None = None
    deck_id: int | None = None
    deck: Stamp | None = None
    notetype_id: int | None = None
    contract: str | None = None
    notetype: Stamp | None = None
    notes: dict[str, NoteState] = field(default_factory=dict)

    def dumps(self) -> str:
        """Deterministic JSON, one note per line, so the lock diffs well in git."""
        head = {
            "format": LOCK_FORMAT,
            "deck": {"key": self.deck_key, "id": self.deck_id, **_stamp(self.deck)},
            "notetype": {
                "id": self.notetype_id,
                "contract": self.contract,
                **_stamp(self.notetype),
            },
        }
        lines = ["{"]
        for key, value in head.items():
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
        lines.append('  "notes": {')
        if self.notes:
            lines.append(",\n".join(_note_line(r, st) for r, st in sorted(self.notes.items())))
        lines.append("  }")
        lines.append("}")
        return "\n".join(lines) + "\n"


_ENCODE = json.JSONEncoder(sort_keys=True).encode


def _note_line(ref: str, st: NoteState) -> str:
    """One note of the lock: one line, keys sorted, so that a merge of two branches that
    edited different notes touches different lines."""
    entry: dict[str, object] = {"fingerprint": st.fingerprint, "guid": st.guid, "mtime": st.mtime}
    if st.retired:
        entry["retired"] = True
    if st.tags:
        entry["tags"] = list(st.tags)
    return f"    {_ENCODE(ref)}: {_ENCODE(entry)}"


def _stamp(stamp: Stamp | None) -> dict[str, object]:
    return {} if stamp is None else {"fingerprint": stamp.fingerprint, "mtime": stamp.mtime}


MAX_LOCK_BYTES = 256 * MiB
MAX_PROBLEMS = 100
# Modification times a build can have written: from 2000 to 2100 (seconds).
MTIME_RANGE = (946_684_800, 4_102_444_800)
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX16 = re.compile(r"[0-9a-f]{16}")


def read_lock(content_root: Path) -> Lock:
    """The lock of a content folder; an empty lock when the deck was never built.

    The lock is committed and merged like any file and never reviewed, so it is read like
    content: only a regular file of sane size, every value checked (refs are
    ``case-id/question-id`` of stable keys, each GUID is the one its ref derives,
    fingerprints are hashes, times lie between 2000 and 2100), and every problem is
    reported with the lock's line.
    """
    path = Path(content_root) / LOCK_FILE
    try:
        raw = read_regular(path, MAX_LOCK_BYTES)
    except FileNotFoundError:
        return Lock()
    except OSError as exc:
        raise _damaged(path, None, f"cannot be read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path, None, "is not UTF-8 text") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _damaged(path, exc.lineno, f"is not valid JSON ({exc.msg})", exc.colno) from exc
    except RecursionError as exc:
        raise _damaged(path, None, "is not a lock: it is nested too deeply") from exc
    return LockReader(path, text).lock(data)


def _damaged(path: Path, line: int | None, message: str, column: int | None = None) -> ContentError:
    return ContentError(
        [ContentProblem(display_path(path), line, column, message=message + _RESTORE)]
    )


_RESTORE = (
    "; restore it from git (git checkout -- <file>) rather than deleting it: without it "
    "every note would look new and colleagues' edits would not arrive"
)


class LockReader:
    """Checks the parsed lock value by value, collecting located problems."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[ContentProblem] = []

    def _line_of(self, needle: str) -> int | None:
        at = self.text.find(needle)
        return None if at < 0 else self.text.count("\n", 0, at) + 1

    def problem(self, where: str | None, key: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            line = self._line_of(where) if where else None
            self.problems.append(ContentProblem(display_path(self.path), line, None, key, message))

    def lock(self, data: object) -> Lock:
        if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            self.problem(None, "format", f"unknown lock format {found!r}; expected {LOCK_FORMAT}")
            raise ContentError(self.problems)
        deck, nt, notes = data.get("deck"), data.get("notetype"), data.get("notes")
        deck_key = None
        if not isinstance(deck, dict):
            self.problem('"deck"', "deck", "expected an object")
            deck = {}
        else:
            deck_key = self.key(deck, "deck", "key")
        if not isinstance(nt, dict):
            self.problem('"notetype"', "notetype", "expected an object")
            nt = {}
        if not isinstance(notes, dict):
            self.problem('"notes"', "notes", "expected an object of notes")
            notes = {}
        lock = Lock(
            deck_key=deck_key,
            deck_id=self.anki_id(deck, "deck", "id"),
            deck=self.stamp(deck, "deck", _HEX32),
            notetype_id=self.anki_id(nt, "notetype", "id"),
            contract=self.hex(nt, "notetype", "contract", _HEX16),
            notetype=self.stamp(nt, "notetype", _HEX32),
            notes={ref: s for ref, e in notes.items() if (s := self.note(deck_key, ref, e))},
        )
        if self.problems:
            raise ContentError([*self.problems[:-1], _with_restore(self.problems[-1])])
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
        if type(value) is not int or not MTIME_RANGE[0] <= value < MTIME_RANGE[1]:
            self.problem(
                where, f"{key}.mtime", f"{shown(str(value))} is not a time between 2000 and 2100"
            )
            return None
        return value

    def stamp(self, obj: dict, where: str, form: re.Pattern[str]) -> Stamp | None:
        if "mtime" not in obj and "fingerprint" not in obj:
            return None
        fingerprint = self.hex(obj, where, "fingerprint", form)
        mtime = self.mtime(obj, f'"{where}"', where)
        return Stamp(fingerprint, mtime) if fingerprint and mtime is not None else None

    def note(self, deck_key: str | None, ref: str, entry: object) -> NoteState | None:
        where = json.dumps(ref, ensure_ascii=False) + ":"
        key = f"notes[{shown(ref)}]"
        case, _, question = ref.partition("/")
        if not (is_stable_key(case) and is_stable_key(question)):
            self.problem(
                where, key, "is not a note ref: expected 'case-id/question-id' of stable keys"
            )
            return None
        if not isinstance(entry, dict) or set(entry) - {
            "fingerprint",
            "guid",
            "mtime",
            "retired",
            "tags",
        }:
            self.problem(
                where, key, "expected an object of fingerprint, guid, mtime, retired, tags"
            )
            return None
        fingerprint = self.hex(entry, where, "fingerprint", _HEX32, key)
        if "fingerprint" not in entry:
            self.problem(where, f"{key}.fingerprint", "missing")
        guid = entry.get("guid")
        if deck_key is not None and guid != ids.note_guid(deck_key, case, question):
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
        if None in (fingerprint, guid, mtime, tags) or type(retired) is not bool:
            return None
        return NoteState(guid, fingerprint, mtime, retired, tuple(tags))


def _with_restore(problem: ContentProblem) -> ContentProblem:
    return replace(problem, message=problem.message + _RESTORE)


def now() -> int:
    """Seconds since the epoch, or ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else int(time.time())


@dataclass(frozen=True)
class PlannedNote:
    """A note's place in the plan: what importing it will do, and its modification time."""

    ref: str
    mtime: int
    status: Status


@dataclass(frozen=True)
class Plan:
    """What a build will write, and how it differs from the last build."""

    notes: tuple[PlannedNote, ...]
    dropped: tuple[str, ...]
    notetype_mtime: int
    notetype_changed: bool
    deck_mtime: int
    lock: Lock
    notetype_new: bool = False  # the lock had no note type: the first build of the deck

    def refs(self, status: Status) -> list[str]:
        return [p.ref for p in self.notes if p.status == status]

    @property
    def newest(self) -> int:
        return max([self.deck_mtime, self.notetype_mtime, *(p.mtime for p in self.notes)])


def _next(previous: Stamp | None, fingerprint: str, clock: int) -> tuple[int, bool]:
    if previous is None:
        return clock, True
    if previous.fingerprint == fingerprint:
        return previous.mtime, False
    return max(clock, previous.mtime + 1), True


class Planner:
    """Decides every modification time of a build from the lock, note by note.

    Notes are planned as they are rendered (a build never holds all of them); then
    :meth:`retired` stands in for the questions that disappeared, and :meth:`finish`
    stamps the deck and the note type and returns the :class:`Plan`.
    """

    def __init__(
        self,
        lock: Lock,
        *,
        deck_key: str,
        deck_id: int,
        notetype_id: int,
        contract: str,
        force: bool = False,
        clock: int | None = None,
    ) -> None:
        _check_contract(lock, deck_key, contract, force)
        self.lock = lock
        self.deck_key = deck_key
        self.contract = contract
        self.at = now() if clock is None else clock
        self.new_lock = Lock(
            deck_key=deck_key, deck_id=deck_id, notetype_id=notetype_id, contract=contract
        )
        self.planned: list[PlannedNote] = []
        self.dropped: list[str] = []

    def note(self, spec: NoteSpec) -> int:
        """Plan one note; return its modification time."""
        prev = self.lock.notes.get(spec.ref)
        stamp = Stamp(prev.fingerprint, prev.mtime) if prev else None
        mtime, changed = _next(stamp, spec.fingerprint, self.at)
        status: Status = "new" if prev is None else ("updated" if changed else "unchanged")
        self.planned.append(PlannedNote(spec.ref, mtime, status))
        self.new_lock.notes[spec.ref] = NoteState(
            spec.guid, spec.fingerprint, mtime, tags=spec.tags
        )
        return mtime

    def retired(self, drop_retired: bool) -> list[tuple[NoteSpec, int]]:
        """Stand-ins for the questions in the lock that the content no longer has."""
        out = []
        for ref in sorted(set(self.lock.notes) - set(self.new_lock.notes)):
            prev = self.lock.notes[ref]
            if drop_retired:
                self.dropped.append(ref)
                continue
            spec = retired_note(self.deck_key, ref, prev.tags)
            mtime, changed = _next(Stamp(prev.fingerprint, prev.mtime), spec.fingerprint, self.at)
            status: Status = "retired" if not prev.retired or changed else "still-retired"
            self.planned.append(PlannedNote(ref, mtime, status))
            self.new_lock.notes[ref] = NoteState(
                spec.guid, spec.fingerprint, mtime, retired=True, tags=prev.tags
            )
            out.append((spec, mtime))
        return out

    def finish(self, deck_fingerprint: str, notetype_fingerprint: str) -> Plan:
        lock, new_lock = self.lock, self.new_lock
        deck_mtime, _ = _next(lock.deck, deck_fingerprint, self.at)
        new_lock.deck = Stamp(deck_fingerprint, deck_mtime)
        nt_prev = lock.notetype if lock.contract == self.contract else None
        nt_mtime, nt_changed = _next(nt_prev, notetype_fingerprint, self.at)
        if nt_prev is None and lock.notetype is not None:
            nt_mtime = max(nt_mtime, lock.notetype.mtime + 1)
        new_lock.notetype = Stamp(notetype_fingerprint, nt_mtime)
        return Plan(
            tuple(self.planned),
            tuple(self.dropped),
            nt_mtime,
            nt_changed,
            deck_mtime,
            new_lock,
            notetype_new=lock.notetype is None,
        )


def _check_contract(lock: Lock, deck_key: str, contract: str, force: bool) -> None:
    if force:
        return
    if lock.deck_key is not None and lock.deck_key != deck_key:
        raise ContractError(
            f"the deck id changed from {lock.deck_key!r} to {deck_key!r}. Every Anki id of "
            "the deck derives from it: colleagues who re-import would get a second copy of "
            "every note in a new deck, and lose the link to their review history. Put the "
            f"old id back in deck.yaml, or rebuild with --force to start a new deck."
        )
    if lock.contract is not None and lock.contract != contract:
        raise ContractError(
            "the note type's fields or templates changed since the last build. Anki would "
            "treat it as a different note type: re-importing would create a second note "
            "type ('…+') and skip every existing note as conflicting, so no colleague "
            "would receive updates. Revert the change, or rebuild with --force if breaking "
            "existing collections is intended."
        )
