"""Point the user at the content folder they meant.

``cd content && deckbuilder build`` looks for ``content/content``; ``new case`` with a
misspelt ``--content`` would start a folder no build reads. Both are common first
mistakes, and the fix is one word on the command line: say which.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from deckbuilder.content.folder import DECK_FILE, find_content_root
from deckbuilder.errors import ContentError, ContentProblem, DeckbuilderError, display_path


def quoted(command: str) -> str:
    """A command quoted in a sentence: in single quotes, as every message does, unless it
    holds one itself (a folder name with a space is shell-quoted with them)."""
    return f'"{command}"' if "'" in command else f"'{command}'"


def deck_file_nearby(command: str) -> str | None:
    """Where the deck file is, and the command to run instead, when the working folder
    (or one above it) is a content folder: "deck.yaml is here: run 'deckbuilder build .'".
    ``command`` is what was run, with ``{}`` where the content folder goes."""
    root = find_content_root(Path.cwd())
    if root is None:
        return None
    rel = os.path.relpath(root)
    where = "here" if rel == "." else f"in {rel}"
    return f"{DECK_FILE} is {where}: run {quoted(command.format(shlex.quote(rel)))}"


def require_content_folder(content: Path, command: str) -> None:
    """Refuse a content folder that does not exist, saying where the deck file is when
    the user stands in a content folder (otherwise the loader's own message stands)."""
    if content.exists():
        return
    hint = deck_file_nearby(f"deckbuilder {command} {{}}")
    if hint is not None:
        message = f"content folder does not exist; {hint}"
        raise ContentError([ContentProblem(display_path(content), message=message)])


def require_deck_file(content: Path, command: str, naming: str = "with --content") -> None:
    """Refuse to add to a folder without a deck file: no build would read what is added
    there. ``command`` is what was run, with ``{}`` where the content folder goes;
    ``naming`` says how to name another content folder on its command line."""
    deck_file = content / DECK_FILE
    if deck_file.is_file():
        return
    how = not content.exists() and deck_file_nearby(command)
    if not how:
        init = quoted(f"deckbuilder init {shlex.quote(str(content))}")
        how = f"start a content folder with {init}, or name an existing one {naming}"
    raise DeckbuilderError(f"no deck file at {display_path(deck_file)}; {how}; nothing was written")
