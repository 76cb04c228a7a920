"""The part of a build that runs on every core: read, validate and render case files.

Each job takes one case file and returns everything the build's main process needs from
it — the report of reading it, its rendered notes (fingerprints computed), the problems
— all small and picklable. Large decks run their jobs in a process pool, in file order;
small ones in the calling process.
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

PARALLEL_FROM = 64  # case files; below this a process pool costs more than it saves


@dataclass(frozen=True)
class CaseResult:
    """What reading and rendering one case file gave."""

    report: ReadReport
    notes: CaseNotes | None  # None when the file has problems
    problems: list[ContentProblem]  # found while rendering (images, unsafe text)


class _Job:
    """Reads and renders case files of one folder, with one cache of images."""

    def __init__(self, root: Path, deck: Deck) -> None:
        from deckbuilder.content.media import MediaFiles
        from deckbuilder.notes.builder import NoteBuilder

        self.root = root
        self.media = MediaFiles(root)
        self.builder = NoteBuilder(deck, self.media)

    def __call__(self, path: Path) -> CaseResult:
        from deckbuilder.content.loader import read_case_file

        loaded, report = read_case_file(self.root, path, self.media.resolve)
        if loaded is None:
            return CaseResult(report, None, [])
        self.builder.problems = []
        notes = self.builder.case_notes(loaded)
        for note in notes.notes if notes else ():
            _ = note.fingerprint  # computed here, in parallel, and sent along cached
        return CaseResult(report, notes, self.builder.problems)


@contextlib.contextmanager
def case_results(root: Path, deck: Deck, files: list[Path]) -> Iterator[Iterator[CaseResult]]:
    """Every case file's result, in file order: on all cores for large decks (YAML
    parsing, validation and Markdown are CPU-bound Python), in this process for small ones.

    The workers start on entering, so they are busy while the caller gets ready (reads
    the lock, creates the database) before it takes the first result.
    """
    import multiprocessing

    cores = os.cpu_count() or 1
    if (
        len(files) < PARALLEL_FROM
        or cores < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield map(_Job(root, deck), files)
        return
    from concurrent.futures import ProcessPoolExecutor

    # The workers are forked with the folder, the deck and the file list (initargs are
    # not pickled under fork): each task is then just a file's number.
    pool = ProcessPoolExecutor(
        cores,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_setup,
        initargs=(root, deck, files, os.getpid()),
    )
    try:
        yield pool.map(_job_in_worker, range(len(files)), chunksize=16)
    except BaseException:
        # A problem (a damaged lock, Ctrl-C, ...) must not wait for every file to be
        # rendered: drop the queued work; the workers finish the few files they hold
        # (killing one mid-message would leave the pool waiting for the rest forever).
        pool.shutdown(cancel_futures=True)
        raise
    pool.shutdown()


_worker: tuple[_Job, list[Path]] | None = None


def _worker_setup(root: Path, deck: Deck, files: list[Path], parent: int) -> None:
    """Runs in each worker as it starts. Ctrl-C is the main process's to handle (it
    stops the workers); a worker whose main process died (killed, out of memory) exits
    at once instead of waiting forever on a pipe while holding the folder's lock."""
    import signal
    import threading

    global _worker
    _worker = (_Job(root, deck), files)
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
