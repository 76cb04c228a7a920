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
from typing import TYPE_CHECKING, Any

from deckbuilder.errors import ContentProblem
from deckbuilder.pipeline.run import BuildResult, CheckResult, build, check, render_content

if TYPE_CHECKING:
    from deckbuilder.content.model import Case, Deck
    from deckbuilder.plan import Plan


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
    from deckbuilder.pipeline.run import write
    from deckbuilder.pipeline.source import ObjectSource
    from deckbuilder.plan import Lock, load_lock_file

    source = ObjectSource(deck, cases, Path(images))
    lock_path = Path(lock) if lock is not None else None
    state = load_lock_file(lock_path).lock if lock_path is not None else Lock()
    target = Path(path)
    plan, size, _ = write(
        source, source.deck, state, target, lock_path, drop_retired=drop_retired, force=force
    )
    warnings = tuple(sorted((*source.warnings, *source.notices)))
    return DeckWritten(target, size, len(plan.notes), plan, lock_path, warnings)


__all__ = [
    "BuildResult",
    "CheckResult",
    "DeckWritten",
    "build",
    "check",
    "render_content",
    "write_deck",
]
