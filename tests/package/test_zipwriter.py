"""The zip writer: blocks compressed on several threads join into one stream that any
reader takes, stored entries (the current format's zstd streams) come back as written,
the bytes never depend on the number of threads, and ZIP64 works."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckbuilder import build
from deckbuilder.apkg import zipwriter
from deckbuilder.apkg.zipwriter import ZipWriter
from tests.support.ankiengine import import_into
from tests.support.paths import DEFAULT_NOTES

STORED = frozenset({"meta", "collection.anki21b"})

# Text-like data: a few words repeated, so blocks refer back across their boundaries.
_data = st.lists(
    st.sampled_from([b"lipoma ", b"MDM2 ", b"\x00", b"\xff\xfe", b"sarcoma\n", b"x" * 300]),
    max_size=400,
).map(b"".join) | st.binary(max_size=5000)


def _zip(
    entries: dict[str, bytes], threads: int, comment: bytes = b"", stored: frozenset[str] = STORED
) -> bytes:
    out = io.BytesIO()
    with ZipWriter(out, threads=threads) as zf:
        for name, data in entries.items():
            if name in stored:  # in pieces, as a zstd stream arrives
                zf.store(name, (data[i : i + 7] for i in range(0, len(data), 7)), len(data))
            else:
                zf.write(name, io.BytesIO(data) if len(data) % 2 else data, len(data))
        zf.close(comment)
    return out.getvalue()


@given(
    entries=st.dictionaries(
        st.sampled_from(["meta", "collection.anki21b", "collection.anki2", "media", "0"]), _data
    ),
    block=st.integers(1, 2048),
    comment=st.binary(max_size=40),
)
def test_any_reader_reads_back_exactly_what_was_written(
    entries: dict[str, bytes], block: int, comment: bytes
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(zipwriter, "BLOCK", block)
        one = _zip(entries, threads=1, comment=comment)
        assert _zip(entries, threads=4, comment=comment) == one
    with zipfile.ZipFile(io.BytesIO(one)) as zf:
        assert zf.testzip() is None
        assert zf.comment == comment
        assert [i.filename for i in zf.infolist()] == list(entries)
        for info in zf.infolist():
            assert zf.read(info) == entries[info.filename]
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            stored = info.filename in STORED
            assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


def test_a_short_source_is_an_error_not_a_broken_entry() -> None:
    with ZipWriter(io.BytesIO()) as zf, pytest.raises(ValueError, match="expected 10 bytes"):
        zf.write("x", io.BytesIO(b"12345"), 10)


def test_a_stored_entry_longer_than_announced_is_an_error() -> None:
    with ZipWriter(io.BytesIO()) as zf, pytest.raises(ValueError, match="more than the 3 bytes"):
        zf.store("x", [b"12", b"345"], 3)


def test_zip64_records_are_read_by_python_and_by_the_anki_engine(
    monkeypatch: pytest.MonkeyPatch, content: Path, dist: Path, tmp_path: Path
) -> None:
    """Entries and offsets past 4 GiB need ZIP64; with the threshold lowered, every
    entry and the directory take that path, and both readers still accept the deck."""
    with zipfile.ZipFile(build(content, dist).deck_path) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
        stored = frozenset(i.filename for i in zf.infolist() if i.compress_type == 0)
        comment = zf.comment
    assert stored == {"meta", "collection.anki21b", "media"}
    monkeypatch.setattr(zipwriter, "ZIP64_FROM", 100)
    deck = tmp_path / "zip64.apkg"
    deck.write_bytes(_zip(entries, threads=2, comment=comment, stored=stored))
    with zipfile.ZipFile(deck) as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == entries
        # The first entry ("meta", two bytes at offset 0) needs no ZIP64; every other does.
        assert [i.filename for i in zf.infolist() if not i.extra] == ["meta"]
    log = import_into(tmp_path / "c.anki2", deck)
    assert log.new == DEFAULT_NOTES
