"""A whole build of a content folder: read → notes → plan against the build state → package.

``build`` and ``check`` read content the same way (:class:`ContentStream`); a build
then plans every note against the lock and writes the deck and the lock together, or
neither. :mod:`deckbuilder.api` builds from Python objects through the same
:func:`assemble` and :func:`write_deck_and_lock`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deckbuilder.content.folder import DECK_FILE, LOCK_FILE
from deckbuilder.errors import ContentError, ContentProblem, OutputError, display_path

if TYPE_CHECKING:
    from deckbuilder.content.loader import ContentReader
    from deckbuilder.content.media import Media
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.spec import CaseNotes, NoteSpec
    from deckbuilder.notes.state import Lock, Plan

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
    lock_origin: str = "file"  # "file", "merged", "recovered" or "none" (see load_lock)
    lock_detail: str = ""  # what was resolved or recovered, for the report
    warnings: tuple[ContentProblem, ...] = ()  # fail `check --strict`, not a build
    unchanged_refs: tuple[str, ...] = ()  # when up to date: every note, from the lock
    retired_refs: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        return self.plan is None


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found in a valid content folder, and what the author should look
    at: warnings (``check --strict`` fails on them) and notices."""

    deck: Deck
    cases: int
    notes: int  # questions
    warnings: list[ContentProblem]
    notices: list[ContentProblem]
    facts: int = 0


class ContentStream:
    """A content folder read case by case, rendered into notes, problems collected.

    The one way content is read, by ``check`` and by ``build``: the deck file first,
    then each case file read, validated and rendered (on every core for large decks).
    Call :meth:`finish` after :meth:`cases` to raise every problem found.
    """

    def __init__(self, root: Path, progress: Progress | None = None) -> None:
        from deckbuilder.content.loader import ContentReader, Source
        from deckbuilder.notes.description import DeckTexts

        self.reader: ContentReader = ContentReader(Path(root))
        self.root = self.reader.root
        self.progress = progress
        self.digests: dict[str, bytes] = {}  # case files as read, for the input stamp
        self.warnings = list(self.reader.deck_warnings)  # fail `check --strict`
        self.notices: list[ContentProblem] = []  # information for the author
        self.texts: DeckTexts | None = None
        if self.reader.deck is None:  # nothing can be rendered; still report every problem
            for _ in self.cases():
                pass
            self.finish()
        deck_file = self.root / DECK_FILE
        self.texts, problems = DeckTexts.render(
            self.deck, Source(display_path(deck_file), deck_file)
        )
        self.reader.problems.extend(problems)

    @property
    def deck(self) -> Deck:
        assert self.reader.deck is not None
        return self.reader.deck

    def cases(self) -> Iterator[CaseNotes]:
        """The notes of every valid case, in file order."""
        from deckbuilder.workers import case_results

        files = self.reader.files()
        names = {path: rel for rel, path in self.reader.listing.cases}
        if self.reader.deck is None:
            from deckbuilder.content.loader import read_case_file
            from deckbuilder.content.media import MediaFiles

            media = MediaFiles(self.root)
            for path in files:
                self.reader.accept(read_case_file(self.root, path, media.resolve)[1])
            return
        with case_results(self.root, self.deck, files) as results:
            for i, result in enumerate(results):
                if self.progress:
                    self.progress("building", i, len(files))
                if result.report.digest is not None:
                    self.digests[names[result.report.path]] = result.report.digest
                self.reader.problems.extend(result.problems)
                if self.reader.accept(result.report) and result.notes is not None:
                    self.warnings += result.notes.warnings
                    self.notices += result.notes.notices
                    yield result.notes

    def finish(self) -> None:
        self.reader.finish()


def check(content_dir: Path, progress: Progress | None = None) -> CheckResult:
    """Validate a content folder (its lock included) and render every note, writing
    nothing."""
    from deckbuilder.notes.state import read_lock

    stream = ContentStream(Path(content_dir), progress)
    try:
        read_lock(stream.root)
    except ContentError as exc:
        stream.reader.problems.extend(exc.problems)
    cases = notes = facts = 0
    for case in stream.cases():
        cases += 1
        notes += sum(n.kind == "mcq" for n in case.notes)
        facts += sum(n.kind == "cloze" for n in case.notes)
    stream.finish()
    return CheckResult(
        stream.deck, cases, notes, sorted(stream.warnings), sorted(stream.notices), facts
    )


