"""The command line as a user meets it: console script, ``python -m``, help and version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deckbuilder import __version__
from tests.support.helpers import output_files
from tests.support.paths import DEFAULT_NOTES, REPO


def test_version_and_help(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"deckbuilder {__version__}"
    result = cli("--help")
    assert result.exit_code == 0
    assert "build" in result.output and "check" in result.output
    for command in ("build", "check"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "Example: deckbuilder" in result.output


def test_check_reports_ok_and_writes_nothing(cli, content: Path, tmp_path: Path) -> None:
    result = cli("check", str(content))
    assert result.exit_code == 0
    assert "OK, 1 case, 4 questions" in result.output
    assert not (tmp_path / "dist").exists()
    assert not (content / "deckbuilder.lock.json").exists()


def test_build_reports_what_it_built(cli, content: Path, tmp_path: Path) -> None:
    result = cli("build", str(content))
    assert result.exit_code == 0
    assert "new       alt-thigh/terminology" in result.output
    assert "dist/clinical-quiz.apkg" in result.output
    assert f"{DEFAULT_NOTES} notes, {DEFAULT_NOTES} new, 0 updated, 0 unchanged" in result.output
    assert output_files(tmp_path / "dist") == ["clinical-quiz.apkg"]


def test_python_dash_m_and_console_script(tmp_path: Path) -> None:
    for argv in (
        [sys.executable, "-m", "deckbuilder"],
        [str(Path(sys.executable).parent / "deckbuilder")],
    ):
        done = subprocess.run(
            [*argv, "build", str(REPO / "content"), "--output", str(tmp_path), "--dry-run"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Dry run: nothing was written." in done.stdout
    assert list(tmp_path.iterdir()) == []
