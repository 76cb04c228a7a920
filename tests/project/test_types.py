"""The package's types are checked in the suite: mypy, with the flags in pyproject.toml's
``[tool.mypy]``, finds no error in ``deckbuilder/``, and the package says it is typed."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO


def test_mypy_finds_no_error_in_the_package() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "", run.stdout


def test_the_package_ships_its_types() -> None:
    assert (REPO / "deckbuilder" / "py.typed").is_file()
