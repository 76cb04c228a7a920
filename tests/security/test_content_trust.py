"""Issue 28: what a content folder may make deckbuilder read, and what reaches a terminal.

Only regular files inside the content folder are read (symlinks followed, and refused
where they leave it), no case file or folder is silently skipped, no path text crashes a
build, a file name cannot drive the terminal, a deck name Anki would refuse to import is
refused at its place, and import-text writes no image the build would refuse. Every
command runs as a real ``deckbuilder`` process: an error is ``file:line:col: key:
message``, exit code 1, no traceback, and nothing written.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.helpers import SMALL_CASE, snapshot
from tests.support.paths import REPO
from tests.support.process import deckbuilder

SUMMARY = "error: {n} in the content; nothing was written.\n"
SECRET = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A small content folder: a deck file and one valid case, ``cases/small.yaml``."""
    folder = tmp_path / "content"
    (folder / "cases").mkdir(parents=True)
    (folder / "deck.yaml").write_text("name: Trust\nid: trust\n", encoding="utf-8")
    (folder / "cases" / "small.yaml").write_text(SMALL_CASE, encoding="utf-8")
    return folder


def _case(case_id: str) -> str:
    """The small case under another id."""
    return SMALL_CASE.replace("id: small", f"id: {case_id}")


def _refused(tmp_path: Path, *expected: str) -> None:
    """``build`` and ``check`` both exit with 1 and print exactly ``expected`` and the
    summary, without a traceback; nothing in the folder or the output changes."""
    before = snapshot(tmp_path)
    n = f"{len(expected)} problem{'s' if len(expected) != 1 else ''}"
    for command in ("build", "check"):
        run = deckbuilder(command, "content", cwd=tmp_path, timeout=30)
        summary = SUMMARY.format(n=n)
        if command == "check":
            summary = summary.replace("; nothing was written", "")
        assert (run.returncode, run.stdout) == (1, ""), (command, run.stdout, run.stderr)
        assert run.stderr == "".join(f"{line}\n" for line in expected) + summary, command
    assert not (tmp_path / "dist").exists()
    assert snapshot(tmp_path) == before


def _checked(tmp_path: Path) -> str:
    run = deckbuilder("check", "content", cwd=tmp_path, timeout=30)
    assert run.returncode == 0, run.stderr
    return run.stdout


# --- 1. a NUL character in a path ------------------------------------------------------


def test_a_nul_in_a_figures_image_path_is_a_located_error(content: Path, tmp_path: Path) -> None:
    text = SMALL_CASE.replace(
        "questions:", 'figures:\n  - caption: A scan.\n    image: "x.png\\0y"\nquestions:'
    )
    (content / "cases" / "small.yaml").write_text(text, encoding="utf-8")
    _refused(
        tmp_path,
        "content/cases/small.yaml:6:12: figures[0].image: 'x.png\\x00y' contains a NUL "
        "character, which no file name can; remove it",
    )


def test_a_nul_in_a_markdown_image_path_is_a_located_error(content: Path, tmp_path: Path) -> None:
    text = SMALL_CASE.replace("case: C", 'case: "See ![scan](scan%00.png)."')
    (content / "cases" / "small.yaml").write_text(text, encoding="utf-8")
    _refused(
        tmp_path,
        "content/cases/small.yaml:3:7: case: 'scan\\x00.png' contains a NUL character, which "
        "no file name can; remove it",
    )


# --- 2. symbolic links -----------------------------------------------------------------


def test_a_case_file_linked_outside_is_refused_and_never_quoted(
    content: Path, tmp_path: Path
) -> None:
    (tmp_path / "credentials").write_text(SECRET, encoding="utf-8")
    os.symlink(tmp_path / "credentials", content / "cases" / "creds.yaml")
    _refused(
        tmp_path,
        "content/cases/creds.yaml: is a link to a file outside the content folder; only "
        "files inside it are read: copy the file into the content folder",
    )


