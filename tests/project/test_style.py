"""The code base stays ruff clean (lint and format), checked like any other test."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO


def test_ruff_lint_and_format() -> None:
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
