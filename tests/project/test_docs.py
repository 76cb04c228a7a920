"""Issue 26: the docs are true. The README is followed top to bottom by a newcomer (real
processes, a fresh copy of the repository, no virtual environment on PATH); every command
and Python block of docs/ runs as printed; the site builds with ``mkdocs build --strict``;
the generated pages are current.

Conventions (docs/development.md, "These docs"): an HTML comment on the line before a
fence, ``<!-- no-run: reason -->``, keeps a block from running; ``<!-- file: path -->``
makes a block a file the reader writes, which the run writes before the next command.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import DEFAULT_CONTENT, REPO

README = REPO / "README.md"
DOCS = REPO / "docs"
SEED_ARTICLE = REPO / "tests" / "fixtures" / "articles" / "seed.txt"
RUNNABLE = {"sh", "python"}
LANGUAGES = RUNNABLE | {"yaml", "json", "text"}
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
FENCE = re.compile(
    r"^(?:<!-- (?P<marker>[a-z-]+): (?P<value>.*?) -->\n)?"
    r"```(?P<lang>[^\n]*)\n(?P<body>.*?)^```[ \t]*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    body: str
    marker: str | None
    value: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.lang in RUNNABLE and self.marker != "no-run"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        found.append(
            Block(
                path,
                line,
                match["lang"].strip(),
                match["body"],
                match["marker"],
                match["value"],
            )
        )
    return found


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def commands(body: str) -> list[str]:
    """A shell block's commands: its lines, without blank and comment-only lines, a line
    ending in a backslash joined to the next."""
    joined = body.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Step:
    command: str
    where: str
    output: str


def run_blocks(
    found: list[Block], cwd: Path, harness: Path, env: dict[str, str], timeout: float
) -> list[Step]:
    """Run the blocks in order in one bash process, as a reader types them into one shell
    (so that activating a virtual environment lasts), each command's output kept apart.
    Fails at the first command that does not succeed, naming it and its block."""
    harness.mkdir()
    script = ["cd " + shlex.quote(str(cwd))]
    steps: list[tuple[str, str]] = []

    def step(command: str, shown: str, where: str) -> None:
        n = len(steps)
        steps.append((shown, where))
        out = shlex.quote(str(harness / f"{n}.out"))
        status = shlex.quote(str(harness / "failed"))
        script.append(
            f'{{ {command}\n}} >{out} 2>&1 </dev/null || {{ echo "{n} $?" >{status}; exit 1; }}'
        )

    for i, block in enumerate(found):
        if block.marker == "file":
            source = harness / f"file-{i}"
            source.write_text(block.body, encoding="utf-8")
            target = shlex.quote(block.value or "")
            step(
                f'mkdir -p "$(dirname {target})" && cp {shlex.quote(str(source))} {target}',
                f"(write {block.value})",
                block.where,
            )
        elif block.runs and block.lang == "python":
            source = harness / f"block-{i}.py"
            source.write_text(block.body, encoding="utf-8")
            step(f"python {shlex.quote(str(source))}", "(the Python block)", block.where)
        elif block.runs:
            assert "<<" not in block.body, f"{block.where}: no here-documents in a shell block"
            for command in commands(block.body):
                step(command, command, block.where)
    assert steps, "nothing to run"
    run = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    failed = harness / "failed"
    if failed.exists():
        n, code = (int(x) for x in failed.read_text().split())
        shown, where = steps[n]
        output = (harness / f"{n}.out").read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"{where}: `{shown}` exited {code}:\n{output}")
    assert run.returncode == 0, run.stderr
    return [
        Step(shown, where, (harness / f"{n}.out").read_text(encoding="utf-8"))
        for n, (shown, where) in enumerate(steps)
    ]


# --- every block is of a known kind ---------------------------------------------------


def test_every_block_names_a_known_language_and_every_marker_a_reason() -> None:
    for path in [README, *pages()]:
        for block in blocks(path):
            assert block.lang in LANGUAGES, f"{block.where}: fence language {block.lang!r}"
            if block.marker is None:
                continue
            assert block.marker in ("no-run", "file"), f"{block.where}: {block.marker}"
            assert len((block.value or "").split()) >= 3 or block.marker == "file", (
                f"{block.where}: say why the block does not run"
            )
            if block.marker == "file":
                assert block.lang not in RUNNABLE, f"{block.where}: a file, not a command"
                assert block.value and not Path(block.value).is_absolute(), block.where


# --- the docs' blocks run -------------------------------------------------------------


RUN_PAGES = [p for p in pages() if any(b.runs for b in blocks(p))]


def docs_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=f"{Path(sys.executable).parent}:{SYSTEM_PATH}",
        HOME=str(home),
        NO_COLOR="1",
        COLUMNS="100",
    )
    return env


@pytest.mark.parametrize("page", RUN_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_command_of_a_page_runs_as_printed(page: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(DEFAULT_CONTENT, work / "content")
    shutil.copy(SEED_ARTICLE, work / "article.txt")
    run_blocks(blocks(page), work, tmp_path / "harness", docs_env(tmp_path), 600)


def test_the_pages_that_run_include_the_tour_and_the_api() -> None:
    names = {p.name for p in RUN_PAGES}
    assert {"getting-started.md", "python-api.md", "working-together.md"} <= names


# --- the site and its generated pages -------------------------------------------------


def test_mkdocs_builds_strict(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    for page in pages():
        built = page.relative_to(DOCS).with_suffix("")
        index = "index.html" if built.name == "index" else f"{built}/index.html"
        assert (tmp_path / "site" / index).is_file(), index


def test_generated_pages_are_current() -> None:
    run = subprocess.run(
        [sys.executable, str(DOCS / "gen.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr  # names the pages and: run: .venv/bin/python docs/gen.py


def test_the_cli_reference_has_every_command() -> None:
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for command in ("build", "check", "preview", "import-text", "init", "schema", "inspect"):
        assert f"## deckbuilder {command}\n" in page
    assert "## deckbuilder new case\n" in page
    assert "Usage: deckbuilder build [OPTIONS]" in page


# --- the README, followed by a newcomer -----------------------------------------------


def readme_lines() -> int:
    return len(README.read_text(encoding="utf-8").splitlines())


def test_readme_is_short_and_links_every_page() -> None:
    assert readme_lines() <= 150
    text = README.read_text(encoding="utf-8")
    for page in pages():
        assert f"(docs/{page.relative_to(DOCS)}" in text, page


def repository_copy(dest: Path) -> Path:
    """The repository as a fresh clone of this working tree would hold it: every file
    git tracks or would add, none it ignores (no .venv, no dist/*.apkg)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def test_a_newcomer_follows_the_readme(tmp_path: Path) -> None:
    assert shutil.which("deckbuilder", path=SYSTEM_PATH) is None  # only activation finds it
    clone = repository_copy(tmp_path / "deckbuilder")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(PATH=SYSTEM_PATH, NO_COLOR="1", COLUMNS="100")
    found = blocks(README)
    steps = run_blocks(found, clone, tmp_path / "harness", env, 900)
    ran = [s.command for s in steps]
    expected = ["deckbuilder init", "deckbuilder new case", "deckbuilder check"]
    expected += ["deckbuilder build", "(write ", "deckbuilder build", "deckbuilder preview"]
    at = iter(ran)
    for start in ["python3 -m venv .venv", ". .venv/bin/activate", *expected]:
        assert any(command.startswith(start) for command in at), (start, ran)
    assert (clone / "dist" / "clinical-quiz.apkg").is_file()
    first, second = (s.output for s in steps if s.command.startswith("deckbuilder build"))
    assert "Wrote dist/cardio.apkg" in first and "2 new" in first
    assert re.search(r"updated +chest-pain/q1\n", second), second
    assert re.search(r"new +chest-pain/facts/angina\n", second), second
    assert "Wrote dist/cardio.apkg" in second
    assert (clone / "dist" / "cardio-preview" / "index.html").is_file()


def test_the_readme_layout_names_every_part_of_the_package_and_nothing_else() -> None:
    """The README's diagram of the code is the package as it is: every subpackage and
    top-level module is in it, and everything it names exists."""
    text = README.read_text(encoding="utf-8")
    diagram = text.split("## Development", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"\b([a-z_]+(?:/|\.py))", diagram))
    package = REPO / "deckbuilder"
    parts = {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    parts |= {p.name for p in package.glob("*.py")} - {"__init__.py", "__main__.py"}
    top_level = {n for n in named if "/" not in n.rstrip("/")}
    assert parts <= named, parts - named
    assert top_level <= parts | {"kinds/"}, top_level - parts
    assert (package / "notes" / "kinds" / "__init__.py").is_file()
