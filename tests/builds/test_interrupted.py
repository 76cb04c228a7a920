"""Issue 5: a killed or concurrent build never costs the previous deck or the lock."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.ankiengine import import_into
from tests.support.helpers import generated_content, output_files
from tests.support.paths import DEFAULT_NOTES
from tests.support.process import Run, deckbuilder

# A child process that runs the real CLI, but stops dead at one chosen point of the
# build (the given call of a function) and says so; the test then kills it with SIGKILL.
CHILD = textwrap.dedent(
    """
    import sys, time
    import deckbuilder.pipeline.run, deckbuilder.plan, deckbuilder.notes.builder
    import deckbuilder.apkg.writer, deckbuilder.files

    point = sys.argv[1]

    def pause(real, at_call):
        calls = []
        def wrapper(*args, **kwargs):
            if args and str(args[-1]).endswith(".case"):  # the render cache's own files
                return real(*args, **kwargs)
            calls.append(args)
            if len(calls) == at_call:
                print("PAUSED", flush=True)
                time.sleep(600)
            return real(*args, **kwargs)
        return wrapper

    targets = {
        "rendering": (deckbuilder.notes.builder.NoteBuilder, "case_notes", 1),
        "planning": (deckbuilder.plan.Planner, "finish", 1),
        "packaging": (deckbuilder.apkg.writer.CollectionWriter, "finish", 1),
        "writing": (deckbuilder.files.os, "fsync", 1),
        # the deck and the lock are renamed into place one after the other
        "renaming": (deckbuilder.files.os, "replace", 2),
    }
    module, name, at_call = targets[point]
    setattr(module, name, pause(getattr(module, name), at_call))
    from deckbuilder.cli import main
    sys.argv = ["deckbuilder", "build", "content"]
    main()
    """
)


def _killed_at(point: str, work: Path, env: dict[str, str] | None = None) -> None:
    """Run a build in ``work`` that stops at ``point``, and kill it there."""
    script = work / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), point],
        cwd=work,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "PAUSED"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


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
    _killed_at(point, tmp_path)
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


def _report(run: Run) -> dict[str, object]:
    """What a build --json said it did, without what differs between any two runs."""
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    return {
        key: sorted(value) if isinstance(value, list) else value
        for key, value in report.items()
        if key not in ("outcome", "written", "up_to_date", "seconds")
    }


def test_sigkill_between_the_renames_of_deck_and_lock_leaves_them_agreeing(
    content: Path, tmp_path: Path
) -> None:
    """Killed after one of the deck and the lock is in place and before the other: the
    next build makes the deck the uninterrupted build would have made, and says exactly
    what the build after that one says: no note updated a second time."""
    env = {"SOURCE_DATE_EPOCH": str(int(time.time()))}  # the same times in both folders
    assert deckbuilder("build", "content", cwd=tmp_path, env=env).returncode == 0
    case = content / "cases" / "alt-thigh.yaml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("C: RT alone", "C: RT only"), encoding="utf-8"
    )
    calm = tmp_path / "calm"
    calm.mkdir()
    shutil.copytree(content, calm / "content")
    shutil.copytree(tmp_path / "dist", calm / "dist")
    assert deckbuilder("build", "content", cwd=calm, env=env).returncode == 0
    expected = _report(deckbuilder("build", "content", "--json", cwd=calm, env=env))
    assert expected["updated"] == []

    _killed_at("renaming", tmp_path, env)
    after = _report(deckbuilder("build", "content", "--json", cwd=tmp_path, env=env))
    assert after == expected
    assert _files(content, tmp_path / "dist") == _files(calm / "content", calm / "dist")
    again = deckbuilder("build", "content", "--json", cwd=tmp_path, env=env)
    assert json.loads(again.stdout)["outcome"] == "up_to_date"


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
    from deckbuilder import build

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
    import deckbuilder.pipeline.workers

    content = generated_content(tmp_path / "big", deckbuilder.pipeline.workers.PARALLEL_FROM * 4)
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
    """Counted by the render cache: a worker stores each case it renders as one entry
    file as soon as it is rendered, so the entries are the cases the workers finished."""
    import multiprocessing
    import os

    from deckbuilder import build

    content = generated_content(tmp_path / "big", 600)
    cache = tmp_path / "render-cache"
    monkeypatch.setenv("DECKBUILDER_CACHE_DIR", str(cache))

    def rendered() -> int:
        return sum(1 for _ in cache.rglob("*.case"))

    class Stop(Exception):
        pass

    at_failure: list[int] = []

    def fail(stage: str, done: int, total: int) -> None:
        at_failure.append(rendered())
        raise Stop

    with pytest.raises(Stop):
        build(content, tmp_path / "dist", progress=fail)
    assert multiprocessing.active_children() == []
    # After the failure, at most what was already handed out is finished: a chunk of 16
    # files in each worker and the pool's call queue (workers + 1 chunks).
    done = rendered()
    cores = os.cpu_count() or 1
    assert done - at_failure[0] <= 16 * (2 * cores + 1), (at_failure, done)
    assert 0 < done < 600


def test_a_failed_rename_puts_back_what_was_replaced_where_there_are_no_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two renames fails on a file system without hard links (some
    network and FAT drives): the first file is put back, not deleted."""
    import errno

    from deckbuilder import files

    deck, lock = tmp_path / "dist" / "d.apkg", tmp_path / "content" / "deckbuilder.lock.json"
    for path in (deck, lock):
        path.parent.mkdir()
        path.write_bytes(b"previous " + path.name.encode())
    real_replace = os.replace
    renames: list[object] = []

    def no_link(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    def second_fails(source: object, target: object) -> None:
        renames.append(target)
        if len(renames) == 2:
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "link", no_link)
    monkeypatch.setattr(files.os, "replace", second_fails)
    with pytest.raises(files.WriteFailed):
        files.write_files([(deck, b"new deck"), (lock, b"new lock")])
    monkeypatch.undo()
    assert deck.read_bytes() == b"previous d.apkg"
    assert lock.read_bytes() == b"previous deckbuilder.lock.json"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "d.apkg",
        "deckbuilder.lock.json",
    ]
