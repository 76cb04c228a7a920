"""The render cache: each case file's rendered notes, kept between builds, so that a
build (and ``serve``) renders again only the cases whose inputs changed.

An entry is one case file's :class:`~deckbuilder.pipeline.workers.CaseResult` (its
notes, media, warnings and notices), stored only for a case without problems, under a
key made of everything its rendering reads:

* the case file's bytes (their SHA-256), its path as the build names it and the working
  folder (problems and warnings show paths relative to it);
* the deck file's bytes (deck settings, tags, the allow list, the licence);
* deckbuilder's own code, templates and library versions (the input stamp's code
  digest, :func:`deckbuilder.pipeline.stamp.code_digest`) and its version;
* today's date (a case's review falls due on a date);
* and, checked when the entry is used, each image the notes carry: the same real path,
  still a regular file, with the same bytes.

Where: the user's cache folder (``$DECKBUILDER_CACHE_DIR``, else
``$XDG_CACHE_HOME/deckbuilder``, else ``~/.cache/deckbuilder``), in a folder per code
digest (a deckbuilder of another version or code never reads it) and one per content
folder, one file per case file, and one more, ``frames``, holding the zstd frames of the
deck last built from the folder (:mod:`deckbuilder.apkg.frames`: the parts of the
collection an edit leaves unchanged are not compressed again). Not beside the deck: an
output folder may be committed or shared with the content, and a cache found there would
put into the deck notes that no rendering of this content made. It is safe to delete at
any time.

Never trusted blindly: an entry carries a checksum of its bytes, is unpickled with only
the build's own data classes allowed (:class:`_Unpickler`), and must carry the key it is
looked up with; anything else (a damaged, truncated, foreign or stale file) is a miss,
and the case is rendered again and the entry rewritten.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import os
import pickle
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder.files import file_digest, read_regular

if TYPE_CHECKING:
    from deckbuilder.apkg.frames import FrameStore
    from deckbuilder.pipeline.workers import CaseResult
    from deckbuilder.plan import Lock

MAGIC = b"deckbuilder render cache 1\n"
FRAMES = "frames"  # the folder's last deck's zstd frames (deckbuilder.apkg.frames)
_MAX_ENTRY = 64 * 1024 * 1024
_KEEP_DAYS = 30  # folders of other versions or content folders unused this long go

#: The classes an entry may hold (module, name); anything else refuses the entry.
_ALLOWED = {
    ("deckbuilder.pipeline.workers", "CaseResult"),
    ("deckbuilder.content.loader", "ReadReport"),
    ("deckbuilder.content.yamlfile", "Mark"),
    ("deckbuilder.errors", "ContentProblem"),
    ("deckbuilder.notes.spec", "CaseNotes"),
    ("deckbuilder.notes.spec", "NoteSpec"),
    ("deckbuilder.notes.spec", "CaseSummary"),
    ("deckbuilder.content.media", "Media"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("pathlib", "Path"),
}


class _Unpickler(pickle.Unpickler):
    """Builds only the data classes of a case's result: an entry cannot call anything."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)  # type: ignore[no-any-return]


