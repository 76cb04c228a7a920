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
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from deckbuilder.content.folder import LOCK_FILE
from deckbuilder.errors import ContentError, ContentProblem, ContractError, display_path
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
    guid: str
    fingerprint: str
    mtime: int
    retired: bool = False


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


def _note_line(ref: str, st: NoteState) -> str:
    """One note of the lock, as ``json.dumps(entry, sort_keys=True)`` writes it, without
    building a dict and an encoder per note (0.6 s of a 100,000-note build)."""
    retired = ', "retired": true' if st.retired else ""
    return (
        f'    {json.dumps(ref)}: {{"fingerprint": {json.dumps(st.fingerprint)}, '
        f'"guid": {json.dumps(st.guid)}, "mtime": {st.mtime:d}{retired}}}'
    )


def _stamp(stamp: Stamp | None) -> dict[str, object]:
    return {} if stamp is None else {"fingerprint": stamp.fingerprint, "mtime": stamp.mtime}


def read_lock(content_root: Path) -> Lock:
    """The lock of a content folder; an empty lock when the deck was never built."""
    path = Path(content_root) / LOCK_FILE
    if not path.exists():
        return Lock()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != LOCK_FORMAT:
            raise ValueError(f"unknown lock format {data.get('format')!r}")
        deck, nt = data["deck"], data["notetype"]
        return Lock(
            deck_key=deck.get("key"),
            deck_id=deck.get("id"),
            deck=Stamp(deck["fingerprint"], int(deck["mtime"])) if "mtime" in deck else None,
            notetype_id=nt.get("id"),
            contract=nt.get("contract"),
            notetype=Stamp(nt["fingerprint"], int(nt["mtime"])) if "mtime" in nt else None,
            notes={
                ref: NoteState(
                    e["guid"], e["fingerprint"], int(e["mtime"]), bool(e.get("retired", False))
                )
                for ref, e in data["notes"].items()
            },
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ContentError(
            [
                ContentProblem(
                    display_path(path),
                    message=f"the build state file is damaged ({exc}); restore it from git "
                    "(git checkout -- <file>) rather than deleting it: without it every note "
                    "would look new and colleagues' edits would not arrive",
                )
            ]
        ) from exc


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
        self.new_lock.notes[spec.ref] = NoteState(spec.guid, spec.fingerprint, mtime)
        return mtime

    def retired(self, drop_retired: bool) -> list[tuple[NoteSpec, int]]:
        """Stand-ins for the questions in the lock that the content no longer has."""
        out = []
        for ref in sorted(set(self.lock.notes) - set(self.new_lock.notes)):
            prev = self.lock.notes[ref]
            if drop_retired:
                self.dropped.append(ref)
                continue
            spec = retired_note(self.deck_key, ref)
            mtime, changed = _next(Stamp(prev.fingerprint, prev.mtime), spec.fingerprint, self.at)
            status: Status = "retired" if not prev.retired or changed else "still-retired"
            self.planned.append(PlannedNote(ref, mtime, status))
            self.new_lock.notes[ref] = replace(
                NoteState(spec.guid, spec.fingerprint, mtime), retired=True
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
            tuple(self.planned), tuple(self.dropped), nt_mtime, nt_changed, deck_mtime, new_lock
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
