"""The whole chain: source → notes → plan against the lock → package (→ stamp).

``build`` and ``check`` read a folder the same way
(:class:`~deckbuilder.pipeline.source.FolderSource`); a build then plans every note
against the lock and writes the deck and the lock together, or neither (:func:`write`).
The library's ``write_deck`` (:mod:`deckbuilder.api`) is the same chain from another
source (:class:`~deckbuilder.pipeline.source.ObjectSource`), without the input stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder.content.folder import DECK_FILE, LOCK_FILE, default_output
from deckbuilder.errors import ContentError, ContentProblem

if TYPE_CHECKING:
    from deckbuilder.apkg.frames import FrameStore
    from deckbuilder.content.media import Media
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.spec import NoteSpec
    from deckbuilder.pipeline.assemble import Assembled
    from deckbuilder.pipeline.cache import Memory
    from deckbuilder.pipeline.source import FolderSource, ObjectSource, Progress
    from deckbuilder.plan import Lock, Plan


def _stream(
    root: Path,
    progress: Progress | None = None,
    *,
    cache: bool = False,
    memory: Memory | None = None,
) -> FolderSource:
    from deckbuilder.pipeline.source import FolderSource

    return FolderSource(root, progress, cache=cache, memory=memory)


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
    package_format: str = "anki21b"  # "anki21b" (current) or "anki2" (support_older_anki)
    rendered: tuple[Path, ...] = ()  # case files rendered, not taken from the render cache

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
    counts: dict[str, int] = field(default_factory=dict)  # notes of each kind, by its name


def check(content_dir: Path, progress: Progress | None = None) -> CheckResult:
    """Validate a content folder (its lock included) and render every note, writing
    nothing."""
    from deckbuilder.plan import read_lock

    stream = _stream(Path(content_dir), progress)
    try:
        read_lock(stream.root)
    except ContentError as exc:
        stream.problems.extend(exc.problems)
    cases = 0
    counts: dict[str, int] = {}
    for case in stream.cases():
        cases += 1
        for note in case.notes:
            counts[note.kind] = counts.get(note.kind, 0) + 1
    stream.finish()
    return CheckResult(
        stream.deck,
        cases,
        counts.get("mcq", 0),
        sorted(stream.warnings),
        sorted(stream.notices),
        counts.get("cloze", 0),
        counts,
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
    stream = _stream(Path(content_dir))
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
    cache: bool = True,
    memory: Memory | None = None,
) -> BuildResult:
    """Build the deck of ``content_dir`` into ``output_dir/<deck id>.apkg`` (by default
    ``dist/`` beside the content folder) and update the lock beside the content, both or
    neither. ``deck_version`` replaces the deck file's
    ``version`` (a release tag, say). A missing or damaged lock is recovered from the
    deck ``since`` names, else from the previous deck in the output folder. With
    ``cache`` (the default) only the cases whose inputs changed since they were last
    rendered are rendered again (:mod:`deckbuilder.pipeline.cache`); the deck's bytes
    are the same either way. ``memory`` (a :class:`~deckbuilder.pipeline.cache.Memory`
    kept from one call to the next, as ``build --watch`` does) keeps in this process what
    a rebuild would otherwise read again from the cache and the lock.

    Raises :class:`~deckbuilder.errors.ContentError` (bad content, nothing written),
    :class:`~deckbuilder.errors.ContractError` (the build would break colleagues'
    collections) or :class:`~deckbuilder.errors.OutputError`.
    """
    from deckbuilder.files import one_build_at_a_time

    with one_build_at_a_time(Path(content_dir)):
        return _build(
            Path(content_dir),
            default_output(Path(content_dir)) if output_dir is None else Path(output_dir),
            dry_run=dry_run,
            drop_retired=drop_retired,
            force=force,
            deck_version=deck_version,
            since=since,
            progress=progress,
            cache=cache,
            memory=memory,
        )


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
    cache: bool = True,
    memory: Memory | None = None,
) -> BuildResult:
    from deckbuilder.files import file_digest
    from deckbuilder.pipeline.stamp import up_to_date

    lock_path = content_dir / LOCK_FILE
    options = {"deck-version": deck_version} if deck_version is not None else {}
    if not (drop_retired or force):
        current = up_to_date(content_dir, out, options, memory.digest if memory else file_digest)
        if current is not None:
            # The lock is the one this deck was built with (its bytes are in the input
            # stamp), so it was checked then: reading its notes needs no validation.
            import json

            deck_path, notes, lock, package_format = current
            entries = json.loads(lock)["notes"]
            return BuildResult(
                deck_path,
                deck_path.stat().st_size,
                False,
                lock_path,
                notes,
                unchanged_refs=tuple(sorted(r for r, e in entries.items() if not e.get("retired"))),
                retired_refs=tuple(sorted(r for r, e in entries.items() if e.get("retired"))),
                package_format=package_format,
            )

    from deckbuilder.plan import load_lock

    stream = _stream(content_dir, progress, cache=cache, memory=memory)
    deck = stream.deck
    if deck_version is not None:
        deck = _with_version(deck, deck_version)
    deck_path = out / f"{deck.id}.apkg"
    loaded = load_lock(stream.root, since or deck_path, deck.id, memory.locks if memory else None)
    lock_detail = loaded.detail
    if loaded.origin == "none":
        from deckbuilder.plan.recovery import shared_before

        shared = shared_before(lock_path, deck.version)
        if shared is not None:
            lock_detail = (
                f"no lock, yet this deck looks shared ({shared}): every note is new, and "
                f"every colleague's note will look updated. Restore {LOCK_FILE} from git, "
                "or build with --since <the published .apkg>"
            )

    def stamp(assembled: Assembled) -> Callable[[bytes], bytes]:
        from deckbuilder.pipeline.stamp import InputDigest, record_images

        inputs = InputDigest(options)
        inputs.files = {DECK_FILE: stream.reader.deck_digest or b"", **stream.digests}
        record_images(inputs, stream.root, ((m.source, m.digest) for m in assembled.media))
        return lambda lock_text: inputs.stamp(lock_text, len(assembled.plan.notes))

    plan, size, lock_text = write(
        stream,
        deck,
        loaded.lock,
        deck_path,
        lock_path,
        drop_retired=drop_retired,
        force=force,
        dry_run=dry_run,
        stamp=stamp,
        frames=stream.cache.frames(memory.frames if memory else None) if stream.cache else None,
    )
    if memory is not None and not dry_run:
        import hashlib
        from dataclasses import replace

        from deckbuilder.errors import display_path

        # the lock as the next build reads it back: unless edited, it needs no check
        memory.locks = {
            hashlib.sha256(lock_text).digest(): replace(plan.lock, source=display_path(lock_path))
        }
    return BuildResult(
        deck_path,
        size,
        not dry_run,
        lock_path,
        len(plan.notes),
        plan,
        loaded.origin,
        lock_detail,
        tuple(sorted(stream.warnings)),
        package_format="anki2" if deck.support_older_anki else "anki21b",
        rendered=tuple(stream.rendered),
    )


def write(
    source: FolderSource | ObjectSource,
    deck: Deck,
    lock: Lock,
    deck_path: Path,
    lock_path: Path | None,
    *,
    drop_retired: bool = False,
    force: bool = False,
    dry_run: bool = False,
    stamp: Callable[[Assembled], Callable[[bytes], bytes]] | None = None,
    frames: FrameStore | None = None,
) -> tuple[Plan, int, bytes]:
    """The stages after the source, the same for both sources: plan ``source``'s notes
    against ``lock`` (:mod:`~deckbuilder.pipeline.assemble`), then write the deck and the
    lock together (:mod:`~deckbuilder.pipeline.package`). The plan, the deck's size and
    the lock's text. ``stamp`` gives the zip comment of the assembled deck from the
    lock's text; ``frames``, the zstd frames of the previous deck (kept for the next
    once this one is written)."""
    from deckbuilder.pipeline.assemble import assemble
    from deckbuilder.pipeline.package import package

    assembled = assemble(
        deck,
        source.texts,  # type: ignore[arg-type]
        source.cases(),
        lock,
        drop_retired=drop_retired,
        force=force,
        finish_reading=source.finish,
    )
    with assembled.collection:
        size, lock_text = package(
            assembled,
            deck_path,
            lock_path,
            support_older_anki=deck.support_older_anki,
            stamp=stamp(assembled) if stamp is not None else None,
            dry_run=dry_run,
            frames=frames,
        )
    if frames is not None:
        frames.save()
    return assembled.plan, size, lock_text


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


__all__ = [
    "BuildResult",
    "CheckResult",
    "ContentError",
    "RenderedContent",
    "build",
    "check",
    "render_content",
]
