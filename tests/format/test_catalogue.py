"""Issue 5: a catalogue of malformed input, each with the exact message it must give.

Every entry starts from a good build (a deck in ``dist/`` and a lock), breaks the content,
and checks that ``build`` and ``check``, run as real ``deckbuilder`` processes, exit with
1 and print exactly the message (file, line, column, key path) and the summary line —
the whole of stderr, so nothing a library prints reaches the user unnoticed — and leave
``dist/``, the lock and every content file byte-identical.

Entries that are YAML text live in ``tests/catalogue/`` (case files; ``*.deck.yaml``
replace the deck file), their expected message on the last line. Entries that cannot be
written as text (bytes, file system) are built by the functions below.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from deckbuilder.plan.lockfile import RESTORE
from tests.support.helpers import generated_content, snapshot
from tests.support.paths import DEFAULT_NOTES, REPO
from tests.support.process import deckbuilder

CATALOGUE = REPO / "tests" / "catalogue"
FIXTURES = REPO / "tests" / "fixtures"
GOOD_CASE = (
    (CATALOGUE / "answer-not-option.yaml")
    .read_text(encoding="utf-8")
    .replace("answer: E", "answer: A")
)


def _expected(path: Path) -> str:
    last = path.read_text(encoding="utf-8").rstrip("\n").splitlines()[-1]
    assert last.startswith("# expect: "), path
    return "content/" + last.removeprefix("# expect: ")


# build never writes on bad content; check never writes at all, and says no more
SUMMARY = {
    "build": "error: 1 problem in the content; nothing was written.\n",
    "check": "error: 1 problem in the content.\n",
}


def _run_both(content: Path, tmp_path: Path, expected: str, *extra: str) -> None:
    before = snapshot(content, tmp_path / "dist")
    for command in ("build", "check"):
        run = deckbuilder(command, "content", *extra, cwd=tmp_path, timeout=30)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert run.stderr == f"{expected}\n{SUMMARY[command]}", command
        assert run.stdout == ""
    assert snapshot(content, tmp_path / "dist") == before


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    """The default content after a good build: dist/ holds a deck, content/ a lock."""
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    assert (tmp_path / "dist" / "clinical-quiz.apkg").is_file()
    assert (content / "deckbuilder.lock.json").is_file()
    return content


TEXT_ENTRIES = sorted(CATALOGUE.glob("*.yaml"))


def test_catalogue_is_large_enough() -> None:
    assert len(TEXT_ENTRIES) + len(GENERATED) >= 30


@pytest.mark.parametrize("entry", TEXT_ENTRIES, ids=lambda p: p.name.removesuffix(".yaml"))
def test_text_entry(entry: Path, built: Path, tmp_path: Path) -> None:
    target = (
        built / "deck.yaml" if entry.name.endswith(".deck.yaml") else built / "cases" / "bad.yaml"
    )
    shutil.copy(entry, target)
    _run_both(built, tmp_path, _expected(entry))


def _bytes_case(data: bytes) -> Callable[[Path, Path], None]:
    return lambda content, tmp: (content / "cases" / "bad.yaml").write_bytes(data)


def _symlink_escape(content: Path, tmp: Path) -> None:
    shutil.copy(FIXTURES / "red.png", tmp / "private.png")
    os.symlink(tmp / "private.png", content / "cases" / "scan.png")
    text = GOOD_CASE.replace(
        "questions:", "figures:\n  - caption: A scan.\n    image: scan.png\nquestions:"
    )
    (content / "cases" / "bad.yaml").write_text(text, encoding="utf-8")


def _no_cases(content: Path, tmp: Path) -> None:
    (content / "cases" / "alt-thigh.yaml").rename(content / "alt-thigh.txt")


def _damaged_lock(content: Path, tmp: Path) -> None:
    (content / "deckbuilder.lock.json").write_text('{"format": 1, "deck": ', encoding="utf-8")


GENERATED: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "not-utf8": (
        _bytes_case(GOOD_CASE.replace("title: T", "title: caf\xe9").encode("latin-1")),
        "content/cases/bad.yaml:2:11: is not UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    "byte-order-mark": (
        _bytes_case(b"\xef\xbb\xbf" + GOOD_CASE.encode()),
        "content/cases/bad.yaml:1:1: starts with a byte-order mark; save it as UTF-8 without BOM",
    ),
    "too-large": (
        _bytes_case(GOOD_CASE.encode() + b"#" * (1_100_000 - len(GOOD_CASE.encode()))),
        "content/cases/bad.yaml: is 1,100,000 bytes; a content file may hold at most "
        "1,048,576 (split the cases into one file each)",
    ),
    "symlink-escape": (
        _symlink_escape,
        "content/cases/bad.yaml:6:12: figures[0].image: 'scan.png' points outside the content "
        "folder; copy the image into it",
    ),
    "missing-deck-file": (
        lambda content, tmp: (content / "deck.yaml").unlink(),
        "content/deck.yaml: the deck file is missing; create it with at least 'name' and 'id'",
    ),
    "no-case-files": (_no_cases, "content: no case files found next to deck.yaml"),
}


def test_a_damaged_lock_is_refused_by_check_and_recovered_by_build(
    built: Path, tmp_path: Path
) -> None:
    _damaged_lock(built, tmp_path)
    before = snapshot(built, tmp_path / "dist")
    run = deckbuilder("check", "content", cwd=tmp_path, timeout=30)
    assert run.returncode == 1
    assert run.stderr == (
        f"content/deckbuilder.lock.json:1:23: is not valid JSON (Expecting value){RESTORE}\n"
        f"{SUMMARY['check']}"
    )
    assert snapshot(built, tmp_path / "dist") == before
    run = deckbuilder("build", "content", cwd=tmp_path, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == (
        f"  the lock was damaged: recovered {DEFAULT_NOTES} notes from dist/clinical-quiz.apkg"
    )


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_entry(name: str, built: Path, tmp_path: Path) -> None:
    setup, expected = GENERATED[name]
    setup(built, tmp_path)
    _run_both(built, tmp_path, expected)


def test_content_folder_that_does_not_exist(cli, tmp_path: Path) -> None:
    for command in ("build", "check"):
        result = cli(command, "nope")
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == "nope: content folder does not exist"
    assert not (tmp_path / "dist").exists()


def test_content_folder_that_is_a_file(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = cli("check", "notes.txt")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "notes.txt: content folder is not a folder"


def test_output_folder_that_cannot_be_written(cli, built: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    before = snapshot(built, tmp_path / "dist")
    result = cli("build", "content", "--output", "taken")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: cannot write taken/clinical-quiz.apkg: taken is a file, not a folder; "
    )
    assert "Traceback" not in result.output
    assert (tmp_path / "taken").read_text() == "a file, not a folder"
    assert snapshot(built, tmp_path / "dist") == before


def test_debug_shows_the_traceback(cli, built: Path) -> None:
    shutil.copy(CATALOGUE / "answer-not-option.yaml", built / "cases" / "bad.yaml")
    result = cli("--debug", "build", "content")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "deckbuilder.errors.ContentError" in result.stderr


@pytest.mark.parametrize(
    "args", [["build", "--no-such-option"], ["no-such-command"], ["build", "a", "b"]]
)
def test_usage_errors_exit_with_2(cli, args: list[str]) -> None:
    assert cli(*args).exit_code == 2


def test_problems_found_by_parallel_readers_are_all_reported(cli, tmp_path: Path) -> None:
    """Large decks are read on every core; their problems must come out the same way."""
    import deckbuilder.pipeline.workers

    content = generated_content(tmp_path / "big", deckbuilder.pipeline.workers.PARALLEL_FROM + 10)
    assert cli("build", "big").exit_code == 0
    cases = sorted((content / "cases").glob("*.yaml"))
    text = cases[3].read_text(encoding="utf-8")
    cases[3].write_text(text.replace("answer:", "answer: Z\n    x_answer:", 1), encoding="utf-8")
    cases[40].write_text(
        cases[40].read_text(encoding="utf-8").replace("id: case-000040", "id: case-000001", 1),
        encoding="utf-8",
    )
    before = snapshot(content, tmp_path / "dist")
    result = cli("build", "big")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any("case-000003.yaml" in line and "unknown key 'x_answer'" in line for line in lines)
    assert any(
        "case-000040.yaml:1:5: id: case id 'case-000001' is already used in" in line
        for line in lines
    )
    assert snapshot(content, tmp_path / "dist") == before
