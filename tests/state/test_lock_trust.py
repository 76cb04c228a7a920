"""Issue 28: what a lock may make a build do, run as the real ``deckbuilder`` process.

The lock is committed, merged and never reviewed: a wrong clock on one machine or a hand
edit must not freeze the deck (times past what the next build accepts) or blow it up
(cards no content could have made).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deckbuilder.plan.lockfile import RESTORE
from tests.support.helpers import SMALL_CASE, replace_in, snapshot
from tests.support.process import deckbuilder

LOCK = "content/deckbuilder.lock.json"
NOTE = "good/q1"
DAY = 86_400
# The last second of 2099: the latest time the lock's range (2000 to 2100) allows.
LAST_SECOND = 4_102_444_799


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A content folder of one good case, built: dist/ holds a deck, content/ a lock."""
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    (content / "deck.yaml").write_text("name: D\nid: d\n", encoding="utf-8")
    (content / "cases" / "good.yaml").write_text(
        SMALL_CASE.replace("id: small", "id: good"), encoding="utf-8"
    )
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    return tmp_path


def _lock(work: Path) -> dict:
    return json.loads((work / LOCK).read_text(encoding="utf-8"))


def _lock_with(work: Path, edit: Callable[[dict], None]) -> Path:
    lock = work / LOCK
    data = json.loads(lock.read_text(encoding="utf-8"))
    edit(data)
    lock.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return lock


def _set(field: str, value: object, ref: str = NOTE) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        data["notes"][ref][field] = value

    return edit


def _line(lock: Path, needle: str) -> int:
    return next(i for i, row in enumerate(lock.read_text().splitlines(), 1) if needle in row)


def _edit_note(work: Path, text: str) -> None:
    """An author's edit of the one question's critique (it ends "Because…")."""
    case = work / "content" / "cases" / "good.yaml"
    old = next(line for line in case.read_text().splitlines() if "critique:" in line)
    replace_in(case, old, f"    critique: {text}")


def _build(work: Path, *args: str, epoch: int | None = None):
    env = {"SOURCE_DATE_EPOCH": str(epoch)} if epoch is not None else None
    return deckbuilder("build", "content", *args, cwd=work, timeout=60, env=env)


def _refused(work: Path, first_line: str, epoch: int | None = None) -> None:
    """A build that stops with ``first_line`` and writes nothing."""
    before = snapshot(work / "content", work / "dist")
    run = _build(work, epoch=epoch)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == first_line, run.stderr
    assert run.stderr.splitlines()[-1].endswith("nothing was written.")
    assert snapshot(work / "content", work / "dist") == before


def _utc(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


# --- a lock from the future -------------------------------------------------------------


def test_a_forged_time_at_the_end_of_2099_is_refused_at_its_line(good: Path) -> None:
    """One forged time and one edit used to write 4102444800 (2100): from then on every
    build with a change failed, and deleting the lock only pushed the time further."""
    lock = _lock_with(good, _set("mtime", LAST_SECOND))
    _edit_note(good, "Because, edited.")
    line = _line(lock, json.dumps(NOTE))
    run = _build(good)
    assert run.returncode == 1, run.stdout
    first = run.stderr.splitlines()[0]
    assert first.startswith(
        f"{LOCK}:{line}: notes['{NOTE}'].mtime: {LAST_SECOND} (2099-12-31 23:59 UTC) is more "
        "than a day after this build's clock ("
    ), first
    assert first.endswith(
        "): the lock comes from the future, written on a machine whose clock was wrong or "
        f"edited by hand{RESTORE}"
    ), first


def test_the_advice_for_a_lock_from_the_future_works(good: Path) -> None:
    """Delete the lock and build, as the error says: the lock comes back from the deck,
    with sane times, and later edits keep building."""
    _lock_with(good, _set("mtime", LAST_SECOND))
    _edit_note(good, "Because, edited.")
    _build(good)
    (good / LOCK).unlink()
    run = _build(good)
    assert run.returncode == 0, run.stderr
    assert "the lock was missing: recovered 1 note from dist/d.apkg" in run.stdout
    assert "0 new, 1 updated, 0 unchanged" in run.stdout
    assert _lock(good)["notes"][NOTE]["mtime"] <= time.time() + 60
    _edit_note(good, "Because, edited again.")
    again = _build(good)
    assert again.returncode == 0, again.stderr
    assert "0 new, 1 updated, 0 unchanged" in again.stdout


def test_a_lock_built_on_a_machine_whose_clock_ran_ahead_is_refused(good: Path) -> None:
    """A colleague's clock says next month: a build here names the problem rather than
    handing on times no later build can follow."""
    ahead = int(time.time()) + 30 * DAY
    _edit_note(good, "Because, edited on a fast clock.")
    assert _build(good, epoch=ahead).returncode == 0
    lock = good / LOCK
    _edit_note(good, "Because, edited here.")
    run = _build(good)
    assert run.returncode == 1, run.stdout
    problems = run.stderr.splitlines()[:-1]
    line = _line(lock, json.dumps(NOTE))
    assert f"{LOCK}:{line}: notes['{NOTE}'].mtime: {ahead} (" in "\n".join(problems)
    assert all("is more than a day after this build's clock" in p for p in problems), problems
    assert problems[-1].endswith(RESTORE)


def test_a_deck_from_the_future_gives_no_lock_back(good: Path) -> None:
    """A lost lock is recovered from the deck, and a deck built on a fast clock carries
    that clock's times: recovered, they would go on into every later lock."""
    ahead = int(time.time()) + 30 * DAY
    _edit_note(good, "Because, edited on a fast clock.")
    assert _build(good, epoch=ahead).returncode == 0
    (good / LOCK).unlink()
    run = _build(good)
    assert run.returncode == 1, run.stdout
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"dist/d.apkg: deck.mtime: {ahead} ({_utc(ahead)}) is more than"), first
    assert f"dist/d.apkg: notes['{NOTE}'].mtime: {ahead} (" in run.stderr
    assert first.endswith(
        "the deck was built on a machine whose clock was wrong, or from a lock edited by hand, "
        "and cannot give the lock back: restore the lock from git, or build with --since an "
        "earlier deck"
    ), first
    assert not (good / LOCK).exists()


