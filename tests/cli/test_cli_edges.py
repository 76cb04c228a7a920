"""The command line's first-use edges, each run as a real process with its whole output:
a case added where no deck file is, a build run from inside the content folder, the
first build's note type, and ``--help`` with an example everywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer.main

from deckbuilder.cli import app
from tests.support.process import deckbuilder

NOTHING_THERE = (
    "error: no deck file at {folder}/deck.yaml; start a content folder with "
    "'deckbuilder init {folder}', or name an existing one with --content; nothing was written\n"
)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("make_folder", [False, True], ids=["no-folder", "folder-without-deck"])
def test_new_case_refuses_a_folder_without_a_deck_file(tmp_path: Path, make_folder: bool) -> None:
    if make_folder:
        (tmp_path / "content").mkdir()
    before = _files(tmp_path)
    run = deckbuilder("new", "case", "chest-pain", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == NOTHING_THERE.format(folder="content")
    assert _files(tmp_path) == before


def test_new_case_refuses_a_misspelt_content_folder(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    before = _files(tmp_path)
    run = deckbuilder("new", "case", "chest-pain", "--content", "cardoi", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == NOTHING_THERE.format(folder="cardoi")
    run = deckbuilder("new", "case", "chest-pain", "--content", "my cardio", cwd=tmp_path)
    assert run.stderr == (
        "error: no deck file at my cardio/deck.yaml; start a content folder with "
        "\"deckbuilder init 'my cardio'\", or name an existing one with --content; nothing "
        "was written\n"
    )
    assert _files(tmp_path) == before


def test_new_case_inside_the_content_folder_says_where_the_deck_file_is(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    before = _files(tmp_path)
    for cwd, rel, where in ((".", ".", "here"), ("cases", "..", "in ..")):
        run = deckbuilder("new", "case", "chest-pain", cwd=tmp_path / "cardio" / cwd)
        assert (run.returncode, run.stdout) == (1, "")
        assert run.stderr == (
            f"error: no deck file at content/deck.yaml; deck.yaml is {where}: run "
            f"'deckbuilder new case chest-pain --content {rel}'; nothing was written\n"
        )
    assert _files(tmp_path) == before
    run = deckbuilder("new", "case", "chest-pain", "--content", ".", cwd=tmp_path / "cardio")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Wrote cases/chest-pain.yaml. Edit it, then run: deckbuilder check .\n"


@pytest.mark.parametrize("command", ["build", "check", "preview"])
def test_run_inside_the_content_folder_says_where_the_deck_file_is(
    tmp_path: Path, command: str
) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    before = _files(tmp_path)
    summary = "error: 1 problem in the content" + (
        "." if command == "check" else "; nothing was written."
    )
    for cwd, rel, where in ((".", ".", "here"), ("cases", "..", "in ..")):
        run = deckbuilder(command, cwd=tmp_path / "cardio" / cwd)
        assert (run.returncode, run.stdout) == (1, "")
        assert run.stderr == (
            f"content: content folder does not exist; deck.yaml is {where}: run "
            f"'deckbuilder {command} {rel}'\n{summary}\n"
        )
    assert _files(tmp_path) == before


def test_a_missing_content_folder_elsewhere_gets_no_hint(tmp_path: Path) -> None:
    run = deckbuilder("check", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (1, "")
    assert (
        run.stderr == "content: content folder does not exist\nerror: 1 problem in the content.\n"
    )


def test_the_first_build_has_a_new_note_type_and_a_rename_changes_it(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    run = deckbuilder("build", "cardio", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["notetype"], report["cloze_notetype"]) == ("new", None)
    assert report["new"] == ["first-case/q1"]

    deck = tmp_path / "cardio" / "deck.yaml"
    deck.write_text(
        deck.read_text(encoding="utf-8").replace("name: Cardio", "name: Heart"), "utf-8"
    )
    run = deckbuilder("build", "cardio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(
        r"  note type: templates or style changed \(colleagues get it on import\)\n"
        r"  deck renamed 'Cardio' → 'Heart': [^\n]+ before they import, or keep the old name\.\n"
        r"Wrote dist/cardio\.apkg \(\d+ KiB\): 1 note, 0 new, 0 updated, 1 unchanged "
        r"\(\d+\.\d\d s\)\.\n",
        run.stdout,
    ), run.stdout

    other = tmp_path / "other"
    assert deckbuilder("init", "other", cwd=tmp_path).returncode == 0
    run = deckbuilder("build", other, "--dry-run", cwd=tmp_path)
    assert re.fullmatch(
        r"  new       first-case/q1\n"
        r"  new note type\n"
        r"Would write dist/other\.apkg \(\d+ KiB\): 1 note, 1 new, 0 updated, 0 unchanged "
        r"\(\d+\.\d\d s\)\.\nDry run: nothing was written\.\n",
        run.stdout,
    ), run.stdout


def _command_paths() -> list[list[str]]:
    """Every command and group of the CLI, the root included, from the CLI itself."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_every_command_and_group_has_help_with_an_example(tmp_path: Path) -> None:
    paths = _command_paths()
    assert ["new"] in paths and ["new", "case"] in paths and len(paths) >= 11
    for path in paths:
        run = deckbuilder(*path, "--help", cwd=tmp_path, env={"COLUMNS": "80"})
        assert (run.returncode, run.stderr) == (0, ""), path
        examples = re.findall(r"^  Example: (deckbuilder .*)$", run.stdout, re.M)
        assert len(examples) == 1, (path, run.stdout)
        if path:  # the example runs the command it is the help of
            assert examples[0].startswith(" ".join(["deckbuilder", *path]) + " "), path
        defaults = re.findall(r"\[default: [^\]]*\]", run.stdout)
        assert len(defaults) == len(set(defaults)), (path, run.stdout)  # each said once


def test_the_top_level_and_group_help(tmp_path: Path) -> None:
    run = deckbuilder("new", "--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert run.stdout == (
        "Usage: python -m deckbuilder new [OPTIONS] COMMAND [ARGS]...\n"
        "\n"
        "  Create a new content file from a commented template.\n"
        "\n"
        "  Example: deckbuilder new case chest-pain --content cardio\n"
        "\n"
        "Options:\n"
        "  -h, --help  Show this message and exit.\n"
        "\n"
        "Commands:\n"
        "  case  Write content/cases/ID.yaml: a commented case with one example...\n"
    )
    run = deckbuilder("--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert run.stdout.startswith(
        "Usage: python -m deckbuilder [OPTIONS] COMMAND [ARGS]...\n"
        "\n"
        "  Turn case-based clinical quizzes written in YAML into Anki decks.\n"
        "\n"
        "  Example: deckbuilder init cardio && deckbuilder build cardio\n"
        "\n"
        "Options:\n"
    )


def test_schema_help_gives_its_default_once(tmp_path: Path) -> None:
    run = deckbuilder("schema", "--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert run.returncode == 0
    assert run.stdout.endswith(
        "  Example: deckbuilder schema content/.schema\n"
        "\n"
        "Arguments:\n"
        "  folder <path>  Where to write them.  [default: content/.schema]\n"
        "\n"
        "Options:\n"
        "  --json      Print one JSON object on stdout, for scripts (errors too).\n"
        "  -h, --help  Show this message and exit.\n"
    )
