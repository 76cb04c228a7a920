"""The card's templates, CSS and script, as real files (read by :mod:`deckbuilder.notetype`)."""
