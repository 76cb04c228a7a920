"""The part of a build that runs on every core: read, validate and render case files.

Each job takes one case file and returns everything the build's main process needs from
it — the report of reading it, its rendered notes (fingerprints computed), the problems
— all small and picklable. Large decks run their jobs in a process pool, in file order;
small ones in the calling process. With a render cache
(:mod:`deckbuilder.pipeline.cache`), the files whose entry holds are not rendered at all:
only the others go to the jobs, which store what they render.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.content.loader import ReadReport
    from deckbuilder.content.model import Deck
    from deckbuilder.errors import ContentProblem
    from deckbuilder.notes.spec import CaseNotes
    from deckbuilder.pipeline.cache import RenderCache

PARALLEL_FROM = 64  # case files; below this a process pool costs more than it saves


@dataclass(frozen=True)
class CaseResult:
    """What reading and rendering one case file gave."""

    report: ReadReport
    notes: CaseNotes | None  # None when the file has problems
    problems: list[ContentProblem]  # found while rendering (images, unsafe text)


class _Job:
    """Reads and renders case files of one folder, with one cache of images."""

    def __init__(self, root: Path, deck: Deck, cache: RenderCache | None = None) -> None:
        from deckbuilder.content.media import MediaFiles
        from deckbuilder.notes.builder import NoteBuilder

        self.root = root
        self.cache = cache
        self.media = MediaFiles(root)
        self.builder = NoteBuilder(deck, self.media)

    def __call__(self, path: Path) -> CaseResult:
        from deckbuilder.content.loader import read_case_file
        from deckbuilder.errors import Problems

        loaded, report = read_case_file(self.root, path, self.media.resolve)
        if loaded is None:
            return CaseResult(report, None, [])
        problems = Problems()  # this file's, sent to the main process as a list
        notes = self.builder.case_notes(loaded, problems)
        for note in notes.notes if notes else ():
            _ = note.fingerprint  # computed here, in parallel, and sent along cached
        result = CaseResult(report, notes, list(problems))
        if self.cache is not None:
            self.cache.store(result)
        return result


def cached_results(cache: RenderCache, files: list[Path]) -> dict[int, CaseResult]:
    """The results the cache holds for ``files``, by their index (each file read and
    hashed here; a file that cannot be read is left to its job, which reports it)."""
    from deckbuilder.content.folder import MAX_FILE_BYTES

    found = {}
    for i, path in enumerate(files):
        try:
            digest = cache.digest(path, MAX_FILE_BYTES)
        except OSError:
            continue
        result = cache.lookup(path, digest)
        if result is not None:
            found[i] = result
    return found


def _merged(
    count: int, cached: dict[int, CaseResult], rendered: Iterator[CaseResult]
) -> Iterator[tuple[CaseResult, bool]]:
    for i in range(count):
        yield (cached[i], False) if i in cached else (next(rendered), True)


@contextlib.contextmanager
def case_results(
    root: Path, deck: Deck, files: list[Path], cache: RenderCache | None = None
) -> Iterator[Iterator[tuple[CaseResult, bool]]]:
    """Every case file's result, in file order, and whether it was rendered (not taken
    from the cache): on all cores for large decks (YAML parsing, validation and Markdown
    are CPU-bound Python), in this process for small ones. With ``cache``, what it holds
    is taken from it and only the rest is rendered.

    The workers start on entering, so they are busy while the caller gets ready (reads
    the lock, creates the database) before it takes the first result.
    """
    import multiprocessing

    cached = cached_results(cache, files) if cache is not None else {}
    todo = [path for i, path in enumerate(files) if i not in cached]
    cores = os.cpu_count() or 1
    if (
        len(todo) < PARALLEL_FROM
        or cores < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield _merged(len(files), cached, map(_Job(root, deck, cache), todo))
        return
    from concurrent.futures import ProcessPoolExecutor

    # The workers are forked with the folder, the deck and the file list (initargs are
    # not pickled under fork): each task is then just a file's number.
    pool = ProcessPoolExecutor(
        cores,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_setup,
        initargs=(root, deck, todo, os.getpid(), cache),
    )
    try:
        yield _merged(len(files), cached, pool.map(_job_in_worker, range(len(todo)), chunksize=16))
    except BaseException:
        # A problem (a damaged lock, Ctrl-C, ...) must not wait for every file to be
        # rendered: drop the queued work; the workers finish the few files they hold
        # (killing one mid-message would leave the pool waiting for the rest forever).
        pool.shutdown(cancel_futures=True)
        raise
    pool.shutdown()


_worker: tuple[_Job, list[Path]] | None = None


def _worker_setup(
    root: Path, deck: Deck, files: list[Path], parent: int, cache: RenderCache | None
) -> None:
    """Runs in each worker as it starts. Ctrl-C is the main process's to handle (it
    stops the workers); a worker whose main process died (killed, out of memory) exits
    at once instead of waiting forever on a pipe while holding the folder's lock."""
    import signal
    import threading

    global _worker
    _worker = (_Job(root, deck, cache), files)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _job_in_worker(index: int) -> CaseResult:
    assert _worker is not None
    job, files = _worker
    return job(files[index])
