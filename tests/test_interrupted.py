"""Issue 5: a killed or concurrent build never costs the previous deck or the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.ankiengine import import_into
from tests.helpers import output_files

# A child process that runs the real CLI, but stops dead at one chosen point of the
# build and says so; the test then kills it with SIGKILL.
CHILD = textwrap.dedent(
    """
    import sys, time
    import deckbuilder.build, deckbuilder.lock, deckbuilder.notes, deckbuilder.package

    point = sys.argv[1]

    def pause(real):
        def wrapper(*args, **kwargs):
            print("PAUSED", flush=True)
            time.sleep(600)
            return real(*args, **kwargs)
        return wrapper

    targets = {
        "rendering": (deckbuilder.notes.NoteBuilder, "case_notes"),
        "planning": (deckbuilder.lock.Planner, "finish"),
        "packaging": (deckbuilder.package.CollectionWriter, "finish"),
        "writing": (deckbuilder.package.os, "fsync"),
    }
    module, name = targets[point]
    setattr(module, name, pause(getattr(module, name)))
    from deckbuilder.cli import main
    sys.argv = ["deckbuilder", "build", "content"]
    main()
    """
)


def _files(*roots: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root.parent)): p.read_bytes()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("point", ["rendering", "planning", "packaging", "writing"])
def test_sigkill_leaves_the_previous_deck_and_lock(
    point: str, cli, content: Path, tmp_path: Path
) -> None:
    assert cli("build", "content").exit_code == 0
    case = content / "cases" / "alt-thigh.yaml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("C: RT alone", "C: RT only"), encoding="utf-8"
    )
    before = _files(content, tmp_path / "dist")

    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), point], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "PAUSED"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    after = _files(content, tmp_path / "dist")
    if point == "writing" and not _anonymous_files_work(tmp_path / "dist"):
        # Without O_TMPFILE the bytes go to a hidden temporary file: the previous deck is
        # intact, and the next build removes the leftover.
        stray = set(after) - set(before)
        assert all(Path(s).name.startswith(".clinical-quiz.apkg.") for s in stray), stray
        assert {k: after[k] for k in before} == before
        assert cli("build", "content").exit_code == 0
        assert output_files(tmp_path / "dist") == ["clinical-quiz.apkg"]
    else:
        assert after == before  # nothing written, nothing left behind


def _anonymous_files_work(folder: Path) -> bool:
    from deckbuilder.package import _open_anonymous

    fd, _ = _open_anonymous(folder)
    if fd is None:
        return False
    os.close(fd)
    return True


def test_two_builds_at_once_both_end_with_a_valid_deck(cli, content: Path, tmp_path: Path) -> None:
    assert cli("build", "content").exit_code == 0
    case = content / "cases" / "alt-thigh.yaml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("C: RT alone", "C: RT only"), encoding="utf-8"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "deckbuilder", "build", "content"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    reports = sorted(out for out, _ in outs)
    assert "1 updated" in reports[0] or "1 updated" in reports[1]
    assert any("is up to date" in r or "4 unchanged" in r for r in reports)  # saw the first

    deck = tmp_path / "dist" / "clinical-quiz.apkg"
    assert output_files(deck.parent) == ["clinical-quiz.apkg"]
    final = deck.read_bytes()
    assert cli("build", "content").exit_code == 0
    assert deck.read_bytes() == final  # deck and lock agree
    log = import_into(tmp_path / "c.anki2", deck)
    assert log.new == 4