def test_a_valid_case_file_linked_outside_is_not_packed(content: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(_case("elsewhere"), encoding="utf-8")
    os.symlink("../../elsewhere.yaml", content / "cases" / "elsewhere.yaml")
    _refused(
        tmp_path,
        "content/cases/elsewhere.yaml: is a link to a file outside the content folder; only "
        "files inside it are read: copy the file into the content folder",
    )


def test_a_case_file_linked_inside_the_folder_is_read(content: Path, tmp_path: Path) -> None:
    (content / "shared").mkdir()
    (content / "shared" / "kept.txt").write_text(_case("kept"), encoding="utf-8")
    os.symlink("../shared/kept.txt", content / "cases" / "kept.yaml")
    assert "OK, 2 cases, 2 questions" in _checked(tmp_path)


def test_the_deck_file_linked_outside_is_refused(content: Path, tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(SECRET, encoding="utf-8")
    (content / "deck.yaml").unlink()
    os.symlink(tmp_path / "credentials", content / "deck.yaml")
    _refused(
        tmp_path,
        "content/deck.yaml: is a link to a file outside the content folder; only files "
        "inside it are read: copy the file into the content folder",
    )


def test_a_case_folder_linked_outside_is_refused_and_its_notes_kept(
    content: Path, tmp_path: Path
) -> None:
    """Skipped, its cases would be missing from the deck and their notes retired."""
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "other.yaml").write_text(_case("other"), encoding="utf-8")
    (content / "cases" / "other.yaml").write_text(_case("other"), encoding="utf-8")
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    (content / "cases" / "other.yaml").unlink()
    os.symlink(tmp_path / "more", content / "cases" / "more")
    before = snapshot(tmp_path / "dist", content / "deckbuilder.lock.json")
    run = deckbuilder("build", "content", cwd=tmp_path, timeout=30)
    assert run.returncode == 1
    assert run.stderr == (
        "content/cases/more: is a link to a folder outside the content folder; only files "
        "inside it are read: move the folder into the content folder\n"
        + SUMMARY.format(n="1 problem")
    )
    assert snapshot(tmp_path / "dist", content / "deckbuilder.lock.json") == before


def test_a_case_folder_linked_inside_the_folder_is_read(content: Path, tmp_path: Path) -> None:
    (content / ".drafts").mkdir()
    (content / ".drafts" / "draft.yaml").write_text(_case("draft"), encoding="utf-8")
    os.symlink("../.drafts", content / "cases" / "drafts")
    assert "OK, 2 cases, 2 questions" in _checked(tmp_path)


def test_folder_links_back_into_the_folder_read_each_case_once(
    content: Path, tmp_path: Path
) -> None:
    """A link to a folder already read, or to one that holds the link, is not followed:
    its cases are read once, where they are, and the walk ends."""
    os.symlink(".", content / "cases" / "again")
    os.symlink("..", content / "cases" / "top")
    assert "OK, 1 case, 1 question" in _checked(tmp_path)


def test_an_image_through_a_folder_link_leaving_the_folder_is_refused(
    content: Path, tmp_path: Path
) -> None:
    """The image resolver follows links in every part of the path, not only the last."""
    (tmp_path / "private").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "red.png", tmp_path / "private" / "scan.png")
    os.symlink(tmp_path / "private", content / "cases" / "images")
    text = SMALL_CASE.replace("case: C", "case: See ![scan](images/scan.png).")
    (content / "cases" / "small.yaml").write_text(text, encoding="utf-8")
    _refused(
        tmp_path,
        "content/cases/images: is a link to a folder outside the content folder; only files "
        "inside it are read: move the folder into the content folder",
        "content/cases/small.yaml:3:7: case: 'images/scan.png' points outside the content "
        "folder; copy the image into it",
    )


# --- 3. the suffix in any letter case ----------------------------------------------------


def test_case_files_are_found_whatever_the_case_of_their_suffix(
    content: Path, tmp_path: Path
) -> None:
    (content / "cases" / "UPPER.YAML").write_text(_case("upper"), encoding="utf-8")
    (content / "cases" / "mixed.Yml").write_text(_case("mixed"), encoding="utf-8")
    assert "OK, 3 cases, 3 questions" in _checked(tmp_path)


def test_a_deck_file_named_in_another_letter_case_is_refused(content: Path, tmp_path: Path) -> None:
    """On a case-sensitive file system it would be neither the deck file nor a case."""
    (content / "DECK.YAML").write_text("name: Other\nid: other\n", encoding="utf-8")
    _refused(
        tmp_path,
        "content/DECK.YAML: is not read: the deck file must be named 'deck.yaml', in lower case",
    )


# --- 4. file names that would drive the terminal -------------------------------------------


