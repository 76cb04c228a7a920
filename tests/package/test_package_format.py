"""The package format: Anki's current one by default (zstd, as Anki's own export), the
legacy one with ``support_older_anki``; both judged by the engine's importer."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from deckbuilder import build
from deckbuilder.apkg import protobuf
from deckbuilder.apkg.writer import NOTICE, notice_collection
from tests.support.ankiengine import ImportLog, collection, import_into
from tests.support.helpers import generated_content, replace_in
from tests.support.packages import collection_bytes
from tests.support.paths import DEFAULT_NOTES, REPO

FEATURES = REPO / "tests" / "fixtures" / "features"

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MCQ = "Clinical MCQ (Clinical Quiz)"


def _features(tmp_path: Path) -> Path:
    """A copy of the features fixture (a build writes its lock beside the content)."""
    return Path(shutil.copytree(FEATURES, tmp_path / "features-content"))


def _entries(apkg: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(apkg) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


def test_the_default_package_is_anki_s_current_format(content: Path, dist: Path) -> None:
    deck = build(content, dist).deck_path
    entries = _entries(deck)
    assert list(entries) == ["meta", "collection.anki21b", "collection.anki2", "media"]
    assert entries["meta"] == (b"\x08\x03", zipfile.ZIP_STORED)  # PackageMetadata LATEST
    for name in ("collection.anki21b", "media"):
        data, method = entries[name]
        assert method == zipfile.ZIP_STORED and data.startswith(ZSTD_MAGIC), name
    assert entries["collection.anki2"] == (notice_collection(), zipfile.ZIP_DEFLATED)
    log = import_into(deck.parent / "c.anki2", deck)
    assert log == ImportLog(DEFAULT_NOTES, 0, 0, 0)
    with collection(deck.parent / "c.anki2") as col:
        assert col.note_count() == DEFAULT_NOTES  # not the notice for older versions
        assert col.find_notes(f'"{NOTICE[:40]}"') == []


def test_the_deck_is_the_same_on_any_number_of_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collection is zstd-compressed on every core, as independent frames: a
    collection of several frames is written the same with one thread or 64, and the
    engine reads every frame of it."""
    import functools

    from deckbuilder.apkg import frames, zipwriter

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    content = generated_content(tmp_path / "content", 320)
    decks = []
    for threads in (1, 64):
        writer = functools.partial(zipwriter.ZipWriter, threads=threads)
        monkeypatch.setattr(zipwriter, "ZipWriter", writer)
        (content / "deckbuilder.lock.json").unlink(missing_ok=True)
        out = tmp_path / f"dist{threads}"
        decks.append(build(content, out, cache=False).deck_path)
    assert decks[0].read_bytes() == decks[1].read_bytes()
    packed = _entries(decks[0])["collection.anki21b"][0]
    assert len(collection_bytes(decks[0])) > 3 * frames.FRAME_SIZE
    assert zstandard.frame_content_size(packed) == frames.FRAME_SIZE  # the first of several
    assert import_into(tmp_path / "c.anki2", decks[0]).new == 320 * 7


def test_media_reach_the_collection_byte_for_byte(tmp_path: Path) -> None:
    """Both figures, one of them a 3 MB photograph packed as several zstd frames."""
    import os

    from PIL import Image

    from deckbuilder.apkg import frames

    content = _features(tmp_path)
    noise = Image.frombytes("RGB", (1024, 1024), os.urandom(3 * 1024 * 1024))
    noise.save(content / "cases" / "mri.png")
    assert (content / "cases" / "mri.png").stat().st_size > 2 * frames.FRAME_SIZE
    deck = build(content, tmp_path / "dist").deck_path
    listed = [
        dict(protobuf.fields(entry))
        for _, entry in protobuf.fields(
            zstandard.ZstdDecompressor().decompressobj().decompress(_entries(deck)["media"][0])
        )
    ]
    assert len(listed) == 2
    sources = {
        hashlib.sha1(p.read_bytes()).digest(): p.read_bytes()
        for p in (content / "cases").glob("*.png")
    }
    col_path = tmp_path / "c.anki2"
    import_into(col_path, deck)
    with collection(col_path) as col:
        media = Path(col.media.dir())
        for entry in listed:
            stored = (media / entry[1].decode()).read_bytes()  # the name the package gave
            assert stored == sources[entry[3]] and entry[2] == len(stored)
            assert hashlib.sha1(stored).digest() == entry[3]


