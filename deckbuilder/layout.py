"""Where things are in a content folder. Light on purpose: the up-to-date check uses it
without importing the loader.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder, in any subfolder (hidden folders excluded).
The build state, ``deckbuilder.lock.json``, sits beside the deck file.
"""

from __future__ import annotations

import os
from pathlib import Path

DECK_FILE = "deck.yaml"
LOCK_FILE = "deckbuilder.lock.json"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    """Case files and images below ``root``, hidden folders and files skipped, sorted.

    One ``os.walk`` pass: a rebuild with nothing changed spends most of its time here.
    """
    cases: list[tuple[str, Path]] = []
    images: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in files:
            if name.startswith("."):
                continue
            suffix = os.path.splitext(name)[1]
            if suffix in {".yaml", ".yml"} and not (name == DECK_FILE and not prefix):
                cases.append((prefix + name, Path(folder, name)))
            elif suffix.lower() in IMAGE_TYPES:
                images.append((prefix + name, Path(folder, name)))
    return [p for _, p in sorted(cases)], [p for _, p in sorted(images)]


def case_files(root: Path) -> list[Path]:
    """Every case file below ``root``, in a stable order."""
    return _walk(root)[0]


def content_files(root: Path) -> tuple[list[Path], list[Path]]:
    """Case files and image files below ``root``, each in a stable order."""
    return _walk(root)
