"""Where things are in a content folder. Light on purpose: the up-to-date check uses it
without importing the loader.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder, in any subfolder (hidden folders excluded),
the suffix in any letter case (``CASE.YAML`` is a YAML file to every editor).
The build state, ``deckbuilder.lock.json``, sits beside the deck file. Images are found
where cases name them; the folder is never searched for them.

Only files inside the content folder are read: a symlink is followed where it stays
inside and reported where it leaves (a case file linked to a credentials file would be
quoted in an error, or packed into a shared deck). Nothing below the folder is skipped
without a word, apart from hidden files and folders: a deck built without some cases
would retire their notes.
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
OUTPUT_FOLDER = "dist"


#: Why a file that is a symlink leaving the content folder is not read (after its path).
LINK_OUTSIDE = (
    "is a link to a file outside the content folder; only files inside it are read: "
    "copy the file into the content folder"
)
_DECK_FILE_CASE = f"is not read: the deck file must be named {DECK_FILE!r}, in lower case"
_FOLDER_LINK_OUTSIDE = (
    "is a link to a folder outside the content folder; only files inside it are read: "
    "move the folder into the content folder"
)


@dataclass(frozen=True)
class Listing:
    """The case files of a content folder, each with its name relative to the folder
    (``/`` separated, the same on every system), sorted by that name; and what below the
    folder is not read, each with the reason (a sentence that follows its path)."""

    cases: list[tuple[str, Path]]
    unreadable: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def case_paths(self) -> list[Path]:
        return [path for _, path in self.cases]


def outside(root: Path, path: Path) -> bool:
    """Whether ``path``, symlinks followed, lies outside the folder ``root``."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def list_content(root: Path) -> Listing:
    """Case files below ``root``, hidden folders and files skipped; one walk per build.

    Folders are walked where they are first. Links to folders are followed after that,
    by name, when they stay inside ``root`` and lead to a folder not walked yet: each case
    is read once, under its own name where it has one, and a link back up ends there.
    A link that leaves ``root``, or a folder that cannot be listed, is reported.
    """
    cases: list[tuple[str, Path]] = []
    unreadable: list[tuple[Path, str]] = []
    walked: set[Path] = set()
    folders: list[tuple[Path, str, Path]] = [(Path(root), "", Path(os.path.realpath(root)))]
    links: list[tuple[str, Path]] = []  # links to folders: name, path

    while folders or links:
        if not folders:
            name, path = min(links)
            links.remove((name, path))
            real = Path(os.path.realpath(path))
            if outside(root, real):
                unreadable.append((path, _FOLDER_LINK_OUTSIDE))
            elif real not in walked:
                folders.append((path, name + "/", real))
            continue
        folder, prefix, real = folders.pop()
        if real in walked:
            continue
        walked.add(real)
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError as exc:
            unreadable.append((folder, f"folder cannot be read: {exc.strerror}"))
            continue
        for entry in entries:
            name, path = entry.name, Path(entry.path)
            if name.startswith("."):
                continue
            if _is_dir(entry):  # a link to a folder too
                if entry.is_symlink():
                    links.append((prefix + name, path))
                else:
                    folders.append((path, prefix + name + "/", real / name))
            elif os.path.splitext(name)[1].lower() in {".yaml", ".yml"}:
                if not prefix and name.lower() == DECK_FILE:
                    if name != DECK_FILE:  # a case-insensitive disk reads it as the deck
                        unreadable.append((path, _DECK_FILE_CASE))
                elif entry.is_symlink() and outside(root, path):
                    unreadable.append((path, LINK_OUTSIDE))
                else:
                    cases.append((prefix + name, path))
    return Listing(sorted(cases), unreadable)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: what cannot be looked at is taken for a file
        return False


def find_content_root(start: Path) -> Path | None:
    """The content folder ``start`` is in or is: the nearest folder, from ``start``
    upwards, that holds a deck file. For messages that point the user at it."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / DECK_FILE).is_file():
            return folder
    return None


def default_output(root: Path) -> Path:
    """Where a content folder's deck goes unless told: ``dist/`` beside the folder.

    A repository holds ``content/`` (or ``cardio/``, from ``deckbuilder init cardio``)
    and ``dist/`` side by side, so the deck lands in the same place from wherever it is
    built — ``build cardio`` at the top, ``build .`` inside ``cardio``, ``build ..`` in
    ``cardio/cases`` — as the folder hints tell. The parent is taken from the path as
    written (``cardio/..`` is where the user stands), relative when the path is.
    """
    return Path(os.path.normpath(os.path.join(root, os.pardir)), OUTPUT_FOLDER)
