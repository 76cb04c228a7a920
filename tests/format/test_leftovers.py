"""Text left to fill in is a warning: the placeholders ``init`` and ``new case`` write,
values ``import-text`` marks ``TODO`` and ``# TODO`` comments. ``check`` and ``build``
list them and succeed; ``check --strict`` fails. Run as real processes, whole output.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from tests.support.paths import DEFAULT_CONTENT, REPO
from tests.support.process import deckbuilder

ARTICLES = REPO / "tests" / "fixtures" / "articles"

CASE = "cardio/cases/first-case.yaml"
NEW_CASE = "from 'deckbuilder init' or 'new case'"
INIT_WARNINGS = [
    f'{CASE}:9:8: title: still the placeholder "A short title of the case" {NEW_CASE}; '
    "write the case's title",
    f'{CASE}:11:7: case: still the placeholder "The vignette, as the learner sees it on '
    f'every card of this…" {NEW_CASE}; write the case vignette',
    f'{CASE}:16:13: discussion: still the placeholder "The wider discussion of the case." '
    f"{NEW_CASE}; write the discussion, or remove the key",
    f'{CASE}:20:9: source: still the placeholder "Journal, year." {NEW_CASE}; write the '
    "source, or remove the key",
    f'{CASE}:38:15: questions[0].question: still the placeholder "Which question does the '
    f'learner answer?" {NEW_CASE}; write the question',
    f'{CASE}:40:10: questions[0].options.A: still the placeholder "First option" {NEW_CASE}; '
    "write option A's text",
    f'{CASE}:41:10: questions[0].options.B: still the placeholder "Second option" {NEW_CASE}; '
    "write option B's text",
    f'{CASE}:42:10: questions[0].options.C: still the placeholder "Third option" {NEW_CASE}; '
    "write option C's text",
    f'{CASE}:44:15: questions[0].critique: still the placeholder "Why B is right, and why the '
    f'others are not." {NEW_CASE}; write the critique',
    'cardio/deck.yaml:8:14: description: still the placeholder "What this deck covers, and for '
    "whom.\" from 'deckbuilder init'; write what the deck covers, or remove the key",
]


def _warnings(lines: list[str]) -> str:
    return "".join(f"warning: {line}\n" for line in lines)


def test_a_fresh_init_folder_checks_with_every_placeholder_listed(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    run = deckbuilder("check", "cardio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == _warnings(INIT_WARNINGS)
    assert run.stdout == "cardio: OK, 1 case, 1 question, 10 warnings.\n"

    strict = deckbuilder("check", "cardio", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr == _warnings(INIT_WARNINGS) + (
        "error: cardio: 1 case, 1 question, 10 warnings; --strict fails on warnings.\n"
    )
    assert strict.stdout == ""


def test_build_lists_them_on_stderr_and_builds(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    run = deckbuilder("build", "cardio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == _warnings(INIT_WARNINGS)
    assert re.fullmatch(
        r"  new       first-case/q1\n"
        r"  new note type\n"
        r"Wrote dist/cardio\.apkg \(\d+ KiB\): 1 note, 1 new, 0 updated, 0 unchanged "
        r"\(\d+\.\d\d s\)\.\n",
        run.stdout,
    ), run.stdout
    assert (tmp_path / "dist" / "cardio.apkg").is_file()
    quiet = deckbuilder("build", "cardio", "--quiet", "--drop-retired", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def _text_values(data: object, path: str = "") -> list[str]:
    """The key paths of a parsed file's texts (values with a space: not ids, letters or
    switches), in check's notation."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _text_values(v, f"{path}.{k}" if path else k)]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _text_values(v, f"{path}[{i}]")]
    return [path] if isinstance(data, str) and " " in data.strip() else []


