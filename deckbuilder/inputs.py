"""The input stamp: how a rebuild with nothing changed is recognised without rendering.

A build stores in the deck's zip comment a hash of everything it read — the deck and case
files, every image below the content folder, the lock it wrote, the card's templates and
the versions of the code that renders. The next build compares: the same stamp means the
same bytes would be written, so it stops after reading the files. The stamp depends on
file contents only, so it is the same on every machine (a fresh clone builds the same
bytes).

Reading every file to hash it would be most of a no-op rebuild's time, so the digests
are remembered between builds with each file's stat (:class:`FileHashes`), as git's
index does: an unchanged stat means an unchanged file, and only changed files are read.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from deckbuilder.content.folder import DECK_FILE, LOCK_FILE, Listing, list_content
from deckbuilder.notes.notetype import card_look

_PREFIX = b"deckbuilder inputs "

StatKey = tuple[int, int, int, int]  # size, mtime (ns), ctime (ns), inode


def stamp(digest: str, notes: int) -> bytes:
    return _PREFIX + f"{digest} notes {notes}".encode()


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def read_with_key(path: Path) -> tuple[bytes, StatKey]:
    """A file's bytes and its stat taken *before* reading: if the file changes while it
    is read, its ctime moves on and the remembered stat no longer matches it."""
    with open(path, "rb") as fh:
        key = stat_key(os.fstat(fh.fileno()))
        return fh.read(), key


class FileHashes:
    """SHA-256 digests of files, remembered between builds together with each file's
    size, modification time, change time and inode.

    A file whose stat is unchanged is taken to be unchanged and not read again. The
    change time is set by the kernel on every write, so tools that restore modification
    times (``rsync -t``, ``touch -r``, some editors) do not fool it. A file changed less
    than ``RACY_SECONDS`` before it was read is not remembered, since a second write
    within the same timestamp tick could leave its stat unchanged (git's "racy git"
    problem). The cache lives in the output folder, never in the content folder; it is
    only a cache: without it a build reads every file once more. It is not used on
    Windows, where the "change time" is the creation time.

    Within one build, a file's digest is pinned once the build has read it: the stamp
    must describe the bytes the deck was made from, not a later edit (else the next
    build would call a deck with the old text up to date).
    """

    FORMAT = 1
    RACY_SECONDS = 2

    def __init__(self, path: Path | None = None) -> None:
        # name -> stat before reading, digest, and whether it may be saved (settled)
        self.entries: dict[str, tuple[StatKey, bytes, bool]] = {}
        self.pinned: dict[str, bytes] = {}  # what this build used
        self.changed = False
        self.path = None if os.name == "nt" else path
        if self.path is not None:
            self._load(self.path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") != self.FORMAT:
                return
            self.entries = {
                rel: ((e[0], e[1], e[2], e[3]), bytes.fromhex(e[4]), True)
                for rel, e in data["files"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            self.entries = {}  # a damaged cache is as good as none

    @classmethod
    def settled(cls, key: StatKey) -> bool:
        """Whether a file read just now, with the stat ``key``, had last changed long
        enough before to be remembered. Asked right after reading the file."""
        return max(key[1], key[2]) < time.time_ns() - cls.RACY_SECONDS * 1_000_000_000

    def record(self, rel: str, key: StatKey, digest: bytes, settled: bool) -> None:
        """Remember what a file held when it had the stat ``key`` (taken before reading);
        ``settled`` as :meth:`settled` said right after reading it. Pins the digest."""
        self.pinned[rel] = digest
        if self.entries.get(rel) != (key, digest, settled):
            self.entries[rel] = (key, digest, settled)
            self.changed = True

    def digest(self, rel: str, path: Path) -> bytes:
        """The file's SHA-256: as pinned in this build, else remembered if its stat is
        unchanged, else read and hashed (and pinned)."""
        if rel in self.pinned:
            return self.pinned[rel]
        known = self.entries.get(rel)
        if known is not None and known[0] == stat_key(os.stat(path)):
            self.pinned[rel] = known[1]
            return known[1]
        raw, key = read_with_key(path)
        digest = hashlib.sha256(raw).digest()
        self.record(rel, key, digest, self.settled(key))
        return digest

    def keep_only(self, names: set[str]) -> None:
        """Forget files that are gone, so the cache does not grow with every rename."""
        gone = self.entries.keys() - names
        for rel in gone:
            del self.entries[rel]
        self.changed = self.changed or bool(gone)

    def save(self) -> None:
        """Write the cache if it changed. Failing to is harmless: the next build reads
        the files again."""
        if self.path is None or not self.changed:
            return
        from deckbuilder.apkg.writer import write_atomic
        from deckbuilder.errors import OutputError

        files = {
            rel: [*key, digest.hex()]
            for rel, (key, digest, settled) in sorted(self.entries.items())
            if settled
        }
        if not files:
            return
        text = json.dumps({"format": self.FORMAT, "files": files}, separators=(",", ":"))
        try:
            write_atomic(self.path, text.encode("utf-8"))
        except OutputError:
            return
        self.changed = False


def cache_path(deck_path: Path) -> Path:
    """Where the file-hash cache of a deck lives: hidden, beside the deck."""
    return deck_path.with_name(f".{deck_path.name}.hashes.json")


def inputs_digest(
    root: Path, lock: bytes, hashes: FileHashes, listing: Listing | None = None
) -> str:
    """A hash of everything a build reads: the deck and case files, every image below the
    content folder, the lock, the card's templates and the versions of the code that
    renders. Stored in the deck's zip comment, it lets a rebuild with nothing changed
    stop after reading the files instead of rendering them again.

    ``listing`` is the folder as the build saw it (walked again when not given).
    """
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
    listing = listing or list_content(root)
    files = [(DECK_FILE, root / DECK_FILE), *listing.cases, *listing.images]
    for rel, path in files:
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashes.digest(rel, path))
    hashes.keep_only({rel for rel, _ in files})
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
        hashes = FileHashes(cache_path(deck_path))
        digest = inputs_digest(content_dir, (content_dir / LOCK_FILE).read_bytes(), hashes)
        if not comment.startswith(stamp(digest, 0)[: -len(b"0")]):
            return None
        hashes.save()
        return deck_path, int(comment.rsplit(b" ", 1)[1])
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
