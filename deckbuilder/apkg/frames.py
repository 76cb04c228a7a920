"""zstd streams as independent frames, one per :data:`FRAME_SIZE` bytes of input, and a
store of the frames made before, so that a rebuild compresses again only what changed.

A one-case edit changes a few pages of a large collection database (the case's notes,
the deck's description, an index page or two) and leaves the rest byte for byte as it
was: compressed in independent frames, every unchanged megabyte is a frame the previous
build already made. The deck is the same bytes whether a frame comes from the store or
is made afresh (a frame depends only on its input, zstd's version and the level), and
the same on any number of cores.

Anki reads a stream of several frames as one, as zstd's own tools do (its importer
decodes across frames; tested through the engine and the desktop app). Independent
frames cost a few percent of the compressed size against one frame, since a match
cannot reach back into the frame before; ``bench/run.py`` measures the deck against
Anki's own export.

Never trusted blindly: the store is one file whose checksum is checked as it is read,
and a frame from it is used only after it has been decompressed to exactly the bytes it
stands for (on the writer's threads, at a fraction of compressing them again); frames a
process keeps in memory (``build --watch``) were made or checked by it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import BinaryIO

from deckbuilder.apkg.zipwriter import ahead, pieces

# Level 9 makes decks well below the size of Anki's own export (level 3); above it time
# grows faster than the deck shrinks. Frames of 1 MiB: smaller ones make the deck
# larger (a match cannot cross a frame), larger ones recompress more after an edit.
# Both were chosen with bench/ (the figures are in docs/performance.md).
LEVEL = 9
FRAME_SIZE = 1 << 20


class _Tools(threading.local):
    """A compressor and a decompressor for each thread (neither may be shared)."""

    def __init__(self) -> None:
        import zstandard

        self.compressor = zstandard.ZstdCompressor(level=LEVEL)
        self.decompressor = zstandard.ZstdDecompressor()


_tools = _Tools()


def _frame(raw: bytes, store: FrameStore | None) -> tuple[bytes, bytes]:
    """The key and the frame of ``raw``: the one in ``store`` if this process made or
    checked it, or if it decompresses to exactly ``raw``; else one made now (on a thread
    of the pool: hashing, checking and compressing all let go of the GIL)."""
    if store is None:
        return b"", _tools.compressor.compress(raw)
    key = store.key(raw)
    kept = store.get(key)
    if kept is not None and (store.made_here or _holds(kept, raw)):
        return key, kept
    return key, _tools.compressor.compress(raw)


def _holds(frame: bytes, raw: bytes) -> bool:
    """Whether ``frame`` decompresses to exactly ``raw`` (a damaged one, of any kind,
    does not)."""
    try:
        return bool(_tools.decompressor.decompress(frame, max_output_size=len(raw)) == raw)
    except Exception:
        return False


def bound(size: int) -> int:
    """The most the frames of ``size`` bytes can take (zstd's ZSTD_COMPRESSBOUND each)."""
    full, rest = divmod(size, FRAME_SIZE)
    return full * _frame_bound(FRAME_SIZE) + (_frame_bound(rest) if rest or not full else 0)


def _frame_bound(size: int) -> int:
    return size + (size >> 8) + (((128 << 10) - size) >> 11 if size < 128 << 10 else 0) + 64


def compressed(
    source: BinaryIO | bytes,
    size: int,
    pool: Executor,
    depth: int,
    store: FrameStore | None = None,
) -> Iterator[bytes]:
    """``size`` bytes of ``source`` (a file positioned at their start, or bytes) as zstd
    frames, in order, ``depth`` of them on ``pool`` at a time; with ``store``, each
    frame made before is taken from it (once checked), and each frame made is kept."""

    jobs = ((None, pool.submit(_frame, raw, store)) for raw, _ in pieces(source, size, FRAME_SIZE))
    for _, (key, frame) in ahead(jobs, depth):
        if store is not None:
            store.keep(key, frame)
        yield frame


class FrameStore:
    """The frames of the last build of one content folder, by the SHA-256 of what they
    hold (with zstd's version, the level and the frame size): one file, read once, and
    rewritten with the frames the build used when it made any new one.

    ``memory`` keeps them in this process too (``build --watch``), so that a rebuild
    reads no file at all.
    """

    MAGIC = b"deckbuilder frames 1\n"

    def __init__(self, path: Path, memory: dict[bytes, bytes] | None = None) -> None:
        import zstandard

        self.path = path
        self._salt = f"{zstandard.ZSTD_VERSION} {LEVEL} {FRAME_SIZE}\0".encode()
        self._memory = memory
        # frames kept in memory were made or checked by this process; the file's are not
        self.made_here = bool(memory)
        self._kept: dict[bytes, bytes] = memory or self._read()
        self._used: dict[bytes, bytes] = {}
        self._new = False
        self.reused = 0  # frames taken from the store rather than made

    def key(self, raw: bytes) -> bytes:
        return hashlib.sha256(self._salt + raw).digest()

    def get(self, key: bytes) -> bytes | None:
        return self._kept.get(key)

    def keep(self, key: bytes, frame: bytes) -> None:
        """Keep ``frame``, the frame of the bytes whose key is ``key``, for the next build."""
        if self._kept.get(key) is frame:
            self.reused += 1
        else:
            self._new = True
        self._used[key] = frame

    def _read(self) -> dict[bytes, bytes]:
        from deckbuilder.files import read_regular

        try:
            data = read_regular(self.path, 1 << 31)
        except OSError:
            return {}
        head = len(self.MAGIC)
        body, check = data[head:-32], data[-32:]
        if not data.startswith(self.MAGIC) or hashlib.sha256(body).digest() != check:
            return {}
        frames = {}
        at = 0
        while at + 36 <= len(body):
            key, (length,) = body[at : at + 32], struct.unpack_from("<I", body, at + 32)
            frames[key] = body[at + 36 : at + 36 + length]
            at += 36 + length
        return frames if at == len(body) else {}

    def save(self) -> None:
        """Keep the frames this build used (only them: the store never grows past one
        deck's), in memory and, when any is new, in the file (atomically); a store
        that cannot be written is no error, the next build makes its frames again."""
        if self._memory is not None:
            self._memory.clear()
            self._memory.update(self._used)
        if not self._new and len(self._used) == len(self._kept):
            return
        body = b"".join(
            key + struct.pack("<I", len(frame)) + frame for key, frame in self._used.items()
        )
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(self.MAGIC + body + hashlib.sha256(body).digest())
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()