def cache_home() -> Path:
    """The user's cache folder for deckbuilder."""
    given = os.environ.get("DECKBUILDER_CACHE_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg if xdg else Path.home() / ".cache") / "deckbuilder"


def _code_key() -> bytes:
    from deckbuilder import __version__
    from deckbuilder.pipeline.stamp import code_digest

    return hashlib.sha256(__version__.encode() + b"\0" + code_digest()).digest()


#: A file modified this recently (nanoseconds) is hashed again whatever its status says:
#: the file system's clock ticks coarsely, so a second save within the same tick, of the
#: same size, would leave the status as it was (git's "racily clean" files).
_RACY_NS = 2_000_000_000


@dataclass
class Memory:
    """What a long-running process (``build --watch``, ``serve``) keeps from one reading
    of a folder to the next, so that it reads again only the files that changed: the
    rendered cases (by cache key), each file's digest (by its status), the deck's zstd
    frames (by their key) and the lock it wrote (by the SHA-256 of its text, as
    checked)."""

    cases: dict[bytes, CaseResult] = field(default_factory=dict)
    files: dict[Path, tuple[tuple[int, ...], bytes]] = field(default_factory=dict)
    frames: dict[bytes, bytes] = field(default_factory=dict)
    locks: dict[bytes, Lock] = field(default_factory=dict)

    def digest(self, path: Path, limit: int) -> bytes:
        """:func:`file_digest`, read again only when the file's status (device, inode,
        size, modification and change times: a save changes them, and no tool sets a
        change time back) differs from when it was last read, or is too recent to
        tell."""
        info = os.stat(path)
        status = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        kept = self.files.get(path)
        if kept is not None and kept[0] == status:
            return kept[1]
        started = time.time_ns()
        digest = file_digest(path, limit)
        if max(info.st_mtime_ns, info.st_ctime_ns) < started - _RACY_NS:
            self.files[path] = (status, digest)
        else:
            self.files.pop(path, None)
        return digest


class RenderCache:
    """The cached results of one content folder's case files, for one deck file.

    Lookups read and check entries; stores write them atomically (a worker process may
    store too: each entry is its own file). Every failure to read or write is a miss.
    """

    def __init__(
        self,
        root: Path,
        deck_digest: bytes,
        home: Path | None = None,
        memory: Memory | None = None,
    ) -> None:
        """``memory``: entries kept in this process too, by key, so that a long-running
        process (``serve``, ``build --watch``) reads none of them again (the entries a
        pass did not use leave it with :meth:`prune`), and the case files' digests."""
        code = _code_key()
        folder = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:32]
        self.base = (home or cache_home()) / code.hex()[:32]
        self.folder = self.base / folder
        self._common = hashlib.sha256(
            b"\0".join(
                (
                    code,
                    deck_digest,
                    os.getcwd().encode(),
                    datetime.date.today().isoformat().encode(),
                )
            )
        ).digest()
        self._images: dict[Path, bytes | None] = {}
        self.memory = memory.cases if memory is not None else None
        self.digest = memory.digest if memory is not None else file_digest
        self._used: set[bytes] = set()
        self.hits = 0
        self.misses = 0

    def key(self, path: Path, digest: bytes) -> bytes:
        return hashlib.sha256(self._common + str(path).encode() + b"\0" + digest).digest()

    def entry(self, path: Path) -> Path:
        return self.folder / (hashlib.sha256(str(path).encode()).hexdigest()[:40] + ".case")

    def lookup(self, path: Path, digest: bytes) -> CaseResult | None:
        """The result stored for the case file ``path`` whose bytes have SHA-256
        ``digest``, if it is whole, of this key, and its images are unchanged; else None."""
        result = self._read(path, digest)
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
        return result

    def _read(self, path: Path, digest: bytes) -> CaseResult | None:
        from deckbuilder.pipeline.workers import CaseResult

        key = self.key(path, digest)
        if self.memory is not None and key in self.memory:
            kept = self.memory[key]
            if self._images_unchanged(kept):
                self._used.add(key)
                return kept
            return None
        try:
            data = read_regular(self.entry(path), _MAX_ENTRY)
        except OSError:
            return None
        head = len(MAGIC)
        if not data.startswith(MAGIC) or len(data) < head + 64:
            return None
        stored, check, payload = (
            data[head : head + 32],
            data[head + 32 : head + 64],
            data[head + 64 :],
        )
        if stored != key or hashlib.sha256(payload).digest() != check:
            return None
        try:
            result = _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # a damaged entry of any kind is a miss
            return None
        if (
            not isinstance(result, CaseResult)
            or result.notes is None
            or result.problems
            or result.report.path != path
            or result.report.digest != digest
            or not self._images_unchanged(result)
        ):
            return None
        self.remember(result)
        return result

    def frames(self, memory: dict[bytes, bytes] | None = None) -> FrameStore:
        """The zstd frames of the last deck built from this folder, to make the next one
        from (``memory``: kept in this process too)."""
        from deckbuilder.apkg.frames import FrameStore

        return FrameStore(self.folder / FRAMES, memory)

    def _images_unchanged(self, result: CaseResult) -> bool:
        assert result.notes is not None
        return all(self._image_digest(m.source) == m.digest for m in result.notes.media)

    def remember(self, result: CaseResult) -> None:
        """Keep ``result`` (just rendered, or read) in :attr:`memory`, if there is one."""
        digest = result.report.digest
        if self.memory is None or result.notes is None or result.problems or digest is None:
            return
        key = self.key(result.report.path, digest)
        self.memory[key] = result
        self._used.add(key)

    def _image_digest(self, source: Path) -> bytes | None:
        """The SHA-256 of an image as the build would read it now (None if it would not:
        no longer a regular file at that real path)."""
        if source not in self._images:
            from deckbuilder.content.media import MAX_IMAGE_BYTES

            try:
                same = os.path.realpath(source) == str(source)
                data = read_regular(source, MAX_IMAGE_BYTES) if same else None
            except OSError:
                data = None
            self._images[source] = hashlib.sha256(data).digest() if data is not None else None
        return self._images[source]

    def store(self, result: CaseResult) -> None:
        """Keep ``result`` if it is a case rendered without problems."""
        digest = result.report.digest
        if result.notes is None or result.problems or digest is None:
            return
        path = result.report.path
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        data = b"".join((MAGIC, self.key(path, digest), hashlib.sha256(payload).digest(), payload))
        target = self.entry(path)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(data)
            os.replace(temp, target)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()

    def prune(self, kept: Iterable[Path]) -> None:
        """Remove the entries of case files not in ``kept`` (deleted or moved), and the
        folders of other code or content folders unused for :data:`_KEEP_DAYS` days."""
        keep = {self.entry(path).name for path in kept} | {FRAMES}
        if self.memory is not None:
            for key in set(self.memory) - self._used:
                del self.memory[key]
        try:
            for entry in os.scandir(self.folder):
                if entry.name not in keep:
                    Path(entry.path).unlink(missing_ok=True)
            os.utime(self.folder)
            old = time.time() - _KEEP_DAYS * 86400
            for parent in (self.base.parent, self.base):
                for entry in os.scandir(parent):
                    if entry.is_dir() and entry.stat().st_mtime < old:
                        shutil.rmtree(entry.path, ignore_errors=True)
            os.utime(self.base)
        except OSError:
            pass
