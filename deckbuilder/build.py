"""A whole build: load → notes → plan against the lock → package. Callable from tests.

The CLI's ``build`` and ``check`` commands are thin shells over :func:`build` and
:func:`check`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deckbuilder.apkg.writer import CollectionWriter, deck_json, write_atomic, write_package
from deckbuilder.content.folder import DECK_FILE, LOCK_FILE
from deckbuilder.errors import ContentError, ContentProblem
from deckbuilder.inputs import FileHashes, cache_path, inputs_digest, stamp, up_to_date
from deckbuilder.notes import ids
from deckbuilder.notes.notetype import contract_fingerprint, notetype_json
from deckbuilder.workers import case_jobs, forget_files

if TYPE_CHECKING:
    from deckbuilder.content.loader import Content, ContentReader
    from deckbuilder.content.model import DeckConfig
    from deckbuilder.notes.builder import BuiltNotes, Media
    from deckbuilder.notes.state import Plan

Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass(frozen=True)
class BuildResult:
    """What a build did (or, with ``dry_run``, would do)."""

    deck_path: Path
    size: int
    written: bool
    lock_path: Path
    notes: int
    plan: Plan | None = None  # None when the deck was already up to date

    @property
    def up_to_date(self) -> bool:
        return self.plan is None


def check(content_dir: Path, progress: Progress | None = None) -> tuple[Content, BuiltNotes]:
    """Validate a content folder and render its notes without writing anything."""
    from deckbuilder.content.loader import load_content
    from deckbuilder.notes.builder import build_notes

    forget_files()
    content = load_content(Path(content_dir), progress)
    return content, build_notes(content, progress)


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def build(
    content_dir: Path,
    output_dir: Path | None = None,
    *,
    dry_run: bool = False,
    drop_retired: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the deck of ``content_dir`` into ``output_dir/<deck id>.apkg``.

    Raises :class:`~deckbuilder.errors.ContentError` (bad content, nothing written),
    :class:`~deckbuilder.errors.ContractError` (the build would break colleagues'
    collections) or :class:`~deckbuilder.errors.OutputError`.
    """
    with exclusive(Path(content_dir)), _without_cycle_collection():
        return _build(
            content_dir,
            output_dir,
            dry_run=dry_run,
            drop_retired=drop_retired,
            force=force,
            progress=progress,
        )


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on the content folder for the whole build.

    Two builds started at once (an editor's build-on-save and a terminal, say) then run
    one after the other: the second sees the first one's lock file and both end with
    the same valid deck. Locks the folder itself, so no lock file is left behind.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield  # a missing folder is reported by the loader
        return
    try:
        with contextlib.suppress(OSError):  # e.g. no locks on a network file system
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for the build (and the workers it forks).

    A build allocates millions of small, short-lived objects that reference counting
    frees; the collector would meanwhile rescan every object still alive — the fingerprint
    of each note built so far — again and again: 10% of a 100,000-note build, growing
    faster than the deck. The build creates no reference cycles worth collecting.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(
    content_dir: Path,
    output_dir: Path | None,
    *,
    dry_run: bool,
    drop_retired: bool,
    force: bool,
    progress: Progress | None,
) -> BuildResult:
    out = Path("dist") if output_dir is None else Path(output_dir)
    if not (dry_run or drop_retired or force):
        current = up_to_date(Path(content_dir), out)
        if current is not None:
            deck_path, notes = current
            lock_path = Path(content_dir) / LOCK_FILE
            return BuildResult(deck_path, deck_path.stat().st_size, False, lock_path, notes)

    from deckbuilder.content.loader import ContentReader

    forget_files()
    reader = ContentReader(Path(content_dir), progress)
    if reader.deck is None:  # nothing can be rendered; still report every problem
        for _ in reader.cases():
            pass
        reader.finish()
    assert reader.deck is not None
    deck = reader.deck
    deck_path = out / f"{deck.id}.apkg"
    lock_path = reader.root / LOCK_FILE
    hashes = FileHashes(None if dry_run else cache_path(deck_path))
    _pin_unrendered_inputs(reader, hashes)
    plan, collection, media = _render_and_plan(
        reader, deck, drop_retired=drop_retired, force=force, hashes=hashes
    )

    def lock_and_stamp() -> tuple[str, bytes]:
        text = plan.lock.dumps()
        digest = inputs_digest(reader.root, text.encode("utf-8"), hashes, reader.listing)
        return text, stamp(digest, len(plan.notes))

    from concurrent.futures import ThreadPoolExecutor

    # The lock's text and the input stamp (the zip's comment, written last) are made
    # while the database is being compressed.
    side = ThreadPoolExecutor(1)
    stamped = side.submit(lock_and_stamp)

    def package(dest: BinaryIO) -> None:
        write_package(dest, collection, media, comment=lambda: stamped.result()[1])

    with collection, side:
        if dry_run:
            with tempfile.TemporaryFile() as sink:
                package(sink)
                size = sink.tell()
        else:
            write_atomic(deck_path, package)
            size = deck_path.stat().st_size
            lock_text = stamped.result()[0]
            if not lock_path.exists() or lock_path.read_text(encoding="utf-8") != lock_text:
                write_atomic(lock_path, lock_text.encode("utf-8"))
            hashes.save()
    return BuildResult(deck_path, size, not dry_run, lock_path, len(plan.notes), plan)


def _pin_unrendered_inputs(reader: ContentReader, hashes: FileHashes) -> None:
    """Fix the digests the input stamp will use for the deck file (as the reader read
    it) and the images (now, before any case uses them; case files are pinned as the
    workers read them). A file edited during the build then leaves a stamp that does
    not match, and the next build builds again."""
    if reader.deck_hashed is not None:
        hashes.record(DECK_FILE, *reader.deck_hashed)
    for rel, path in reader.listing.images:
        try:
            hashes.digest(rel, path)
        except OSError as exc:
            raise ContentError([ContentProblem.unreadable(path, exc)]) from exc


def _render_and_plan(
    reader: ContentReader,
    deck: DeckConfig,
    *,
    drop_retired: bool,
    force: bool,
    hashes: FileHashes,
) -> tuple[Plan, BinaryIO, tuple[Media, ...]]:
    """Stream every case through rendering, planning and the database, one at a time:
    what a build holds in memory is one case plus a fingerprint per note."""
    from deckbuilder.notes.builder import NoteBuilder
    from deckbuilder.notes.description import deck_description
    from deckbuilder.notes.state import Planner, read_lock

    deck_id = ids.deck_id(deck.id)
    nt_id = ids.notetype_id(deck.id)
    files = reader.files()
    names = {path: rel for rel, path in reader.listing.cases}
    with case_jobs(reader.root, deck, files) as jobs:
        planner = Planner(
            read_lock(reader.root),
            deck_key=deck.id,
            deck_id=deck_id,
            notetype_id=nt_id,
            contract=contract_fingerprint(),
            force=force,
        )
        builder = NoteBuilder(reader.root, deck)
        writer = CollectionWriter(notetype_id=nt_id, deck_id=deck_id)
        try:
            summaries = []
            fingerprints = []
            for i, (read, notes, media, problems, summary) in enumerate(jobs):
                if reader.progress:
                    reader.progress("building", i, len(files))
                if read.hashed is not None:
                    hashes.record(names[read.path], *read.hashed)
                if not reader.accept(read) or summary is None:
                    continue
                builder.merge(media, problems)
                summaries.append(summary)
                fingerprints += [n.fingerprint for n in notes]
                writer.add((n, planner.note(n)) for n in notes)
            reader.finish()
            builder.finish()
            writer.add(planner.retired(drop_retired))
            description = deck_description(deck, summaries, fingerprints)
            plan = planner.finish(
                _hash([deck.name, description])[:32],
                _hash(notetype_json(nt_id, deck.name, deck_id, 0))[:32],
            )
            collection = writer.finish(
                deck_json=deck_json(deck_id, deck.name, description, plan.deck_mtime),
                notetype_json=notetype_json(nt_id, deck.name, deck_id, plan.notetype_mtime),
                col_mtime=plan.newest,
            )
        except BaseException:
            writer.close()
            raise
    return plan, collection, builder.media_files()
