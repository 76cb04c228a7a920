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

from deckbuilder import ids
from deckbuilder.layout import DECK_FILE, LOCK_FILE, content_files
from deckbuilder.notetype import (
    FIELD_IDS,
    FIELDS,
    SORT_FIELD,
    TEMPLATE_IDS,
    TEMPLATES,
    card_look,
    notetype_name,
)
from deckbuilder.package import CollectionWriter, write_atomic, write_package

if TYPE_CHECKING:
    from deckbuilder.description import CaseSummary
    from deckbuilder.errors import ContentProblem
    from deckbuilder.load import CaseFile, Content, ContentReader
    from deckbuilder.lock import Plan
    from deckbuilder.notes import BuiltNotes, Media, NoteSpec
    from deckbuilder.structure import DeckConfig

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
    from deckbuilder.load import load_content
    from deckbuilder.notes import build_notes

    _forget_files()
    content = load_content(Path(content_dir), progress)
    return content, build_notes(content, progress)


def contract_fingerprint() -> str:
    """Hash of the field and template names: what Anki matches a note type by."""
    return _hash({"fields": FIELDS, "templates": TEMPLATES})[:16]


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def notetype_json(deck_key: str, deck_name: str, deck_id: int, mtime: int) -> dict[str, Any]:
    """The note type as Anki's legacy JSON, via genanki's Model object."""
    import genanki

    look = card_look()
    model = genanki.Model(
        ids.notetype_id(deck_key),
        notetype_name(deck_name),
        fields=[{"name": name, "id": FIELD_IDS[name]} for name in FIELDS],
        templates=[
            {
                "name": TEMPLATES[0],
                "id": TEMPLATE_IDS[TEMPLATES[0]],
                "qfmt": look.front,
                "afmt": look.back,
            }
        ],
        css=look.css,
        sort_field_index=SORT_FIELD,
    )
    return model.to_json(mtime, deck_id)


def deck_json(deck_id: int, name: str, description: str, mtime: int) -> dict[str, Any]:
    import genanki

    data = genanki.Deck(deck_id, name, description).to_json()
    data["mod"] = mtime
    return data


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
    with exclusive(Path(content_dir)):
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
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
            return current

    from deckbuilder.load import ContentReader

    _forget_files()
    reader = ContentReader(Path(content_dir), progress)
    if reader.deck is None:  # nothing can be rendered; still report every problem
        for _ in reader.cases():
            pass
        reader.finish()
    assert reader.deck is not None
    deck = reader.deck
    deck_path = out / f"{deck.id}.apkg"
    lock_path = reader.root / LOCK_FILE
    digests: dict[Path, bytes] = {}
    plan, collection, media = _render_and_plan(
        reader, deck, drop_retired=drop_retired, force=force, digests=digests
    )
    lock_text = plan.lock.dumps()
    stamp = _stamp(inputs_digest(reader.root, lock_text.encode("utf-8"), digests), len(plan.notes))

    def package(dest: BinaryIO) -> None:
        write_package(dest, collection, media, comment=stamp)

    with collection:
        if dry_run:
            with tempfile.TemporaryFile() as sink:
                package(sink)
                size = sink.tell()
        else:
            write_atomic(deck_path, package)
            size = deck_path.stat().st_size
            if not lock_path.exists() or lock_path.read_text(encoding="utf-8") != lock_text:
                write_atomic(lock_path, lock_text.encode("utf-8"))
    return BuildResult(deck_path, size, not dry_run, lock_path, len(plan.notes), plan)


def _render_and_plan(
    reader: ContentReader,
    deck: DeckConfig,
    *,
    drop_retired: bool,
    force: bool,
    digests: dict[Path, bytes],
) -> tuple[Plan, BinaryIO, tuple[Media, ...]]:
    """Stream every case through rendering, planning and the database, one at a time:
    what a build holds in memory is one case plus a fingerprint per note."""
    from deckbuilder.description import deck_description
    from deckbuilder.lock import Planner, read_lock
    from deckbuilder.notes import NoteBuilder

    deck_id = ids.deck_id(deck.id)
    nt_id = ids.notetype_id(deck.id)
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
        files = reader.files()
        for i, (read, notes, media, problems, summary) in enumerate(
            _case_jobs(reader.root, deck, files)
        ):
            if reader.progress:
                reader.progress("building", i, len(files))
            if read.digest is not None:
                digests[read.path] = read.digest
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
            _hash(notetype_json(deck.id, deck.name, deck_id, 0))[:32],
        )
        collection = writer.finish(
            deck_json=deck_json(deck_id, deck.name, description, plan.deck_mtime),
            notetype_json=notetype_json(deck.id, deck.name, deck_id, plan.notetype_mtime),
            col_mtime=plan.newest,
        )
    except BaseException:
        writer.close()
        raise
    return plan, collection, builder.media_files()


