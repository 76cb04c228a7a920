"""Where things are in a content folder. Light on purpose: the up-to-date check uses it
without importing the loader.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder, in any subfolder (hidden folders excluded).
The build state, ``deckbuilder.lock.json``, sits beside the deck file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DECK_FILE = "deck.yaml"
LOCK_FILE = "deckbuilder.lock.json"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass(frozen=True)
class Listing:
    """The files of a content folder, each with its name relative to the folder (``/``
    separated, the same on every system), each list sorted by that name."""

    cases: list[tuple[str, Path]]
    images: list[tuple[str, Path]]

    @property
    def case_paths(self) -> list[Path]:
        return [path for _, path in self.cases]


def list_content(root: Path) -> Listing:
    """Case files and images below ``root``, hidden folders and files skipped.

    One ``os.walk`` pass, done once per build: a rebuild with nothing changed spends a
    good part of its time here.
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
    return Listing(sorted(cases), sorted(images))
