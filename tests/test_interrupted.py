"""Issue 5: a killed or concurrent build never costs the previous deck or the lock."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.ankiengine import import_into
from tests.conftest import DEFAULT_NOTES
from tests.helpers import generated_content, output_files

# A child process that runs the real CLI, but stops dead at one chosen point of the
# build and says so; the test then kills it with SIGKILL.
CHILD = textwrap.dedent(
    """
    import sys, time
    import deckbuilder.pipeline, deckbuilder.notes.state, deckbuilder.notes.builder
    import deckbuilder.apkg.writer, deckbuilder.files

    point = sys.argv[1]

    def pause(real):
        def wrapper(*args, **kwargs):
            print("PAUSED", flush=True)
            time.sleep(600)
            return real(*args, **kwargs)
        return wrapper

    targets = {
        "rendering": (deckbuilder.notes.builder.NoteBuilder, "case_notes"),
        "planning": (deckbuilder.notes.state.Planner, "finish"),
        "packaging": (deckbuilder.apkg.writer.CollectionWriter, "finish"),
        "writing": (deckbuilder.files.os, "fsync"),
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
    if point == "writing":
        # Killed while the bytes go to a hidden temporary file: the previous deck and
        # lock are intact, and the next build removes the leftover.
        stray = set(after) - set(before)
        assert stray, "the build was stopped while writing its temporary file"
        assert all(Path(s).name.startswith(".clinical-quiz.apkg.") for s in stray), stray
        assert {k: after[k] for k in before} == before
        assert cli("build", "content").exit_code == 0
        assert output_files(tmp_path / "dist") == ["clinical-quiz.apkg"]
    else:
        assert after == before  # nothing written, nothing left behind


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
    saw_the_first = f"{DEFAULT_NOTES} unchanged"
    assert any("is up to date" in r or saw_the_first in r for r in reports)

    deck = tmp_path / "dist" / "clinical-quiz.apkg"
    assert output_files(deck.parent) == ["clinical-quiz.apkg"]
    final = deck.read_bytes()
    assert cli("build", "content").exit_code == 0
    assert deck.read_bytes() == final  # deck and lock agree
    log = import_into(tmp_path / "c.anki2", deck)
    assert log.new == DEFAULT_NOTES


# A build of a large folder (rendered by worker processes) that prints its workers'
# process ids once the first case has come back, then waits to be killed.
PARALLEL_CHILD = textwrap.dedent(
    """
    import multiprocessing, sys, time
    from pathlib import Path
    from deckbuilder.pipeline import build

    def progress(stage, done, total):
        if stage == "building" and done == 0:
            pids = [p.pid for p in multiprocessing.active_children()]
            print(" ".join(map(str, pids)), flush=True)
            time.sleep(600)

    build(Path(sys.argv[1]), Path(sys.argv[2]), progress=progress)
    """
)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states in /proc")
def test_workers_of_a_killed_build_exit_and_free_the_folder(tmp_path: Path) -> None:
    """Killed while workers render (kill -9, the out-of-memory killer): the workers must
    not linger holding the content folder's lock, or every later build would wait."""
    import deckbuilder.workers

    content = generated_content(tmp_path / "big", deckbuilder.workers.PARALLEL_FROM * 4)
    script = tmp_path / "child.py"
    script.write_text(PARALLEL_CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(content), str(tmp_path / "dist")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        workers = [int(pid) for pid in child.stdout.readline().split()]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert len(workers) >= 2
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    done = subprocess.run(
        [sys.executable, "-m", "deckbuilder", "build", str(content), "-o", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_failing_build_stops_its_workers_instead_of_rendering_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing
    import os

    import deckbuilder.workers
    from deckbuilder.pipeline import build

    content = generated_content(tmp_path / "big", 600)
    rendered = tmp_path / "rendered.txt"
    real = deckbuilder.workers._Job.__call__

    def counted(job: object, path: Path) -> object:
        with rendered.open("a", encoding="utf-8") as out:
            out.write(f"{path.name}\n")
        return real(job, path)  # type: ignore[arg-type]

    monkeypatch.setattr(deckbuilder.workers._Job, "__call__", counted)  # inherited by fork

    class Stop(Exception):
        pass

    at_failure: list[int] = []

    def fail(stage: str, done: int, total: int) -> None:
        at_failure.append(len(rendered.read_text(encoding="utf-8").splitlines()))
        raise Stop

    with pytest.raises(Stop):
        build(content, tmp_path / "dist", progress=fail)
    assert multiprocessing.active_children() == []
    # After the failure, at most what was already handed out is finished: a chunk of 16
    # files in each worker and the pool's call queue (workers + 1 chunks).
    done = len(rendered.read_text(encoding="utf-8").splitlines())
    cores = os.cpu_count() or 1
    assert done - at_failure[0] <= 16 * (2 * cores + 1), (at_failure, done)
    assert done < 600
