"""The part of a build that runs on every core: read, validate and render case files.

Each job takes one case file and returns everything the build's main process needs
from it — the outcome of reading it, its rendered notes (fingerprints computed), the
media they use, problems, and the case's summary — all small and picklable. Large decks
run their jobs in a process pool, in file order; small ones in the calling process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.content.loader import CaseFile
    from deckbuilder.content.model import DeckConfig
    from deckbuilder.errors import ContentProblem
    from deckbuilder.inputs import StatKey
    from deckbuilder.notes.builder import Media, NoteSpec
    from deckbuilder.notes.description import CaseSummary


def forget_files() -> None:
    """Drop what earlier builds in this process learnt about files (images may change)."""
    from deckbuilder.content.loader import resolve_media
    from deckbuilder.notes.builder import _media_name

    resolve_media.cache_clear()
    _media_name.cache_clear()


PARALLEL_FROM = 64  # case files; below this a process pool costs more than it saves

CaseJob = tuple[
    "CaseFile", list["NoteSpec"], list["Media"], list["ContentProblem"], "CaseSummary | None"
]


def case_job(root: Path, deck: DeckConfig, path: Path) -> CaseJob:
    """Read, validate and render one case file: the part of a build that runs in parallel."""
    from deckbuilder.content.loader import read_case_file
    from deckbuilder.notes.builder import NoteBuilder
    from deckbuilder.notes.description import CaseSummary
    from deckbuilder.notes.notetype import FIELDS

    loaded, read = read_case_file(root, path)
    if loaded is None:
        return read, [], [], [], None
    builder = NoteBuilder(root, deck)
    notes = builder.case_notes(loaded)
    for note in notes:
        _ = note.fingerprint  # computed here, in parallel, and sent along cached
    fields = dict(zip(FIELDS, notes[0].fields, strict=True))  # a case has a question
    summary = CaseSummary.of(loaded.case, fields["Title"], fields["Source"])
    return read, notes, list(builder.media.values()), builder.problems, summary


@contextlib.contextmanager
def case_jobs(root: Path, deck: DeckConfig, files: list[Path]) -> Iterator[Iterator[CaseJob]]:
    """Every case file's job, in file order: on all cores for large decks (YAML parsing,
    validation and Markdown are CPU-bound Python), in this process for small ones.

    The workers start on entering, so they are busy while the caller gets ready (reads
    the lock, creates the database) before it takes the first result.
    """
    import functools
    import multiprocessing

    cores = os.cpu_count() or 1
    if (
        len(files) < PARALLEL_FROM
        or cores < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield map(functools.partial(case_job, root, deck), files)
        return
    from concurrent.futures import ProcessPoolExecutor

    paths: dict[str, Path] = {}
    # The workers are forked with the folder, the deck and the file list (initargs are
    # not pickled under fork): each task is then just a file's number.
    pool = ProcessPoolExecutor(
        cores,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_setup,
        initargs=(root, deck, files, os.getpid()),
    )
    try:
        sent = pool.map(_sent_job, range(len(files)), chunksize=16)
        yield (_received(path, wire, paths) for path, wire in zip(files, sent, strict=True))
    except BaseException:
        # A problem (a damaged lock, Ctrl-C, ...) must not wait for every file to be
        # rendered: drop the queued work; the workers finish the few files they hold
        # (killing one mid-message would leave the pool waiting for the rest forever).
        pool.shutdown(cancel_futures=True)
        raise
    pool.shutdown()


_worker: tuple[Path, DeckConfig, list[Path]] | None = None


def _worker_setup(root: Path, deck: DeckConfig, files: list[Path], parent: int) -> None:
    """Runs in each worker as it starts. Ctrl-C is the main process's to handle (it
    stops the workers); a worker whose main process died (killed, out of memory) exits
    at once instead of waiting forever on a pipe while holding the folder's lock."""
    import signal
    import threading

    global _worker
    _worker = (root, deck, files)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


# What crosses from a worker to the main process. Pickling is the main process's
# largest cost after the database: paths (rebuilt part by part on unpickling) travel
# as text, and the case file's path not at all (the main process knows it).
_Wire = tuple[
    "str | None",
    "tuple[int, int] | None",
    "tuple[ContentProblem, ...]",
    "tuple[StatKey, bytes, bool] | None",
    list["NoteSpec"],
    list[tuple[str, str]],
    list["ContentProblem"],
    "CaseSummary | None",
]


def _sent_job(index: int) -> _Wire:
    assert _worker is not None
    root, deck, files = _worker
    read, notes, media, problems, summary = case_job(root, deck, files[index])
    mark = (read.id_mark.line, read.id_mark.column) if read.id_mark else None
    sources = [(m.name, os.fspath(m.source)) for m in media]
    return read.case_id, mark, read.problems, read.hashed, notes, sources, problems, summary


def _received(path: Path, wire: _Wire, paths: dict[str, Path]) -> CaseJob:
    from deckbuilder.content.loader import CaseFile
    from deckbuilder.content.yamlfile import Mark
    from deckbuilder.notes.builder import Media

    case_id, mark, read_problems, hashed, notes, sources, problems, summary = wire
    read = CaseFile(path, case_id, Mark(*mark) if mark else None, read_problems, hashed)
    media = [
        Media(name, paths.get(src) or paths.setdefault(src, Path(src))) for name, src in sources
    ]
    return read, notes, media, problems, summary
