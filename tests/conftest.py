"""Shared fixtures: a private copy of the content, the CLI runner, a built deck."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from deckbuilder.content.folder import LOCK_FILE

# Property tests: a few dozen examples per run while developing, 200 in CI (CI=true).
settings.register_profile("dev", max_examples=30)
settings.register_profile("ci", max_examples=200)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
# The default deck: one case, its questions (multiple-choice notes) and facts (cloze notes).
DEFAULT_QUESTIONS = 4
DEFAULT_FACTS = 5
DEFAULT_NOTES = DEFAULT_QUESTIONS + DEFAULT_FACTS
DEFAULT_CONTENT = REPO / "content"


@pytest.fixture(scope="session", autouse=True)
def _render_cache(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Builds keep rendered cases in the user's cache folder: the tests use one of
    their own, shared by the session (every entry is keyed by its content folder)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DECKBUILDER_CACHE_DIR", str(tmp_path_factory.mktemp("render-cache")))
        yield


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the default deck's content, without its lock (a first build)."""
    dest = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, dest, ignore=shutil.ignore_patterns(LOCK_FILE))
    return dest


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return tmp_path / "dist"


@dataclass(frozen=True)
class CliResult:
    """A command's exit code and output, named as Click's test runner names them."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Everything the terminal shows: stdout, then stderr."""
        return self.stdout + self.stderr


Invoke = Callable[..., CliResult | Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    """Run ``deckbuilder ARGS`` in ``tmp_path`` as the user does: a real process
    (``tests/process.py``), so what libraries print and what the process leaves behind
    count too."""
    from tests.process import deckbuilder

    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> CliResult:
        run = deckbuilder(*args, cwd=tmp_path)
        return CliResult(run.returncode, run.stdout, run.stderr)

    return invoke


@pytest.fixture
def cli_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    """Run ``deckbuilder ARGS`` in this process, for the few tests that must replace a
    part of deckbuilder to provoke a failure no input can (a bug, a broken self-check)."""
    from deckbuilder.cli import app

    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    return invoke


#: Modules left out of the fast tier (``pytest -m "not slow"``): they run the command line
#: as real processes by the hundred, feed it inputs of a mebibyte, import an older Anki,
#: build the docs or run the bench. Every test that renders cards (``browser``, ``webkit``,
#: ``desktop``) is slow too. ``.ci/run`` runs every tier.
SLOW_MODULES = frozenset(
    {
        "test_bench",
        "test_catalogue",
        "test_docs",
        "test_first_hour",
        "test_hostile",
        "test_import_pdf",
        "test_import_text",
        "test_interrupted",
        "test_json_output",
        "test_limits",
        "test_older_anki",
        "test_reader_limits",
        "test_sharing",
        "test_workflow",
        "test_yaml_slips",
    }
)
RENDERERS = frozenset({"browser", "webkit", "desktop"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or RENDERERS & {m.name for m in item.iter_markers()}:
            item.add_marker(pytest.mark.slow)
