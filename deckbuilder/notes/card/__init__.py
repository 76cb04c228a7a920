"""The card's templates, CSS and script, as real files (read by ``notes.notetype``)."""
