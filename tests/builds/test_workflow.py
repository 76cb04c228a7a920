"""``deckbuilder init`` writes a GitHub Actions workflow that checks, builds and publishes
the deck: where it goes, what it says, and that GitHub (by actionlint) and the shell
would run it as meant, for folders at the root, nested, and with a space in the name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.ankiengine import collection, import_apkg
from tests.support.paths import DEFAULT_CONTENT
from tests.support.process import deckbuilder

BIN = Path(sys.executable).parent  # the venv's scripts: deckbuilder, actionlint, shellcheck


def _tool(name: str) -> Path:
    path = BIN / name
    assert path.is_file(), f"{name} is missing: pip install -e '.[test]'"
    return path


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on one workflow file, with shellcheck for its ``run:`` scripts."""
    shellcheck = f"-shellcheck={_tool('shellcheck')}"
    return subprocess.run(
        [_tool("actionlint"), "-no-color", "-oneline", shellcheck, str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _repository(root: Path, *, git_file: bool = False) -> Path:
    """A repository's root: ``.git`` a folder, or a file as in a worktree or submodule."""
    root.mkdir(parents=True, exist_ok=True)
    if git_file:
        (root / ".git").write_text("gitdir: ../elsewhere/.git/worktrees/x\n")
    else:
        (root / ".git").mkdir()
    return root


def _triggers(data: dict) -> dict:
    """The ``on:`` section (YAML 1.1 readers such as PyYAML read the key as True)."""
    return data["on"] if "on" in data else data[True]


def _steps(data: dict, job: str) -> list[dict]:
    return data["jobs"][job]["steps"]


def _run_step(step: dict, repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a step's script as the runner does (``bash -e``), in the repository root."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _write_the_content(folder: Path) -> None:
    """Do what an author does after init: describe the deck, write a real case."""
    deck = folder / "deck.yaml"
    text = deck.read_text(encoding="utf-8")
    deck.write_text(
        text.replace("What this deck covers, and for whom.", "Cases for the residents."),
        encoding="utf-8",
    )
    (folder / "cases" / "first-case.yaml").unlink()
    shutil.copy(DEFAULT_CONTENT / "cases" / "alt-thigh.yaml", folder / "cases")


LAYOUTS = {
    # name: (folder argument, where init runs, relative to the repository root)
    "at the root": ("cardio", "."),
    "nested, run from a subfolder": ("cardio", "decks/cardiology"),
    "a space in the name": ("decks/My Deck", "."),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_init_writes_a_workflow_that_actionlint_and_the_shell_accept(
    tmp_path: Path, layout: str
) -> None:
    folder, cwd = LAYOUTS[layout]
    repo = _repository(tmp_path / "repo", git_file=layout == "a space in the name")
    (repo / cwd).mkdir(parents=True, exist_ok=True)
    run = deckbuilder("init", folder, cwd=repo / cwd)
    assert run.returncode == 0, run.stderr
    in_repo = (Path(cwd) / folder).as_posix().removeprefix("./")
    deck_id = re.sub(r"[^a-z0-9]+", "-", Path(folder).name.lower())
    workflow = repo / ".github" / "workflows" / f"deckbuilder-{deck_id}.yml"
    assert workflow.is_file(), run.stdout
    assert f"deckbuilder-{deck_id}.yml: on GitHub it checks and builds the deck" in run.stdout
    assert "Set DECKBUILDER in it" in run.stdout
    if cwd != ".":
        assert not (repo / cwd / ".github").exists()

    linted = actionlint(workflow)
    assert linted.returncode == 0, linted.stdout + linted.stderr

    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    on = _triggers(data)
    assert on["push"]["tags"] == ["v*"] and on["push"]["branches"] == ["**"]
    assert "pull_request" in on
    assert data["permissions"] == {}
    assert data["jobs"]["deck"]["permissions"] == {"contents": "read"}
    assert data["jobs"]["release"]["permissions"] == {"contents": "write"}
    assert data["jobs"]["release"]["needs"] == "deck"
    assert data["env"] == {"DECKBUILDER": "", "DECK_FOLDER": in_repo}
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]
    assert any(
        s.get("uses", "").startswith("softprops/action-gh-release@")
        for s in _steps(data, "release")
    )
    assert not any("run" in s for s in _steps(data, "release")), "the writing job runs no pip code"
    publish = "startsWith(github.ref, 'refs/tags/v') && vars.PUBLISH_PREVIEW == 'true'"
    pages = data["jobs"]["pages"]
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["if"] == publish and pages["needs"] == "deck"
    assert [s["uses"].split("@")[0] for s in pages["steps"]] == ["actions/deploy-pages"]

    steps = {s.get("name", s.get("uses")): s for s in _steps(data, "deck")}
    release_build = steps["Build the release deck (its version is the tag)"]
    assert release_build["env"] == {"DECK_VERSION": "${{ github.ref_name }}"}
    assert '--deck-version "$DECK_VERSION"' in release_build["run"]
    assert release_build["if"] == "startsWith(github.ref, 'refs/tags/v')"
    page = steps["Write the cards' page"]
    assert page["if"] == publish == steps["actions/upload-pages-artifact@v5"]["if"]
    assert steps["actions/upload-pages-artifact@v5"]["with"] == {"path": "${{ runner.temp }}/site"}
    assert data["jobs"]["release"]["if"] == release_build["if"]
    assert steps["Build the deck"]["if"] == "!" + release_build["if"]

    # The scripts as the runner runs them: the install step refuses an empty install
    # line, and check and build find the folder, space and all.
    runner_temp = tmp_path / "runner temp"
    env = {"DECK_FOLDER": in_repo, "DECKBUILDER": "", "RUNNER_TEMP": str(runner_temp)}
    refused = _run_step(steps["Install deckbuilder"], repo, env)
    assert refused.returncode == 1
    assert refused.stdout.startswith("::error::Set DECKBUILDER at the top of this workflow")
    untouched = _run_step(steps["Check the content"], repo, env)  # placeholders fail it
    assert untouched.returncode == 1 and "--strict fails on warnings" in untouched.stderr
    _write_the_content(repo / in_repo)
    for name in ("Check the content", "Build the deck"):
        done = _run_step(steps[name], repo, env)
        assert done.returncode == 0, (name, done.stdout, done.stderr)
    assert (runner_temp / "deck" / f"{deck_id}.apkg").is_file()
    done = _run_step(release_build, repo, {**env, "DECK_VERSION": "v2026.12"})
    assert done.returncode == 0, done.stderr
    done = _run_step(page, repo, env)
    assert done.returncode == 0, done.stderr
    assert "alt-thigh" in (runner_temp / "site" / "index.html").read_text(encoding="utf-8")
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, runner_temp / "deck" / f"{deck_id}.apkg")
        deck_name = Path(folder).name.replace("-", " ").title()
        assert "Version v2026.12" in col.decks.by_name(deck_name)["desc"]


def test_actionlint_checks_the_quoting_of_run_scripts(tmp_path: Path) -> None:
    """The test above means something: an unquoted folder is caught (by shellcheck)."""
    repo = _repository(tmp_path / "repo")
    assert deckbuilder("init", "cardio", cwd=repo).returncode == 0
    workflow = repo / ".github" / "workflows" / "deckbuilder-cardio.yml"
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow.read_text().replace('check --strict "$DECK_FOLDER"', "check $X"))
    linted = actionlint(broken)
    assert linted.returncode == 1
    assert "SC2086" in linted.stdout, linted.stdout


def test_init_in_a_clone_of_deckbuilder_installs_the_clone(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    (repo / "pyproject.toml").write_text('[project]\nname = "deckbuilder"\n')
    run = deckbuilder("init", "content", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert "Set DECKBUILDER" not in run.stdout
    workflow = repo / ".github" / "workflows" / "deckbuilder-content.yml"
    assert yaml.safe_load(workflow.read_text())["env"]["DECKBUILDER"] == "."
    assert actionlint(workflow).returncode == 0


def test_init_without_git_writes_the_workflow_in_the_current_folder(tmp_path: Path) -> None:
    assert not any((p / ".git").exists() for p in (tmp_path, *tmp_path.parents))
    work = tmp_path / "work"
    work.mkdir()
    run = deckbuilder("init", "decks/cardio", cwd=work)
    assert run.returncode == 0, run.stderr
    workflow = work / ".github" / "workflows" / "deckbuilder-cardio.yml"
    assert "Wrote .github/workflows/deckbuilder-cardio.yml" in run.stdout
    assert yaml.safe_load(workflow.read_text())["env"]["DECK_FOLDER"] == "decks/cardio"
    assert not (work / "decks" / ".github").exists()


def test_init_leaves_an_existing_workflow_untouched(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    workflow = repo / ".github" / "workflows" / "deckbuilder-cardio.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("# my own workflow\n")
    run = deckbuilder("init", "cardio", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert (
        ".github/workflows/deckbuilder-cardio.yml already exists; left it as it is "
        "(no workflow written)." in run.stdout
    )
    assert workflow.read_text() == "# my own workflow\n"
    assert (repo / "cardio" / "deck.yaml").is_file()
    assert (repo / "cardio" / "cases" / "first-case.yaml").is_file()


def test_init_no_workflow_and_a_folder_outside_any_repository(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    run = deckbuilder("init", "cardio", "--no-workflow", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert "workflow" not in run.stdout
    assert not (repo / ".github").exists()
    work = tmp_path / "work"
    work.mkdir()
    run = deckbuilder("init", tmp_path / "elsewhere", cwd=work)
    assert run.returncode == 0, run.stderr
    assert "No workflow written" in run.stdout
    assert not (work / ".github").exists() and not (tmp_path / ".github").exists()
    assert (tmp_path / "elsewhere" / "deck.yaml").is_file()
