"""The cache of file hashes: a rebuild with nothing changed reads no content file, and
no edit slips past it (same size, restored modification time, racy timestamps)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deckbuilder import inputs as stamp
from deckbuilder.build import build
from tests.helpers import replace_in

CACHE = ".clinical-quiz.apkg.hashes.json"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the up-to-date check reads to hash it."""
    seen: list[Path] = []
    real = stamp.read_with_key

    def counting(path: Path) -> tuple[bytes, stamp.StatKey]:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(stamp, "read_with_key", counting)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat files as settled at once (the real margin is two seconds)."""
    monkeypatch.setattr(stamp.FileHashes, "RACY_SECONDS", 0)


@pytest.mark.usefixtures("settled")
def test_a_rebuild_with_nothing_changed_reads_no_content_file(
    content: Path, dist: Path, reads: list[Path]
) -> None:
    assert build(content, dist).written
    cached = json.loads((dist / CACHE).read_text(encoding="utf-8"))["files"]
    assert set(cached) == {"deck.yaml", "cases/alt-thigh.yaml", *_images(content)}
    reads.clear()
    again = build(content, dist)
    assert again.up_to_date and not again.written
    assert reads == []


@pytest.mark.usefixtures("settled")
def test_an_edit_keeping_size_and_modification_time_is_still_seen(
    content: Path, dist: Path
) -> None:
    build(content, dist)
    case = content / "cases" / "alt-thigh.yaml"
    before = case.stat()
    replace_in(case, "C: RT alone", "C: RT aloNe")
    os.utime(case, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = case.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    result = build(content, dist)
    assert not result.up_to_date
    assert result.plan is not None
    assert [n.status for n in result.plan.notes].count("updated") == 1


def test_files_changed_moments_before_are_not_remembered(
    content: Path, dist: Path, reads: list[Path]
) -> None:
    build(content, dist)  # every file was copied into place just now: all "racy"
    assert not (dist / CACHE).exists()
    reads.clear()
    assert build(content, dist).up_to_date
    assert content / "cases" / "alt-thigh.yaml" in reads


@pytest.mark.usefixtures("settled")
def test_a_damaged_or_foreign_cache_costs_only_a_read(
    content: Path, dist: Path, reads: list[Path]
) -> None:
    build(content, dist)
    for damage in ("{not json", '{"format": 99}', '{"format": 1, "files": {"deck.yaml": [1]}}'):
        (dist / CACHE).write_text(damage, encoding="utf-8")
        reads.clear()
        assert build(content, dist).up_to_date
        assert content / "deck.yaml" in reads
    reads.clear()
    assert build(content, dist).up_to_date  # the cache was written afresh
    assert reads == []


@pytest.mark.usefixtures("settled")
def test_a_renamed_file_is_forgotten_and_a_dry_run_writes_no_cache(
    content: Path, dist: Path
) -> None:
    build(content, dist)
    (content / "cases" / "alt-thigh.yaml").rename(content / "cases" / "thigh.yaml")
    cache = dist / CACHE
    before = cache.read_bytes()
    assert build(content, dist, dry_run=True).plan is not None
    assert cache.read_bytes() == before
    build(content, dist)
    cached = json.loads(cache.read_text(encoding="utf-8"))["files"]
    assert "cases/thigh.yaml" in cached and "cases/alt-thigh.yaml" not in cached


def _images(content: Path) -> list[str]:
    from deckbuilder.content.folder import list_content

    return [rel for rel, _ in list_content(content).images]


def test_a_file_racy_when_read_is_not_remembered_however_late_the_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What counts is how recently the file changed before it was read: a long build
    must not make a file read moments after an edit look settled."""
    import time

    case = tmp_path / "case.yaml"
    case.write_text("id: a\n", encoding="utf-8")
    hashes = stamp.FileHashes(tmp_path / "cache.json")
    hashes.digest("case.yaml", case)
    later = time.time_ns() + 100 * 1_000_000_000
    monkeypatch.setattr(stamp.time, "time_ns", lambda: later)
    hashes.save()
    assert not (tmp_path / "cache.json").exists()
    assert stamp.FileHashes.settled(stamp.stat_key(case.stat()))  # now it would be


@pytest.mark.parametrize("remembered", [True, False])
def test_an_edit_saved_during_a_build_is_built_by_the_next_one(
    content: Path, dist: Path, monkeypatch: pytest.MonkeyPatch, remembered: bool
) -> None:
    """The stamp describes the bytes the deck was made from, so a file saved while the
    build runs (build-on-save in an editor) is not mistaken for built."""
    if remembered:
        monkeypatch.setattr(stamp.FileHashes, "RACY_SECONDS", 0)
    case = content / "cases" / "alt-thigh.yaml"
    build(content, dist)

    def edit_once(stage: str, done: int, total: int) -> None:
        if stage == "building" and "RT aloNe" not in case.read_text(encoding="utf-8"):
            replace_in(case, "C: RT only", "C: RT aloNe")

    replace_in(case, "C: RT alone", "C: RT only")
    during = build(content, dist, progress=edit_once)  # read "RT only", then edited
    assert during.written
    assert "RT aloNe" not in _deck_text(during.deck_path)
    after = build(content, dist)
    assert not after.up_to_date
    assert "RT aloNe" in _deck_text(after.deck_path)
    assert build(content, dist).up_to_date


def _deck_text(deck: Path) -> str:
    """Every field of every note, as the official engine stores them after importing."""
    import tempfile

    from tests.ankiengine import import_apkg, open_collection

    with tempfile.TemporaryDirectory() as tmp:
        col = open_collection(Path(tmp, "c.anki2"))
        try:
            import_apkg(col, deck)
            notes = [col.get_note(nid) for nid in col.find_notes("")]
            return "\n".join(field for note in notes for field in note.fields)
        finally:
            col.close()
