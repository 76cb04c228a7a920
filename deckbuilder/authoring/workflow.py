"""The GitHub Actions workflow ``deckbuilder init`` writes beside a new content folder.

A deck kept in a repository is then checked and built on every push and pull request, and
published as a release asset for each version tag, as large collaborative decks do.
GitHub reads workflows only from ``.github/workflows/`` at the repository root, so the
file goes there however deep the content folder is, and names the folder relative to
that root. The template is ``scaffold/github-workflow.yml``.
"""

from __future__ import annotations

import os
from pathlib import Path

WORKFLOWS = Path(".github", "workflows")


def repository_root(folder: Path) -> Path:
    """Where GitHub will look for the workflow: the nearest folder at or above ``folder``
    holding ``.git`` (a folder, or a file in a worktree or a submodule), else the current
    folder, for a repository that is not a git repository yet."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd().resolve()


def install_line(root: Path) -> str:
    """What CI installs deckbuilder from: ``.`` in a clone of deckbuilder itself, else
    nothing, which the workflow reports until the author fills it in.

    deckbuilder is not on PyPI, and the name there belongs to another project: a default
    of ``deckbuilder==VERSION`` would install a stranger's code, or fail, so the only
    source that can be known here is the repository the deck lives in.
    """
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return "." if isinstance(name, str) and name.lower() == "deckbuilder" else ""


def yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML string that every YAML reader, GitHub's included,
    reads back as exactly this text (a plain ``true`` or ``1.10`` would not be text)."""
    import yaml

    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return dumped.rstrip("\n")


def write_workflow(folder: Path, deck_id: str) -> tuple[Path | None, str]:
    """Write the workflow of deck ``deck_id``, kept in ``folder``; return the file written
    (None if none was) and what to tell the author.

    An existing workflow file is never replaced (its author may have edited it), and a
    folder that no repository root holds gets none: there is nowhere GitHub would read it.
    """
    from deckbuilder import __version__
    from deckbuilder.authoring.scaffold import fill
    from deckbuilder.files import write_file

    root = repository_root(folder)
    try:
        in_repository = folder.resolve().relative_to(root).as_posix()
    except ValueError:
        return None, (
            f"No workflow written: {folder} is neither in a git repository nor in the "
            "current folder, so there is no repository root for .github/workflows/."
        )
    if "${{" in in_repository:
        return None, f"No workflow written: GitHub would read '${{{{' in {folder} as an expression."
    path = root / WORKFLOWS / f"deckbuilder-{deck_id}.yml"
    shown = _shown(path)
    if path.exists() or path.is_symlink():
        return None, f"{shown} already exists; left it as it is (no workflow written)."
    install = install_line(root)
    text = fill(
        "github-workflow.yml",
        id=deck_id,
        folder=yaml_string(in_repository),
        install=yaml_string(install),
        version=__version__,
    )
    write_file(path, text.encode("utf-8"))
    message = (
        f"Wrote {shown}: on GitHub it checks and builds the deck on every push and pull "
        "request, and attaches it to a release for each v* tag."
    )
    if not install:
        message += "\nSet DECKBUILDER in it to where CI installs deckbuilder from."
    return path, message


def _shown(path: Path) -> str:
    """``path`` as the author can find it from where they ran the command."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
