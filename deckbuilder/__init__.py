"""deckbuilder: turn case-based clinical quizzes written in YAML into Anki decks.

The package is a pipeline, one module per stage:

* :mod:`deckbuilder.content.loader` reads and validates the content folder into
  :mod:`deckbuilder.content.model` objects;
* :mod:`deckbuilder.notes.builder` renders them and gives every note its stable ids;
* :mod:`deckbuilder.notes.state` decides modification times from the committed build state;
* :mod:`deckbuilder.apkg.writer` writes the ``.apkg``.

:mod:`deckbuilder.build` strings the stages together; :mod:`deckbuilder.cli` is a thin
shell over it. Heavy modules are imported where they are used so that ``--help`` and
``--version`` stay fast.
"""

__version__ = "0.1.0"
