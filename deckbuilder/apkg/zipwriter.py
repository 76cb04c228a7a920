"""A reproducible zip writer for the ``.apkg``, deflating on every core.

Kept because it pays where it deflates a large entry, in decks written with
``support_older_anki``: ``bench/run.py`` measures it against Python's ``zipfile`` writing
the same archive on one core (``bench/alternatives.py``; the figures are in
docs/performance.md). In the default format its entries are zstd streams it only
stores, as ``zipfile`` would. Deflating the collection database of a large legacy deck
is most of the last second of its build.

Here an entry is cut into blocks that threads compress at once (zlib releases the GIL):
each block is primed with the 32 KiB before it and ends on a byte boundary, so the
blocks join into one ordinary deflate stream, as ``pigz`` does. The bytes depend on the
block size and the level, never on the number of threads.

Entries of Anki's current format are zstd streams the zip only stores
(:meth:`ZipWriter.store`). Everything else is fixed too: entry order, a 1980-01-01 date,
permissions 0644, no extra fields unless ZIP64 is needed (entries or archives of 4 GiB
and more).
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

# Deflate level, chosen with bench/'s two kinds of content (docs/performance.md): on
# repetitive cases (the same case with small changes) a lower level makes the deck
# several times larger, a higher one hardly smaller.
LEVEL = 6
BLOCK = 1 << 20
_WINDOW = 1 << 15  # deflate looks back at most 32 KiB

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest a zip can say
_DOS_TIME = 0
_UNIX_0644 = 0o100644 << 16
_MADE_BY_UNIX = 3 << 8
_STORED, _DEFLATED = 0, 8
_FULL = 0xFFFFFFFF  # a 32-bit field saying "see the ZIP64 record"
ZIP64_FROM = _FULL  # sizes and offsets from this on need ZIP64 (lowered by a test)


@dataclass
class _Entry:
    name: bytes
    offset: int
    crc: int = 0
    size: int = 0
    compressed: int = 0
    zip64: bool = False
    method: int = _DEFLATED


class ZipWriter:
    """Write entries one after another to a seekable binary file, then :meth:`close`.

    Each entry's local header is written first and completed (CRC and sizes) once its
    data is in, so memory holds a few blocks however large the entry.
    """

    def __init__(self, out: BinaryIO, *, threads: int | None = None) -> None:
        self.out = out
        self.start = out.tell()
        self.entries: list[_Entry] = []
        self.threads = max(1, threads or os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(self.threads)

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)

    def write(self, name: str, data: bytes | BinaryIO, size: int) -> None:
        """Add ``size`` bytes (from ``data``, bytes or a file positioned at their start)
        as the entry ``name``, deflated."""
        # Deflate can grow incompressible data by a fraction of a percent: 5% is ample.
        entry = self._begin(name, size * 1.05 >= ZIP64_FROM, _DEFLATED)
        for raw, block in self._compress(_blocks(data, size)):
            entry.crc = zlib.crc32(raw, entry.crc)
            entry.size += len(raw)
            entry.compressed += len(block)
            self.out.write(block)
        if entry.size != size:
            raise ValueError(f"{name}: expected {size} bytes, got {entry.size}")
        self._end(entry)

    def store(self, name: str, chunks: Iterable[bytes], at_most: int) -> None:
        """Add the concatenated ``chunks`` as the entry ``name``, stored as they are
        (they are compressed already); ``at_most`` bounds their size, for ZIP64."""
        entry = self._begin(name, at_most >= ZIP64_FROM, _STORED)
        for chunk in chunks:
            entry.crc = zlib.crc32(chunk, entry.crc)
            entry.size += len(chunk)
            self.out.write(chunk)
        entry.compressed = entry.size
        if entry.size > at_most:
            raise ValueError(f"{name}: more than the {at_most} bytes announced")
        self._end(entry)

    def _begin(self, name: str, zip64: bool, method: int) -> _Entry:
        entry = _Entry(name.encode("utf-8"), self.out.tell() - self.start, zip64=zip64)
        entry.method = method
        self.out.write(_local_header(entry))
        return entry

    def _end(self, entry: _Entry) -> None:
        """Complete the entry's local header (CRC and sizes) now that its data is in."""
        end = self.out.tell()
        self.out.seek(self.start + entry.offset)
        self.out.write(_local_header(entry))
        self.out.seek(end)
        self.entries.append(entry)

    def _compress(
        self, blocks: Iterator[tuple[bytes, bytes, bool]]
    ) -> Iterator[tuple[bytes, bytes]]:
        """Compressed blocks in order, a few compressing ahead on the pool."""
        submit = self.pool.submit
        jobs = ((raw, submit(_deflate, raw, primer, last)) for raw, primer, last in blocks)
        return ahead(jobs, 2 * self.threads)

    def close(self, comment: bytes = b"") -> None:
        """Write the central directory and the end records (with the archive's comment)."""
        directory_offset = self.out.tell() - self.start
        for entry in self.entries:
            self.out.write(_central_header(entry))
        directory_size = self.out.tell() - self.start - directory_offset
        count = len(self.entries)
        if count >= 0xFFFF or max(directory_offset, directory_size) >= ZIP64_FROM:
            zip64_end = self.out.tell() - self.start
            self.out.write(
                struct.pack(
                    "<IQHHIIQQQQ",
                    0x06064B50,
                    44,
                    _MADE_BY_UNIX | 45,
                    45,
                    0,
                    0,
                    count,
                    count,
                    directory_size,
                    directory_offset,
                )
            )
            self.out.write(struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1))
        self.out.write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                min(count, 0xFFFF),
                min(count, 0xFFFF),
                directory_size if directory_size < ZIP64_FROM else _FULL,
                directory_offset if directory_offset < ZIP64_FROM else _FULL,
                len(comment),
            )
        )
        self.out.write(comment)


