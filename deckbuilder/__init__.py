"""deckbuilder: turn case-based clinical quizzes written in YAML into Anki decks.

A library first, with a command line on top. From Python::

    from deckbuilder import build, write_deck, Deck, Case, Question

``build(content_dir, output_dir)`` builds a content folder as ``deckbuilder build``
does; ``write_deck(deck, cases, path)`` writes a deck from Python objects (see
:mod:`deckbuilder.api`). The package is a pipeline, one subpackage per stage:

* :mod:`deckbuilder.content` reads and validates the content (the models, YAML, images);
* :mod:`deckbuilder.notes` renders notes, one module per note kind (:mod:`deckbuilder.notes.kinds`),
  with stable ids and fingerprints;
* :mod:`deckbuilder.plan` plans every note against the lock (new, updated, unchanged, retired);
* :mod:`deckbuilder.apkg` writes, reads and compares ``.apkg`` packages;
* :mod:`deckbuilder.pipeline` strings the stages together, from a folder or from Python
  objects (source → assemble → package → stamp);
* :mod:`deckbuilder.authoring` helps write content (init, schemas, import, preview);
  :mod:`deckbuilder.commands`, one module per command, is the command line.

Names are imported on first use, so ``deckbuilder --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "build": "deckbuilder.api",
    "check": "deckbuilder.api",
    "render_content": "deckbuilder.api",
    "write_deck": "deckbuilder.api",
    "BuildResult": "deckbuilder.api",
    "CheckResult": "deckbuilder.api",
    "DeckWritten": "deckbuilder.api",
    "Deck": "deckbuilder.content.model",
    "Case": "deckbuilder.content.model",
    "Question": "deckbuilder.content.model",
    "Figure": "deckbuilder.content.model",
    "Fact": "deckbuilder.content.model",
    "DeckbuilderError": "deckbuilder.errors",
    "ContentError": "deckbuilder.errors",
    "ContentProblem": "deckbuilder.errors",
    "ContractError": "deckbuilder.errors",
    "OutputError": "deckbuilder.errors",
}

if TYPE_CHECKING:
    from deckbuilder.api import (
        BuildResult,
        CheckResult,
        DeckWritten,
        build,
        check,
        render_content,
        write_deck,
    )
    from deckbuilder.content.model import Case, Deck, Fact, Figure, Question
    from deckbuilder.errors import (
        ContentError,
        ContentProblem,
        ContractError,
        DeckbuilderError,
        OutputError,
    )


def __getattr__(name: str) -> Any:
    """Import an exported name on first use (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'deckbuilder' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})  # an export already imported is in both


__all__ = [  # the public API: everything else may change between versions
    "BuildResult",
    "Case",
    "CheckResult",
    "ContentError",
    "ContentProblem",
    "ContractError",
    "Deck",
    "DeckWritten",
    "DeckbuilderError",
    "Fact",
    "Figure",
    "OutputError",
    "Question",
    "__version__",
    "build",
    "check",
    "render_content",
    "write_deck",
]
