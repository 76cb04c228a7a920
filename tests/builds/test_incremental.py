"""Incremental builds (issue 23): a build renders again only the cases whose inputs
changed, takes the rest from the render cache, and writes the very bytes a full build of
the same content and lock writes. A damaged, foreign or stale cache is never used."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import deckbuilder.pipeline.cache
import deckbuilder.pipeline.workers
from deckbuilder import build
from deckbuilder.pipeline.cache import RenderCache, cache_home
from tests.support.helpers import generated_content, replace_in
from tests.support.paths import LOCK_FILE

EPOCH = "1800000000"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("DECKBUILDER_CACHE_DIR", str(home))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return home


def _full_build_of(content: Path, lock: bytes, out: Path) -> bytes:
    """A clean full build (no cache) of a copy of ``content`` with ``lock``."""
    copy = out / "content"
    shutil.copytree(content, copy, ignore=shutil.ignore_patterns(LOCK_FILE))
    (copy / LOCK_FILE).write_bytes(lock)
    return build(copy, out / "dist", cache=False).deck_path.read_bytes()


def _case(content: Path, n: int) -> Path:
    return content / "cases" / f"case-{n:06d}.yaml"


def test_one_case_edit_renders_that_case_and_writes_a_full_builds_bytes(
    tmp_path: Path, cache_dir: Path
) -> None:
    content = generated_content(tmp_path / "content", 12)
    assert len(build(content, tmp_path / "dist").rendered) == 12
    lock = (content / LOCK_FILE).read_bytes()
    replace_in(_case(content, 3), "critique: |\n", "critique: |\n      Reworded first.\n")
    result = build(content, tmp_path / "dist")
    assert result.rendered == (_case(content, 3),)
    assert result.plan is not None
    assert result.plan.refs("updated") == ["case-000003/q1"]
    assert result.deck_path.read_bytes() == _full_build_of(content, lock, tmp_path / "full")


def test_a_figure_change_renders_the_cases_that_show_it(tmp_path: Path, cache_dir: Path) -> None:
    content = generated_content(tmp_path / "content", 8)  # fig0 .. fig3, each in two cases
    build(content, tmp_path / "dist")
    lock = (content / LOCK_FILE).read_bytes()
    fig1 = content / "images" / "fig1.png"
    fig1.write_bytes((content / "images" / "fig2.png").read_bytes())
    result = build(content, tmp_path / "dist")
    assert result.rendered == (_case(content, 1), _case(content, 5))
    assert result.deck_path.read_bytes() == _full_build_of(content, lock, tmp_path / "full")


def test_parallel_incremental_build_writes_a_full_builds_bytes(
    tmp_path: Path, cache_dir: Path
) -> None:
    """From PARALLEL_FROM changed cases on, they are rendered on every core."""
    cases = deckbuilder.pipeline.workers.PARALLEL_FROM * 2 + 2
    content = generated_content(tmp_path / "content", cases)
    build(content, tmp_path / "dist")
    lock = (content / LOCK_FILE).read_bytes()
    for n in range(0, cases, 2):  # every other case: the cached ones interleave
        replace_in(_case(content, n), "critique: |\n", "critique: |\n      Reworded.\n")
    result = build(content, tmp_path / "dist")
    assert result.rendered == tuple(_case(content, n) for n in range(0, cases, 2))
    assert result.deck_path.read_bytes() == _full_build_of(content, lock, tmp_path / "full")


def test_deck_settings_change_renders_every_case(
    content: Path, tmp_path: Path, cache_dir: Path
) -> None:
    build(content, tmp_path / "dist")
    with (content / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("tags: [added-tag]\n")
    rendered = build(content, tmp_path / "dist").rendered
    assert len(rendered) == len(list((content / "cases").glob("*.yaml")))


def test_damaged_cache_entries_are_ignored_and_rewritten(tmp_path: Path, cache_dir: Path) -> None:
    content = generated_content(tmp_path / "content", 6)
    build(content, tmp_path / "dist")
    lock = (content / LOCK_FILE).read_bytes()
    entries = sorted(cache_dir.rglob("*.case"))
    assert len(entries) == 6
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # truncated
    flipped = bytearray(entries[1].read_bytes())
    flipped[-40] ^= 0xFF  # one byte of the payload
    entries[1].write_bytes(bytes(flipped))
    entries[2].write_bytes(b"")  # empty
    entries[3].unlink()
    entries[4].write_bytes(b"not a cache entry at all")
    shutil.rmtree(tmp_path / "dist")  # build again, from the same lock
    result = build(content, tmp_path / "dist")
    assert len(result.rendered) == 5  # the five damaged or missing ones; the sixth held
    assert result.deck_path.read_bytes() == _full_build_of(content, lock, tmp_path / "full")
    shutil.rmtree(tmp_path / "dist")
    assert build(content, tmp_path / "dist").rendered == ()  # rewritten whole


def test_an_entry_that_would_run_code_is_refused(
    content: Path, tmp_path: Path, cache_dir: Path
) -> None:
    """An entry whose checksum and key hold but whose pickle names anything but the
    build's data classes is refused unread: the cache cannot be made to run code."""
    build(content, tmp_path / "dist")
    (entry,) = cache_dir.rglob("*.case")
    case = next((content / "cases").glob("*.yaml"))
    import hashlib

    digest = hashlib.sha256(case.read_bytes()).digest()
    cache = RenderCache(content, hashlib.sha256((content / "deck.yaml").read_bytes()).digest())
    assert cache.lookup(case, digest) is not None
    payload = pickle.dumps(os.system)
    head = deckbuilder.pipeline.cache.MAGIC + cache.key(case, digest)
    entry.write_bytes(head + hashlib.sha256(payload).digest() + payload)
    assert cache.lookup(case, digest) is None