def test_every_text_new_case_writes_is_a_placeholder_until_it_is_written(tmp_path: Path) -> None:
    """Whatever the template holds, every text of the file it writes warns (the list is
    the template's own), and a file whose texts are all written does not."""
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    run = deckbuilder("new", "case", "chest-pain", "--content", "cardio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    path = tmp_path / "cardio" / "cases" / "chest-pain.yaml"
    written = _text_values(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert len(written) >= 9
    run = deckbuilder("check", "cardio", cwd=tmp_path)
    warned = re.findall(
        r"^warning: cardio/cases/chest-pain\.yaml:\d+:\d+: ([^:]+):", run.stderr, re.M
    )
    assert warned == written

    # Every text written, and no warning is left.
    (tmp_path / "cardio" / "deck.yaml").write_text("name: Cardiology\nid: cardio\n", "utf-8")
    (tmp_path / "cardio" / "cases" / "first-case.yaml").unlink()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, key in enumerate(written):
        _set(data, key, f"Real text number {i}, written by the author.")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    run = deckbuilder("check", "cardio", "--strict", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == "cardio: OK, 1 case, 1 question.\n"


def _set(data: dict, dotted: str, value: str) -> None:
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", dotted)]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def test_a_placeholder_line_kept_inside_written_text_is_a_warning(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    path = tmp_path / CASE
    text = path.read_text(encoding="utf-8").replace(
        "  The vignette, as the learner sees it on every card of this case.\n",
        "  A 54 year old man with chest pain on exertion.\n",
    )
    path.write_text(text, encoding="utf-8")
    run = deckbuilder("check", "cardio", cwd=tmp_path)
    assert run.returncode == 0
    assert run.stderr.splitlines()[1] == (
        f'warning: {CASE}:11:7: case: still holds the placeholder text "Write paragraphs '
        f'separated by a blank line." {NEW_CASE}; remove it'
    )


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    return content


def test_what_import_text_marks_todo_is_a_warning(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (tmp_path / "untitled.txt").write_text(
        "Case\n\nA patient.\n\nQuestions\n\n1. Which one?\nA. This\nB. That\n\n"
        "Critique\n\nBecause this.\nThe correct answer is A.\n",
        encoding="utf-8",
    )
    for article, name in (
        (tmp_path / "untitled.txt", "a"),
        (ARTICLES / "myxoid-liposarcoma.txt", "m"),
    ):
        run = deckbuilder("import-text", article, "-o", f"content/cases/{name}.yaml", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    comment = "  # TODO: figure 3: where the caption ends is uncertain; 'The margins were clear.'"
    assert comment in (content / "cases" / "m.yaml").read_text(encoding="utf-8").splitlines()[44]

    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == _warnings(
        [
            'content/cases/a.yaml:5:8: title: starts with TODO ("TODO: title"); write the '
            "case's title",
            'content/cases/m.yaml:45:3: a comment still says "TODO: figure 3: where the caption '
            "ends is uncertain; 'The margins were clear.' (line 55) was put in…\"; do it, then "
            "delete the comment",
        ]
    )
    assert run.stdout == "content: OK, 2 cases, 4 questions, 2 warnings.\n"
    assert deckbuilder("check", "content", "--strict", cwd=tmp_path).returncode == 1


def test_todo_in_text_is_text_and_a_todo_comment_anywhere_is_found(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "cases" / "c.yaml").write_text(
        "id: c\n"
        "title: 'Issue # TODO list'\n"
        "case: |\n"
        "  # TODO is a heading here, inside the text.\n"
        "questions:  # TODO: a second question\n"
        "  - id: q1\n"
        '    question: "Which? # TODO not a comment"\n'
        "    options: {A: 'a # TODO', B: b}  #TODO check B\n"
        "    answer: A\n"
        "    critique: Because TODO.\n"
        "    # TODO\n",
        encoding="utf-8",
    )
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == _warnings(
        [
            'content/cases/c.yaml:5:13: a comment still says "TODO: a second question"; do '
            "it, then delete the comment",
            'content/cases/c.yaml:8:37: a comment still says "TODO check B"; do it, then '
            "delete the comment",
            'content/cases/c.yaml:11:5: a comment still says "TODO"; do it, then delete the '
            "comment",
        ]
    )


def test_the_default_content_has_nothing_left_to_fill_in(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    run = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == "content: OK, 1 case, 4 questions, 5 facts.\n"


def test_at_most_a_hundred_are_listed_per_file(tmp_path: Path) -> None:
    content = _content(tmp_path)
    case = (DEFAULT_CONTENT / "cases" / "alt-thigh.yaml").read_text(encoding="utf-8")
    (content / "cases" / "c.yaml").write_text(case + "# TODO\n" * 5000, encoding="utf-8")
    run = deckbuilder("check", "content", cwd=tmp_path, timeout=20)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    first = len(case.splitlines()) + 1
    assert len(lines) == 100
    assert lines[0] == (
        f'warning: content/cases/c.yaml:{first}:1: a comment still says "TODO"; do it, then '
        "delete the comment"
    )
    assert lines[-1].startswith(f"warning: content/cases/c.yaml:{first + 99}:1: ")
    assert run.stdout == "content: OK, 1 case, 4 questions, 5 facts, 100 warnings.\n"