def test_support_older_anki_writes_the_legacy_format_and_switching_changes_no_note(
    cli, content: Path, dist: Path, tmp_path: Path
) -> None:
    col_path = tmp_path / "colleague.anki2"
    deck = dist / "clinical-quiz.apkg"
    run = cli("build", str(content), "-o", str(dist))
    assert run.exit_code == 0 and "legacy" not in run.output
    assert import_into(col_path, deck).new == DEFAULT_NOTES
    with (content / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("support_older_anki: true\n")
    run = cli("build", str(content), "-o", str(dist))
    assert run.exit_code == 0 and "is up to date" not in run.output
    assert re.search(
        r"Wrote \S*clinical-quiz\.apkg \(\d+ KiB, legacy format for older Anki\): ", run.output
    )
    again = json.loads(cli("build", str(content), "-o", str(dist), "--json").stdout)
    assert (again["outcome"], again["format"]) == ("up_to_date", "anki2")
    up_to_date = cli("build", str(content), "-o", str(dist)).output
    assert re.match(
        r"\S*clinical-quiz\.apkg is up to date \(legacy format for older Anki\): ", up_to_date
    ), up_to_date
    entries = _entries(deck)
    assert list(entries) == ["collection.anki2", "media"]
    assert all(method == zipfile.ZIP_DEFLATED for _, method in entries.values())
    assert entries["media"][0] == b"{}"
    assert cli("inspect", str(deck), "--json").stdout.count('"format": "anki2"') == 1
    assert import_into(col_path, deck) == ImportLog(0, 0, DEFAULT_NOTES, 0)
    replace_in(content / "deck.yaml", "support_older_anki: true\n", "")
    back = json.loads(cli("build", str(content), "-o", str(dist), "--json").stdout)
    assert (back["outcome"], back["format"]) == ("written", "anki21b")
    assert "collection.anki21b" in _entries(deck)
    assert import_into(col_path, deck) == ImportLog(0, 0, DEFAULT_NOTES, 0)
    with collection(col_path) as col:
        assert [m["name"] for m in col.models.all()].count(MCQ) == 1
        assert not any(m["name"].startswith(MCQ + "+") for m in col.models.all())


@given(
    st.lists(
        st.tuples(
            st.text(min_size=1), st.integers(0, 2**32 - 1), st.binary(min_size=20, max_size=20)
        )
    )
)
def test_anki_s_own_protobuf_classes_read_our_media_list(
    entries: list[tuple[str, int, bytes]],
) -> None:
    """Judged by the message classes the ``anki`` package is built with, not by our own
    decoder (which the reader also uses)."""
    from anki.import_export_pb2 import MediaEntries

    parsed = MediaEntries.FromString(protobuf.media_entries(entries))
    assert [(e.name, e.size, e.sha1) for e in parsed.entries] == entries
    assert all(not e.HasField("legacy_zip_filename") for e in parsed.entries)
    ours = [dict(protobuf.fields(e)) for _, e in protobuf.fields(protobuf.media_entries(entries))]
    assert [(d[1].decode(), d[2], d[3]) for d in ours] == entries


def test_anki_s_own_protobuf_classes_read_our_package_metadata() -> None:
    from anki.import_export_pb2 import PackageMetadata

    meta = PackageMetadata.FromString(protobuf.package_metadata())
    assert meta.version == PackageMetadata.Version.VERSION_LATEST
