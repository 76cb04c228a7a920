"""Issue 26, finding 9: an indentation slip is named at its own line, with what to line up.

A key moved a level left closes the mapping it belonged to, so YAML fails a line later,
often with "a ': ' inside text"; a key moved right runs on as text of the key above it.
Each slip here is written into a small case file of a content folder that has built a
good deck, and ``check`` and ``build`` run as real processes: exit 1, exactly the message
at file:line:column of the slipped line, no traceback, and ``dist/`` and the content
byte-identical (nothing was written).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.helpers import replace_in, snapshot
from tests.support.paths import DEFAULT_CONTENT
from tests.support.process import deckbuilder

CASE = """\
id: small
title: T
case: C
questions:
  - id: q1
    question: Which one?
    options:
      A: The first
      B: The second
      C: The third
    answer: A
    critique: Because.
  - id: q2
    question: And this one?
    options:
      A: "Yes"
      B: "No"
      C: "Maybe"
    answer: B
    critique: Because.
facts:
  - id: f1
    text: A {{c1::fact}}.
  - id: f2
    text: Another {{c1::fact}}.
"""

FILE = "content/cases/x.yaml"
SUMMARY = {
    "build": "error: 1 problem in the content; nothing was written.\n",
    "check": "error: 1 problem in the content.\n",
}
TEXT_OR_KEY = ", or, if the line is part of the text above, put that text in quotes"

# name: (line as written, line with the slip, where the message points, message)
SLIPS = {
    # The case: YAML used to say "10:8: a ': ' inside text" about line 10.
    "key left, plain text": (
        "      B: The second\n",
        "    B: The second\n",
        "9:5",
        "'B' is indented less than 'A' above it (column 7); indent it to line up with 'A'",
    ),
    "key left, quoted text": (
        '      B: "No"\n',
        '    B: "No"\n',
        "17:5",
        "'B' is indented less than 'A' above it (column 7); indent it to line up with 'A'",
    ),
    "key left by one space": (
        "      B: The second\n",
        "     B: The second\n",
        "9:6",
        "'B' is indented less than 'A' above it (column 7); indent it to line up with 'A'",
    ),
    "key left to the margin": (
        '      B: "No"\n',
        'B: "No"\n',
        "17:1",
        "'B' is indented less than 'A' above it (column 7); indent it to line up with 'A'",
    ),
    "first key left": (
        "      A: The first\n",
        "    A: The first\n",
        "8:5",
        "'A' is indented less than 'B' below it (column 7); indent it to line up with 'B'",
    ),
    "key of a question left": (
        "    answer: A\n",
        "   answer: A\n",
        "11:4",
        "'answer' is indented less than 'options' above it (column 5); "
        "indent it to line up with 'options'",
    ),
    "key right, plain text": (
        "      B: The second\n",
        "        B: The second\n",
        "9:9",
        "'B' is indented more than 'A' above it (column 7); indent it to line up with 'A'"
        + TEXT_OR_KEY,
    ),
    "key right, quoted text": (
        '      B: "No"\n',
        '        B: "No"\n',
        "17:9",
        "'B' is indented more than 'A' above it (column 7); indent it to line up with 'A'",
    ),
    "key of a question right": (
        "    answer: A\n    critique: Because.\n",
        "    answer: A\n      critique: Because.\n",
        "12:7",
        "'critique' is indented more than 'answer' above it (column 5); "
        "indent it to line up with 'answer'" + TEXT_OR_KEY,
    ),
    "list item right": (
        "  - id: q2\n",
        "   - id: q2\n",
        "13:4",
        "this list item's '-' is indented more than the '-' above it on line 5 (column 3); "
        "indent it to line up with that '-'",
    ),
    "list item right by a level": (
        "  - id: f2\n",
        "    - id: f2\n",
        "24:5",
        "this list item's '-' is indented more than the '-' above it on line 22 (column 3); "
        "indent it to line up with that '-'",
    ),
    "list item left": (
        "  - id: f2\n",
        " - id: f2\n",
        "24:2",
        "this list item's '-' is indented less than the '-' above it on line 22 (column 3); "
        "indent it to line up with that '-'",
    ),
    "tab as indentation": (
        '      B: "No"\n',
        '\t\t\tB: "No"\n',
        "17:1",
        "a tab character is used for indentation; YAML needs spaces",
    ),
    "tab after spaces": (
        '      B: "No"\n',
        '    \tB: "No"\n',
        "17:5",
        "a tab character is used for indentation; YAML needs spaces",
    ),
}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A small content folder (the default deck file, one case) after a good build."""
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    (content / "cases" / "x.yaml").write_text(CASE, encoding="utf-8")
    run = deckbuilder("build", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert any((tmp_path / "dist").iterdir())
    return content


def _refused(content: Path, expected: str, timeout: float = 30) -> None:
    """``build`` and ``check`` each exit 1 with exactly ``expected`` as the one problem,
    no traceback, and write nothing."""
    dist = content.parent / "dist"
    before = snapshot(content, dist)
    for command in ("build", "check"):
        run = deckbuilder(command, "content", cwd=content.parent, timeout=timeout)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert "Traceback" not in run.stdout + run.stderr
        assert run.stderr == f"{expected}\n{SUMMARY[command]}", command
        assert run.stdout == ""
    assert snapshot(content, dist) == before


@pytest.mark.parametrize("name", list(SLIPS))
def test_a_slip_is_named_at_its_line(name: str, built: Path) -> None:
    old, new, where, message = SLIPS[name]
    replace_in(built / "cases" / "x.yaml", old, new)
    _refused(built, f"{FILE}:{where}: {message}")


def test_a_colon_inside_text_is_still_a_colon_inside_text(built: Path) -> None:
    replace_in(built / "cases" / "x.yaml", "question: Which one?", "question: Case 2: which one?")
    _refused(
        built,
        f"{FILE}:6:21: YAML syntax error: a ': ' inside text; put the text in quotes or use "
        "a '|' block",
    )


def test_a_slip_with_another_error_on_its_line_is_not_called_a_slip(built: Path) -> None:
    # Lining 'critique' up would still leave its '[' unclosed: the parser's word stands.
    replace_in(built / "cases" / "x.yaml", "    critique: Because.\n", "  critique: [oops\n")
    _refused(
        built,
        f"{FILE}:12:3: YAML syntax error: did not find expected '-' indicator "
        "(while parsing a block collection)",
    )


def test_a_slip_at_the_end_of_a_large_file_is_found_in_time(built: Path) -> None:
    # Close to the 1 MiB a content file may hold, the slip on its last lines: finding it
    # reads the file a constant number of times.
    question = "  - id: q{}\n    question: Q?\n    options:\n      A: a\n      B: b\n"
    body = "".join(question.format(i) for i in range(3, 14_000))
    text = CASE.replace("facts:\n", body + "facts:\n")
    text = text.replace("  - id: f2\n", "   - id: f2\n")
    assert len(text.encode()) < 1 << 20
    (built / "cases" / "x.yaml").write_text(text, encoding="utf-8")
    line = text[: text.index("   - id: f2")].count("\n") + 1
    _refused(
        built,
        f"{FILE}:{line}:4: this list item's '-' is indented more than the '-' above it on "
        f"line {line - 2} (column 3); indent it to line up with that '-'",
        timeout=15,
    )