@dataclass(frozen=True)
class RenderedContent:
    """Every note of a content folder, rendered, with the media they use (in memory: for
    tools such as ``preview``; a build streams instead)."""

    deck: Deck
    notes: list[NoteSpec]
    media: list[Media]


def render_content(content_dir: Path) -> RenderedContent:
    """Validate and render a whole content folder into notes, writing nothing."""
    stream = ContentStream(Path(content_dir))
    cases = list(stream.cases())
    stream.finish()
    media = {m.name: m for case in cases for m in case.media}
    return RenderedContent(
        stream.deck,
        [note for case in cases for note in case.notes],
        sorted(media.values(), key=lambda m: m.name),
    )


def build(
    content_dir: Path,
    output_dir: Path | None = None,
    *,
    dry_run: bool = False,
    drop_retired: bool = False,
    force: bool = False,
    deck_version: str | None = None,
    since: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the deck of ``content_dir`` into ``output_dir/<deck id>.apkg`` and update the
    lock beside the content, both or neither. ``deck_version`` replaces the deck file's
    ``version`` (a release tag, say). A missing or damaged lock is recovered from the
    deck ``since`` names, else from the previous deck in the output folder.

    Raises :class:`~deckbuilder.errors.ContentError` (bad content, nothing written),
    :class:`~deckbuilder.errors.ContractError` (the build would break colleagues'
    collections) or :class:`~deckbuilder.errors.OutputError`.
    """
    with exclusive(Path(content_dir)), _without_cycle_collection():
        return _build(
            Path(content_dir),
            Path("dist") if output_dir is None else Path(output_dir),
            dry_run=dry_run,
            drop_retired=drop_retired,
            force=force,
            deck_version=deck_version,
            since=since,
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
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # a missing folder (or a file) is reported by the loader
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
    out: Path,
    *,
    dry_run: bool,
    drop_retired: bool,
    force: bool,
    deck_version: str | None,
    since: Path | None,
    progress: Progress | None,
) -> BuildResult:
    from deckbuilder.inputs import InputDigest, record_images, up_to_date
    from deckbuilder.notes.state import load_lock

    lock_path = content_dir / LOCK_FILE
    options = {"deck-version": deck_version} if deck_version is not None else {}
    if not (drop_retired or force):
        current = up_to_date(content_dir, out, options)
        if current is not None:
            deck_path, notes = current
            lock = load_lock(content_dir).lock
            return BuildResult(
                deck_path,
                deck_path.stat().st_size,
                False,
                lock_path,
                notes,
                unchanged_refs=tuple(sorted(r for r, n in lock.notes.items() if not n.retired)),
                retired_refs=tuple(sorted(r for r, n in lock.notes.items() if n.retired)),
            )

    stream = ContentStream(content_dir, progress)
    deck = stream.deck
    if deck_version is not None:
        deck = _with_version(deck, deck_version)
    deck_path = out / f"{deck.id}.apkg"
    loaded = load_lock(stream.root, since or deck_path, deck.id)
    assembled = assemble(
        deck,
        stream.texts,  # type: ignore[arg-type]
        stream.cases(),
        loaded.lock,
        drop_retired=drop_retired,
        force=force,
        finish_reading=stream.finish,
    )
    with assembled.collection:
        lock_text = assembled.plan.lock.dumps().encode("utf-8")
        inputs = InputDigest(options)
        inputs.files = {DECK_FILE: stream.reader.deck_digest or b"", **stream.digests}
        record_images(inputs, stream.root, ((m.source, m.digest) for m in assembled.media))
        comment = inputs.stamp(lock_text, len(assembled.plan.notes))

        def package(dest: BinaryIO) -> None:
            from deckbuilder.apkg.writer import write_package

            write_package(dest, assembled.collection, assembled.media, comment=lambda: comment)

        if dry_run:
            with tempfile.TemporaryFile() as sink:
                package(sink)
                size = sink.tell()
        else:
            write_deck_and_lock(deck_path, package, lock_path, lock_text)
            size = deck_path.stat().st_size
    notes = len(assembled.plan.notes)
    return BuildResult(
        deck_path,
        size,
        not dry_run,
        lock_path,
        notes,
        assembled.plan,
        loaded.origin,
        loaded.detail,
        tuple(sorted(stream.warnings)),
    )


def _with_version(deck: Deck, version: str) -> Deck:
    """The deck with another version, checked as the deck file's would be."""
    from pydantic import ValidationError

    from deckbuilder.content.model import Deck as DeckModel

    try:
        return DeckModel.model_validate(
            {**deck.model_dump(exclude_defaults=True), "version": version}
        )
    except ValidationError as exc:
        raise ContentError(
            [
                ContentProblem(
                    "--deck-version",
                    message=f"{version!r} cannot be a version: {exc.errors()[0]['msg']}",
                )
            ]
        ) from exc


def write_deck_and_lock(
    deck_path: Path,
    package: Callable[[BinaryIO], None],
    lock_path: Path | None,
    lock_text: bytes = b"",
) -> None:
    """Write the deck (``package`` writes it into a file) and the lock together, or
    neither; a lock whose text is unchanged is left alone. Raises :class:`OutputError`."""
    from deckbuilder.files import MiB, WriteFailed, read_regular, write_files

    files: list[tuple[Path, Any]] = [(deck_path, package)]
    if lock_path is not None:
        try:
            unchanged = read_regular(lock_path, 256 * MiB) == lock_text
        except OSError:
            unchanged = False
        if not unchanged:
            files.append((lock_path, lock_text))
    try:
        write_files(files)
    except WriteFailed as exc:
        written = " nor ".join(display_path(p) for p, _ in files)
        raise OutputError(
            f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            f"neither {written} was changed"
            if len(files) > 1
            else f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            "nothing was changed"
        ) from exc


@dataclass
class Assembled:
    """A planned collection, ready to be packaged: the plan, the database file
    (positioned at its start; close it when done) and the media to pack."""

    plan: Plan
    collection: BinaryIO
    media: list[Media]


def assemble(
    deck: Deck,
    texts: DeckTexts,
    cases: Iterable[CaseNotes],
    lock: Lock,
    *,
    drop_retired: bool = False,
    force: bool = False,
    finish_reading: Callable[[], None] | None = None,
) -> Assembled:
    """Plan every note of ``cases`` against ``lock`` and write the collection database.

    Streams: what it holds in memory is one case plus a fingerprint per note.
    ``finish_reading`` is called once the cases are consumed (it raises the content's
    problems, if any).
    """
    from deckbuilder.apkg.writer import CollectionWriter, deck_json
    from deckbuilder.notes import ids
    from deckbuilder.notes.description import deck_description, deck_fingerprint
    from deckbuilder.notes.notetype import CLOZE, MCQ
    from deckbuilder.notes.state import Planner

    deck_id = ids.deck_id(deck.id)
    notetype_ids = {"mcq": ids.notetype_id(deck.id), "cloze": ids.cloze_notetype_id(deck.id)}
    planner = Planner(
        lock,
        deck_key=deck.id,
        deck_id=deck_id,
        deck_name=deck.name,
        notetype_id=notetype_ids["mcq"],
        contract=MCQ.contract_fingerprint(),
        cloze_id=notetype_ids["cloze"],
        cloze_contract=CLOZE.contract_fingerprint(),
        force=force,
    )
    writer = CollectionWriter(notetype_ids=notetype_ids, deck_id=deck_id)
    try:
        summaries = []
        fingerprints = []
        facts = 0
        media: dict[str, Media] = {}
        for case in cases:
            summaries.append(case.summary)
            fingerprints += [n.fingerprint for n in case.notes]
            facts += sum(n.kind == "cloze" for n in case.notes)
            for m in case.media:
                media.setdefault(m.name, m)
            writer.add((n, planner.note(n)) for n in case.notes)
        if finish_reading is not None:
            finish_reading()
        writer.add(planner.retired(drop_retired))
        description = deck_description(deck, texts, summaries, fingerprints, facts)
        cloze = "cloze" in writer.kinds
        plan = planner.finish(
            deck_fingerprint(deck.name, description),
            MCQ.fingerprint(deck.name),
            CLOZE.fingerprint(deck.name) if cloze else None,
        )
        jsons = {"mcq": MCQ.json(notetype_ids["mcq"], deck.name, deck_id, plan.notetype_mtime)}
        if cloze and plan.cloze_mtime is not None:
            jsons["cloze"] = CLOZE.json(notetype_ids["cloze"], deck.name, deck_id, plan.cloze_mtime)
        collection = writer.finish(
            deck_json=deck_json(deck_id, deck.name, description, plan.deck_mtime),
            notetype_jsons=jsons,
            col_mtime=plan.newest,
        )
    except BaseException:
        writer.close()
        raise
    return Assembled(plan, collection, sorted(media.values(), key=lambda m: m.name))


__all__ = [
    "BuildResult",
    "CheckResult",
    "ContentError",
    "RenderedContent",
    "assemble",
    "build",
    "check",
    "render_content",
    "write_deck_and_lock",
]