def test_a_cache_of_another_version_or_code_is_not_used(
    content: Path, tmp_path: Path, cache_dir: Path, monkeypatch
) -> None:
    build(content, tmp_path / "dist")
    monkeypatch.setattr("deckbuilder.__version__", "99.0.0")
    (content / LOCK_FILE).unlink()
    shutil.rmtree(tmp_path / "dist")
    rendered = build(content, tmp_path / "dist").rendered
    assert len(rendered) == 1  # the default deck's one case, rendered again
    versions = [p for p in cache_dir.iterdir() if p.is_dir()]
    assert len(versions) == 2  # each version in a folder of its own


def test_a_moved_case_file_is_rendered_again_and_its_old_entry_removed(
    content: Path, tmp_path: Path, cache_dir: Path
) -> None:
    build(content, tmp_path / "dist")
    (case,) = (content / "cases").glob("*.yaml")
    (content / "moved").mkdir()
    moved = content / "moved" / case.name
    case.rename(moved)
    assert build(content, tmp_path / "dist").rendered == (moved,)
    assert len(list(cache_dir.rglob("*.case"))) == 1


def test_no_cache_renders_everything_and_cache_home_follows_the_environment(
    content: Path, tmp_path: Path, cache_dir: Path, monkeypatch
) -> None:
    assert cache_home() == cache_dir
    build(content, tmp_path / "dist")
    (content / LOCK_FILE).unlink()
    assert len(build(content, tmp_path / "dist", cache=False).rendered) == 1
    monkeypatch.delenv("DECKBUILDER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_home() == tmp_path / "xdg" / "deckbuilder"


def test_a_build_that_keeps_memory_writes_a_full_builds_bytes_and_still_checks_the_lock(
    tmp_path: Path, cache_dir: Path
) -> None:
    """``build --watch`` keeps the rendered cases, the lock it wrote and the deck's
    frames in memory between builds: each rebuild still writes the bytes of a full
    build of the same content and lock, and a lock edited by hand is read and checked
    again."""
    from deckbuilder.errors import ContentError
    from deckbuilder.pipeline.cache import Memory

    content = generated_content(tmp_path / "content", 70)  # a collection of several frames
    memory = Memory()
    build(content, tmp_path / "dist", memory=memory)
    assert len(memory.cases) == 70 and len(memory.frames) > 1 and memory.locks
    for n in (3, 40):
        lock = (content / LOCK_FILE).read_bytes()
        replace_in(_case(content, n), "critique: |\n", "critique: |\n      Reworded.\n")
        result = build(content, tmp_path / "dist", memory=memory)
        assert result.rendered == (_case(content, n),)
        full = _full_build_of(content, lock, tmp_path / f"full{n}")
        assert result.deck_path.read_bytes() == full
    lock_path = content / LOCK_FILE
    lock_path.write_text(
        lock_path.read_text(encoding="utf-8").replace('"mtime": ', '"mtime": -', 1),
        encoding="utf-8",
    )
    replace_in(_case(content, 5), "critique: |\n", "critique: |\n      Reworded.\n")
    with pytest.raises(ContentError, match=LOCK_FILE):
        build(content, tmp_path / "dist", memory=memory)


def test_memory_reads_a_file_again_only_when_its_status_changed_or_is_too_recent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running build hashes a case file again when a save changed its status
    (even one that put the old modification time back: the change time moved), and
    always when it was written too recently for the file system's clock to tell two
    saves apart."""
    import hashlib
    import time

    from deckbuilder.pipeline.cache import Memory

    reads: list[Path] = []
    plain = deckbuilder.pipeline.cache.file_digest

    def counted(path: Path, limit: int) -> bytes:
        reads.append(path)
        return plain(path, limit)

    monkeypatch.setattr(deckbuilder.pipeline.cache, "file_digest", counted)
    memory = Memory()
    old, recent = tmp_path / "old.yaml", tmp_path / "recent.yaml"
    old.write_text("id: a\n")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(old, ns=(hour_ago, hour_ago))
    time.sleep(2.1)  # the change time that utime set is old enough to trust, too
    assert memory.digest(old, 100) == hashlib.sha256(b"id: a\n").digest()
    assert memory.digest(old, 100) == hashlib.sha256(b"id: a\n").digest()
    assert reads == [old]
    old.write_text("id: b\n")  # same size, same modification time put back
    os.utime(old, ns=(hour_ago, hour_ago))
    assert memory.digest(old, 100) == hashlib.sha256(b"id: b\n").digest()
    assert reads == [old, old]
    recent.write_text("id: c\n")
    for _ in range(3):
        memory.digest(recent, 100)
    assert reads == [old, old, recent, recent, recent]
