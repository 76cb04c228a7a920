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

from tests.support.paths import DEFAULT_CONTENT, LOCK_FILE, TESTS

# Property tests: a few dozen examples per run while developing, 200 in CI (CI=true).
# No per-example deadline: speed is the bench's to measure, and a slower CI machine or
# a first example that imports the engine must not fail a test of correctness.
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


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
    (``tests/support/process.py``), so what libraries print and what the process leaves behind
    count too."""
    from tests.support.process import deckbuilder

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


#: Modules left out of the fast tier (``pytest -m "not slow"``), by their path under tests/:
#: they run the command line as real processes by the hundred, feed it inputs of a mebibyte,
#: import an older Anki, build the docs or run the bench. Every test that renders cards
#: (``browser``, ``webkit``, ``desktop``) is slow too. ``.ci/run`` runs every tier.
SLOW_MODULES = frozenset(
    {
        "authoring/test_import_pdf.py",
        "authoring/test_import_text.py",
        "builds/test_interrupted.py",
        "builds/test_workflow.py",
        "cli/test_first_hour.py",
        "cli/test_json_output.py",
        "format/test_catalogue.py",
        "format/test_limits.py",
        "format/test_yaml_slips.py",
        "package/test_older_anki.py",
        "package/test_reader_limits.py",
        "package/test_sharing.py",
        "project/test_bench.py",
        "project/test_docs.py",
        "security/test_hostile.py",
    }
)
RENDERERS = frozenset({"browser", "webkit", "desktop"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        module = path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else ""
        if module in SLOW_MODULES or RENDERERS & {m.name for m in item.iter_markers()}:
            item.add_marker(pytest.mark.slow)
