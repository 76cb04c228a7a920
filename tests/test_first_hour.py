"""Issue 26: a new author's first hour, run as they run it — real ``deckbuilder``
processes, real shell pipelines, in a folder laid out as ``deckbuilder init`` leaves it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import generated_content
from tests.process import deckbuilder, shell

SEED = REPO / "tests" / "fixtures" / "articles" / "seed.txt"


def _init(where: Path, folder: str = "cardio") -> Path:
    """A content folder as ``deckbuilder init`` starts it, in ``where``."""
    run = deckbuilder("init", folder, "--no-workflow", cwd=where)
    assert run.returncode == 0, run.stderr
    return where / folder


@pytest.fixture(scope="module")
def big_decks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two built decks: a first-hour one (one note) and one whose listing is far longer
    than a pipe holds (150 cases, 1,050 notes), so a reader that stops early is sure to
    leave while the command still writes."""
    root = tmp_path_factory.mktemp("decks")
    _init(root)
    assert deckbuilder("build", "cardio", "-q", cwd=root).returncode == 0
    generated_content(root / "big", 150)
    assert deckbuilder("build", "big", "-q", cwd=root).returncode == 0
    return root / "dist" / "cardio.apkg", root / "dist" / "bench-deck.apkg"


# --- 1. A reader that stops reading ------------------------------------------------------

#: Each command of ``deckbuilder --help`` (and ``--help`` itself) with the exit status it
#: has whether or not its output is read: 0 once its work is done, 1 when it failed.
CLOSED_PIPE = {
    "--help": [(["--help"], 0)],
    "build": [(["build", "cardio"], 0), (["build", "missing", "--json"], 1)],
    "check": [(["check", "cardio", "--json"], 0), (["check", "cardio", "--strict"], 1)],
    "preview": [(["preview", "cardio"], 0)],
    "import-text": [(["import-text", "{seed}", "-o", "cardio/cases/seed.yaml"], 0)],
    "init": [(["init", "other", "--no-workflow"], 0)],
    "new": [(["new", "case", "second", "--content", "cardio"], 0)],
    "schema": [(["schema", "cardio/.schema"], 0)],
    "inspect": [(["inspect", "{big}"], 0), (["inspect", "{big}", "--json"], 0)],
    "diff": [(["diff", "{small}", "{big}"], 0)],
}


def test_every_command_is_tried_with_a_closed_pipe(tmp_path: Path) -> None:
    listed = deckbuilder("--help", cwd=tmp_path).stdout
    commands = re.findall(r"^  ([a-z][a-z-]+)  +\S", listed.split("Commands")[1], re.M)
    assert commands and set(commands) | {"--help"} == set(CLOSED_PIPE)


@pytest.mark.parametrize(
    ("args", "status"),
    [case for cases in CLOSED_PIPE.values() for case in cases],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_a_reader_that_left_is_a_normal_end(
    tmp_path: Path, big_decks: tuple[Path, Path], args: list[str], status: int
) -> None:
    """``deckbuilder … | true`` once ``true`` has ended: every write fails, and the
    command ends as it would have with its output read."""
    _init(tmp_path)
    small, big = big_decks
    args = [a.format(small=small, big=big, seed=SEED) for a in args]
    run = deckbuilder(*args, cwd=tmp_path, reader_gone=True)
    assert run.returncode == status, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert "bug in deckbuilder" not in run.stderr, run.stderr


def test_both_streams_closed_keep_the_commands_status(tmp_path: Path) -> None:
    _init(tmp_path)
    run = shell(
        "deckbuilder check cardio --strict 2>&1 | true; echo ${PIPESTATUS[0]}", cwd=tmp_path
    )
    assert run.stdout == "1\n", run.stderr  # strict fails on init's placeholders
    run = shell("deckbuilder build cardio 2>&1 | true; echo ${PIPESTATUS[0]}", cwd=tmp_path)
    assert run.stdout == "0\n", run.stderr
    assert (tmp_path / "dist" / "cardio.apkg").is_file()


@pytest.mark.parametrize(
    "command",
    ["deckbuilder inspect {big} | head -1", "deckbuilder diff {small} {big} | head -1"],
)
def test_head_of_a_long_listing(tmp_path: Path, big_decks: tuple[Path, Path], command: str) -> None:
    small, big = big_decks
    pipeline = "set -o pipefail; " + command.format(small=small, big=big)
    run = shell(pipeline, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.count("\n") == 1 and run.stdout.strip()
