"""deckbuilder: turn case-based clinical quizzes written in YAML into Anki decks.

The package is a pipeline, one module per stage:

* :mod:`deckbuilder.load` reads and validates the content folder into
  :mod:`deckbuilder.structure` objects;
* :mod:`deckbuilder.notes` renders them and gives every note its stable ids;
* :mod:`deckbuilder.lock` decides modification times from the committed build state;
* :mod:`deckbuilder.package` writes the ``.apkg``.

:mod:`deckbuilder.build` strings the stages together; :mod:`deckbuilder.cli` is a thin
shell over it. Heavy modules are imported where they are used so that ``--help`` and
``--version`` stay fast.
"""

__version__ = "0.1.0"