@pytest.mark.parametrize(
    ("epoch", "when"),
    [(LAST_SECOND + 1, "2100-01-01 00:00 UTC"), (0, "1970-01-01 00:00 UTC")],
    ids=["2100", "1970"],
)
def test_a_build_never_writes_a_time_outside_2000_to_2100(
    good: Path, epoch: int, when: str
) -> None:
    """A time the next build would refuse is refused now, naming where it came from."""
    _edit_note(good, "Because, edited.")
    _refused(
        good,
        f"SOURCE_DATE_EPOCH: {epoch} ({when}) is not a time between 2000 and 2100: "
        "set it to the time of the build (seconds since 1970), or unset it to use the clock",
        epoch=epoch,
    )


def test_an_edit_never_pushes_a_time_past_what_the_next_build_accepts(good: Path) -> None:
    """A lock may run up to a day ahead of the clock (another machine's clock may be a
    little fast); an edited note needs a later time still. Up to the day it gets one; at
    the day's end the build stops rather than write a lock the next build would refuse."""
    epoch = int(time.time()) + 10 * DAY  # this build's clock, ahead of the real one
    lock = _lock_with(good, _set("mtime", epoch + DAY - 1))
    _edit_note(good, "Because, edited.")
    assert _build(good, epoch=epoch).returncode == 0
    assert _lock(good)["notes"][NOTE]["mtime"] == epoch + DAY
    check = deckbuilder("check", "content", cwd=good, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert check.returncode == 0, check.stderr
    _edit_note(good, "Because, edited again.")
    _refused(
        good,
        f"{LOCK}: notes['{NOTE}'].mtime: {epoch + DAY} ({_utc(epoch + DAY)}) is already the "
        f"latest time this build may give (a day after its clock, {_utc(epoch)}, and before "
        "2100): the change needs a later one, which the next build would refuse as from the "
        "future. Build again once the clock has caught up, or check this machine's clock",
        epoch=epoch,
    )
    assert lock.exists()


# --- the GUIDs the lock gives ------------------------------------------------------------


def test_a_lock_without_the_deck_key_is_refused(good: Path) -> None:
    """Each note's GUID is checked against the one its ref derives from the deck's key:
    without the key, a lock could give any note any GUID."""

    def edit(data: dict) -> None:
        del data["deck"]["key"]
        data["notes"][NOTE]["guid"] = "AAAAAAAAAA"

    lock = _lock_with(good, edit)
    _refused(
        good,
        f"{LOCK}:{_line(lock, json.dumps('deck'))}: deck.key: missing: the deck's id, every GUID "
        f"derives from it{RESTORE}",
    )


def test_a_guid_that_is_not_a_string_is_refused_at_its_line(good: Path) -> None:
    def edit(data: dict) -> None:
        del data["deck"]["key"]
        data["notes"][NOTE]["guid"] = ["not", "a", "guid"]

    lock = _lock_with(good, edit)
    before = snapshot(good / "content", good / "dist")
    run = _build(good)
    assert run.returncode == 1, run.stdout
    assert run.stderr.splitlines()[:2] == [
        f"{LOCK}:{_line(lock, json.dumps('deck'))}: deck.key: missing: the deck's id, every GUID "
        "derives from it",
        f"{LOCK}:{_line(lock, json.dumps(NOTE))}: notes['{NOTE}'].guid: \"['not', 'a', "
        f"'guid']\" is not a GUID: expected a string{RESTORE}",
    ]
    assert snapshot(good / "content", good / "dist") == before


def test_a_note_without_a_guid_is_refused_at_its_line(good: Path) -> None:
    def edit(data: dict) -> None:
        del data["notes"][NOTE]["guid"]

    lock = _lock_with(good, edit)
    _refused(
        good, f"{LOCK}:{_line(lock, json.dumps(NOTE))}: notes['{NOTE}'].guid: missing{RESTORE}"
    )