def _forget_files() -> None:
    """Drop what earlier builds in this process learnt about files (images may change)."""
    from deckbuilder.load import resolve_media
    from deckbuilder.notes import _media_name

    resolve_media.cache_clear()
    _media_name.cache_clear()


PARALLEL_FROM = 64  # case files; below this a process pool costs more than it saves

CaseJob = tuple[
    "CaseFile", list["NoteSpec"], list["Media"], list["ContentProblem"], "CaseSummary | None"
]


def _case_job(root: Path, deck: DeckConfig, path: Path) -> CaseJob:
    """Read, validate and render one case file: the part of a build that runs in parallel."""
    from deckbuilder.description import CaseSummary
    from deckbuilder.load import read_case_file
    from deckbuilder.notes import NoteBuilder

    loaded, read = read_case_file(root, path)
    if loaded is None:
        return read, [], [], [], None
    builder = NoteBuilder(root, deck)
    notes = builder.case_notes(loaded)
    for note in notes:
        _ = note.fingerprint  # computed here, in parallel, and sent along cached
    return read, notes, list(builder.media.values()), builder.problems, CaseSummary.of(loaded.case)


def _case_jobs(root: Path, deck: DeckConfig, files: list[Path]) -> Iterator[CaseJob]:
    """Every case file's job, in file order: on all cores for large decks (YAML parsing,
    validation and Markdown are CPU-bound Python), in this process for small ones."""
    import functools
    import multiprocessing

    job = functools.partial(_case_job, root, deck)
    cores = os.cpu_count() or 1
    if (
        len(files) < PARALLEL_FROM
        or cores < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield from map(job, files)
        return
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        yield from pool.imap(job, files, chunksize=16)


_STAMP = b"deckbuilder inputs "


def _stamp(digest: str, notes: int) -> bytes:
    return _STAMP + f"{digest} notes {notes}".encode()


def inputs_digest(root: Path, lock: bytes, known: dict[Path, bytes] | None = None) -> str:
    """A hash of everything a build reads: the deck and case files, every image below the
    content folder, the lock, the card's templates and the versions of the code that
    renders. Stored in the deck's zip comment, it lets a rebuild with nothing changed
    stop after reading the files instead of rendering them again."""
    import nh3
    import pyromark

    from deckbuilder import __version__

    h = hashlib.sha256()
    look = card_look()
    for part in (
        __version__,
        pyromark.__version__,
        nh3.__version__,
        look.front,
        look.back,
        look.css,
    ):
        h.update(part.encode("utf-8") + b"\0")
    cases, images = content_files(root)
    known = known or {}
    for path in (root / DECK_FILE, *cases, *images):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(known.get(path) or hashlib.sha256(path.read_bytes()).digest())
    h.update(hashlib.sha256(lock).digest())
    return h.hexdigest()


def up_to_date(content_dir: Path, out: Path) -> BuildResult | None:
    """The result of a build that would change nothing, or None if one is needed."""
    import zipfile

    from deckbuilder.yamlsource import parse_yaml

    try:
        deck = parse_yaml((content_dir / DECK_FILE).read_text(encoding="utf-8")).data
        key = deck.get("id") if isinstance(deck, dict) else None
        if not isinstance(key, str) or "/" in key or key.startswith("."):
            return None
        deck_path = out / f"{key}.apkg"
        lock_path = content_dir / LOCK_FILE
        with zipfile.ZipFile(deck_path) as zf:
            comment = zf.comment
        if not comment.startswith(_STAMP):
            return None
        digest = inputs_digest(content_dir, lock_path.read_bytes())
        if not comment.startswith(_stamp(digest, 0)[: -len(b"0")]):
            return None
        notes = int(comment.rsplit(b" ", 1)[1])
        return BuildResult(deck_path, deck_path.stat().st_size, False, lock_path, notes)
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
