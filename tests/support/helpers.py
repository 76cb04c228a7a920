"""Small helpers shared by the tests: editing content in place, snapshots, visible text."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.paths import REPO

if TYPE_CHECKING:
    from deckbuilder.content.model import Case


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Edit a content file as an author would; fail loudly if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def snapshot(*roots: Path) -> dict[str, str]:
    """A hash of every regular file at or below ``roots``: compare before and after a
    command (files over 64 MiB, such as a sparse test image, by size and mtime)."""
    out = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*")) if root.exists() else []
        for p in paths:
            if not p.is_file() or p.is_symlink():
                continue
            info = p.stat()
            if info.st_size > 64 << 20:
                out[str(p)] = f"{info.st_size} {info.st_mtime_ns}"
            else:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def markup_only(rendered: str) -> str:
    """A rendered card side without the <style> and <script> Anki and the template add
    (the CSS names every class, so checks for a class must not look there)."""
    return re.sub(r"<(style|script)\b.*?</\1>", " ", rendered, flags=re.S)


def visible_text(fragment: str) -> str:
    """The text of an HTML fragment as a reader sees it: no style or script, no tags,
    entities decoded, whitespace collapsed (for containment checks)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup_only(fragment))).split())


def output_files(folder: Path) -> list[str]:
    """The files a build left in its output folder, apart from the hidden cache of file
    hashes (``.<deck>.apkg.hashes.json``), which a build may keep there."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".apkg.hashes.json"))


def generated_content(folder: Path, cases: int) -> Path:
    """A synthetic content folder of ``cases`` cases, made by the benchmark's generator
    (large enough, from ``deckbuilder.pipeline.workers.PARALLEL_FROM`` cases on, to be rendered
    by workers)."""
    import sys

    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    from generate import generate

    return generate(folder, cases)


# The smallest valid case file, for tests that break or extend one thing of it.
SMALL_CASE = """id: small
title: T
case: C
questions:
  - id: q1
    question: Q?
    options: {A: a, B: b}
    answer: A
    critique: Because.
"""


def read_case(path: Path) -> Case:
    """A case file as the loader validates it (its YAML reader, then the model)."""
    from deckbuilder.content.model import Case
    from deckbuilder.content.yamlfile import parse_yaml

    return Case.model_validate(parse_yaml(path.read_text(encoding="utf-8")).data)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (a screenshot), read from its header."""
    import struct

    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def quiz_article(questions: range, critique: str = "Because.") -> str:
    """A minimal article with the given question numbers, each with two options."""
    parts = ["Clinical Quiz", "", "A long quiz", "", "Case", "", "A patient.", "", "Questions", ""]
    for n in questions:
        parts += [f"{n}. Question number {n}?", "A. First", "B. Second", "", "Critique", ""]
        parts += [critique, "The correct answer is B.", ""]
    return "\n".join(parts)