def test_control_characters_in_file_names_reach_the_terminal_escaped(
    content: Path, tmp_path: Path
) -> None:
    hostile = "\x1b]0;pwned\x07\u202e"
    (content / "cases" / f"{hostile}.yaml").write_text(SMALL_CASE, encoding="utf-8")
    (content / "cases" / f"{hostile}2.yaml").write_text(
        SMALL_CASE.replace("answer: A", "answer: Z"), encoding="utf-8"
    )
    for command in ("build", "check"):
        run = deckbuilder(command, "content", cwd=tmp_path, timeout=30)
        assert run.returncode == 1
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in run.stdout + run.stderr, command
        shown = "content/cases/\\x1b]0;pwned\\x07\\u202e"
        assert run.stderr.splitlines()[:2] == [
            f"{shown}2.yaml:8:13: questions[0].answer: 'Z' is not one of the options A, B",
            f"content/cases/small.yaml:1:5: id: case id 'small' is already used in {shown}.yaml:1",
        ]
    assert not (tmp_path / "dist").exists()


def test_json_output_names_the_file_as_it_is(content: Path, tmp_path: Path) -> None:
    """Scripts get the real name, as a JSON escape (which no terminal acts on)."""
    import json

    hostile = "\x1b]0;pwned\x07"
    (content / "cases" / f"{hostile}.yaml").write_text(
        SMALL_CASE.replace("id: small", "id: other").replace("answer: A", "answer: Z"),
        encoding="utf-8",
    )
    run = deckbuilder("check", "content", "--json", cwd=tmp_path, timeout=30)
    assert run.returncode == 1
    assert "\x1b" not in run.stdout
    assert json.loads(run.stdout)["problems"][0]["file"] == f"content/cases/{hostile}.yaml"


def test_a_file_name_in_an_error_reaches_the_terminal_escaped(tmp_path: Path) -> None:
    """Not only content problems: any error message that names a file is escaped too."""
    (tmp_path / "\x1b]0;pwned\x07.txt").write_bytes("Caf\xe9".encode("latin-1"))
    run = deckbuilder("import-text", "\x1b]0;pwned\x07.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("error: \\x1b]0;pwned\\x07.txt: is not UTF-8 text"), run.stderr
    assert "\x1b" not in run.stdout + run.stderr


# --- 5. deck names deeper than Anki imports -----------------------------------------------


def _deck_name(levels: int) -> str:
    return "::".join(f"Level {n}" for n in range(1, levels + 1))


def test_a_deck_name_deeper_than_anki_imports_is_refused(content: Path, tmp_path: Path) -> None:
    (content / "deck.yaml").write_text(f"id: trust\nname: {_deck_name(12)}\n", encoding="utf-8")
    _refused(
        tmp_path,
        "content/deck.yaml:2:7: name: the deck name has 12 levels; Anki imports a deck name "
        "of at most 11 levels (10 '::'): shorten it",
    )


def test_the_deepest_deck_name_anki_imports_builds_and_imports(
    content: Path, tmp_path: Path
) -> None:
    from tests.support.ankiengine import collection, import_apkg

    name = _deck_name(11)
    (content / "deck.yaml").write_text(f"name: {name}\nid: trust\n", encoding="utf-8")
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    with collection(tmp_path / "collection.anki2") as col:
        assert import_apkg(col, tmp_path / "dist" / "trust.apkg").new == 1
        assert name in {d.name for d in col.decks.all_names_and_ids()}


# --- 6. import-text writes no image the build refuses ----------------------------------------


@pytest.mark.parametrize(
    ("image", "line", "column"),
    [
        ("![scan](https://evil.example/t.png)", 7, 20),
        ("![scan](http://evil.example/t.png 'title')", 7, 20),
        ("![scan][fig]\n\n[fig]: //evil.example/t.png", 9, 8),
    ],
    ids=["https", "http-with-title", "reference"],
)
def test_import_text_refuses_an_image_that_is_not_a_local_file(
    tmp_path: Path, image: str, line: int, column: int
) -> None:
    """The build would refuse the case file; import-text writes none and names the place."""
    from tests.support.helpers import quiz_article

    article = quiz_article(range(1, 3)).replace("A patient.", f"A patient. {image}")
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith(f"error: a.txt:{line}:{column}: image '"), run.stderr
    assert "' is not a local file: a deck must work offline" in run.stderr
    assert run.stderr.endswith("; nothing was written\n")
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_import_text_keeps_a_local_image_for_the_author_to_add(tmp_path: Path) -> None:
    """A relative image is the author's to put in the content folder: 'check' names it."""
    from tests.support.helpers import quiz_article

    article = quiz_article(range(1, 3)).replace("A patient.", "A patient. ![scan](scan.png)")
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "![scan](scan.png)" in (tmp_path / "x.yaml").read_text(encoding="utf-8")
