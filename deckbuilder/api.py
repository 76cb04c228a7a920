"""The library under the command line: decks from Python objects, or from a folder.

The command line is a thin shell over these functions; a script uses them directly::

    from deckbuilder import Case, Deck, Question, write_deck

    deck = Deck(name="Cardiology", id="cardio")
    case = Case(
        id="chest-pain",
        title="Chest pain on exertion",
        case="A 58 year old man has chest pain when he climbs stairs.",
        questions=[
            Question(
                id="first-test",
                question="Which test comes first?",
                options={"A": "Resting ECG", "B": "Coronary angiography"},
                answer="A",
                critique="A resting ECG is quick, safe and changes what comes next.",
            )
        ],
    )
    written = write_deck(deck, [case], "cardio.apkg", lock="cardio.lock.json")

The models are those the YAML loader validates with (:mod:`deckbuilder.content.model`),
so a case may also be given as the mapping a YAML file would read into. Nothing is
written but the deck and, when given, the lock; a problem anywhere raises
:class:`~deckbuilder.errors.ContentError` listing every problem with its place
("cases[0].questions[1].answer") before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deckbuilder.errors import ContentError, ContentProblem
from deckbuilder.pipeline import BuildResult, CheckResult, build, check, render_content

if TYPE_CHECKING:
    from deckbuilder.content.model import Case, Deck
    from deckbuilder.notes.spec import CaseNotes
    from deckbuilder.notes.state import Plan


@dataclass(frozen=True)
class DeckWritten:
    """What :func:`write_deck` wrote: the deck, its size, its notes and what each does
    on import (``plan.refs("new")``, ``plan.refs("updated")``, …), and the lock."""

    path: Path
    size: int
    notes: int
    plan: Plan
    lock: Path | None
    warnings: tuple[ContentProblem, ...] = ()  # what `check` would warn or note about


def write_deck(
    deck: Deck | Mapping[str, Any],
    cases: Iterable[Case | Mapping[str, Any]],
    path: str | Path,
    *,
    lock: str | Path | None = None,
    images: str | Path = ".",
    drop_retired: bool = False,
    force: bool = False,
) -> DeckWritten:
    """Write the Anki package of ``deck`` and ``cases`` to ``path``.

    ``lock`` names the build state to start from and update (created when missing): pass
    one, and keep it, so that a later deck updates the notes colleagues imported from
    this one instead of being ignored as older. Without it every note is new. ``images``
    is the folder figure and Markdown image paths are relative to (they must stay inside
    it). ``drop_retired`` and ``force`` are those of ``deckbuilder build``.
    """
    from deckbuilder.assemble import assemble, write_deck_and_lock
    from deckbuilder.content.loader import Source, case_from_object, validate_object
    from deckbuilder.content.media import MediaFiles
    from deckbuilder.content.model import Deck as DeckModel
    from deckbuilder.notes.builder import NoteBuilder
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.state import Lock, load_lock_file

    problems: list[ContentProblem] = []
    model = (
        deck if isinstance(deck, DeckModel) else validate_object(deck, DeckModel, "deck", problems)
    )
    media = MediaFiles(Path(images))
    root = Path(images)
    loaded = []
    seen: dict[str, int] = {}
    for i, given in enumerate(cases):
        case, found = case_from_object(given, f"cases[{i}]", lambda p: media.resolve(root, p))
        problems += found
        if case is None:
            continue
        if case.case.id in seen:
            problems.append(
                ContentProblem(
                    f"cases[{i}]",
                    key="id",
                    message=f"case id {case.case.id!r} is already used by "
                    f"cases[{seen[case.case.id]}]",
                )
            )
            continue
        seen[case.case.id] = i
        loaded.append(case)
    if model is None:
        raise ContentError(problems)
    texts, found = DeckTexts.render(model, Source("deck"))
    problems += found
    builder = NoteBuilder(model, media)
    notes: list[CaseNotes] = [n for case in loaded if (n := builder.case_notes(case)) is not None]
    problems += builder.problems
    if problems:
        raise ContentError(problems)
    lock_path = Path(lock) if lock is not None else None
    state = load_lock_file(lock_path).lock if lock_path is not None else Lock()
    assembled = assemble(model, texts, notes, state, drop_retired=drop_retired, force=force)
    target = Path(path)
    with assembled.collection:

        def package(dest: BinaryIO) -> None:
            from deckbuilder.apkg.writer import write_package

            write_package(
                dest,
                assembled.collection,
                assembled.media,
                support_older_anki=model.support_older_anki,
            )

        lock_text = assembled.plan.lock.dumps().encode("utf-8")
        write_deck_and_lock(target, package, lock_path, lock_text)
    warnings = tuple(sorted(w for n in notes for w in (*n.warnings, *n.notices)))
    return DeckWritten(
        target,
        target.stat().st_size,
        len(assembled.plan.notes),
        assembled.plan,
        lock_path,
        warnings,
    )


__all__ = [
    "BuildResult",
    "CheckResult",
    "DeckWritten",
    "build",
    "check",
    "render_content",
    "write_deck",
]
