"""Where things are in a content folder. Light on purpose: the up-to-date check uses it
without importing the loader.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder, in any subfolder (hidden folders excluded).
The build state, ``deckbuilder.lock.json``, sits beside the deck file. Images are found
where cases name them; the folder is never searched for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from deckbuilder.files import MiB

#: The largest content file read (a case is a few kilobytes; a file of every case of a
#: big deck would be the mistake this catches).
MAX_FILE_BYTES = MiB
#: The largest lock read: a line per note, far beyond any deck.
MAX_LOCK_BYTES = 256 * MiB

DECK_FILE = "deck.yaml"
LOCK_FILE = "deckbuilder.lock.json"


@dataclass(frozen=True)
class Listing:
    """The case files of a content folder, each with its name relative to the folder
    (``/`` separated, the same on every system), sorted by that name; and the folders
    that could not be listed, with the reason."""

    cases: list[tuple[str, Path]]
    unreadable: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def case_paths(self) -> list[Path]:
        return [path for _, path in self.cases]


def list_content(root: Path) -> Listing:
    """Case files below ``root``, hidden folders and files skipped; one walk per build.

    A folder that cannot be listed is reported, never silently skipped: a deck built
    without the cases of an unreadable folder would retire their notes.
    """
    cases: list[tuple[str, Path]] = []
    unreadable: list[tuple[Path, str]] = []

    def failed(exc: OSError) -> None:
        unreadable.append((Path(exc.filename or root), exc.strerror or str(exc)))

    for folder, dirs, files in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in files:
            if name.startswith("."):
                continue
            suffix = os.path.splitext(name)[1]
            if suffix in {".yaml", ".yml"} and not (name == DECK_FILE and not prefix):
                cases.append((prefix + name, Path(folder, name)))
    return Listing(sorted(cases), unreadable)


def find_content_root(start: Path) -> Path | None:
    """The content folder ``start`` is in or is: the nearest folder, from ``start``
    upwards, that holds a deck file. For messages that point the user at it."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / DECK_FILE).is_file():
            return folder
    return None
