"""The input stamp: how a rebuild with nothing changed is recognised without rendering.

A build stores in the deck's zip comment a hash of everything it read — the deck and case
files, every image below the content folder, the lock it wrote, the card's templates and
the versions of the code that renders. The next build compares: the same stamp means the
same bytes would be written, so it stops after reading the files. The stamp depends on
file contents only, so it is the same on every machine (a fresh clone builds the same
bytes).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from deckbuilder.layout import DECK_FILE, LOCK_FILE, content_files
from deckbuilder.notetype import card_look

_PREFIX = b"deckbuilder inputs "


def stamp(digest: str, notes: int) -> bytes:
    return _PREFIX + f"{digest} notes {notes}".encode()


def inputs_digest(root: Path, lock: bytes, known: dict[Path, bytes] | None = None) -> str:
    """A hash of everything a build reads: the deck and case files, every image below the
    content folder, the lock, the card's templates and the versions of the code that
    renders. Stored in the deck's zip comment, it lets a rebuild with nothing changed
    stop after reading the files instead of rendering them again."""
    import nh3
    import pyromark

    from deckbuilder import __version__

    h = hashlib.sha256()
    look = card_look()
    for part in (
        __version__,
        pyromark.__version__,
        nh3.__version__,
        look.front,
        look.back,
        look.css,
    ):
        h.update(part.encode("utf-8") + b"\0")
    cases, images = content_files(root)
    known = known or {}
    for path in (root / DECK_FILE, *cases, *images):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(known.get(path) or hashlib.sha256(path.read_bytes()).digest())
    h.update(hashlib.sha256(lock).digest())
    return h.hexdigest()


def up_to_date(content_dir: Path, out: Path) -> tuple[Path, int] | None:
    """The deck and its number of notes if a build would change nothing, else None."""
    import re
    import zipfile

    try:
        # The deck id names the deck file; a plain look at the deck file is enough (and
        # saves loading the YAML parser): if it were wrong, the stamp would not match.
        found = re.findall(
            r"^id[ \t]*:[ \t]*([a-z0-9][a-z0-9_-]*)[ \t]*(?:#.*)?$",
            (content_dir / DECK_FILE).read_text(encoding="utf-8"),
            re.M,
        )
        if len(found) != 1:
            return None
        deck_path = out / f"{found[0]}.apkg"
        with zipfile.ZipFile(deck_path) as zf:
            comment = zf.comment
        if not comment.startswith(_PREFIX):
            return None
        digest = inputs_digest(content_dir, (content_dir / LOCK_FILE).read_bytes())
        if not comment.startswith(stamp(digest, 0)[: -len(b"0")]):
            return None
        return deck_path, int(comment.rsplit(b" ", 1)[1])
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
