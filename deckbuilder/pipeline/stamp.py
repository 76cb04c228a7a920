"""The input stamp: how a rebuild with nothing changed is recognised without rendering.

A build stores in the deck's zip comment a hash of everything it read — the deck file,
every case file, the images the cases use, the lock it wrote, and deckbuilder's own
code (templates included) with the versions of the libraries that render — and the list
of those images. The next build reads the same files, hashes them, and compares: the
same hash means the same bytes would be written, so it stops there. The hash depends on
file contents and library versions only, so it is the same on every machine with the
same libraries (a fresh clone builds the same bytes).

Reading every case file costs a few hundredths of a second for 10,000 notes (measured in
``bench/``); remembering digests between builds by file stat paid too little for its
complexity and was removed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from deckbuilder.content.folder import (
    DECK_FILE,
    LOCK_FILE,
    MAX_FILE_BYTES,
    MAX_LOCK_BYTES,
    list_content,
)
from deckbuilder.content.media import MAX_IMAGE_BYTES
from deckbuilder.files import MiB, file_digest, open_regular, read_regular

_PREFIX = b"deckbuilder inputs "
_COMMENT_LIMIT = 65_535  # a zip comment's size field has 16 bits
_MAX_DECK = 16 * 1024 * MiB  # only the comment at its end is read


@cache
def code_digest() -> bytes:
    """deckbuilder's own files (code, templates, CSS, script) and the versions of the
    libraries that render and write: a change to any of them must rebuild (SQLite, zlib
    and zstd put their own bytes into the deck)."""
    import sqlite3
    import zlib

    import nh3
    import pyromark
    import zstandard

    versions = (
        pyromark.__version__,
        nh3.__version__,  # type: ignore[attr-defined]  # not in its stubs
        sqlite3.sqlite_version,
        zlib.ZLIB_RUNTIME_VERSION,
        ".".join(map(str, zstandard.ZSTD_VERSION)),
    )
    h = hashlib.sha256("\0".join(versions).encode() + b"\0")
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.digest()


class InputDigest:
    """Collects the digests of a build's inputs, by name relative to the content folder,
    and the build's options that change its output (``--deck-version``)."""

    def __init__(self, options: dict[str, str] | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.images: dict[str, bytes] = {}
        self.options = dict(options or {})

    def digest(self, lock: bytes) -> str:
        h = hashlib.sha256(code_digest())
        for name, value in sorted(self.options.items()):
            h.update(f"option\0{name}\0{value}\0".encode())
        for kind, files in (("file", self.files), ("image", self.images)):
            for name in sorted(files):
                h.update(f"{kind}\0{name}\0".encode())
                h.update(files[name])
        h.update(b"lock\0" + hashlib.sha256(lock).digest())
        return h.hexdigest()

    def stamp(self, lock: bytes, notes: int) -> bytes:
        """The deck's zip comment: the digest, the number of notes, the images used."""
        head = _PREFIX + f"{self.digest(lock)} notes {notes}".encode()
        images = "".join(f"\n{name}" for name in sorted(self.images)).encode()
        if len(head) + len(images) > _COMMENT_LIMIT:
            return head + b" images-not-listed"  # never taken as up to date
        return head + images


def image_name(root: Path, source: Path) -> str:
    """An image's name in the stamp: its real path relative to the content folder."""
    return Path(os.path.realpath(source)).relative_to(Path(root).resolve()).as_posix()


def up_to_date(
    content_dir: Path,
    out: Path,
    options: dict[str, str] | None = None,
    digest: Callable[[Path, int], bytes] = file_digest,
) -> tuple[Path, int, bytes, str] | None:
    """The deck, its number of notes, the lock it was built with and its package format
    ("anki21b" or "anki2"), if a build would change nothing; else None. ``digest``
    gives a case file's SHA-256.

    Any doubt (a file that cannot be read, a stamp of another version) means "build".
    """
    import zipfile

    try:
        # The deck id names the deck file; a plain look at the deck file is enough (and
        # saves loading the YAML parser): if it were wrong, the stamp would not match.
        deck_file = read_regular(content_dir / DECK_FILE, MiB)
        found = re.findall(
            rb"^id[ \t]*:[ \t]*([a-z0-9][a-z0-9_-]*)[ \t]*(?:#.*)?$", deck_file, re.M
        )
        if len(found) != 1:
            return None
        deck_path = out / f"{found[0].decode()}.apkg"
        with open_regular(deck_path, _MAX_DECK) as fh, zipfile.ZipFile(fh) as zf:
            comment = zf.comment
            package_format = "anki21b" if "collection.anki21b" in zf.namelist() else "anki2"
        if not comment.startswith(_PREFIX) or comment.endswith(b"images-not-listed"):
            return None
        head, *images = comment.decode("utf-8").split("\n")
        inputs = InputDigest(options)
        inputs.files[DECK_FILE] = hashlib.sha256(deck_file).digest()
        listing = list_content(content_dir)
        if listing.unreadable:
            return None
        for rel, path in listing.cases:
            inputs.files[rel] = digest(path, MAX_FILE_BYTES)
        for name in images:
            data = read_regular(content_dir / name, MAX_IMAGE_BYTES)
            inputs.images[name] = hashlib.sha256(data).digest()
        lock = read_regular(content_dir / LOCK_FILE, MAX_LOCK_BYTES)
        notes = int(head.rsplit(" ", 1)[1])
        if inputs.stamp(lock, notes).split(b"\n", 1)[0] != head.encode("utf-8"):
            return None
        return deck_path, notes, lock, package_format
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile, IndexError):
        return None


def record_images(inputs: InputDigest, root: Path, media: Iterable[tuple[Path, bytes]]) -> None:
    """Add the images a build used (each with the digest of the bytes it packed)."""
    for source, digest in media:
        inputs.images[image_name(root, source)] = digest
