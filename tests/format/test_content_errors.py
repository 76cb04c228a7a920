"""Issue 2: bad content gets a located, actionable message, exit code 1, and no output.

(The full catalogue of malformed inputs is issue 5; these are the obvious ones.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import replace_in, snapshot

CASE = "cases/alt-thigh.yaml"


CASES = {
    "yaml syntax": (
        lambda c: replace_in(c / CASE, "    answer: D\n", "    answer: D\n  critique: [oops\n"),
        r"alt-thigh.yaml:\d+:\d+: YAML syntax error",
    ),
    "tab indentation": (
        lambda c: replace_in(c / CASE, "    answer: D\n", "\tanswer: D\n"),
        r"alt-thigh.yaml:\d+:1: a tab character is used for indentation",
    ),
    "missing required key": (
        lambda c: replace_in(c / CASE, "    answer: D\n", ""),
        r"alt-thigh.yaml:\d+:\d+: questions\[1\]: missing required key 'answer'",
    ),
    "answer not among the options": (
        lambda c: replace_in(c / CASE, "    answer: D\n", "    answer: E\n"),
        r"alt-thigh.yaml:1\d\d:13: questions\[1\]\.answer: 'E' is not one of the options "
        r"A, B, C, D",
    ),
    "duplicate question id": (
        lambda c: replace_in(c / CASE, "  - id: prognosis\n", "  - id: treatment\n"),
        r"questions\[2\]\.id: question id 'treatment' is already used by questions\[1\]",
    ),
    "duplicate case id across files": (
        lambda c: (c / "cases" / "copy.yaml").write_text(
            (c / CASE).read_text(encoding="utf-8"), encoding="utf-8"
        ),
        r"copy.yaml:\d+:5: id: case id 'alt-thigh' is already used in .*alt-thigh.yaml:7",
    ),
    "unknown key with suggestion": (
        lambda c: replace_in(c / CASE, "    critique: |\n", "    critque: |\n"),
        r"questions\[0\]\.critque: unknown key 'critque'; did you mean 'critique'\?",
    ),
    "duplicate key": (
        lambda c: replace_in(c / CASE, "    answer: D\n", "    answer: D\n    answer: C\n"),
        r"questions\[1\]\.answer: duplicate key 'answer' \(first given on line \d+\)",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_content_is_reported_and_nothing_is_written(
    name: str, cli, content: Path, tmp_path: Path
) -> None:
    import re

    dist = tmp_path / "dist"
    assert cli("build", str(content)).exit_code == 0  # a previous good deck
    mutate, pattern = CASES[name]
    mutate(content)
    before = snapshot(content, dist)

    result = cli("build", str(content))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(pattern, result.stderr), result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(content, dist) == before


def test_all_problems_are_reported_in_one_run(cli, content: Path) -> None:
    replace_in(content / CASE, "    answer: D\n", "    answer: E\n")
    replace_in(content / CASE, "    answer: B\n", "", count=1)
    result = cli("check", str(content))
    assert result.exit_code == 1
    assert "'E' is not one of the options" in result.stderr
    assert "missing required key 'answer'" in result.stderr
    assert "2 problems" in result.stderr


def test_missing_content_folder(cli, tmp_path: Path) -> None:
    result = cli("build", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "content folder does not exist" in result.stderr


def test_usage_error_exits_2(cli) -> None:
    result = cli("build", "--no-such-option")
    assert result.exit_code == 2
