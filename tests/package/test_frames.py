"""zstd frames (deckbuilder.apkg.frames): the same bytes whether a frame is taken from
the store or made afresh, on any number of threads; a store that is damaged, or holds a
frame that is not the frame of what it stands for, is never used."""

from __future__ import annotations

import hashlib
import random
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import zstandard

from deckbuilder.apkg.frames import FRAME_SIZE, FrameStore, bound, compressed

SIZE = 5 * FRAME_SIZE + 12345


def _data(seed: int = 1) -> bytearray:
    """Compressible, like a collection: words drawn from a small vocabulary."""
    rng = random.Random(seed)
    words = [bytes(rng.choices(b"abcdefghij", k=rng.randint(2, 9))) for _ in range(300)]
    out = bytearray()
    while len(out) < SIZE:
        out += b" ".join(rng.choices(words, k=1000))
    return out[:SIZE]


def _pack(data: bytes, store: FrameStore | None = None, threads: int = 2) -> bytes:
    with ThreadPoolExecutor(threads) as pool:
        return b"".join(compressed(bytes(data), len(data), pool, 2 * threads, store))


def _unpack(packed: bytes) -> bytes:
    return zstandard.ZstdDecompressor().stream_reader(packed, read_across_frames=True).read()


def test_frames_are_independent_and_the_same_on_any_number_of_threads() -> None:
    data = _data()
    packed = _pack(data)
    assert _unpack(packed) == data
    assert zstandard.frame_content_size(packed) == FRAME_SIZE  # the first of six
    assert packed == _pack(data, threads=1) == _pack(data, threads=7)
    assert len(packed) <= bound(len(data))
    assert _unpack(_pack(b"")) == b""


def test_an_edit_makes_again_only_the_frames_it_touches(tmp_path: Path) -> None:
    path = tmp_path / "frames"
    data = _data()
    first = FrameStore(path)
    _pack(data, first)
    assert first.reused == 0
    first.save()
    data[3 * FRAME_SIZE + 10 : 3 * FRAME_SIZE + 14] = b"EDIT"
    second = FrameStore(path)
    packed = _pack(data, second)
    assert second.reused == 5  # of six
    assert packed == _pack(data)  # a full build's bytes
    assert _unpack(packed) == data
    second.save()
    third = FrameStore(path)
    _pack(data, third)
    assert third.reused == 6


def test_a_damaged_store_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "frames"
    data = _data()
    store = FrameStore(path)
    fresh = _pack(data, store)
    store.save()
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    again = FrameStore(path)
    assert _pack(data, again) == fresh and again.reused == 0
    for junk in (b"", b"not a store", path.read_bytes()[:100]):
        path.write_bytes(junk)
        again = FrameStore(path)
        assert _pack(data, again) == fresh and again.reused == 0


def test_a_frame_that_is_not_of_what_it_stands_for_is_made_again(tmp_path: Path) -> None:
    """A store whose checksum holds but whose frame for a key decompresses to other
    bytes (or not at all) is no frame of those bytes: it is made afresh."""
    data = _data()
    chunk = bytes(data[:FRAME_SIZE])
    store = FrameStore(tmp_path / "frames")
    other = zstandard.ZstdCompressor(level=9).compress(bytes(_data(2)[:FRAME_SIZE]))
    for forged in (other, b"\x28\xb5\x2f\xfd garbage"):
        body = store.key(chunk) + struct.pack("<I", len(forged)) + forged
        (tmp_path / "frames").write_bytes(FrameStore.MAGIC + body + hashlib.sha256(body).digest())
        again = FrameStore(tmp_path / "frames")
        assert again.get(store.key(chunk)) == forged  # read: the file is whole
        assert _pack(data, again) == _pack(data) and again.reused == 0


def test_a_store_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "ro").write_text("a file where the store's folder would be")
    store = FrameStore(tmp_path / "ro" / "frames")
    _pack(_data(), store)
    store.save()
    assert not (tmp_path / "ro" / "frames").exists()