T = TypeVar("T")
R = TypeVar("R")


def ahead(jobs: Iterable[tuple[T, Future[R]]], depth: int) -> Iterator[tuple[T, R]]:
    """Each job's tag and result, in order, taking (and so submitting) at most ``depth``
    jobs ahead of the one waited for: memory holds a few jobs however many there are."""
    waiting: deque[tuple[T, Future[R]]] = deque()
    for job in jobs:
        waiting.append(job)
        if len(waiting) >= depth:
            tag, done = waiting.popleft()
            yield tag, done.result()
    while waiting:
        tag, done = waiting.popleft()
        yield tag, done.result()


def pieces(data: bytes | BinaryIO, size: int, step: int) -> Iterator[tuple[bytes, bool]]:
    """``size`` bytes of ``data`` (bytes, or a file positioned at their start) in pieces
    of ``step`` bytes, each with whether it is the last (one empty piece for no bytes)."""
    done = 0
    while True:
        if isinstance(data, bytes):
            raw = data[done : done + step]
        else:
            raw = data.read(min(step, size - done))
        done += len(raw)
        last = done >= size or not raw
        yield raw, last
        if last:
            return


def _blocks(data: bytes | BinaryIO, size: int) -> Iterator[tuple[bytes, bytes, bool]]:
    """(block, the 32 KiB before it, whether it is the last) for ``size`` bytes."""
    primer = b""
    for raw, last in pieces(data, size, BLOCK):
        yield raw, primer, last
        primer = raw[-_WINDOW:]


def _deflate(raw: bytes, primer: bytes, last: bool) -> bytes:
    if primer:
        c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=primer)
    else:
        c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _fields(e: _Entry, version: int, extra: bytes) -> bytes:
    """What local and central headers share: from "version needed" to "extra length"."""
    sizes = (_FULL, _FULL) if e.zip64 else (e.compressed, e.size)
    return struct.pack(
        "<HHHHHIIIHH",
        version,
        0,
        e.method,
        _DOS_TIME,
        _DOS_DATE,
        e.crc,
        *sizes,
        len(e.name),
        len(extra),
    )


def _local_header(e: _Entry) -> bytes:
    extra = struct.pack("<HHQQ", 1, 16, e.size, e.compressed) if e.zip64 else b""
    return struct.pack("<I", 0x04034B50) + _fields(e, 45 if e.zip64 else 20, extra) + e.name + extra


def _central_header(e: _Entry) -> bytes:
    far = e.offset >= ZIP64_FROM
    values = [e.size, e.compressed] if e.zip64 else []
    if far:
        values.append(e.offset)
    extra = struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values) if values else b""
    version = 45 if extra else 20
    return (
        struct.pack("<IH", 0x02014B50, _MADE_BY_UNIX | version)
        + _fields(e, version, extra)
        + struct.pack("<HHHII", 0, 0, 0, _UNIX_0644, _FULL if far else e.offset)
        + e.name
        + extra
    )
